/**
 * `client.audit`: the periodic audit reviews through the SDK against a real server, and its types
 * checked against the server's schemas at compile time (a drift fails `npm run typecheck`).
 */
import type { Static } from 'typebox';
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import type {
  ApproverMetricsQuery,
  ApproverMetricsReport,
  AuditReviewView,
  CompleteReviewBody,
  ReviewPage,
  ReviewTaskPage,
} from '../../server/src/audit/schemas.js';
import {
  type AuditClient,
  type AuditReview,
  type CompleteReviewInput,
  HumanOSApiError,
  HumanOSClient,
} from '../src/index.js';
import { type Mutual, type Norm, type Res, same } from './drift.js';

type Same<A, S> = Mutual<Norm<A>, Norm<S>>;

same<Same<CompleteReviewInput, Static<typeof CompleteReviewBody>>>(true);
same<Same<Res<AuditClient['review']>, Static<typeof AuditReviewView>>>(true);
same<Same<Res<AuditClient['completeReview']>, Static<typeof AuditReviewView>>>(true);
same<Same<Res<AuditClient['reviews']>, Static<typeof ReviewPage>>>(true);
same<Same<Res<AuditClient['reviewTasks']>, Static<typeof ReviewTaskPage>>>(true);
same<Same<Res<AuditClient['approverMetrics']>, Static<typeof ApproverMetricsReport>>>(true);
same<Same<NonNullable<Parameters<AuditClient['approverMetrics']>[0]>, Static<typeof ApproverMetricsQuery>>>(true);

for (const backend of backends()) {
  describe(`client.audit [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:sdk-nightly', []],
        auditor: ['did:human:sdk-audra', ['auditor']],
        ann: ['did:human:sdk-ann', ['finance']],
      },
    });
    const client = (token: string | undefined) => new HumanOSClient({ baseUrl: s.t.url, apiKey: token, retries: 0 });

    it('lists, reads, pages and completes a review; an agent is refused', async () => {
      const agent = client(s.as.agent.token);
      const auditor = client(s.as.auditor.token);
      const ids: string[] = [];
      for (const n of [1, 2, 3]) {
        const t = await agent.createTask({
          description: `Nightly cleanup ${n}`,
          humanInLoop: { enabled: false },
          auditFrequency: 'daily',
        });
        ids.push(t.id);
      }
      s.t.clock.advance(24 * 3_600_000);
      expect(await s.t.server.service.auditReviews.openDue()).toBe(1);

      const { items, nextCursor } = await auditor.audit.reviews({ status: 'open' });
      expect(nextCursor).toBeNull();
      const review = items[0] as AuditReview;
      expect(review).toMatchObject({ frequency: 'daily', status: 'open', taskCount: 3 });
      expect(review.sample.map((x) => x.taskId).sort()).toEqual([...ids].sort());
      expect(await auditor.audit.review(review.id)).toEqual(review);
      const first = await auditor.audit.reviewTasks(review.id, { limit: 2 });
      const rest = await auditor.audit.reviewTasks(review.id, { cursor: first.nextCursor as string });
      expect([...first.items, ...rest.items].map((x) => x.taskId).sort()).toEqual([...ids].sort());
      // The auto-paging iterators walk the same pages.
      const paged: string[] = [];
      for await (const run of auditor.audit.reviewTasksAll(review.id, { limit: 2 })) paged.push(run.taskId);
      expect(paged.sort()).toEqual([...ids].sort());
      const reviews: string[] = [];
      for await (const r of auditor.audit.reviewsAll({ status: 'open', limit: 1 })) reviews.push(r.id);
      expect(reviews).toEqual([review.id]);

      const refused = await agent.audit.reviews().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HumanOSApiError);
      expect(refused).toMatchObject({ code: 'forbidden', status: 403 });

      const done = await auditor.audit.completeReview(review.id, {
        outcome: 'issues_found',
        findings: 'cleanup 2 deleted more than it said',
        flaggedTaskIds: [ids[1] as string],
      });
      expect(done).toMatchObject({ status: 'completed', outcome: 'issues_found', flaggedTaskIds: [ids[1]] });
      expect(typeof done.completedLedgerIndex).toBe('number');
      const again = await auditor.audit
        .completeReview(review.id, { outcome: 'no_issues', findings: 'again' })
        .catch((e: unknown) => e);
      expect(again).toMatchObject({ code: 'already_decided', status: 409 });
    });

    it('reports approver metrics: one decision made, that approver with decisions 1; an agent is refused', async () => {
      const agent = client(s.as.agent.token);
      const auditor = client(s.as.auditor.token);
      const since = new Date(s.t.clock.now()).toISOString();
      const task = await agent.createTask({ description: 'Pay invoice 7', humanInLoop: { approverRole: 'finance' } });
      const gate = (task as { approvalRequest: { id: string } }).approvalRequest.id;
      await client(s.as.ann.token).approvals.approve(gate, { approvalReason: 'invoice checked' });
      s.t.clock.advance(1_000);

      const until = new Date(s.t.clock.now()).toISOString();
      const report = await auditor.audit.approverMetrics({ since, until });
      expect(report).toMatchObject({ since, until, truncated: false });
      expect(report.approvers).toEqual([
        expect.objectContaining({ principal: 'did:human:sdk-ann', decisions: 1, approved: 1, rejected: 0 }),
      ]);
      expect(report.roles).toEqual([expect.objectContaining({ role: 'finance', decisions: 1 })]);
      // Without a window: the last 30 days, which hold the same decision.
      expect((await auditor.audit.approverMetrics()).approvers.map((a) => [a.principal, a.decisions])).toEqual([
        ['did:human:sdk-ann', 1],
      ]);

      const refused = await agent.audit.approverMetrics().catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'forbidden', status: 403 });
      const bad = await auditor.audit.approverMetrics({ since: until, until: since }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ code: 'validation_failed', status: 400 });
    });
  });
}
