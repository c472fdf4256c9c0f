/** Periodic audit reviews of unattended runs (`auditFrequency` daily / weekly / monthly); see docs/policy.md. */
import { paginate, path, query, type Transport } from './transport.js';
import type { ApproverMetrics, AttentionCheck, AttentionCheckReport, Page, TaskStatus } from './types.js';

export type ReviewFrequency = 'daily' | 'weekly' | 'monthly';
export type ReviewStatus = 'open' | 'completed';
export type ReviewOutcome = 'no_issues' | 'issues_found';

/** An unattended run a review covers. */
export interface ReviewedTask {
  taskId: string;
  description: string;
  requester: string;
  status: TaskStatus;
  riskLevel: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A run the auditor is asked to inspect, and why: it failed, it was risky, or it was drawn. */
export interface SampledTask extends ReviewedTask {
  reason: 'failed' | 'high_risk' | 'random';
}

/** One periodic review: a UTC period's unattended runs, a sample, and (once completed) the findings. */
export interface AuditReview {
  id: string;
  frequency: ReviewFrequency;
  periodStart: string;
  periodEnd: string;
  status: ReviewStatus;
  auditorRole: string;
  taskCount: number;
  statusCounts: Record<string, number>;
  sample: SampledTask[];
  openedAt: string;
  /** The `audit.review_opened` ledger entry. */
  ledgerIndex: number;
  completedAt: string | null;
  completedBy: string | null;
  outcome: ReviewOutcome | null;
  findings: string | null;
  flaggedTaskIds: string[];
  /** The `audit.review_completed` ledger entry, once completed. */
  completedLedgerIndex: number | null;
}

/** What an auditor concludes. */
export interface CompleteReviewInput {
  outcome: ReviewOutcome;
  findings: string;
  /** Runs of this review that need attention. */
  flaggedTaskIds?: string[];
}

export class AuditClient {
  constructor(private readonly http: Transport) {}

  /**
   * Reviews, newest period first (admin or auditor).
   *
   * @example
   * const { items } = await client.audit.reviews({ status: 'open' });
   * for (const r of items) console.log(r.frequency, r.periodStart, r.taskCount, r.sample.length);
   */
  reviews(
    q: { status?: ReviewStatus; frequency?: ReviewFrequency; limit?: number; cursor?: string } = {},
  ): Promise<Page<AuditReview>> {
    return this.http.request('GET', `${path`/audit/reviews`}${query(q)}`, { retry: true });
  }

  /**
   * Every review {@link reviews} shows, newest period first, page after page as the loop goes.
   *
   * @example
   * for await (const r of client.audit.reviewsAll({ status: 'open' })) console.log(r.id, r.taskCount);
   */
  reviewsAll(
    q: { status?: ReviewStatus; frequency?: ReviewFrequency; limit?: number } = {},
  ): AsyncGenerator<AuditReview, void, undefined> {
    return paginate((cursor) => this.reviews({ ...q, ...(cursor ? { cursor } : {}) }));
  }

  /** One review with its sample. */
  review(reviewId: string): Promise<AuditReview> {
    return this.http.request('GET', path`/audit/reviews/${reviewId}`, { retry: true });
  }

  /** Every run a review covers, oldest first, a page at a time. */
  reviewTasks(reviewId: string, q: { limit?: number; cursor?: string } = {}): Promise<Page<ReviewedTask>> {
    return this.http.request('GET', `${path`/audit/reviews/${reviewId}/tasks`}${query(q)}`, { retry: true });
  }

  /**
   * Every run a review covers, oldest first, page after page as the loop goes.
   *
   * @example
   * for await (const run of client.audit.reviewTasksAll(reviewId)) console.log(run.taskId, run.status);
   */
  reviewTasksAll(reviewId: string, q: { limit?: number } = {}): AsyncGenerator<ReviewedTask, void, undefined> {
    return paginate((cursor) => this.reviewTasks(reviewId, { ...q, ...(cursor ? { cursor } : {}) }));
  }

  /**
   * Signs a review off (a human auditor): the outcome, findings and flagged runs go into the ledger.
   *
   * @example
   * await client.audit.completeReview(id, { outcome: 'issues_found', findings: 'run 3 retried twice', flaggedTaskIds: [taskId] });
   */
  completeReview(reviewId: string, input: CompleteReviewInput): Promise<AuditReview> {
    return this.http.request('POST', path`/audit/reviews/${reviewId}/complete`, { body: input });
  }

  /**
   * Attention-check results per approver and the latest checks (admin or auditor; checks are opt-in).
   *
   * @example
   * const { approvers } = await client.audit.attentionChecks();
   * for (const a of approvers) console.log(a.principal, `${a.caught}/${a.decided} caught`);
   */
  attentionChecks(): Promise<AttentionCheckReport> {
    return this.http.request('GET', path`/audit/attention-checks`, { retry: true });
  }

  /**
   * Per approver and per role, how they decided in `[since, until)` (admin or auditor; default the
   * last 30 days): approval rate, median time to decide, share under `fastSeconds`, edits, rejections.
   *
   * @example
   * const { approvers } = await client.audit.approverMetrics({ since: '2026-01-01T00:00:00Z' });
   * for (const a of approvers) console.log(a.principal, a.decisions, a.approvalRate, a.fastShare);
   */
  approverMetrics(q: { since?: string; until?: string } = {}): Promise<ApproverMetrics> {
    return this.http.request('GET', `${path`/audit/approvers`}${query(q)}`, { retry: true });
  }

  /** Plants an attention check now (admin), modelled on `sourceTaskId` or the newest open request. */
  plantAttentionCheck(sourceTaskId?: string): Promise<AttentionCheck> {
    return this.http.request('POST', path`/audit/attention-checks`, { body: sourceTaskId ? { sourceTaskId } : {} });
  }
}
