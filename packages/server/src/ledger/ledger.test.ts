import { HumanOSClient } from '@human/sdk';
import {
  consistencyRanges,
  entryLeafHash,
  hexToBytes,
  type LedgerBundle,
  openCheckpoint,
  parseLedgerExport,
  publicKeyFromDidKey,
  verifyConsistency,
  verifyInclusion,
  verifyLedger,
} from '@humanos/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

for (const backend of backends()) {
  describe(`signed ledger [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let approver: Api;
    /** Ledger indexes of decision entries (each appended by a one-entry transaction). */
    const decisionIndexes: number[] = [];

    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:ledger-bot', []);
      approver = await t.principal('did:human:auditor-approver', ['ops']);
      for (let i = 0; i < 12; i++) {
        const c = await agent.post('/tasks', {
          description: `Rotate key ${i}`,
          humanInLoop: { approverRole: 'ops' },
          payload: { i },
        });
        const verb = i % 3 === 0 ? 'reject' : 'approve';
        const r = await approver.post(
          `/approvals/${c.body.approvalRequest.id}/${verb}`,
          verb === 'reject' ? { rejectionReason: 'not now' } : { approvalReason: 'ok', edits: { rotatedBy: 'ops' } },
        );
        decisionIndexes.push(r.body.provenance.ledgerIndex);
        if (verb === 'approve') {
          const e = await agent.post(`/tasks/${c.body.taskId}/execute`, {});
          await agent.post(`/tasks/${c.body.taskId}/complete`, { result: { ok: i } });
          expect(e.body.payload).toEqual({ i, rotatedBy: 'ops' });
        }
      }
    });
    afterAll(async () => t?.close());

    const exportBundle = async (): Promise<LedgerBundle> => {
      const res = await t.admin.req('GET', '/ledger/export');
      expect(res.status).toBe(200);
      return parseLedgerExport(res.body as unknown as string);
    };
    const publicKey = async () => (await t.admin.get('/ledger/public-key')).body.publicKey as string;
    /** What went wrong with an export that did not verify: each checkpoint, and the verdict again. */
    const explain = async (bundle: LedgerBundle) => {
      const pk = await publicKey();
      const notes = bundle.checkpoints.map((note, i) => {
        try {
          openCheckpoint(note, bundle.origin, publicKeyFromDidKey(pk));
          return `${i}: ok`;
        } catch (e) {
          return `${i}: ${(e as Error).message} ${JSON.stringify(note)}`;
        }
      });
      const again = verifyLedger(bundle, pk).reason ?? 'ok';
      const fresh = verifyLedger(await exportBundle(), pk).reason ?? 'ok';
      const who = `header ${bundle.origin} ${bundle.publicKey}; server ${t.server.service.origin} ${pk}`;
      return [who, `again: ${again}`, `fresh export: ${fresh}`, ...notes.filter((n) => !n.endsWith(': ok'))].join('\n');
    };

    /** Runs `tamper` on the store, checks the verifier's verdict, then restores the store. */
    const tampered = async (tamper: () => Promise<void>, restore: () => Promise<void>) => {
      await tamper();
      try {
        return verifyLedger(await exportBundle(), await publicKey());
      } finally {
        await restore();
      }
    };

    it('an untouched ledger verifies: every leaf, root, checkpoint and decision signature', async () => {
      const bundle = await exportBundle();
      const report = verifyLedger(bundle, await publicKey());
      // First, so a failure prints why, with what a second look at the same export and a fresh one says.
      expect(report.reason, report.ok ? '' : await explain(bundle)).toBeUndefined();
      expect(report).toMatchObject({ ok: true, size: bundle.entries.length });
      expect(report.decisionsVerified).toBe(12);
      expect(report.checkpointsVerified).toBe(bundle.checkpoints.length);
      // Every state change was logged: 2 principals + per task created, gate, decision (+ 3 for executions).
      const types = bundle.entries.map((e) => JSON.parse(e.entry).type);
      expect(types.filter((x) => x === 'task.created')).toHaveLength(12);
      expect(types.filter((x) => x === 'approval.decided')).toHaveLength(12);
      expect(types.filter((x) => x === 'task.completed')).toHaveLength(8);
    });

    it('the SDK verifies the ledger from the server URL with a trusted key', async () => {
      const client = new HumanOSClient({ baseUrl: t.url, apiKey: t.admin.token as string });
      const report = await client.verifyLedger(await publicKey());
      expect(report.ok).toBe(true);
    });

    it('a ledger verified with someone else’s key fails', async () => {
      const other = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
      const report = verifyLedger(await exportBundle(), other);
      expect(report.ok).toBe(false);
    });

    it('one changed byte in a stored entry is named at its index', async () => {
      const k = decisionIndexes[4] as number;
      const row = await t.server.store.db
        .selectFrom('ledger_entries')
        .select('entry')
        .where('seq', '=', k)
        .executeTakeFirstOrThrow();
      const changed = row.entry.replace('"approved"', '"approvec"');
      expect(changed).not.toBe(row.entry);
      const report = await tampered(
        () =>
          t.server.store.db
            .updateTable('ledger_entries')
            .set({ entry: changed })
            .where('seq', '=', k)
            .execute()
            .then(() => {}),
        () =>
          t.server.store.db
            .updateTable('ledger_entries')
            .set({ entry: row.entry })
            .where('seq', '=', k)
            .execute()
            .then(() => {}),
      );
      expect(report).toMatchObject({ ok: false, firstBadIndex: k });
    });

    it('a rewritten entry with a recomputed leaf hash is caught by the signed checkpoints, at its index', async () => {
      const k = decisionIndexes[6] as number;
      const row = await t.server.store.db
        .selectFrom('ledger_entries')
        .select(['entry', 'leaf_hash'])
        .where('seq', '=', k)
        .executeTakeFirstOrThrow();
      const entry = JSON.parse(row.entry);
      entry.data.record.reason = 'forged reason';
      const { canonicalJson } = await import('@humanos/core');
      const forged = canonicalJson(entry);
      const forgedLeaf = Buffer.from(entryLeafHash(forged)).toString('hex');
      const report = await tampered(
        async () => {
          await t.server.store.db
            .updateTable('ledger_entries')
            .set({ entry: forged, leaf_hash: forgedLeaf })
            .where('seq', '=', k)
            .execute();
        },
        async () => {
          await t.server.store.db
            .updateTable('ledger_entries')
            .set({ entry: row.entry, leaf_hash: row.leaf_hash })
            .where('seq', '=', k)
            .execute();
        },
      );
      expect(report.ok).toBe(false);
      // The decision's own signature no longer matches its record: named exactly.
      expect(report.firstBadIndex).toBe(k);
    });

    it('a deleted entry is named at its index', async () => {
      const k = decisionIndexes[2] as number;
      const row = await t.server.store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('seq', '=', k)
        .executeTakeFirstOrThrow();
      const report = await tampered(
        () =>
          t.server.store.db
            .deleteFrom('ledger_entries')
            .where('seq', '=', k)
            .execute()
            .then(() => {}),
        () =>
          t.server.store.db
            .insertInto('ledger_entries')
            .values(row)
            .execute()
            .then(() => {}),
      );
      expect(report).toMatchObject({ ok: false, firstBadIndex: k });
    });

    it('two reordered entries are named at the first of them', async () => {
      const a = decisionIndexes[3] as number;
      const b = a + 1;
      const rows = await t.server.store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('seq', 'in', [a, b])
        .orderBy('seq')
        .execute();
      const [ra, rb] = rows as [(typeof rows)[0], (typeof rows)[0]];
      const swap = async (x: typeof ra, y: typeof ra) => {
        await t.server.store.db
          .updateTable('ledger_entries')
          .set({ entry: y.entry, leaf_hash: y.leaf_hash, task_id: y.task_id })
          .where('seq', '=', x.seq)
          .execute();
      };
      const report = await tampered(
        async () => {
          await swap(ra, rb);
          await swap(rb, ra);
        },
        async () => {
          await t.server.store.db
            .updateTable('ledger_entries')
            .set({ entry: ra.entry, leaf_hash: ra.leaf_hash, task_id: ra.task_id })
            .where('seq', '=', a)
            .execute();
          await t.server.store.db
            .updateTable('ledger_entries')
            .set({ entry: rb.entry, leaf_hash: rb.leaf_hash, task_id: rb.task_id })
            .where('seq', '=', b)
            .execute();
        },
      );
      expect(report).toMatchObject({ ok: false, firstBadIndex: a });
    });

    it('a decision row changed in the store is named at its ledger index', async () => {
      const k = decisionIndexes[5] as number;
      const row = await t.server.store.db
        .selectFrom('decisions')
        .select(['record', 'ledger_index', 'approval_id', 'principal_id'])
        .where('ledger_index', '=', k)
        .executeTakeFirstOrThrow();
      const record = JSON.parse(row.record);
      const forged = JSON.stringify({ ...record, decidedBy: 'did:human:someone-else' });
      const report = await tampered(
        () =>
          t.server.store.db
            .updateTable('decisions')
            .set({ record: forged })
            .where('ledger_index', '=', k)
            .execute()
            .then(() => {}),
        () =>
          t.server.store.db
            .updateTable('decisions')
            .set({ record: row.record })
            .where('ledger_index', '=', k)
            .execute()
            .then(() => {}),
      );
      expect(report).toMatchObject({ ok: false, firstBadIndex: k });
      expect(report.reason).toMatch(/stored decision differs/);
    });

    it('after every restore the ledger verifies again', async () => {
      expect(verifyLedger(await exportBundle(), await publicKey()).ok).toBe(true);
    });

    it('inclusion and consistency proofs from the API verify against signed checkpoints', async () => {
      const pk = publicKeyFromDidKey(await publicKey());
      const bundle = await exportBundle();
      const size = bundle.entries.length;
      for (const index of [0, 1, Math.floor(size / 2), size - 1]) {
        const r = await t.admin.get(`/ledger/proof/inclusion?index=${index}&size=${size}`);
        expect(r.status).toBe(200);
        const cp = openCheckpoint(r.body.checkpoint, t.server.service.origin, pk);
        verifyInclusion(
          index,
          size,
          entryLeafHash(bundle.entries[index]?.entry as string),
          r.body.inclusionProof.map(hexToBytes),
          new Uint8Array(Buffer.from(cp.rootHash, 'base64')),
        );
      }
      const sizes = (
        await sql<{ size: number }>`select size from checkpoints order by size`.execute(t.server.store.db)
      ).rows.map((r) => Number(r.size));
      const from = sizes[3] as number;
      const r = await t.admin.get(`/ledger/proof/consistency?from=${from}&to=${size}`);
      expect(r.status).toBe(200);
      expect(r.body.consistencyProof).toHaveLength(consistencyRanges(from, size).length);
      const old = await t.server.service.ledger.checkpointAt(t.server.store.db, from);
      const cpOld = openCheckpoint(old?.note as string, t.server.service.origin, pk);
      const cpNew = openCheckpoint(r.body.checkpoint, t.server.service.origin, pk);
      verifyConsistency(
        from,
        size,
        r.body.consistencyProof.map(hexToBytes),
        new Uint8Array(Buffer.from(cpOld.rootHash, 'base64')),
        new Uint8Array(Buffer.from(cpNew.rootHash, 'base64')),
      );
      const bad = await t.admin.get(`/ledger/proof/inclusion?index=${size + 5}&size=${size}`);
      expect(bad.status).toBe(400);
    });

    it('the public checkpoint needs no token; ledger entries need admin or auditor', async () => {
      const res = await fetch(`${t.url}/v1/humanos/ledger/checkpoint`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { checkpoint: string; size: number };
      expect(body.checkpoint).toContain(`${t.server.service.origin}\n${body.size}\n`);
      expect((await agent.get('/ledger/entries?start=0')).status).toBe(403);
      const auditor = await t.principal('did:human:auditor', ['auditor']);
      expect((await auditor.get('/ledger/entries?start=0')).status).toBe(200);
    });
  });
}
