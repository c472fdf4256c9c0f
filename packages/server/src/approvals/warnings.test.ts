/**
 * Issue 25: where the agent's text disagrees with the payload, the request says so — in the create
 * response, on every view of its approval requests (inbox, detail, task), in the `task.created` and
 * `approval.requested` ledger entries — and its risk is one level up. The warnings follow the payload
 * as it stands: an edit that makes the payload agree clears them; stored warnings are used only for
 * the payload they were computed on (both backends).
 */
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../../test-support/harness.js';

const TEXT = 'Refund EUR 24.99 to customer C-1042';
const IBAN = 'DE89370400440532013000';
const body = (payload: Record<string, unknown>) => ({
  description: TEXT,
  aiProposal: { action: TEXT, reasoning: 'Duplicate charge on the March invoice', confidence: 0.9 },
  payload,
  // Two approvals: the first approver's edit leaves the gate open for the second to see.
  approvalPolicy: { type: 'threshold', required: 2, eligible: ['finance'] },
});
type Warning = { code: string; claimed?: string; actual?: string | null; field?: string; source?: string };
const claims = (ws: Warning[]) => ws.map((w) => w.claimed);

for (const backend of backends()) {
  describe(`text/payload warnings [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:refunds', []],
        ann: ['did:human:ann', ['finance']],
        bob: ['did:human:bob', ['finance']],
      },
    });
    const as = () => ({ ...s.as, t: s.t });

    it('24.99 in the text, 2499 in the payload: flagged everywhere, recorded, and the risk one level up', async () => {
      const { agent, ann, t } = as();
      const agreeing = await agent.post(
        '/tasks',
        body({ amount: 24.99, currency: 'EUR', customer: 'C-1042', iban: IBAN }),
      );
      expect(agreeing.status).toBe(201);
      expect(agreeing.body.warnings).toEqual([]);
      expect(agreeing.body.approvalRequest.warnings).toEqual([]);

      const created = await agent.post(
        '/tasks',
        body({ amount: 2499, currency: 'EUR', customer: 'C-1042', iban: IBAN }),
      );
      expect(created.status).toBe(201);
      const expected = {
        code: 'text_payload_mismatch',
        source: 'description',
        claimed: 'EUR 24.99',
        actual: '2499',
        field: '/amount',
      };
      expect(created.body.warnings).toEqual([expect.objectContaining(expected)]);
      const ar = created.body.approvalRequest;
      expect(ar.warnings).toEqual(created.body.warnings);
      const levels = ['low', 'medium', 'high', 'critical'];
      expect(levels.indexOf(ar.riskAssessment.level)).toBe(
        levels.indexOf(agreeing.body.approvalRequest.riskAssessment.level) + 1,
      );
      expect(ar.riskAssessment.factors).toContain('text_payload_mismatch');
      expect(agreeing.body.approvalRequest.riskAssessment.factors).not.toContain('text_payload_mismatch');

      // Every view of the request: detail, inbox, the task.
      expect((await ann.get(`/approvals/${ar.id}`)).body.warnings).toEqual(created.body.warnings);
      const inbox = (await ann.get('/approvals?status=pending')).body.items as { id: string; warnings: Warning[] }[];
      expect(inbox.find((i) => i.id === ar.id)?.warnings).toEqual(created.body.warnings);
      expect(inbox.find((i) => i.id === agreeing.body.approvalRequest.id)?.warnings).toEqual([]);
      const task = (await agent.get(`/tasks/${created.body.taskId}`)).body;
      expect(task.approvals[0].warnings).toEqual(created.body.warnings);

      // The ledger records what the approvers were shown.
      const entries = (await t.admin.get('/ledger/entries?start=0')).body.entries as { entry: string }[];
      const events = entries
        .map((e) => JSON.parse(e.entry) as { type: string; taskId: string | null; data: { warnings?: Warning[] } })
        .filter((e) => e.taskId === created.body.taskId);
      expect(events.find((e) => e.type === 'task.created')?.data.warnings).toEqual(created.body.warnings);
      expect(events.find((e) => e.type === 'approval.requested')?.data.warnings).toEqual(created.body.warnings);
    });

    it('an edit that makes the payload agree clears the warnings for the next approver; stored for that digest', async () => {
      const { agent, ann, bob, t } = as();
      const created = await agent.post('/tasks', body({ amount: 2499, currency: 'EUR', customer: 'C-1042' }));
      const id = created.body.approvalRequest.id as string;
      expect(claims(created.body.warnings)).toEqual(['EUR 24.99']);
      const edited = await ann.post(`/approvals/${id}/approve`, {
        approvalReason: 'The agent meant 24.99',
        edits: { amount: 24.99 },
      });
      expect(edited.status).toBe(200);
      const detail = (await bob.get(`/approvals/${id}`)).body;
      expect(detail.status).toBe('pending');
      expect(detail.task.payload.amount).toBe(24.99);
      expect(detail.warnings).toEqual([]);
      const inbox = (await bob.get('/approvals?status=pending')).body.items as { id: string; warnings: Warning[] }[];
      expect(inbox.find((i) => i.id === id)?.warnings).toEqual([]);
      const row = await t.server.service.deps.db
        .selectFrom('tasks')
        .select(['warnings', 'warnings_digest', 'payload_digest'])
        .where('id', '=', created.body.taskId)
        .executeTakeFirstOrThrow();
      expect(row.warnings_digest).toBe(row.payload_digest);
      expect(JSON.parse(row.warnings as string)).toEqual([]);
    });

    it('an edit that makes them disagree raises a warning; currencies and ids are checked too', async () => {
      const { agent, ann, bob } = as();
      const created = await agent.post('/tasks', body({ amount: 24.99, currency: 'EUR', customer: 'C-1042' }));
      const id = created.body.approvalRequest.id as string;
      expect(created.body.warnings).toEqual([]);
      await ann.post(`/approvals/${id}/approve`, {
        approvalReason: 'fix',
        edits: { currency: 'USD', customer: 'C-9' },
      });
      const detail = (await bob.get(`/approvals/${id}`)).body;
      expect(detail.warnings.map((w: Warning) => [w.claimed, w.actual ?? null])).toEqual([
        ['EUR', 'USD'],
        ['C-1042', null],
      ]);
    });

    it('stored warnings of another payload (or none: rows from before 0022) are recomputed from the payload as it stands', async () => {
      const { agent, bob, t } = as();
      const created = await agent.post('/tasks', body({ amount: 2499, currency: 'EUR', customer: 'C-1042' }));
      const id = created.body.approvalRequest.id as string;
      const db = t.server.service.deps.db;
      // A stale record (a list of another payload) and a missing one must both give way to the payload.
      for (const stale of [
        { warnings: '[]', warnings_digest: `sha256:${'0'.repeat(64)}` },
        { warnings: null, warnings_digest: null },
      ]) {
        await db.updateTable('tasks').set(stale).where('id', '=', created.body.taskId).execute();
        expect(claims((await bob.get(`/approvals/${id}`)).body.warnings)).toEqual(['EUR 24.99']);
        const inbox = (await bob.get('/approvals?status=pending')).body.items as { id: string; warnings: Warning[] }[];
        expect(claims(inbox.find((i) => i.id === id)?.warnings ?? [])).toEqual(['EUR 24.99']);
      }
    });
  });
}
