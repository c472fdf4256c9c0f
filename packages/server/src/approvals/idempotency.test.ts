import {
  entryLeafHash,
  hexToBytes,
  openCheckpoint,
  publicKeyFromDidKey,
  rootFromInclusionProof,
  verifyDecisionSignature,
} from '@humanos/core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { backends, type TestServer, useTestServer } from '../../../../test-support/harness.js';

/**
 * `Idempotency-Key` on approve and reject: a decision retried after its answer was lost gets the
 * first answer again (never `already_decided`, never a second decision), a key reused for another
 * request is refused and changes nothing, and racing retries decide once.
 */
for (const backend of backends()) {
  describe(`idempotent decisions [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:idem-bot', []],
        ops: ['did:human:idem-ops', ['ops']],
        ops2: ['did:human:idem-ops2', ['ops']],
        t1: ['did:human:idem-t1', ['treasury']],
        t2: ['did:human:idem-t2', ['treasury']],
      },
    });
    const key = (h: string) => ({ 'idempotency-key': h });

    async function gate(extra: Record<string, unknown> = {}): Promise<{ taskId: string; approvalId: string }> {
      const c = await s.as.agent.post('/tasks', {
        description: 'Restart the billing service',
        humanInLoop: { enabled: true, approverRole: 'ops' },
        payload: { service: 'billing' },
        ...extra,
      });
      expect(c.status).toBe(201);
      return { taskId: c.body.taskId, approvalId: c.body.approvalRequest.id };
    }

    async function ledgerSize(t: TestServer): Promise<number> {
      return (await t.admin.get('/ledger/checkpoint')).body.size;
    }

    it('a retried approve gets the first answer back, and nothing changes', async () => {
      const { taskId, approvalId } = await gate();
      const first = await s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('k-1'));
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        status: 'approved',
        taskStatus: 'approved',
        approvedBy: 'did:human:idem-ops',
      });
      const before = await s.t.fingerprint();
      const retry = await s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('k-1'));
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      expect(await s.t.fingerprint()).toBe(before);
      // Without the key the same call is a second decision, and refused as such.
      const bare = await s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' });
      expect(bare.status).toBe(409);
      expect(bare.body.code).toBe('already_decided');
      expect((await s.as.agent.get(`/tasks/${taskId}`)).body.status).toBe('approved');
    });

    it('the key with another body, another approval or another verdict is refused and writes nothing', async () => {
      const a = await gate();
      const b = await gate();
      expect(
        (await s.as.ops.post(`/approvals/${a.approvalId}/approve`, { approvalReason: 'ok' }, key('k-2'))).status,
      ).toBe(200);
      const before = await s.t.fingerprint();
      for (const [path, body] of [
        [`/approvals/${a.approvalId}/approve`, { approvalReason: 'changed my words' }],
        [`/approvals/${b.approvalId}/approve`, { approvalReason: 'ok' }],
        [`/approvals/${a.approvalId}/reject`, { rejectionReason: 'ok' }],
      ] as const) {
        const r = await s.as.ops.post(path, body, key('k-2'));
        expect(r.status).toBe(409);
        expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(r.body.code).toBe('idempotency_key_reused');
      }
      expect(await s.t.fingerprint()).toBe(before);
      expect((await s.as.agent.get(`/tasks/${b.taskId}`)).body.status).toBe('awaiting_approval');
    });

    it('keys belong to the principal: another approver may use the same key for their own decision', async () => {
      const { approvalId } = await gate({
        humanInLoop: { enabled: true, approverRole: 'ops' },
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['ops'] },
      });
      const one = await s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('shared'));
      expect(one.status).toBe(200);
      expect(one.body.status).toBe('pending');
      const two = await s.as.ops2.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('shared'));
      expect(two.status).toBe(200);
      expect(two.body).toMatchObject({ status: 'approved', approvedBy: 'did:human:idem-ops2' });
    });

    it('a retried quorum seat counts once', async () => {
      const { approvalId } = await gate({
        description: 'Pay the invoice',
        humanInLoop: { enabled: true, approverRole: 'treasury' },
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['treasury'] },
      });
      const first = await s.as.t1.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('seat'));
      expect(first.body.status).toBe('pending');
      const again = await s.as.t1.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('seat'));
      expect(again.body).toEqual(first.body);
      const g = (await s.as.t1.get(`/approvals/${approvalId}`)).body;
      expect(g.status).toBe('pending');
      expect(g.approvals).toBe(1);
    });

    it('racing retries of one approve decide once and both get the same answer', async () => {
      const { approvalId } = await gate();
      const size = await ledgerSize(s.t);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('race')),
        ),
      );
      for (const r of answers) expect(r.status).toBe(200);
      const indexes = new Set(answers.map((r) => r.body.provenance.ledgerIndex));
      expect(indexes.size).toBe(1);
      // One decision entry (plus whatever it closes), not four.
      const entries = (await s.t.admin.get(`/ledger/entries?start=${size}&end=${await ledgerSize(s.t)}`)).body.entries;
      const decided = entries
        .map((e: { entry: string }) => JSON.parse(e.entry))
        .filter((e: { type: string }) => e.type === 'approval.decided');
      expect(decided).toHaveLength(1);
    });

    it('a retried reject replays too', async () => {
      const { taskId, approvalId } = await gate();
      const body = { rejectionReason: 'not during the sale' };
      const first = await s.as.ops.post(`/approvals/${approvalId}/reject`, body, key('r-1'));
      expect(first.status).toBe(200);
      const retry = await s.as.ops.post(`/approvals/${approvalId}/reject`, body, key('r-1'));
      expect(retry.body).toEqual(first.body);
      expect((await s.as.agent.get(`/tasks/${taskId}`)).body.status).toBe('rejected');
    });

    it('after a crash between commit and remembering the proof, the replay proves the decision afresh', async () => {
      const { approvalId } = await gate();
      const first = await s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('crash'));
      expect(first.status).toBe(200);
      // What the decision's own transaction stored, before the post-commit update added the proof.
      const partial = {
        ...first.body,
        provenance: {
          ledgerIndex: first.body.provenance.ledgerIndex,
          approvalSignature: first.body.provenance.approvalSignature,
        },
      };
      await sql`update idempotency_keys set response = ${JSON.stringify(partial)} where key = 'crash'`.execute(
        s.t.server.store.db,
      );
      await gate(); // the ledger moves on
      const retry = await s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key('crash'));
      expect(retry.status).toBe(200);
      const { provenance: prov, ...rest } = retry.body;
      const { provenance: _, ...firstRest } = first.body;
      expect(rest).toEqual(firstRest);
      expect(prov.ledgerIndex).toBe(first.body.provenance.ledgerIndex);
      expect(prov.treeSize).toBeGreaterThan(first.body.provenance.treeSize);
      const pk = publicKeyFromDidKey(prov.signer);
      const cp = openCheckpoint(prov.checkpoint, s.t.server.service.origin, pk);
      const decision = (await s.t.admin.get(`/ledger/entries?start=${prov.ledgerIndex}&end=${prov.ledgerIndex + 1}`))
        .body.entries[0];
      expect(verifyDecisionSignature(JSON.parse(decision.entry).data.record, prov.approvalSignature, pk)).toBe(true);
      const root = rootFromInclusionProof(
        prov.ledgerIndex,
        prov.treeSize,
        entryLeafHash(decision.entry),
        prov.inclusionProof.map(hexToBytes),
      );
      expect(Buffer.from(root).toString('base64')).toBe(cp.rootHash);
    });

    it('an empty or oversized key is a validation error', async () => {
      const { approvalId } = await gate();
      for (const k of ['', 'x'.repeat(201)]) {
        const r = await s.as.ops.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' }, key(k));
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('validation_failed');
      }
    });
  });
}
