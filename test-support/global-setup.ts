import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.HUMANOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Makes sure the real PostgreSQL the suites need is up: if Debian's cluster is installed but stopped,
 * start it. If PostgreSQL cannot be had, say so loudly; under CI=true that is a failure, not a skip.
 */
export default async function setup(): Promise<void> {
  if (!(await pgReachable()) && existsSync('/etc/postgresql')) {
    for (const version of readdirSync('/etc/postgresql')) {
      try {
        execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
      } catch (e) {
        process.stderr.write(`could not start PostgreSQL ${version}/main: ${(e as Error).message}\n`);
      }
    }
    for (let i = 0; i < 20 && !(await pgReachable()); i++) await new Promise((r) => setTimeout(r, 500));
  }
  if (await pgReachable()) {
    process.env.HUMANOS_TEST_PG = '1';
    return;
  }
  const msg = `PostgreSQL is not reachable at ${PG_ADMIN_URL}: the PostgreSQL half of every storage suite cannot run.`;
  if (process.env.CI === 'true') throw new Error(`${msg} (CI=true: failing instead of skipping)`);
  process.stderr.write(`\n\x1b[41m WARNING \x1b[0m ${msg} Those tests are SKIPPED.\n\n`);
  process.env.HUMANOS_TEST_PG = '0';
}
