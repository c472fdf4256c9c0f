import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../../test-support/harness.js';

/**
 * Issue 22 (low): ten deliberately failed no-op runs filled a review's sample of ten (failures went
 * first), so the agent's real runs were never sampled. The sample is stratified per agent and
 * capability set: every stratum gets a run before any gets a second. The clock starts Saturday
 * 2026-01-10 15:00 UTC.
 */
for (const backend of backends()) {
  describe(`the review sample cannot be flooded [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:crm-bot', []],
        other: ['did:agent:mail-bot', []],
        auditor: ['did:human:audra', ['auditor']],
      },
    });

    async function unattended(api = s.as.agent, extra: Record<string, unknown> = {}) {
      const r = await api.post('/tasks', {
        description: 'Nightly job',
        humanInLoop: { enabled: false },
        auditFrequency: 'daily',
        ...extra,
      });
      expect(r.status).toBe(201);
      return r.body.taskId as string;
    }

    it('ten failed no-op runs do not keep the agent’s real run, or another agent’s, out of the sample', async () => {
      const noops: string[] = [];
      for (let i = 0; i < 10; i++) {
        const id = await unattended(s.as.agent, { description: `No-op ${i}` });
        const ex = await s.as.agent.post(`/tasks/${id}/execute`, {});
        expect(ex.status).toBe(200);
        const failed = await s.as.agent.post(`/tasks/${id}/fail`, {
          error: { message: 'nothing to do' },
          executionId: ex.body.executionId,
        });
        expect(failed.status).toBe(200);
        noops.push(id);
      }
      const real = await unattended(s.as.agent, {
        // (Exporting customer records to a partner is high risk since issue 25: the floor would gate it.)
        description: 'Tag the CRM contacts by region',
        requiredCapabilities: ['crm_export'],
        payload: { records: 12000 },
      });
      const others = await unattended(s.as.other, { description: 'Send the newsletter' });

      s.t.clock.t = Date.parse('2026-01-11T01:00:00Z');
      expect(await s.t.server.service.auditReviews.openDue()).toBe(1);
      const review = (await s.as.auditor.get('/audit/reviews?frequency=daily')).body.items[0];
      expect(review.taskCount).toBe(12);
      const sampled = review.sample.map((x: { taskId: string }) => x.taskId);
      expect(sampled).toHaveLength(10);
      expect(sampled).toContain(real);
      expect(sampled).toContain(others);
      // The flood still gets the remaining slots, failures listed first.
      expect(sampled.filter((id: string) => noops.includes(id))).toHaveLength(8);
      expect(review.sample[0].reason).toBe('failed');
      // The same sample is what the ledger entry pins.
      const entry = (await s.t.admin.get(`/ledger/entries?start=${review.ledgerIndex}&end=${review.ledgerIndex + 1}`))
        .body.entries[0];
      expect(JSON.parse(entry.entry).data.sample.map((x: { id: string }) => x.id)).toEqual(sampled);
    });
  });
}
