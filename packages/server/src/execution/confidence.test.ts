/**
 * Confidence through a run: a running task always carries one; the low-confidence review shows the
 * reported confidence and the escalation message; every reported confidence (heartbeat, in-run
 * decision) feeds calibration with its stage. Both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

for (const backend of backends()) {
  describe(`confidence through a run [${backend}]`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(async () => t?.close());

    it('review request carries 0.65 and the message; heartbeat and decision confidences are calibrated by stage', async () => {
      const agent = await t.principal('did:agent:conf-bot', []);
      const lead = await t.principal('did:human:conf-lead', ['ops']);
      const csl = await t.principal('did:human:conf-csl', ['customer_success_lead']);
      const created = await agent.post('/tasks', {
        description: 'Analyze customer sentiment from support tickets',
        humanInLoop: { approverRole: 'ops' },
        autoEscalation: {
          enabled: true,
          confidenceThreshold: 0.7,
          escalateTo: 'customer_success_lead',
          escalationMessage: 'AI confidence dropped below threshold - human review needed',
        },
      });
      expect(created.status).toBe(201);
      await lead.post(`/approvals/${created.body.approvalRequest.id}/approve`, { approvalReason: 'go' });
      const exec = await agent.post(`/tasks/${created.body.taskId}/execute`, {});
      expect(exec.status).toBe(200);
      // No confidence stated anywhere yet: a running task still carries one (0).
      expect((await agent.get(`/tasks/${created.body.taskId}`)).body).toMatchObject({
        status: 'executing',
        confidence: 0,
      });

      const beat = await agent.post(`/tasks/${created.body.taskId}/heartbeat`, {
        leaseId: exec.body.leaseId,
        confidence: 0.65,
      });
      expect(beat.body).toMatchObject({ status: 'paused', action: 'wait' });
      expect(beat.body.approvalRequest).toMatchObject({
        kind: 'review',
        approverRole: 'customer_success_lead',
        aiProposal: { confidence: 0.65 },
        reportedConfidence: 0.65,
        confidenceThreshold: 0.7,
        escalationMessage: 'AI confidence dropped below threshold - human review needed',
      });
      const inbox = await csl.get('/approvals');
      const review = inbox.body.items.find((g: { taskId: string }) => g.taskId === created.body.taskId);
      expect(review).toMatchObject({ aiProposal: { confidence: 0.65 }, reportedConfidence: 0.65 });
      await csl.post(`/approvals/${review.id}/approve`, { approvalReason: 'carry on' });
      expect((await agent.get(`/tasks/${created.body.taskId}`)).body).toMatchObject({
        status: 'executing',
        confidence: 0.65,
      });

      const d = await agent.post(`/tasks/${created.body.taskId}/decisions`, { action: 'tag tickets', confidence: 0.9 });
      expect(d.status).toBe(201);
      expect((await agent.get(`/tasks/${created.body.taskId}`)).body.confidence).toBe(0.9);
      const ok = await agent.post(`/tasks/${created.body.taskId}/complete`, {
        executionId: exec.body.executionId,
        leaseId: exec.body.leaseId,
        result: { positive: 0.7 },
      });
      expect(ok.status).toBe(200);
      await lead.post(`/tasks/${created.body.taskId}/feedback`, { quality: 'good', correctness: true });
      const cal = await t.admin.get('/calibration?agent=did:agent:conf-bot');
      expect(cal.body.samples).toBe(2);
      expect(cal.body.byStage.creation).toEqual({ samples: 0, brierScore: null });
      expect(cal.body.byStage.heartbeat.samples).toBe(1);
      expect(cal.body.byStage.heartbeat.brierScore).toBeCloseTo(0.35 ** 2, 10);
      expect(cal.body.byStage.decision.samples).toBe(1);
      expect(cal.body.byStage.decision.brierScore).toBeCloseTo(0.01, 10);
      expect(cal.body.brierScore).toBeCloseTo((0.35 ** 2 + 0.01) / 2, 10);
    });
  });
}
