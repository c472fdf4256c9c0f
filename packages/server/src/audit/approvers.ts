import { HumanOSError, type ReviewedDecision, reviewStatsBy } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso } from '../kernel/rows.js';
import type { ApproverMetricsReport } from './schemas.js';

const DAY_MS = 86_400_000;
/** The window the API reports by default, and the one `/metrics` reports (per role). */
export const DEFAULT_WINDOW_DAYS = 30;
export const PROMETHEUS_WINDOW_DAYS = 7;
/** The most decisions one report reads (the newest first); `truncated` says when there were more. */
const MAX_DECISIONS = 100_000;

/**
 * Against rubber-stamping: per approver and per role, how often they approve, how fast they decide
 * (from when they first had the request: their first open on any channel, or the delivery they
 * decided from — `approvals/review.ts`), how many decisions came in under 5 s, edits and
 * rejections; computed from the decisions in a window. Per approver only here (admins and auditors);
 * `/metrics` gets the per-role figures.
 *
 * @example
 * const r = await metrics.report(auditor, { since: '2026-01-01T00:00:00Z' });
 * r.approvers.find((a) => a.principal === 'did:human:ann')?.fastShare // 0.8
 */
export class ApproverMetrics {
  constructor(private readonly deps: FeatureDeps) {}

  /** The report for `[since, until)` (default: the last 30 days). Admin or auditor. */
  async report(
    actor: Principal,
    q: { since?: string | undefined; until?: string | undefined },
  ): Promise<ApproverMetricsReport> {
    this.deps.access.requireAuditor(actor, 'reading approver metrics');
    // Default: up to now, inclusive (a decision recorded this millisecond counts).
    const until = q.until ? Date.parse(q.until) : this.deps.now() + 1;
    const since = q.since ? Date.parse(q.since) : until - DEFAULT_WINDOW_DAYS * DAY_MS;
    if (!Number.isFinite(since) || !Number.isFinite(until) || since >= until)
      throw new HumanOSError('validation_failed', 'since must be an RFC 3339 time before until');
    const { rows, truncated } = await this.decisions(since, until);
    return { since: iso(since), until: iso(until), fastSeconds: 5, truncated, ...reviewStatsBy(rows) };
  }

  /** Per role over the last 7 days, for the Prometheus gauges (no principal ids: bounded labels). */
  async perRole(): Promise<ReturnType<typeof reviewStatsBy>['roles']> {
    const now = this.deps.now() + 1;
    return reviewStatsBy((await this.decisions(now - PROMETHEUS_WINDOW_DAYS * DAY_MS, now)).rows).roles;
  }

  /** The decisions made in `[since, until)`, each with when its maker first had the request. */
  private async decisions(since: number, until: number): Promise<{ rows: ReviewedDecision[]; truncated: boolean }> {
    const rows = await this.deps.db
      .selectFrom('decisions as d')
      .innerJoin('approvals as a', 'a.id', 'd.approval_id')
      .leftJoin('approval_opens as o', (join) =>
        join.onRef('o.approval_id', '=', 'd.approval_id').onRef('o.principal_id', '=', 'd.principal_id'),
      )
      .select(['d.principal_id', 'd.verdict', 'd.edits', 'd.decided_at', 'a.approver_role', 'o.opened_at', 'o.channel'])
      .where('d.decided_at', '>=', since)
      .where('d.decided_at', '<', until)
      .orderBy('d.decided_at', 'desc')
      .limit(MAX_DECISIONS + 1)
      .execute();
    return {
      truncated: rows.length > MAX_DECISIONS,
      rows: rows.slice(0, MAX_DECISIONS).map((r) => ({
        principal: r.principal_id,
        roles: r.approver_role.split(', '),
        verdict: r.verdict,
        edited: r.edits !== null && r.edits !== 'null',
        reviewMs: r.opened_at === null ? null : Math.max(0, Number(r.decided_at) - Number(r.opened_at)),
        unopened: r.channel?.startsWith('unopened') ?? false,
      })),
    };
  }
}
