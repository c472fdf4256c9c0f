import { writeFileSync } from 'node:fs';
import { parseLedgerExport, payloadDigest, verifyLedger } from '@humanos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/**
 * Issue 26: request changes → revise → re-approval, and approving one of the proposal's
 * alternatives. Each refusal is asserted with "nothing changed" (the store's fingerprint).
 */
const POLICY = {
  name: 'revise',
  version: 1,
  maxRevisions: 2,
  rules: [
    {
      id: 'large-wire',
      match: { descriptionMatches: 'wire', payload: [{ path: 'amount', gt: 10000 }] },
      require: { approvalChain: [{ role: 'finance_manager' }, { role: 'cfo' }] },
    },
  ],
};

const WIRE = {
  description: 'Wire funds to ACME',
  humanInLoop: { approverRole: 'finance_manager' },
  payload: { amount: 50000, to: 'ACME', invoice: 'INV-2' },
};

for (const backend of backends()) {
  describe(`request changes, revise, choose an alternative [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let otherAgent: Api;
    let fm: Api;
    let fm2: Api;
    let cfo: Api;

    beforeAll(async () => {
      const file = `/tmp/humanos-revise-${process.pid}-${backend}.json`;
      writeFileSync(file, JSON.stringify(POLICY));
      t = await startTestServer(backend, { HUMANOS_POLICY: file });
      agent = await t.principal('did:agent:wire-bot', []);
      otherAgent = await t.principal('did:agent:other-bot', []);
      fm = await t.principal('did:human:fm', ['finance_manager']);
      fm2 = await t.principal('did:human:fm2', ['finance_manager']);
      cfo = await t.principal('did:human:cfo', ['cfo']);
    });
    afterAll(() => t?.close());

    const gateOf = async (api: Api, taskId: string) => {
      const items = (await api.get('/approvals?status=pending')).body.items as { id: string; taskId: string }[];
      const g = items.find((a) => a.taskId === taskId);
      if (!g) return undefined;
      return (await api.get(`/approvals/${g.id}`)).body as { id: string; currentDigest: string };
    };
    const approve = async (api: Api, taskId: string, extra: Record<string, unknown> = {}) => {
      const g = await gateOf(api, taskId);
      if (!g) throw new Error('no pending gate');
      return api.post(`/approvals/${g.id}/approve`, { approvalReason: 'ok', payloadDigest: g.currentDigest, ...extra });
    };
    const refused = async (
      call: () => Promise<{ status: number; body: { code: string } }>,
      status: number,
      code: string,
    ) => {
      const before = await t.fingerprint();
      const r = await call();
      expect([r.status, r.body.code], JSON.stringify(r.body)).toEqual([status, code]);
      expect(await t.fingerprint()).toBe(before);
    };

    /** A large wire whose first step fm approved and whose CFO asked for changes. */
    async function changesRequested(feedback = 'Pay INV-3 instead; INV-2 was paid in March') {
      const c = await agent.post('/tasks', WIRE);
      expect(c.status).toBe(201);
      const taskId = c.body.taskId as string;
      expect((await approve(fm, taskId)).status).toBe(200);
      const g = await gateOf(cfo, taskId);
      if (!g) throw new Error('no CFO gate');
      const r = await cfo.post(`/approvals/${g.id}/request-changes`, { feedback, payloadDigest: g.currentDigest });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return { taskId, gate: g, result: r.body };
    }

    it('request changes → the agent gets the feedback → revise → every gate asked again → executes the revision', async () => {
      const { taskId, gate, result } = await changesRequested();
      expect(result).toMatchObject({ taskStatus: 'changes_requested', version: 1, requestedBy: 'did:human:cfo' });
      const waited = (await agent.get(`/tasks/${taskId}/decision?wait=1`)).body;
      expect(waited).toMatchObject({
        status: 'changes_requested',
        decided: true,
        approved: false,
        changesRequested: true,
        changesRequestedBy: 'did:human:cfo',
        feedback: 'Pay INV-3 instead; INV-2 was paid in March',
        approvalId: gate.id,
        version: 1,
      });
      // Nothing of this version can be decided or executed any more.
      expect(await gateOf(cfo, taskId)).toBeUndefined();
      expect((await agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(409);

      const payload = { amount: 48000, to: 'ACME', invoice: 'INV-3' };
      const r = await agent.post(`/tasks/${taskId}/revise`, {
        payload,
        aiProposal: { action: 'Wire 48 000 for INV-3', reasoning: 'as asked' },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({
        status: 'awaiting_approval',
        version: 2,
        previousDigest: gate.currentDigest,
        payloadDigest: payloadDigest(payload),
        diff: [
          { path: '/amount', from: 50000, to: 48000 },
          { path: '/invoice', from: 'INV-2', to: 'INV-3' },
        ],
      });
      expect(r.body.approvalChain.map((g: { approverRole: string }) => g.approverRole)).toEqual(
        expect.arrayContaining(['finance_manager', 'cfo']),
      );
      // fm's approval of version 1 does not count: fm is asked again (and may approve again).
      expect(await gateOf(cfo, taskId)).toBeUndefined();
      expect((await agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(409);
      expect((await approve(fm, taskId)).status).toBe(200);
      expect((await approve(cfo, taskId)).status).toBe(200);
      const decision = (await agent.get(`/tasks/${taskId}/decision`)).body;
      expect(decision).toMatchObject({ approved: true, changesRequested: false, version: 2, approvedPayload: payload });
      const exec = await agent.post(`/tasks/${taskId}/execute`, {});
      expect(exec.status, JSON.stringify(exec.body)).toBe(200);
      expect(exec.body.payload).toEqual(payload);

      const history = (await agent.get(`/tasks/${taskId}/history`)).body;
      const types = history.events.map((e: { type: string }) => e.type);
      expect(types).toEqual(expect.arrayContaining(['task.changes_requested', 'task.revised']));
      expect(types.indexOf('task.changes_requested')).toBeLessThan(types.indexOf('task.revised'));
      const revised = history.events.find((e: { type: string }) => e.type === 'task.revised');
      const entry = JSON.parse(
        (await t.admin.get(`/ledger/entries?start=${revised.index}&end=${revised.index + 1}`)).body.entries[0].entry,
      );
      expect(entry.data).toMatchObject({
        version: 2,
        previousDigest: gate.currentDigest,
        payloadDigest: payloadDigest(payload),
      });
    });

    it('a revision the policy gates less still goes back to the approver who asked', async () => {
      const { taskId } = await changesRequested();
      const r = await agent.post(`/tasks/${taskId}/revise`, { payload: { amount: 900, to: 'ACME', invoice: 'INV-3' } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.approvalRequest.approverRole).toBe('finance_manager');
      expect((await agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(409);
    });

    it('an identical resubmission needs fresh approvals too; the earlier approvers can give them', async () => {
      const { taskId, gate } = await changesRequested();
      const r = await agent.post(`/tasks/${taskId}/revise`, { payload: WIRE.payload });
      expect([r.status, r.body.payloadDigest]).toEqual([200, gate.currentDigest]);
      expect((await agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(409);
      expect((await approve(fm, taskId)).status).toBe(200);
      expect((await agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(409);
      expect((await approve(cfo, taskId)).status).toBe(200);
      expect((await agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(200);
    });

    it('fm’s approval of version 1 never counts for the revision, even with the same digest and edited rows', async () => {
      // fm approved step 1 of version 1; the CFO asked for changes; the agent resubmitted the same
      // payload (same digest). An insider then opens the revision's CFO step out of turn, the CFO
      // approves it (a validly signed decision for that digest), and the task row is set "approved".
      const c = await agent.post('/tasks', WIRE);
      const taskId = c.body.taskId as string;
      expect((await approve(fm, taskId)).status).toBe(200);
      const g = await gateOf(cfo, taskId);
      if (!g) throw new Error('no CFO gate');
      await cfo.post(`/approvals/${g.id}/request-changes`, {
        feedback: 'one more look',
        payloadDigest: g.currentDigest,
      });
      const revised = await agent.post(`/tasks/${taskId}/revise`, { payload: WIRE.payload });
      expect(revised.body.payloadDigest).toBe(g.currentDigest);
      const step2 = revised.body.approvalChain[1].id as string;
      const { sql } = await import('kysely');
      const run = (q: string) => sql.raw(q).execute(t.server.store.db);
      await run(`update approvals set status = 'pending' where id = '${step2}'`);
      await run(`update approval_roles set status = 'pending' where approval_id = '${step2}'`);
      const byCfo = await cfo.post(`/approvals/${step2}/approve`, {
        approvalReason: 'ok',
        payloadDigest: g.currentDigest,
      });
      expect(byCfo.status, JSON.stringify(byCfo.body)).toBe(200);
      expect(byCfo.body.taskStatus).toBe('awaiting_approval'); // the revision's first step has no approval
      const payload = JSON.stringify(WIRE.payload).replaceAll("'", "''");
      await run(
        `update tasks set status = 'approved', approved_payload = '${payload}', approved_digest = '${g.currentDigest}' where id = '${taskId}'`,
      );
      const r = await agent.post(`/tasks/${taskId}/execute`, {});
      expect([r.status, r.body.code]).toEqual([409, 'integrity_violation']);
      expect(r.body.detail).toMatch(/has 0 of 1 approvals/);
    });

    it('request changes bound to the digest seen: stale, missing, empty, by an agent, without the role, twice → refused, nothing changed', async () => {
      const c = await agent.post('/tasks', WIRE);
      const taskId = c.body.taskId as string;
      const g = await gateOf(fm, taskId);
      if (!g) throw new Error('no gate');
      const stale = `sha256:${'0'.repeat(64)}`;
      await refused(
        () => fm.post(`/approvals/${g.id}/request-changes`, { feedback: 'x', payloadDigest: stale }),
        409,
        'stale_payload',
      );
      await refused(
        () => fm.post(`/approvals/${g.id}/request-changes`, { feedback: 'x' }),
        428,
        'payload_digest_required',
      );
      await refused(
        () => fm.post(`/approvals/${g.id}/request-changes`, { feedback: '  ', payloadDigest: g.currentDigest }),
        400,
        'validation_failed',
      );
      await refused(
        () => agent.post(`/approvals/${g.id}/request-changes`, { feedback: 'x', payloadDigest: g.currentDigest }),
        403,
        'agent_cannot_decide',
      );
      await refused(
        () => cfo.post(`/approvals/${g.id}/request-changes`, { feedback: 'x', payloadDigest: g.currentDigest }),
        403,
        'role_required',
      );
      // Requested once, the gate is no longer open: a second request (or a decision) is refused.
      expect(
        (await fm.post(`/approvals/${g.id}/request-changes`, { feedback: 'x', payloadDigest: g.currentDigest })).status,
      ).toBe(200);
      await refused(
        () => fm2.post(`/approvals/${g.id}/request-changes`, { feedback: 'y', payloadDigest: g.currentDigest }),
        409,
        'already_decided',
      );
      await refused(
        () => fm2.post(`/approvals/${g.id}/approve`, { approvalReason: 'ok', payloadDigest: g.currentDigest }),
        409,
        'already_decided',
      );
    });

    it('hostile agents: revising someone else’s task, revising while awaiting approval, revising twice', async () => {
      const { taskId } = await changesRequested();
      const body = { payload: { amount: 1, to: 'MALLORY' } };
      await refused(() => otherAgent.post(`/tasks/${taskId}/revise`, body), 404, 'not_found');
      await refused(() => t.admin.post(`/tasks/${taskId}/revise`, body), 403, 'not_requester');
      await refused(() => fm.post(`/tasks/${taskId}/revise`, body), 403, 'not_requester');
      expect((await agent.post(`/tasks/${taskId}/revise`, { payload: WIRE.payload })).status).toBe(200);
      // Awaiting approval again: swapping the payload under the approvers is refused.
      await refused(() => agent.post(`/tasks/${taskId}/revise`, body), 409, 'invalid_state');
      const fresh = (await agent.post('/tasks', WIRE)).body.taskId as string;
      await refused(() => agent.post(`/tasks/${fresh}/revise`, body), 409, 'invalid_state');
    });

    it('the policy’s maxRevisions stops the loop: at the limit changes can no longer be requested', async () => {
      const { taskId } = await changesRequested();
      for (let i = 0; i < 2; i++) {
        if (i > 0) {
          expect((await approve(fm, taskId)).status).toBe(200);
          const g = await gateOf(cfo, taskId);
          if (!g) throw new Error('no gate');
          const r = await cfo.post(`/approvals/${g.id}/request-changes`, {
            feedback: 'again',
            payloadDigest: g.currentDigest,
          });
          expect(r.body.version).toBe(2);
        }
        expect((await agent.post(`/tasks/${taskId}/revise`, { payload: { ...WIRE.payload, n: i } })).status).toBe(200);
      }
      expect((await approve(fm, taskId)).status).toBe(200);
      const g = await gateOf(cfo, taskId);
      if (!g) throw new Error('no gate');
      await refused(
        () => cfo.post(`/approvals/${g.id}/request-changes`, { feedback: 'once more', payloadDigest: g.currentDigest }),
        409,
        'revision_limit',
      );
      expect((await approve(cfo, taskId)).status).toBe(200);
    });

    it('a task awaiting changes can be withdrawn by its agent', async () => {
      const { taskId } = await changesRequested();
      const r = await agent.post(`/tasks/${taskId}/cancel`, { reason: 'no longer needed' });
      expect([r.status, r.body.status]).toEqual([200, 'cancelled']);
      await refused(() => agent.post(`/tasks/${taskId}/revise`, { payload: {} }), 409, 'invalid_state');
    });

    describe('choosing an alternative', () => {
      const ARCHIVE = { backupId: 'b-1', action: 'archive', tier: 'cold' };
      const BACKUP = {
        description: 'Delete backup b-1',
        humanInLoop: { approverRole: 'finance_manager' },
        payload: { backupId: 'b-1', action: 'delete' },
        aiProposal: {
          action: 'Delete backup b-1',
          alternatives: ['Archive to cold storage instead', 'Extend retention to 120 days'],
          alternativePayloads: [ARCHIVE, null],
        },
      };

      it('executes exactly the chosen alternative’s payload; the signed entry and the waiter name it', async () => {
        const c = await agent.post('/tasks', BACKUP);
        expect(c.status, JSON.stringify(c.body)).toBe(201);
        const taskId = c.body.taskId as string;
        expect(c.body.approvalRequest.aiProposal.alternativePayloads).toEqual([ARCHIVE, null]);
        const r = await approve(fm, taskId, { alternative: 0 });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body.payloadDigest).toBe(payloadDigest(ARCHIVE));
        const entry = JSON.parse(
          (
            await t.admin.get(
              `/ledger/entries?start=${r.body.provenance.ledgerIndex}&end=${r.body.provenance.ledgerIndex + 1}`,
            )
          ).body.entries[0].entry,
        );
        expect(entry.data.record.alternative).toEqual({ index: 0, payloadDigest: payloadDigest(ARCHIVE) });
        const d = (await agent.get(`/tasks/${taskId}/decision`)).body;
        expect(d).toMatchObject({
          approved: true,
          approvedPayload: ARCHIVE,
          alternative: { index: 0, action: 'Archive to cold storage instead', payloadDigest: payloadDigest(ARCHIVE) },
        });
        // The executor is granted the alternative's payload, and only it.
        expect((await agent.post(`/tasks/${taskId}/execute`, { payload: BACKUP.payload })).status).toBe(409);
        const exec = await agent.post(`/tasks/${taskId}/execute`, {});
        expect([exec.status, exec.body.payload]).toEqual([200, ARCHIVE]);

        // The offline verifier accepts the log; a tampered choice in the signed record is caught.
        const text = await fetch(`${t.url}/v1/humanos/ledger/export`, {
          headers: { authorization: `Bearer ${t.admin.token}` },
        }).then((x) => x.text());
        expect(verifyLedger(parseLedgerExport(text)).ok).toBe(true);
        const tampered = text.replace('"alternative":{"index":0,', '"alternative":{"index":1,');
        expect(tampered).not.toBe(text);
        const report = verifyLedger(parseLedgerExport(tampered));
        expect(report.ok).toBe(false);
        expect(report.firstBadIndex).toBe(r.body.provenance.ledgerIndex);
      });

      it('refuses an index out of range, a text-only alternative, and an alternative with edits; nothing changed', async () => {
        const taskId = (await agent.post('/tasks', BACKUP)).body.taskId as string;
        await refused(() => approve(fm, taskId, { alternative: 2 }), 400, 'invalid_alternative');
        await refused(() => approve(fm, taskId, { alternative: 1 }), 400, 'invalid_alternative');
        await refused(
          () => approve(fm, taskId, { alternative: 0, edits: { tier: 'hot' } }),
          400,
          'invalid_alternative',
        );
        await refused(() => approve(fm, taskId, { alternative: -1 }), 400, 'validation_failed');
        const plain = (await agent.post('/tasks', WIRE)).body.taskId as string;
        await refused(() => approve(fm, plain, { alternative: 0 }), 400, 'invalid_alternative');
        const mismatched = await agent.post('/tasks', {
          ...BACKUP,
          aiProposal: { ...BACKUP.aiProposal, alternativePayloads: [ARCHIVE] },
        });
        expect([mismatched.status, mismatched.body.code]).toEqual([400, 'validation_failed']);
      });

      it('in a chain, a step’s choice moves the payload on: the other steps approve the alternative', async () => {
        const c = await agent.post('/tasks', {
          ...WIRE,
          aiProposal: {
            alternatives: ['Split in two'],
            alternativePayloads: [{ amount: 25000, to: 'ACME', split: 2 }],
          },
        });
        const taskId = c.body.taskId as string;
        expect((await approve(fm, taskId, { alternative: 0 })).status).toBe(200);
        expect((await approve(cfo, taskId)).status).toBe(200);
        const d = (await agent.get(`/tasks/${taskId}/decision`)).body;
        expect(d.alternative).toMatchObject({ index: 0, action: 'Split in two' });
        const exec = await agent.post(`/tasks/${taskId}/execute`, {});
        expect(exec.body.payload).toEqual({ amount: 25000, to: 'ACME', split: 2 });
      });
    });
  });
}
