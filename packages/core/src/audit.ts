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
  /** Who asked for it (the task's requester): the agent whose runs form a stratum. */
  requester: string;
  /** What it does (the task's required capabilities; order and duplicates do not matter). */
  capabilities: readonly string[];
}

/** Why a run is in the sample: failures first, then risky runs, then a deterministic draw. */
export type SampleReason = 'failed' | 'high_risk' | 'random';

/** How many runs a review asks the auditor to inspect (all of them when there are fewer). */
export const REVIEW_SAMPLE_SIZE = 10;

/**
 * How far a sample grows beyond `REVIEW_SAMPLE_SIZE` so that every stratum (agent × capability set)
 * gets one run in it. Beyond this many strata, which strata are sampled is a draw keyed by the
 * review (see `sampleRuns`), spread over the agents first.
 */
export const REVIEW_SAMPLE_MAX = 50;

/** How `sampleRuns` draws: the sample size, how far it may grow to cover every stratum, the draw's key. */
export interface SampleOptions {
  size?: number;
  max?: number;
  /**
   * Keys the draw (the server passes the review's id): the same runs and seed give the same sample,
   * but an agent creating runs cannot know, and so cannot grind, which ids or strata will be drawn.
   */
  seed?: string;
}

/** A stratum's runs in the order they are taken: failures, then high/critical risk, then the draw. */
interface Stratum {
  runs: { id: string; reason: SampleReason }[];
}

const REASON_RANK: Record<SampleReason, number> = { failed: 0, high_risk: 1, random: 2 };

function reasonOf(r: ReviewedRun): SampleReason {
  if (r.status === 'failed') return 'failed';
  return r.riskLevel === 'high' || r.riskLevel === 'critical' ? 'high_risk' : 'random';
}

/** The runs grouped by agent, then by capability set, each level in the keyed draw's order. */
function strataByAgent(runs: readonly ReviewedRun[], seed: string): Stratum[][] {
  const agents = new Map<string, Map<string, ReviewedRun[]>>();
  for (const r of runs) {
    const caps = [...new Set(r.capabilities)].sort().join('\n');
    let byCaps = agents.get(r.requester);
    if (!byCaps) {
      byCaps = new Map();
      agents.set(r.requester, byCaps);
    }
    const list = byCaps.get(caps);
    if (list) list.push(r);
    else byCaps.set(caps, [r]);
  }
  // Each key hashed once (a review may cover 100 000 runs), ties broken by the key itself.
  const byDraw = <T>(items: readonly T[], key: (x: T) => string): T[] =>
    items
      .map((x) => ({ x, k: key(x), d: draw(`${seed}\n${key(x)}`) }))
      .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
      .map((e) => e.x);
  return byDraw([...agents.entries()], ([agent]) => agent).map(([agent, byCaps]) =>
    byDraw([...byCaps.entries()], ([caps]) => `${agent}\n${caps}`).map(([, rs]) => ({
      runs: byDraw(
        rs.map((r) => ({ id: r.id, reason: reasonOf(r) })),
        (x) => x.id,
      ).sort((a, b) => REASON_RANK[a.reason] - REASON_RANK[b.reason]),
    })),
  );
}

/** Round-robin over lists: the first of each, then the second of each, and so on. */
function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  // (A reduce, not Math.max(...spread): an agent may have tens of thousands of strata.)
  const longest = lists.reduce((n, l) => Math.max(n, l.length), 0);
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i] as T);
  return out;
}

/**
 * The runs of a period an auditor inspects, stratified so that no agent's cheap runs can crowd
 * out the rest. A stratum is one agent (requester) × one capability set. Every stratum gets one
 * run before any stratum gets a second: first one run of each stratum, then the rest, each pass
 * taking the agents in turn and, within an agent, its strata in turn. Within a stratum failures
 * come first, then high- and critical-risk runs, then a draw; so ten deliberately failed no-op
 * runs fill at most their own stratum's turns, never another stratum's first slot.
 *
 * The sample has `size` runs, grown to one per stratum when there are more strata, up to `max`.
 * Beyond `max` strata the first pass is cut: the agents still take turns (each gets a share before
 * any gets another), and which of an agent's strata come first is a draw keyed by `seed`, unknown to
 * whoever creates the runs. The draw is deterministic (FNV-1a of seed and key), so a replay, and the
 * same runs given in any order, give the same sample. Listed failures first, then high risk, then
 * the rest.
 *
 * @example
 * sampleRuns(
 *   [
 *     { id: 't1', status: 'failed', riskLevel: 'low', requester: 'did:agent:a', capabilities: [] },
 *     { id: 't2', status: 'completed', riskLevel: 'low', requester: 'did:agent:a', capabilities: ['pay'] },
 *   ],
 *   { size: 1 },
 * );
 * // both: two strata, so the sample grows to two: [{ id: 't1', reason: 'failed' }, { id: 't2', reason: 'random' }]
 */
export function sampleRuns(
  runs: readonly ReviewedRun[],
  opts: SampleOptions = {},
): { id: string; reason: SampleReason }[] {
  const size = opts.size ?? REVIEW_SAMPLE_SIZE;
  const max = Math.max(size, opts.max ?? REVIEW_SAMPLE_MAX);
  const agents = strataByAgent(runs, opts.seed ?? '');
  const strata = agents.reduce((n, a) => n + a.length, 0);
  const firsts = interleave(agents.map((a) => a.flatMap((st) => st.runs.slice(0, 1))));
  const rest = interleave(agents.map((a) => interleave(a.map((st) => st.runs.slice(1)))));
  const picked = [...firsts, ...rest].slice(0, Math.min(Math.max(size, strata), max));
  // Presented failures first, then risky runs (stable: the draw's order within each reason).
  return picked.sort((a, b) => REASON_RANK[a.reason] - REASON_RANK[b.reason]);
}

/** FNV-1a of a string: a stable, evenly spread draw (spot-check sampling, review sample order). */
function draw(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
