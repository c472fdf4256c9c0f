import { describe, expect, it } from 'vitest';
import { type Api, backends, useTestServer } from '../../../../test-support/harness.js';

/**
 * Issue 22 (medium): an auditor completed a periodic review covering runs she requested herself.
 * Nobody signs off their own runs: completing is refused (`403 requester_cannot_audit`, nothing
 * written) when the auditor requested, or was named `onBehalfOf` by, any run the review covers —
 * also runs that joined the review later. The clock starts Saturday 2026-01-10 15:00 UTC.
 */
for (const backend of backends()) {
  describe(`an auditor never signs off her own runs [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:nightly-bot', []],
        audra: ['did:human:audra', ['auditor']],
        bea: ['did:human:bea', ['auditor']],
      },
    });
    const service = () => s.t.server.service;

    async function unattended(api: Api, description: string, auditFrequency = 'daily', extra = {}) {
      const r = await api.post('/tasks', {
        description,
        humanInLoop: { enabled: false },
        auditFrequency,
        payload: { n: description },
        ...extra,
      });
      expect(r.status).toBe(201);
      return r.body.taskId as string;
    }

    async function dailyReview(): Promise<{ id: string; status: string }> {
      const r = await s.as.bea.get('/audit/reviews?frequency=daily');
      expect(r.status).toBe(200);
      return r.body.items[0];
    }

    const complete = (api: Api, id: string) =>
      api.post(`/audit/reviews/${id}/complete`, { outcome: 'no_issues', findings: 'sampled runs look fine' });

    it('the requester of a covered run cannot complete the review; nothing is written; another auditor can', async () => {
      await unattended(s.as.agent, 'Rotate logs');
      await unattended(s.as.audra, 'Audra’s own clean-up');
      s.t.clock.t = Date.parse('2026-01-11T01:00:00Z');
      expect(await service().auditReviews.openDue()).toBe(1);
      const review = await dailyReview();
      const before = await s.t.fingerprint();
      const refused = await complete(s.as.audra, review.id);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('requester_cannot_audit');
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await s.t.fingerprint()).toBe(before);
      expect((await dailyReview()).status).toBe('open');

      const done = await complete(s.as.bea, review.id);
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'completed', completedBy: 'did:human:bea' });
    });

    it('a run of the completing auditor that joins later reopens the review, and she cannot sign it off', async () => {
      const review = await dailyReview();
      const now = s.t.clock.t;
      s.t.clock.t = Date.parse('2026-01-10T23:59:59Z'); // a replica whose clock lags
      await unattended(s.as.bea, 'Bea’s late run');
      s.t.clock.t = now;
      expect(await service().auditReviews.openDue()).toBe(1);
      expect((await dailyReview()).status).toBe('open');
      const before = await s.t.fingerprint();
      for (const api of [s.as.bea, s.as.audra]) {
        const r = await complete(api, review.id);
        expect([r.status, r.body.code]).toEqual([403, 'requester_cannot_audit']);
      }
      expect(await s.t.fingerprint()).toBe(before);
      // Someone who requested none of the runs (here the admin) can.
      expect((await complete(s.t.admin, review.id)).status).toBe(200);
    });

    it('a run that names her as onBehalfOf is hers too', async () => {
      s.t.clock.t = Date.parse('2026-01-20T10:00:00Z');
      const until = new Date(s.t.clock.t + 7 * 86_400_000).toISOString();
      expect((await s.as.bea.req('PUT', '/me/consents/did:agent:nightly-bot', { until })).status).toBe(200);
      await unattended(s.as.agent, 'Bea’s expense export', 'daily', { onBehalfOf: 'did:human:bea' });
      s.t.clock.t = Date.parse('2026-01-21T01:00:00Z');
      expect(await service().auditReviews.openDue()).toBe(1);
      const review = await dailyReview();
      const before = await s.t.fingerprint();
      const refused = await complete(s.as.bea, review.id);
      expect([refused.status, refused.body.code]).toEqual([403, 'requester_cannot_audit']);
      expect(await s.t.fingerprint()).toBe(before);
      expect((await complete(s.as.audra, review.id)).status).toBe(200);
    });

    it('the per-task spot-check of her own run is refused too (the decision path’s requester rule)', async () => {
      const own = await unattended(s.as.audra, 'Audra syncs the CRM', 'always');
      const gate = (await s.t.admin.get(`/tasks/${own}`)).body.approvals.find(
        (g: { kind: string }) => g.kind === 'audit',
      );
      expect(gate).toBeDefined();
      const before = await s.t.fingerprint();
      const refused = await s.as.audra.post(`/approvals/${gate.id}/approve`, { approvalReason: 'looks fine' });
      expect([refused.status, refused.body.code]).toEqual([403, 'requester_cannot_decide']);
      expect(await s.t.fingerprint()).toBe(before);
      const ok = await s.as.bea.post(`/approvals/${gate.id}/approve`, { approvalReason: 'looks fine' });
      expect(ok.status).toBe(200);
    });
  });
}
