/**
 * Periodic audit reviews (`/audit/reviews`): the requests the console makes, the open-review count
 * for the nav, and readable labels for periods, sample reasons and outcomes.
 */
import { api, qs, seg } from '../lib/api.js';
import { update } from '../lib/store.js';
import type {
  AuditReview,
  ReviewedTask,
  ReviewFrequency,
  ReviewOutcome,
  ReviewStatus,
  SampledTask,
} from '../lib/types.js';

export const FREQUENCIES: readonly ReviewFrequency[] = ['daily', 'weekly', 'monthly'];
/** The server accepts at most this many flagged runs per review. */
export const MAX_FLAGGED = 100;

/** The list's filters; `''` is "any" (for status: open ones first, then completed ones). */
export interface ReviewFilter {
  status: '' | ReviewStatus;
  frequency: '' | ReviewFrequency;
}

/** Where the list goes on: which status is being paged and the server's cursor within it. */
export interface ListPos {
  status: ReviewStatus;
  cursor: string | null;
}

interface ServerPage<T> {
  items: T[];
  nextCursor: string | null;
}

export function parseFilter(query: URLSearchParams): ReviewFilter {
  const status = query.get('status');
  const frequency = query.get('frequency');
  return {
    status: status === 'open' || status === 'completed' ? status : '',
    frequency: FREQUENCIES.includes(frequency as ReviewFrequency) ? (frequency as ReviewFrequency) : '',
  };
}

export const firstPos = (f: ReviewFilter): ListPos => ({ status: f.status || 'open', cursor: null });

/**
 * Up to `limit` reviews from `pos` on. The server pages newest period first within one status; with
 * no status filter the open reviews are paged first, then the completed ones (open first).
 */
export async function listReviews(
  f: ReviewFilter,
  pos: ListPos,
  limit: number,
): Promise<{ items: AuditReview[]; next: ListPos | null }> {
  const items: AuditReview[] = [];
  let at: ListPos | null = pos;
  while (at && items.length < limit) {
    const r: ServerPage<AuditReview> = await api(
      'GET',
      `/audit/reviews${qs({ status: at.status, frequency: f.frequency, limit: limit - items.length, cursor: at.cursor })}`,
    );
    items.push(...r.items);
    if (r.nextCursor) at = { status: at.status, cursor: r.nextCursor };
    else at = at.status === 'open' && f.status === '' ? { status: 'completed', cursor: null } : null;
  }
  return { items, next: at };
}

export const getReview = (id: string): Promise<AuditReview> => api('GET', `/audit/reviews/${seg(id)}`);

export const reviewRuns = (id: string, cursor: string | null, limit: number): Promise<ServerPage<ReviewedTask>> =>
  api('GET', `/audit/reviews/${seg(id)}/tasks${qs({ limit, cursor })}`);

export const completeReview = (
  id: string,
  input: { outcome: ReviewOutcome; findings: string; flaggedTaskIds: string[] },
): Promise<AuditReview> => api('POST', `/audit/reviews/${seg(id)}/complete`, input);

/** Refreshes the nav's count of open reviews (`3`, `100+`); quietly empty when refused. */
export async function loadOpenReviews(): Promise<void> {
  try {
    const r = await api<ServerPage<AuditReview>>('GET', `/audit/reviews${qs({ status: 'open', limit: 100 })}`);
    update({ openReviews: r.items.length ? `${r.items.length}${r.nextCursor ? '+' : ''}` : '' });
  } catch {
    update({ openReviews: '' });
  }
}

const DAY = 86_400_000;
const dayFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const monthFmt = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * The UTC period a review covers, readable: `Jan 10, 2026`, `Jan 5 – 11, 2026`, `January 2026`
 * (periods end exclusively at the next period's start).
 */
export function periodLabel(r: Pick<AuditReview, 'frequency' | 'periodStart' | 'periodEnd'>): string {
  const start = Date.parse(r.periodStart);
  if (r.frequency === 'monthly') return monthFmt.format(start);
  if (r.frequency === 'weekly') return dayFmt.formatRange(start, Date.parse(r.periodEnd) - DAY);
  return dayFmt.format(start);
}

const FREQUENCY: Record<ReviewFrequency, string> = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' };
export const frequencyLabel = (f: ReviewFrequency): string => FREQUENCY[f] ?? f;

const REASON: Record<SampledTask['reason'], string> = {
  failed: 'Failed',
  high_risk: 'High or critical risk',
  random: 'Drawn at random',
};
export const reasonLabel = (r: SampledTask['reason']): string => REASON[r] ?? r;

const OUTCOME: Record<ReviewOutcome, string> = { no_issues: 'No issues', issues_found: 'Issues found' };
export const outcomeLabel = (o: ReviewOutcome | null): string => (o ? (OUTCOME[o] ?? o) : '—');

/** A link into the ledger explorer whose first page starts at entry `index` (newest first). */
export const ledgerHref = (index: number): string => `/audit/ledger${qs({ start: Math.max(0, index - 49) })}`;

/** A task's timeline from the ledger (the auditor's view: unattended runs have no gate to open). */
export const timelineHref = (taskId: string): string => `/audit/ledger${qs({ task: taskId })}`;
