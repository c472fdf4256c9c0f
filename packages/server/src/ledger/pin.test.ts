import { type LedgerBundle, parseLedgerExport, verifyLedger } from '@humanos/core';
import { loadConfig, startServer } from '@humanos/server';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Api, backends, createBackend } from '../../../../test-support/harness.js';

/**
 * Issue 12, attack 6: truncation. A log shorter than a checkpoint seen earlier does not verify
 * against it, and the server refuses to start on a store that is behind the checkpoint it published.
 */
for (const backend of backends()) {
  describe(`pinned checkpoints [${backend}]`, () => {
    it('verification against a pinned checkpoint fails on a truncated or rewritten log, passes on an honest longer one; the server refuses a truncated store', async () => {
      const b = await createBackend(backend);
      const config = loadConfig({
        ...b.env,
        HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN,
        PORT: '0',
        HUMANOS_TIMER_INTERVAL_MS: '60000',
      });
      try {
        let server = await startServer(config, { logger: false });
        const admin = new Api(server.url, ADMIN_TOKEN);
        await admin.post('/principals', { id: 'did:human:pin-a', roles: ['approver'] });
        const pinned = (await admin.get('/ledger/checkpoint')).body as {
          size: number;
          rootHash: string;
          checkpoint: string;
        };
        await admin.post('/principals', { id: 'did:human:pin-b', roles: ['approver'] });
        const exportText = async () =>
          (
            await fetch(`${server.url}/v1/humanos/ledger/export`, {
              headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
            })
          ).text();
        const honest = parseLedgerExport(await exportText());
        expect(verifyLedger(honest, { trustedCheckpoint: pinned.checkpoint }).ok).toBe(true);
        expect(verifyLedger(honest, { trustedCheckpoint: { size: pinned.size, rootHash: pinned.rootHash } }).ok).toBe(
          true,
        );

        // Truncated: the last entries and their checkpoints gone, the head lowered.
        const cut = pinned.size - 1;
        const truncated: LedgerBundle = {
          ...honest,
          entries: honest.entries.slice(0, cut),
          checkpoints: honest.checkpoints.filter((n) => Number(n.split('\n')[1]) <= cut),
          decisions: [],
        };
        expect(verifyLedger(truncated).ok).toBe(true); // consistent with itself…
        const report = verifyLedger(truncated, { trustedCheckpoint: pinned.checkpoint });
        expect(report.ok).toBe(false); // …but not with what a client saw
        expect(report.reason).toContain(`trusted checkpoint of size ${pinned.size}`);

        // Rewritten history with a forged root for the pinned size.
        const forged = { size: pinned.size, rootHash: Buffer.alloc(32, 7).toString('base64') };
        expect(verifyLedger(honest, { trustedCheckpoint: forged }).reason).toMatch(/history rewritten/);

        // The server pins what it published; truncate the store behind it and restart.
        await server.close();
        const db = (await import('@humanos/server')).openStore;
        const store = await db(
          b.databaseUrl
            ? { kind: 'postgres', url: b.databaseUrl }
            : { kind: 'sqlite', file: `${b.dataDir}/humanos.db` },
        );
        await sql.raw(`delete from ledger_entries where seq >= ${cut}`).execute(store.db);
        await sql.raw(`delete from ledger_nodes where idx >= 0 and level = 0 and idx >= ${cut}`).execute(store.db);
        await sql.raw(`delete from checkpoints where size > ${cut}`).execute(store.db);
        await sql.raw(`update ledger_head set size = ${cut}`).execute(store.db);
        await store.close();
        await expect(startServer(config, { logger: false })).rejects.toThrow(/fewer than the checkpoint of size \d+/);
        server = undefined as never;
      } finally {
        await b.drop();
      }
    });
  });
}
