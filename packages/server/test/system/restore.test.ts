/**
 * The restore drill of docs/operations.md, on both backends, with real processes: a backup taken
 * while the server runs (`humanos backup` on SQLite, `pg_dump` on PostgreSQL), more decisions after
 * it, the store lost and restored from the backup; the server then refuses to start (its rollback
 * pin, `ledger-checkpoint.json`, is newer than the backup) and changes nothing; with the pin moved
 * aside, as the procedure says, it starts on the backup's ledger, which verifies offline.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, backends, createBackend, PG_ADMIN_URL, spawnServer } from '../../../../test-support/harness.js';
import { humanos } from '../../../cli/test/run.js';

const exec = promisify(execFile);

async function api(url: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${url}/v1/humanos${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function ledgerSize(url: string): Promise<number> {
  return (await (await fetch(`${url}/healthz`)).json()).ledgerSize as number;
}

/** Principals made by the admin: each is a signed ledger entry. */
async function addPrincipals(url: string, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await api(url, 'POST', '/principals', { id: `did:agent:${prefix}-${i}`, roles: [] });
    expect(r.status).toBe(201);
  }
}

async function recreateDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  await c.query(`drop database ${name} with (force)`);
  await c.query(`create database ${name}`);
  await c.end();
}

for (const name of backends()) {
  describe(`backup, restore, the rollback pin [${name}]`, () => {
    it('a restored backup is refused while the pin is newer, and serves a verifiable ledger once the pin is moved aside', async () => {
      const backend = await createBackend(name);
      const work = mkdtempSync(join(tmpdir(), 'humanos-restore-'));
      const dbFile = join(backend.dataDir, 'humanos.db');
      const pinFile = join(backend.dataDir, 'ledger-checkpoint.json');
      try {
        let server = await spawnServer(backend.env);
        await addPrincipals(server.url, 'before', 3);
        const signer = (await api(server.url, 'GET', '/ledger/public-key')).body.publicKey as string;

        // The backup, taken while the server runs.
        const atBackup = await ledgerSize(server.url);
        const backup = join(work, name === 'sqlite' ? 'backup.db' : 'backup.dump');
        if (name === 'sqlite') {
          const r = await humanos(['backup', '--data-dir', backend.dataDir, '--out', backup], {});
          expect(r.code, r.stderr).toBe(0);
          expect(r.stdout).toBe(`${backup}\tledger size ${atBackup}\n`);
          expect(r.stderr).toContain('signing-key.pem) is not in the backup');
          // Never over an existing file.
          const again = await humanos(['backup', '--data-dir', backend.dataDir, '--out', backup], {});
          expect(again.code).toBe(1);
          expect(again.stderr).toContain('never overwrites');
        } else {
          const refused = await humanos(['backup', '--out', backup], { DATABASE_URL: backend.databaseUrl as string });
          expect(refused.code).toBe(2);
          expect(refused.stderr).toContain('pg_dump');
          expect(existsSync(backup)).toBe(false);
          await exec('pg_dump', ['--format=custom', `--file=${backup}`, backend.databaseUrl as string]);
        }

        // Decisions after the backup; the pin follows them; then the store is lost.
        await addPrincipals(server.url, 'after', 2);
        const atLoss = await ledgerSize(server.url);
        expect(atLoss).toBeGreaterThan(atBackup);
        await server.kill('SIGTERM');
        expect(JSON.parse(readFileSync(pinFile, 'utf8')).size).toBe(atLoss);
        if (name === 'sqlite') {
          for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
          copyFileSync(backup, dbFile);
        } else {
          await recreateDatabase(backend.databaseUrl as string);
          await exec('pg_restore', ['--no-owner', `--dbname=${backend.databaseUrl}`, backup]);
        }

        // The pin is newer than the backup: refused, naming the pin to move aside.
        const refusal = await spawnServer(backend.env).then(
          () => 'started',
          (e: Error) => e.message,
        );
        expect(refusal).toMatch(
          new RegExp(
            `has ${atBackup} entries, fewer than the checkpoint of size ${atLoss}.*move .*ledger-checkpoint\\.json aside`,
          ),
        );
        expect(JSON.parse(readFileSync(pinFile, 'utf8')).size).toBe(atLoss);

        // Restored on purpose: the pin moved aside (kept), the server starts on the backup's ledger.
        renameSync(pinFile, `${pinFile}.before-restore`);
        server = await spawnServer(backend.env);
        expect(await ledgerSize(server.url)).toBe(atBackup); // the refused start wrote nothing
        expect((await api(server.url, 'GET', '/principals/did:agent:before-2')).status).toBe(200);
        expect((await api(server.url, 'GET', '/principals/did:agent:after-0')).status).toBe(404);
        const env = { HUMANOS_URL: server.url, HUMANOS_API_KEY: ADMIN_TOKEN };
        const exported = join(work, 'restored.jsonl');
        expect((await humanos(['ledger', 'export', '--out', exported], env)).code).toBe(0);
        const verified = await humanos(['ledger', 'verify', '--file', exported, '--public-key', signer], {});
        expect(verified.code, verified.stderr + verified.stdout).toBe(0);
        await server.kill('SIGTERM');
      } finally {
        rmSync(work, { recursive: true, force: true });
        await backend.drop();
      }
    }, 120_000);
  });
}
