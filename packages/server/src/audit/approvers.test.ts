/**
 * Against rubber-stamping (issue 26): approver metrics computed on a scripted history — exact
 * numbers per approver and per role in `GET /audit/approvers`, and per role (only) at `/metrics`.
 * Times come from the suite's test clock. Both backends.
 */
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../../test-support/harness.js';

for (const backend of backends()) {
  describe(`approver metrics [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:bot', []],
        ann: ['did:human:ann', ['finance']],
        bob: ['did:human:bob', ['finance', 'ops']],
        auditor: ['did:human:audrey', ['auditor']],
      },
    });

    const task = async (role: string, payload: Record<string, unknown> = {}) => {
      const c = await s.as.agent.post('/tasks', {
        description: 'Archive the monthly report',
        humanInLoop: { approverRole: role },
        payload,
      });
      expect(c.status).toBe(201);
      return c.body.approvalRequest.id as string;
    };
    const wait = (seconds: number) => s.t.clock.advance(seconds * 1000);

    it('computes approval rate, median time, fast share, edits and rejections from the history', async () => {
      const start = s.t.clock.now();
      // ann: opens, approves after 2 s; opens, edits and approves after 10 s; opens, rejects after 4 s.
      const t1 = await task('finance');
      await s.as.ann.get(`/approvals/${t1}`);
      wait(2);
      expect((await s.as.ann.post(`/approvals/${t1}/approve`, {})).status).toBe(200);
      const t2 = await task('finance', { amount: 5 });
      await s.as.ann.get(`/approvals/${t2}`);
      wait(10);
      expect((await s.as.ann.post(`/approvals/${t2}/approve`, { edits: { amount: 6 } })).status).toBe(200);
      const t3 = await task('finance');
      await s.as.ann.get(`/approvals/${t3}`);
      wait(4);
      expect((await s.as.ann.post(`/approvals/${t3}/reject`, { rejectionReason: 'not now' })).status).toBe(200);
      // bob: approves an ops request he never opened (0 s); opens a finance one, approves after 60 s.
      const t4 = await task('ops');
      wait(30);
      expect((await s.as.bob.post(`/approvals/${t4}/approve`, {})).status).toBe(200);
      const t5 = await task('finance');
      await s.as.bob.get(`/approvals/${t5}`);
      // Opening again later does not move the first open.
      wait(30);
      await s.as.bob.get(`/approvals/${t5}`);
      wait(30);
      expect((await s.as.bob.post(`/approvals/${t5}/approve`, {})).status).toBe(200);

      const since = new Date(start).toISOString();
      const r = await s.as.auditor.get(`/audit/approvers?since=${encodeURIComponent(since)}`);
      expect(r.status).toBe(200);
      expect(r.body.fastSeconds).toBe(5);
      expect(r.body.approvers).toEqual([
        {
          principal: 'did:human:ann',
          decisions: 3,
          approved: 2,
          rejected: 1,
          edited: 1,
          approvalRate: 2 / 3,
          medianSecondsToDecide: 4,
          fastShare: 2 / 3,
          unopened: 0,
          timed: 3,
        },
        {
          principal: 'did:human:bob',
          decisions: 2,
          approved: 2,
          rejected: 0,
          edited: 0,
          approvalRate: 1,
          medianSecondsToDecide: 30,
          fastShare: 0.5,
          unopened: 1,
          timed: 2,
        },
      ]);
      expect(r.body.roles).toEqual([
        {
          role: 'finance',
          decisions: 4,
          approved: 3,
          rejected: 1,
          edited: 1,
          approvalRate: 0.75,
          medianSecondsToDecide: 7,
          fastShare: 0.5,
          unopened: 0,
          timed: 4,
        },
        {
          role: 'ops',
          decisions: 1,
          approved: 1,
          rejected: 0,
          edited: 0,
          approvalRate: 1,
          medianSecondsToDecide: 0,
          fastShare: 1,
          unopened: 1,
          timed: 1,
        },
      ]);
      // A window that ends before the history has nothing.
      const empty = await s.as.auditor.get(`/audit/approvers?until=${encodeURIComponent(since)}`);
      expect(empty.body.approvers).toEqual([]);

      // /metrics: the same per-role figures, and no principal ids in any label.
      const text = await (await fetch(`${s.t.url}/metrics`)).text();
      expect(text).toContain('humanos_role_decisions{role="finance",verdict="approved"} 3');
      expect(text).toContain('humanos_role_decisions{role="finance",verdict="rejected"} 1');
      expect(text).toContain('humanos_role_edited_approvals{role="finance"} 1');
      expect(text).toContain('humanos_role_approval_rate{role="finance"} 0.75');
      expect(text).toContain('humanos_role_decide_median_seconds{role="finance"} 7');
      expect(text).toContain('humanos_role_fast_decision_share{role="finance"} 0.5');
      expect(text).toContain('humanos_role_fast_decision_share{role="ops"} 1');
      expect(text).not.toMatch(/humanos_role_[a-z_]+\{[^}]*did:human/);
    });

    it('only admins and auditors read them; a bad window is refused', async () => {
      expect((await s.as.agent.get('/audit/approvers')).status).toBe(403);
      expect((await s.as.ann.get('/audit/approvers')).status).toBe(403);
      const bad = await s.t.admin.get('/audit/approvers?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z');
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation_failed');
    });
  });
}
