/**
 * Periodic audit reviews of unattended runs (`humanInLoop.enabled: false` with `auditFrequency`
 * `daily`, `weekly` or `monthly`): which period a run belongs to, and which of a period's runs an
 * auditor is asked to inspect first. Pure: the server stores and schedules, this decides.
 */

/** How often a human looks at unattended runs (`humanInLoop.enabled: false`). */
export type AuditFrequency = 'always' | 'daily' | 'weekly' | 'monthly';

/** Share of unattended tasks queued for a spot-check, by `auditFrequency`. */
export const AUDIT_SAMPLE_RATE: Record<AuditFrequency, number> = { always: 1, daily: 0.5, weekly: 0.2, monthly: 0.05 };

/** Deterministic sampling by task id, so a replay or a test gets the same answer. */
export function inAuditSample(taskId: string, frequency: AuditFrequency): boolean {
  return draw(taskId) / 0x100000000 < AUDIT_SAMPLE_RATE[frequency];
}

/** The frequencies that get a periodic review (`always` is a per-task spot-check instead). */
export type ReviewFrequency = Exclude<AuditFrequency, 'always'>;
export const REVIEW_FREQUENCIES: readonly ReviewFrequency[] = ['daily', 'weekly', 'monthly'];

/** A half-open interval `[start, end)` of epoch milliseconds. */
export interface AuditPeriod {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;

/**
 * The UTC period containing `at`: a calendar day, an ISO week (Monday 00:00 UTC to the next Monday)
 * or a calendar month. UTC so that every replica and every auditor agrees on the boundaries.
 *
 * @example
 * auditPeriod('weekly', Date.parse('2026-11-26T10:00:00Z'));
 * // { start: Date.parse('2026-11-23T00:00:00Z'), end: Date.parse('2026-11-30T00:00:00Z') }
 */
export function auditPeriod(frequency: ReviewFrequency, at: number): AuditPeriod {
  const d = new Date(at);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (frequency === 'daily') return { start: day, end: day + DAY_MS };
  if (frequency === 'weekly') {
    const sinceMonday = (d.getUTCDay() + 6) % 7;
    const start = day - sinceMonday * DAY_MS;
    return { start, end: start + 7 * DAY_MS };
  }
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/** A run as the sampler sees it. */
export interface ReviewedRun {
  id: string;
  status: string;
  riskLevel: string | null;
}

/** Why a run is in the sample: failures first, then risky runs, then a deterministic draw. */
export type SampleReason = 'failed' | 'high_risk' | 'random';

/** How many runs a review asks the auditor to inspect (all of them when there are fewer). */
export const REVIEW_SAMPLE_SIZE = 10;

/**
 * The runs of a period an auditor inspects: every failed run, then every high- or critical-risk
 * run, then a deterministic draw (by a hash of the id, so a replay picks the same runs) up to
 * `size`. Failures and risky runs are capped by `size` too, oldest first as given.
 *
 * @example
 * sampleRuns([{ id: 't1', status: 'failed', riskLevel: 'low' }, { id: 't2', status: 'completed', riskLevel: 'low' }], 1);
 * // [{ id: 't1', reason: 'failed' }]
 */
export function sampleRuns(
  runs: readonly ReviewedRun[],
  size = REVIEW_SAMPLE_SIZE,
): { id: string; reason: SampleReason }[] {
  const picked: { id: string; reason: SampleReason }[] = [];
  const taken = new Set<string>();
  const take = (r: ReviewedRun, reason: SampleReason) => {
    if (picked.length >= size || taken.has(r.id)) return;
    taken.add(r.id);
    picked.push({ id: r.id, reason });
  };
  for (const r of runs) if (r.status === 'failed') take(r, 'failed');
  for (const r of runs) if (r.riskLevel === 'high' || r.riskLevel === 'critical') take(r, 'high_risk');
  const rest = runs.filter((r) => !taken.has(r.id)).sort((a, b) => draw(a.id) - draw(b.id) || (a.id < b.id ? -1 : 1));
  for (const r of rest) take(r, 'random');
  return picked;
}

/** FNV-1a of the id: a stable, evenly spread draw (spot-check sampling, review sample order). */
function draw(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
