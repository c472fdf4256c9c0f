/**
 * `bulkApprovable` (issue 25): a policy rule flag carried to its gates and shown on the approval
 * request view; only when every rule that matched says so, and never on the floor's or the agent's
 * own gates. Both backends.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../../test-support/harness.js';

const POLICY = {
  name: 'bulk-test',
  version: 1,
  rules: [
    {
      id: 'small-refund',
      bulkApprovable: true,
      match: { descriptionMatches: 'refund' },
      require: { approverRole: 'support' },
    },
    { id: 'vip', match: { descriptionMatches: 'vip' }, require: { approverRole: 'support' } },
    { id: 'export', match: { descriptionMatches: 'export' }, require: { approverRole: 'support' } },
  ],
};

for (const backend of backends()) {
  describe(`bulkApprovable [${backend}]`, () => {
    const file = `/tmp/humanos-bulk-${process.pid}-${backend}.json`;
    writeFileSync(file, JSON.stringify(POLICY));
    const s = useTestServer(backend, {
      env: { HUMANOS_POLICY: file },
      principals: { agent: ['did:agent:bot', []], support: ['did:human:sue', ['support', 'approver']] },
    });

    const gateOf = async (body: Record<string, unknown>) => {
      const created = await s.as.agent.post('/tasks', body);
      expect(created.status).toBe(201);
      const id = created.body.approvalRequest.id as string;
      return { created, view: (await s.as.support.get(`/approvals/${id}`)).body };
    };

    it('a gate of a bulk-approvable rule says so in every view', async () => {
      const { created, view } = await gateOf({ description: 'refund 5 EUR', payload: { amount: 5 } });
      expect(created.body.approvalRequest.bulkApprovable).toBe(true);
      expect(view.bulkApprovable).toBe(true);
      const inbox = (await s.as.support.get('/approvals')).body.items as { id: string; bulkApprovable: boolean }[];
      expect(inbox.find((g) => g.id === view.id)?.bulkApprovable).toBe(true);
      const dry = await s.as.agent.post('/policy/evaluate', { description: 'refund 5 EUR' });
      expect(dry.body.gates[0].bulkApprovable).toBe(true);
    });

    it('is false by default, when another matched rule does not say so, and on floor or client gates', async () => {
      expect((await gateOf({ description: 'export the list' })).view.bulkApprovable).toBe(false);
      // Both rules match; the stricter one's gate was folded into the bulk one's: not bulk.
      expect((await gateOf({ description: 'refund the vip customer' })).view.bulkApprovable).toBe(false);
      expect(
        (await gateOf({ description: 'rotate keys', humanInLoop: { approverRole: 'support' } })).view.bulkApprovable,
      ).toBe(false);
      expect(
        (await gateOf({ description: 'archive', riskAssessment: { level: 'critical' } })).view.bulkApprovable,
      ).toBe(false);
    });

    it('each item is still its own decision', async () => {
      const a = await gateOf({ description: 'refund 1 EUR' });
      const b = await gateOf({ description: 'refund 2 EUR' });
      expect((await s.as.support.post(`/approvals/${a.view.id}/approve`, {})).status).toBe(200);
      expect((await s.as.support.get(`/approvals/${b.view.id}`)).body.status).toBe('pending');
    });
  });
}
