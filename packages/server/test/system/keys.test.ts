import { existsSync, writeFileSync } from 'node:fs';
import {
  didKeyFromPublicKey,
  generateSigningKey,
  openCheckpoint,
  parseLedgerExport,
  type SigningKey,
  signingKeyToPem,
  verifyLedger,
} from '@humanos/core';
import { type HumanOSServer, loadConfig, openStore, startServer } from '@humanos/server';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  Api,
  type Backend,
  backends,
  createBackend,
  fingerprint,
  spawnServer,
} from '../../../../test-support/harness.js';

const did = (k: SigningKey) => didKeyFromPublicKey(k.publicKeyRaw);

/**
 * The signing key from a secret (HUMANOS_SIGNING_KEY) shared by replicas, and its rotation
 * (HUMANOS_PREVIOUS_SIGNING_KEY_FILE for one start): the log says which key was in force when, and
 * the export verifies across it.
 */
for (const backend of backends()) {
  describe(`signing key from a secret, and rotation [${backend}]`, () => {
    let b: Backend | undefined;
    const open: HumanOSServer[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
      await b?.drop();
    });

    const start = async (env: Record<string, string>) => {
      const config = loadConfig({
        ...b?.env,
        HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN,
        PORT: '0',
        HUMANOS_TIMER_INTERVAL_MS: '60000',
        ...env,
      });
      const s = await startServer(config, { logger: false, validateResponses: true });
      open.push(s);
      return s;
    };
    const stop = async (s: HumanOSServer) => {
      open.splice(open.indexOf(s), 1);
      await s.close();
    };
    /** The whole store's rows, read with a store of its own (the servers are stopped). */
    const storeFingerprint = async () => {
      const store = await openStore(
        b?.databaseUrl
          ? { kind: 'postgres', url: b.databaseUrl }
          : { kind: 'sqlite', file: `${b?.dataDir}/humanos.db` },
      );
      try {
        const meta = await sql.raw('select * from meta order by key').execute(store.db);
        return `${await fingerprint({ store } as HumanOSServer)}:${JSON.stringify(meta.rows)}`;
      } finally {
        await store.close();
      }
    };
    const pemEnv = (k: SigningKey) => ({ HUMANOS_SIGNING_KEY: signingKeyToPem(k) });
    const keyFile = (k: SigningKey, name: string) => {
      const path = `${b?.dataDir}/${name}.pem`;
      writeFileSync(path, signingKeyToPem(k), { mode: 0o600 });
      return path;
    };
    /** An approver and an agent, and a task of the agent's approved by the approver (a signed decision). */
    const approvedTask = async (url: string, people?: { agent: Api; approver: Api }) => {
      const admin = new Api(url, ADMIN_TOKEN);
      const p = people ?? {
        agent: admin.as((await admin.post('/principals', { id: 'did:agent:keys-bot', roles: [] })).body.token),
        approver: admin.as((await admin.post('/principals', { id: 'did:human:kim', roles: ['approver'] })).body.token),
      };
      const created = await p.agent.post('/tasks', { description: 'Rotate the backups', payload: { n: 1 } });
      expect(created.status).toBe(201);
      const ok = await p.approver.post(`/approvals/${created.body.approvalRequest.id}/approve`, {
        approvalReason: 'ok',
      });
      expect(ok.status).toBe(200);
      return { ...p, taskId: created.body.taskId as string };
    };
    const exported = async (url: string) =>
      parseLedgerExport(
        await (
          await fetch(`${url}/v1/humanos/ledger/export`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
        ).text(),
      );

    it('HUMANOS_SIGNING_KEY signs (no key file written); a second server on the same store with the same secret signs with it', async () => {
      b = await createBackend(backend);
      const key = generateSigningKey();
      const a = await start(pemEnv(key));
      // The second replica: on PostgreSQL its own data directory; on SQLite the same file.
      const r2 = await start({
        ...pemEnv(key),
        ...(backend === 'postgres' ? { HUMANOS_DATA_DIR: `${b.dataDir}/replica` } : {}),
      });
      for (const s of [a, r2]) {
        const pk = await (await fetch(`${s.url}/v1/humanos/ledger/public-key`)).json();
        expect(pk.publicKey).toBe(did(key));
      }
      const first = await approvedTask(a.url);
      await approvedTask(r2.url, first);
      expect(existsSync(`${b.dataDir}/signing-key.pem`)).toBe(false);
      const bundle = await exported(r2.url);
      expect(bundle.keys).toEqual([{ publicKey: did(key), fromSize: 0 }]);
      expect(verifyLedger(bundle, { trustedPublicKey: did(key) })).toMatchObject({ ok: true, decisionsVerified: 2 });
    });

    it('a malformed HUMANOS_SIGNING_KEY stops start-up naming the variable, without echoing it', async () => {
      b = await createBackend(backend);
      const secret =
        '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIDoesNotParseAsAKeyAtAllXXXXXXXXXXXXXXXX\n-----END PRIVATE KEY-----\n';
      const child = spawnServer({ ...b.env, HUMANOS_SIGNING_KEY: secret });
      const err = (await child.then(
        () => new Error('started'),
        (e: Error) => e,
      )) as Error;
      expect(err.message).toMatch(/HUMANOS_SIGNING_KEY: is not an Ed25519 private key/);
      expect(err.message).not.toContain('DoesNotParse');
      expect(() => loadConfig({ HUMANOS_SIGNING_KEY: secret, HUMANOS_SIGNING_KEY_FILE: '/x' })).toThrow(/both set/);
    });

    it('a replica still running with the old key after a rotation appends nothing (it fails its writes)', async () => {
      b = await createBackend(backend);
      const [k1, k2] = [generateSigningKey(), generateSigningKey()];
      const old = await start(pemEnv(k1));
      const admin = new Api(old.url, ADMIN_TOKEN);
      const agent = admin.as((await admin.post('/principals', { id: 'did:agent:late', roles: [] })).body.token);
      const rotated = await start({
        ...pemEnv(k2),
        HUMANOS_PREVIOUS_SIGNING_KEY_FILE: keyFile(k1, 'k1'),
        ...(backend === 'postgres' ? { HUMANOS_DATA_DIR: `${b.dataDir}/replica` } : {}),
      });
      const size = async () => (await (await fetch(`${rotated.url}/healthz`)).json()).ledgerSize as number;
      const before = await size();
      const refused = await agent.post('/tasks', { description: 'Signed by the wrong key?' });
      expect(refused.status).toBe(500);
      expect(await size()).toBe(before);
      const bundle = await exported(rotated.url);
      expect(verifyLedger(bundle, { trustedPublicKey: did(k2) })).toMatchObject({ ok: true });
    });

    it('rotation: decisions before and after verify, the old approval still executes, wrong keys refuse and write nothing', async () => {
      b = await createBackend(backend);
      const [k1, k2, k3] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
      const s1 = await start(pemEnv(k1));
      const before = await approvedTask(s1.url);
      const origin = (await (await fetch(`${s1.url}/v1/humanos/ledger/public-key`)).json()).origin;
      await stop(s1);

      const untouched = await storeFingerprint();
      await expect(start(pemEnv(k2))).rejects.toThrow(/signed by did:key:\S+, not by the configured key/);
      await expect(start({ ...pemEnv(k3), HUMANOS_PREVIOUS_SIGNING_KEY_FILE: keyFile(k2, 'k2') })).rejects.toThrow(
        /HUMANOS_PREVIOUS_SIGNING_KEY_FILE: holds did:key:\S+, but this store's ledger is signed by/,
      );
      expect(await storeFingerprint()).toBe(untouched);

      const s2 = await start({ ...pemEnv(k2), HUMANOS_PREVIOUS_SIGNING_KEY_FILE: keyFile(k1, 'k1') });
      const keys = await (await fetch(`${s2.url}/v1/humanos/ledger/keys`)).json();
      expect(keys.origin).toBe(origin);
      expect(keys.keys).toHaveLength(2);
      expect(keys.keys[0]).toEqual({ publicKey: did(k1), fromSize: 0 });
      const rotatedAt = keys.keys[1].fromSize as number;
      expect(keys.keys[1].publicKey).toBe(did(k2));
      expect((await (await fetch(`${s2.url}/v1/humanos/ledger/public-key`)).json()).publicKey).toBe(did(k2));
      // The checkpoint sealing the rotation verifies with either key (the current one cosigns it).
      const cp = (await (await fetch(`${s2.url}/v1/humanos/ledger/checkpoint`)).json()).checkpoint as string;
      expect(openCheckpoint(cp, origin, k1.publicKeyRaw).size).toBe(rotatedAt);
      expect(openCheckpoint(cp, origin, k2.publicKeyRaw).size).toBe(rotatedAt);
      // A task approved under the old key executes: its decision verifies with the key in force then.
      const people = {
        agent: new Api(s2.url, before.agent.token),
        approver: new Api(s2.url, before.approver.token),
      };
      const run = await people.agent.post(`/tasks/${before.taskId}/execute`, {});
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      await approvedTask(s2.url, people);
      await stop(s2);

      // Later starts need only the new key; the old one alone is refused.
      await expect(start(pemEnv(k1))).rejects.toThrow(/not by the configured key/);
      const s3 = await start(pemEnv(k2));
      const bundle = await exported(s3.url);
      const head = bundle.entries[rotatedAt - 1]?.entry as string;
      expect(JSON.parse(head)).toMatchObject({ type: 'ledger.key_rotated', actor: 'system', taskId: null });
      expect(bundle.keys).toEqual(keys.keys);
      expect(bundle.publicKey).toBe(did(k2));
      for (const trusted of [undefined, did(k1), did(k2)]) {
        expect(verifyLedger(bundle, { trustedPublicKey: trusted })).toMatchObject({ ok: true, decisionsVerified: 2 });
      }
      expect(verifyLedger(bundle, { trustedPublicKey: did(k3) })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/not one of the log's keys/),
      });
      // An insider who edits the rotation entry to name their own key: the old key never signed that.
      const forged = structuredClone(bundle);
      const entry = JSON.parse(head);
      entry.data.next = did(k3);
      (forged.entries[rotatedAt - 1] as { entry: string; leafHash?: string }).entry = JSON.stringify(entry);
      delete (forged.entries[rotatedAt - 1] as { leafHash?: string }).leafHash;
      forged.keys = [keys.keys[0], { publicKey: did(k3), fromSize: rotatedAt }];
      forged.publicKey = did(k3);
      // The later checkpoints are the real new key's, not the insider's; the core suite
      // (verifier.rotation.test.ts) re-signs them too and is refused at the rotation entry itself.
      expect(verifyLedger(forged)).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint rejected/) });
      forged.keys = keys.keys;
      forged.publicKey = did(k2);
      expect(verifyLedger(forged)).toMatchObject({ ok: false, firstBadIndex: rotatedAt - 1, check: 'key_rotation' });
    });
  });
}
