/**
 * `escalationPolicy: 'auto'` without a target escalates along the server's ladder, which by default
 * ends at the admins: the create response says where the gate will go, expiry opens a gate for the
 * admins, and the admins' own gate has nowhere further to go (the task expires).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { ladderTarget } from '../policy/plan.js';

describe('ladderTarget', () => {
  it('follows the policy’s ladder, then the admins, and stops there', () => {
    expect(ladderTarget({ escalationLadder: { finance_manager: 'cfo' } }, 'finance_manager')).toBe('cfo');
    expect(ladderTarget({ escalationLadder: { finance_manager: 'cfo' } }, 'cfo')).toBe('admin');
    expect(ladderTarget({}, 'admin')).toBeUndefined();
  });
});

for (const backend of backends()) {
  describe(`escalation ladder [${backend}]`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(async () => t?.close());

    it("'auto' without escalateTo: the response names the admins; expiry hands the gate to them; theirs expires", async () => {
      const agent = await t.principal('did:agent:ladder-bot', []);
      const created = await agent.post('/tasks', {
        description: 'Delete production database backup older than 90 days',
        humanInLoop: { approverRole: 'dba_lead', approvalTimeout: 600, escalationPolicy: 'auto' },
      });
      expect(created.status).toBe(201);
      expect(created.body.approvalRequest).toMatchObject({ escalationPolicy: 'auto', escalateTo: 'admin' });
      const dry = await agent.post('/policy/evaluate', {
        description: 'Delete production database backup older than 90 days',
        humanInLoop: { approverRole: 'dba_lead', approvalTimeout: 600, escalationPolicy: 'auto' },
      });
      expect(dry.body.gates[0]).toMatchObject({ escalationPolicy: 'auto', escalateTo: 'admin' });

      t.clock.advance(600_000);
      await t.server.service.timers.expireDue();
      const d = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(d.body.status).toBe('awaiting_approval');
      expect(d.body.approvalRequest.approverRole).toBe('admin');
      const inbox = await t.admin.get('/approvals?status=pending');
      expect(inbox.body.items.some((g: { id: string }) => g.id === d.body.approvalRequest.id)).toBe(true);

      t.clock.advance(600_000);
      await t.server.service.timers.expireDue();
      const after = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(after.body).toMatchObject({ status: 'expired', expired: true });
    });

    it("'reject' still expires without escalating", async () => {
      const agent = await t.principal('did:agent:ladder-bot2', []);
      const created = await agent.post('/tasks', {
        description: 'Rotate the signing key',
        humanInLoop: { approverRole: 'dba_lead', approvalTimeout: 60, escalationPolicy: 'reject' },
      });
      expect(created.body.approvalRequest.escalateTo).toBeNull();
      t.clock.advance(60_000);
      await t.server.service.timers.expireDue();
      expect((await agent.get(`/tasks/${created.body.taskId}/decision`)).body.status).toBe('expired');
    });
  });
}
