/**
 * Checkpoints cosigned by witnesses (C2SP tlog-witness), end to end over loopback HTTP: the server
 * submits its checkpoints to a `humanos witness`, serves the cosignatures on the checkpoint and in
 * the export (a verifier with the witness policy passes), refuses to start on a store behind the
 * witnessed checkpoint even with the local pin file gone (an ephemeral container) — before a key
 * rotation on that start writes anything — keeps deciding while a witness is down, catching it up when
 * it returns, and keeps cosigning across a key rotation once the witness is restarted with the new key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  didKeyFromPublicKey,
  formatVerifierKey,
  generateSigningKey,
  parseLedgerExport,
  signingKeyToPem,
  verifyLedger,
} from '@humanos/core';
import {
  forgetWitnessedLog,
  type HumanOSServer,
  loadConfig,
  openStore,
  type RunningWitness,
  startServer,
  startWitness,
} from '@humanos/server';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Api, type Backend, backends, createBackend } from '../../../../test-support/harness.js';

const ORIGIN = 'humanos.test/witnessed-ledger';

interface Setup {
  b: Backend;
  witnessDir: string;
  keyFile: string;
  logKey: string;
  env: Record<string, string>;
}

async function setup(backend: 'sqlite' | 'postgres'): Promise<Setup> {
  const b = await createBackend(backend);
  const witnessDir = mkdtempSync(join(tmpdir(), 'humanos-witness-'));
  const key = generateSigningKey();
  const keyFile = join(b.dataDir, 'test-signing-key.pem');
  writeFileSync(keyFile, signingKeyToPem(key), { mode: 0o600 });
  return {
    b,
    witnessDir,
    keyFile,
    logKey: didKeyFromPublicKey(key.publicKeyRaw),
    env: { ...b.env, HUMANOS_SIGNING_KEY_FILE: keyFile, HUMANOS_LEDGER_ORIGIN: ORIGIN },
  };
}

const config = (env: Record<string, string>) =>
  loadConfig({ ...env, HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN, PORT: '0', HUMANOS_TIMER_INTERVAL_MS: '60000' });

type Health = {
  ledgerSize: number;
  witnesses?: { cosignedSize: number | null; state: string; consecutiveFailures: number }[];
};
const health = async (url: string): Promise<Health> => (await fetch(`${url}/healthz`)).json() as Promise<Health>;

/** Waits until every witness has cosigned the current ledger size. */
async function cosigned(url: string, timeoutMs = 20_000): Promise<Health> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = await health(url);
    if (h.witnesses?.every((w) => w.cosignedSize === h.ledgerSize)) return h;
    if (Date.now() > until) throw new Error(`witnesses did not catch up: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function decide(admin: Api, n: number, tag: string): Promise<void> {
  const agent = admin.as((await admin.post('/principals', { id: `did:agent:${tag}`, roles: [] })).body.token);
  const approver = admin.as((await admin.post('/principals', { id: `did:human:${tag}`, roles: ['ops'] })).body.token);
  for (let i = 0; i < n; i++) {
    const c = await agent.post('/tasks', {
      description: `t ${i}`,
      humanInLoop: { approverRole: 'ops' },
      payload: { i },
    });
    const r = await approver.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' });
    expect(r.status).toBe(200);
  }
}

const openBackendStore = (b: Backend) =>
  openStore(
    b.databaseUrl ? { kind: 'postgres', url: b.databaseUrl } : { kind: 'sqlite', file: `${b.dataDir}/humanos.db` },
  );

/** A new signing key in a file beside the first: for a rotation. */
function nextKey(s: Setup): { file: string; did: string } {
  const key = generateSigningKey();
  const file = join(s.b.dataDir, 'next-signing-key.pem');
  writeFileSync(file, signingKeyToPem(key), { mode: 0o600 });
  return { file, did: didKeyFromPublicKey(key.publicKeyRaw) };
}

/** The rows that say which key signs the log (meta and the append lock's signer): a backup holds them too. */
async function keyRows(b: Backend): Promise<{ meta: { key: string; value: string }[]; signer: string | null }> {
  const store = await openBackendStore(b);
  const meta = await store.db
    .selectFrom('meta')
    .select(['key', 'value'])
    .where('key', 'in', ['ledger_public_key', 'ledger_keys'])
    .orderBy('key')
    .execute();
  const head = await store.db.selectFrom('ledger_head').select('signer').executeTakeFirst();
  await store.close();
  return { meta, signer: head?.signer ?? null };
}

/** Puts back what `keyRows` read, as restoring a backup from before a rotation would. */
async function restoreKeyRows(b: Backend, rows: Awaited<ReturnType<typeof keyRows>>): Promise<void> {
  const store = await openBackendStore(b);
  for (const m of rows.meta)
    await store.db.updateTable('meta').set({ value: m.value }).where('key', '=', m.key).execute();
  await store.db.updateTable('ledger_head').set({ signer: rows.signer }).execute();
  await store.close();
}

/** Everything a refused start must leave as it was: the log's rows, its head and its key records. */
async function storeState(b: Backend): Promise<string> {
  const store = await openBackendStore(b);
  const count = async (table: string) =>
    Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(store.db)).rows[0]?.n);
  const state = {
    entries: await count('ledger_entries'),
    nodes: await count('ledger_nodes'),
    checkpoints: await count('checkpoints'),
    newest: await store.db
      .selectFrom('checkpoints')
      .select(['size', 'note'])
      .orderBy('size', 'desc')
      .limit(1)
      .execute(),
    head: await store.db.selectFrom('ledger_head').selectAll().execute(),
    keys: await keyRows(b),
  };
  await store.close();
  return JSON.stringify(state);
}

/**
 * Cuts the store's log back to its newest checkpoint of at most `atMost` entries, as an older backup
 * would be, and drops the pin file; returns the size it has now.
 */
async function truncate(b: Backend, atMost: number): Promise<number> {
  const store = await openBackendStore(b);
  const { rows } = await sql<{
    size: number;
  }>`select max(size) as size from checkpoints where size <= ${atMost}`.execute(store.db);
  const cut = Number(rows[0]?.size);
  await sql.raw(`delete from ledger_entries where seq >= ${cut}`).execute(store.db);
  // Every node covering a leaf at or past the cut (a node (level, idx) covers leaves below (idx + 1) << level).
  await sql.raw(`delete from ledger_nodes where ((idx + 1) << level) > ${cut}`).execute(store.db);
  await sql.raw(`delete from checkpoints where size > ${cut}`).execute(store.db);
  await sql.raw(`update ledger_head set size = ${cut}`).execute(store.db);
  await store.close();
  rmSync(join(b.dataDir, 'ledger-checkpoint.json'), { force: true });
  return cut;
}

for (const backend of backends()) {
  describe(`witnessed checkpoints [${backend}]`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });
    /** A witness of the setup's log (its key), closed and removed with the setup's backend after the test. */
    const witnessFor = async (s: Setup) => {
      const w = await startWitness({ dataDir: s.witnessDir, logs: [{ origin: ORIGIN, key: s.logKey }] });
      cleanup.push(async () => {
        await w.close();
        rmSync(s.witnessDir, { recursive: true, force: true });
        await s.b.drop();
      });
      return w;
    };

    it('cosigned checkpoints are served and verify under a witness policy; a store behind them refuses to start without its pin file', async () => {
      const s = await setup(backend);
      const w = await witnessFor(s);
      const env = { ...s.env, HUMANOS_WITNESSES: `${w.vkey}=${w.url}` };
      let server: HumanOSServer | undefined = await startServer(config(env), { logger: false });
      const admin = new Api(server.url, ADMIN_TOKEN);
      await decide(admin, 3, 'first');
      const h = await cosigned(server.url);
      expect(h.witnesses).toEqual([expect.objectContaining({ state: 'ok', consecutiveFailures: 0 })]);

      // The checkpoint endpoint and the export carry the cosignature after the log's signature.
      const cp = (await admin.get('/ledger/checkpoint')).body as { size: number; checkpoint: string };
      expect(cp.size).toBe(h.ledgerSize);
      const lines = cp.checkpoint.split('\n').filter((l) => l.startsWith('\u2014 '));
      expect(lines.map((l) => l.split(' ')[1])).toEqual([ORIGIN, w.vkey.split('+')[0]]);
      const bundle = parseLedgerExport((await admin.req('GET', '/ledger/export')).body as unknown as string);
      const policy = { witnesses: [w.vkey], witnessQuorum: 1 };
      expect(verifyLedger(bundle, policy)).toMatchObject({ ok: true, witnessedSize: h.ledgerSize });
      // Another witness's policy: nothing cosigned by it, the export fails.
      const other = formatVerifierKey('other.test/w', generateSigningKey().publicKeyRaw);
      expect(verifyLedger(bundle, { witnesses: [other] })).toMatchObject({ ok: false, check: 'witness_policy' });

      // An ephemeral container: the store is restored to an older state and the pin file is gone.
      const witnessed = h.ledgerSize;
      await server.close();
      server = undefined;
      const cut = await truncate(s.b, witnessed - 3);
      await expect(startServer(config(env), { logger: false })).rejects.toThrow(
        new RegExp(`HUMANOS_WITNESSES: the store's ledger \\(${cut} entries\\) is behind .*cosigned size ${witnessed}`),
      );
      // The witness still holds the size it cosigned: the refused start moved nothing.
      const probe = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: `old 0\n\n${cp.checkpoint}` });
      expect([probe.status, await probe.text()]).toEqual([409, `${witnessed}\n`]);
      // Without witnesses (and without the pin) the same store starts: the witness is what refused it.
      const unwitnessed = await startServer(config(s.env), { logger: false });
      await unwitnessed.close();
    }, 90_000);

    it('the quorum decides: one of two witnesses ahead refuses a start with quorum 1, not with quorum 2', async () => {
      const s = await setup(backend);
      const logs = [{ origin: ORIGIN, key: s.logKey }];
      const dirs = [join(s.witnessDir, 'a'), join(s.witnessDir, 'b')];
      const both = await Promise.all(dirs.map((dataDir) => startWitness({ dataDir, logs })));
      cleanup.push(async () => {
        for (const w of both) await w.close();
        rmSync(s.witnessDir, { recursive: true, force: true });
        await s.b.drop();
      });
      const witnesses = both.map((w) => `${w.vkey}=${w.url}`).join(',');
      const server = await startServer(config({ ...s.env, HUMANOS_WITNESSES: witnesses }), { logger: false });
      await decide(new Api(server.url, ADMIN_TOKEN), 2, 'quorum');
      const witnessed = (await cosigned(server.url)).ledgerSize;
      await server.close();
      const cut = await truncate(s.b, witnessed - 1);
      // Witness b forgets the log (its operator accepted a rollback, or it lost its state): only a is ahead.
      const b = both[1] as RunningWitness;
      await b.close();
      expect(forgetWitnessedLog(dirs[1] as string, ORIGIN)).toBe(witnessed);
      both[1] = await startWitness({ dataDir: dirs[1] as string, logs, port: Number(new URL(b.url).port) });
      await expect(
        startServer(config({ ...s.env, HUMANOS_WITNESSES: witnesses, HUMANOS_WITNESS_QUORUM: '1' }), { logger: false }),
      ).rejects.toThrow(`cosigned size ${witnessed}`);
      // Quorum 2: one witness is not a quorum; the server starts and shows the conflict.
      const quorum2 = config({ ...s.env, HUMANOS_WITNESSES: witnesses, HUMANOS_WITNESS_QUORUM: '2' });
      const started = await startServer(quorum2, { logger: false });
      try {
        const h = await health(started.url);
        expect(h.witnesses?.map((w) => w.state)).toEqual(['conflict', 'ok']);
        expect(h.witnesses?.[1]?.cosignedSize).toBe(cut);
      } finally {
        await started.close();
      }
    }, 120_000);

    it('an unavailable witness does not block decisions; it is retried, shown in /healthz, and caught up when back', async () => {
      const s = await setup(backend);
      // A port with nothing listening: start a witness to learn its vkey and port, then stop it.
      const logs = [{ origin: ORIGIN, key: s.logKey }];
      const first = await startWitness({ dataDir: s.witnessDir, logs });
      await first.close();
      const port = Number(new URL(first.url).port);
      let w: RunningWitness | undefined;
      const server = await startServer(config({ ...s.env, HUMANOS_WITNESSES: `${first.vkey}=${first.url}` }), {
        logger: false,
      });
      cleanup.push(async () => {
        await server.close();
        await w?.close();
        rmSync(s.witnessDir, { recursive: true, force: true });
        await s.b.drop();
      });
      const admin = new Api(server.url, ADMIN_TOKEN);
      const started = Date.now();
      await decide(admin, 3, 'down');
      // Six writes and three decisions with the witness down: no request waited on it.
      expect(Date.now() - started).toBeLessThan(5000);
      const down = await health(server.url);
      expect(down.witnesses?.[0]).toMatchObject({ state: 'retrying', cosignedSize: null });
      expect(down.witnesses?.[0]?.consecutiveFailures).toBeGreaterThan(0);
      w = await startWitness({ dataDir: s.witnessDir, logs, port });
      await decide(admin, 1, 'back');
      const back = await cosigned(server.url, 70_000);
      expect(back.witnesses?.[0]).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain(`humanos_witness_cosigned_size{witness="${first.url}"} ${back.ledgerSize}`);
      expect(metrics).toContain(`humanos_witness_failures{witness="${first.url}"} 0`);
    }, 120_000);

    it('a store behind the witnessed checkpoint, started with a key rotation, is refused before the rotation is written', async () => {
      const s = await setup(backend);
      const w = await witnessFor(s);
      const env = { ...s.env, HUMANOS_WITNESSES: `${w.vkey}=${w.url}` };
      const server = await startServer(config(env), { logger: false });
      await decide(new Api(server.url, ADMIN_TOKEN), 3, 'rolled');
      const witnessed = (await cosigned(server.url)).ledgerSize;
      await server.close();
      const cut = await truncate(s.b, witnessed - 3);
      const before = await storeState(s.b);
      const rotating = {
        ...env,
        HUMANOS_SIGNING_KEY_FILE: nextKey(s).file,
        HUMANOS_PREVIOUS_SIGNING_KEY_FILE: s.keyFile,
      };
      // Refused on the store as it was (cut entries), not after appending ledger.key_rotated to it.
      await expect(startServer(config(rotating), { logger: false })).rejects.toThrow(
        new RegExp(`HUMANOS_WITNESSES: the store's ledger \\(${cut} entries\\) is behind .*cosigned size ${witnessed}`),
      );
      expect(await storeState(s.b)).toBe(before);
    }, 90_000);

    it('across a key rotation: the witness restarted with the new key cosigns on, the witness policy verifies, a pre-rotation backup is refused', async () => {
      const s = await setup(backend);
      let w = await startWitness({ dataDir: s.witnessDir, logs: [{ origin: ORIGIN, key: s.logKey }] });
      const port = Number(new URL(w.url).port);
      let server: HumanOSServer | undefined;
      cleanup.push(async () => {
        await server?.close();
        await w.close();
        rmSync(s.witnessDir, { recursive: true, force: true });
        await s.b.drop();
      });
      const witnessed = { ...s.env, HUMANOS_WITNESSES: `${w.vkey}=${w.url}` };
      server = await startServer(config(witnessed), { logger: false });
      await decide(new Api(server.url, ADMIN_TOKEN), 2, 'before');
      const beforeRotation = (await cosigned(server.url)).ledgerSize;
      await server.close();
      const oldKeys = await keyRows(s.b);

      // operations.md, "Rotating the key", step 3: one start with the new key and the previous one.
      const next = nextKey(s);
      const newKeyOnly = { ...witnessed, HUMANOS_SIGNING_KEY_FILE: next.file };
      const rotating = { ...newKeyOnly, HUMANOS_PREVIOUS_SIGNING_KEY_FILE: s.keyFile };
      server = await startServer(config(rotating), { logger: false });
      // The rotation's seal carries both keys' signatures: the witness, still with the old key, cosigns it.
      expect((await cosigned(server.url)).ledgerSize).toBe(beforeRotation + 1);
      // Later checkpoints carry the new key's only: the witness refuses them until it knows that key.
      await decide(new Api(server.url, ADMIN_TOKEN), 1, 'between');
      let h = await health(server.url);
      for (let i = 0; i < 200 && h.witnesses?.[0]?.state !== 'conflict'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        h = await health(server.url);
      }
      expect(h.witnesses?.[0]).toMatchObject({ state: 'conflict', cosignedSize: beforeRotation + 1 });
      await server.close();

      // The witness restarted with the new key (its state, key and address unchanged); the server with the new key only.
      await w.close();
      w = await startWitness({ dataDir: s.witnessDir, logs: [{ origin: ORIGIN, key: next.did }], port });
      server = await startServer(config(newKeyOnly), { logger: false });
      const admin = new Api(server.url, ADMIN_TOKEN);
      await decide(admin, 1, 'after');
      const after = await cosigned(server.url);
      expect(after.witnesses?.[0]).toMatchObject({ state: 'ok' });
      // A verifier with the witness policy passes the whole log, rotation included.
      const bundle = parseLedgerExport((await admin.req('GET', '/ledger/export')).body as unknown as string);
      expect(verifyLedger(bundle, { witnesses: [w.vkey], witnessQuorum: 1 })).toMatchObject({
        ok: true,
        witnessedSize: after.ledgerSize,
      });
      await server.close();
      server = undefined;

      // A backup from before the rotation, started to rotate again: the witness, which now knows only
      // the new key, still says how far it cosigned (the old checkpoint goes to it with the new key's
      // signature added), so the start is refused with nothing written.
      const cut = await truncate(s.b, beforeRotation);
      await restoreKeyRows(s.b, oldKeys);
      const before = await storeState(s.b);
      await expect(startServer(config(rotating), { logger: false })).rejects.toThrow(
        new RegExp(
          `HUMANOS_WITNESSES: the store's ledger \\(${cut} entries\\) is behind .*cosigned size ${after.ledgerSize}`,
        ),
      );
      expect(await storeState(s.b)).toBe(before);
    }, 120_000);
  });
}
