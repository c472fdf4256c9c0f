import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

for (const backend of backends()) {
  describe(`racing deciders [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    const approvers: Api[] = [];

    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:deployer', []);
      for (let i = 0; i < 20; i++) approvers.push(await t.principal(`did:human:eng-${i}`, ['senior_engineer']));
    });
    afterAll(async () => t?.close());

    const newGate = async () => {
      const r = await agent.post('/tasks', {
        description: 'Deploy payments-api v2.3.1 to production',
        requiredCapabilities: ['devops', 'kubernetes'],
        humanInLoop: { approverRole: 'senior_engineer', approvalTimeout: 600 },
      });
      return { taskId: r.body.taskId as string, approvalId: r.body.approvalRequest.id as string };
    };

    it('20 concurrent approvers on one gate: exactly one decision is recorded', async () => {
      for (let round = 0; round < 3; round++) {
        const { taskId, approvalId } = await newGate();
        const results = await Promise.all(
          approvers.map((a) => a.post(`/approvals/${approvalId}/approve`, { approvalReason: 'lgtm' })),
        );
        const ok = results.filter((r) => r.status === 200);
        const conflicts = results.filter((r) => r.status === 409);
        expect(ok).toHaveLength(1);
        expect(conflicts).toHaveLength(19);
        for (const c of conflicts) expect(c.body.code).toBe('already_decided');
        const task = await agent.get(`/tasks/${taskId}`);
        expect(task.body.status).toBe('approved');
        expect(task.body.approvals[0].decisions).toHaveLength(1);
        expect(task.body.approvals[0].decisions[0].principal).toBe(ok[0]?.body.approvedBy);
        const decided = await t.server.store.db
          .selectFrom('ledger_entries')
          .select('entry')
          .where('task_id', '=', taskId)
          .execute();
        expect(decided.filter((e) => JSON.parse(e.entry).type === 'approval.decided')).toHaveLength(1);
      }
    });

    it('approve vs reject at the same moment: one outcome, the other gets 409', async () => {
      for (let round = 0; round < 5; round++) {
        const { taskId, approvalId } = await newGate();
        const [a, r] = await Promise.all([
          (approvers[0] as Api).post(`/approvals/${approvalId}/approve`, { approvalReason: 'ship it' }),
          (approvers[1] as Api).post(`/approvals/${approvalId}/reject`, { rejectionReason: 'freeze week' }),
        ]);
        expect([a.status, r.status].sort()).toEqual([200, 409]);
        const task = await agent.get(`/tasks/${taskId}`);
        const winner = a.status === 200 ? 'approved' : 'rejected';
        expect(task.body.status).toBe(winner);
        expect(task.body.approvals[0].status).toBe(winner);
        expect(task.body.approvals[0].decisions).toHaveLength(1);
      }
    });

    it('two executors racing on one approved task: one execution', async () => {
      const { taskId, approvalId } = await newGate();
      await (approvers[2] as Api).post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' });
      const results = await Promise.all([1, 2, 3, 4].map(() => agent.post(`/tasks/${taskId}/execute`, {})));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(3);
    });
  });
}
