/**
 * Against rubber-stamping: how fast and how uniformly people decide, from the history of their
 * decisions. Pure: the server feeds it rows.
 */

/** A decision is "fast" when it came less than this many seconds after the approver had the request. */
export const FAST_DECISION_SECONDS = 5;

/** One human decision, as the metrics need it. */
export interface ReviewedDecision {
  principal: string;
  /** The roles of the gate it decided (a gate open to several roles counts under each). */
  roles: readonly string[];
  verdict: 'approved' | 'rejected';
  /** An approval that edited the payload. */
  edited: boolean;
  /**
   * Milliseconds from when the approver first had the request (opened it, or its message was
   * delivered) to the decision; 0 for a decision made without either; null when unknown (decided
   * before the server recorded opens).
   */
  reviewMs: number | null;
  /** Decided without having opened the request on any channel or been sent it. */
  unopened: boolean;
}

/** The figures of one approver or one role. */
export interface ReviewStats {
  decisions: number;
  approved: number;
  rejected: number;
  /** Approvals that edited the payload. */
  edited: number;
  /** approved / decisions; null without decisions. */
  approvalRate: number | null;
  /** The median time to decide, in seconds, over the decisions whose review time is known. */
  medianSecondsToDecide: number | null;
  /** The share of those decisions made in less than `FAST_DECISION_SECONDS`. */
  fastShare: number | null;
  /** Decisions made without opening the request or being sent it (counted as 0 s). */
  unopened: number;
  /** Decisions whose review time is known (the denominator of the median and the fast share). */
  timed: number;
}

/** The median of `xs` (the mean of the middle two for an even count); null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The figures of a set of decisions: approval rate, median time to decide, share of fast decisions,
 * edits and rejections.
 *
 * @example
 * reviewStats([{ principal: 'a', roles: ['x'], verdict: 'approved', edited: false, reviewMs: 2000, unopened: false }])
 * // { decisions: 1, approved: 1, approvalRate: 1, medianSecondsToDecide: 2, fastShare: 1, … }
 */
export function reviewStats(ds: readonly ReviewedDecision[]): ReviewStats {
  const approved = ds.filter((d) => d.verdict === 'approved').length;
  const times = ds.flatMap((d) => (d.reviewMs === null ? [] : [d.reviewMs / 1000]));
  const m = median(times);
  return {
    decisions: ds.length,
    approved,
    rejected: ds.length - approved,
    edited: ds.filter((d) => d.verdict === 'approved' && d.edited).length,
    approvalRate: ds.length ? approved / ds.length : null,
    medianSecondsToDecide: m,
    fastShare: times.length ? times.filter((t) => t < FAST_DECISION_SECONDS).length / times.length : null,
    unopened: ds.filter((d) => d.unopened).length,
    timed: times.length,
  };
}

/**
 * `reviewStats` per approver and per role (a decision on a gate open to several roles counts under
 * each of them), each list sorted by key.
 *
 * @example
 * const { approvers, roles } = reviewStatsBy(rows);
 * approvers[0] // { principal: 'did:human:ann', decisions: 12, fastShare: 0.75, … }
 */
export function reviewStatsBy(ds: readonly ReviewedDecision[]): {
  approvers: (ReviewStats & { principal: string })[];
  roles: (ReviewStats & { role: string })[];
} {
  const group = (keys: (d: ReviewedDecision) => readonly string[]) => {
    const m = new Map<string, ReviewedDecision[]>();
    for (const d of ds) for (const k of new Set(keys(d))) m.set(k, [...(m.get(k) ?? []), d]);
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };
  return {
    approvers: group((d) => [d.principal]).map(([principal, xs]) => ({ principal, ...reviewStats(xs) })),
    roles: group((d) => d.roles).map(([role, xs]) => ({ role, ...reviewStats(xs) })),
  };
}
