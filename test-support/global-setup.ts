import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
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
 * Makes sure the real PostgreSQL the suites need is up: when it is not reachable, run
 * `scripts/ensure-services.sh` (the same script `.ci/run` uses: installs Debian's package when missing,
 * sets trust auth on loopback, starts the cluster and waits). If PostgreSQL still cannot be had, say so
 * loudly; under CI=true that is a failure, not a skip.
 */
export default async function setup(): Promise<void> {
  if (!(await pgReachable()) && process.env.HUMANOS_TEST_PG_URL === undefined) {
    try {
      execFileSync('bash', [join(import.meta.dirname, '../scripts/ensure-services.sh')], { stdio: 'inherit' });
    } catch (e) {
      process.stderr.write(`could not prepare PostgreSQL: ${(e as Error).message}\n`);
    }
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
