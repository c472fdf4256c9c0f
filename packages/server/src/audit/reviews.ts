import { createHash } from 'node:crypto';
import {
  type AuditPeriod,
  auditPeriod,
  HumanOSError,
  newAuditReviewId,
  REVIEW_FREQUENCIES,
  type ReviewFrequency,
  type SampleReason,
  sampleRuns,
} from '@humanos/core';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Principal } from '../kernel/access.js';
import { decodePairCursor, encodePairCursor } from '../kernel/cursor.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, j, p } from '../kernel/rows.js';
import { currentPrincipal } from '../principals/current.js';
import type { Database } from '../store/schema.js';
import type { AuditReviewView, ReviewedTask, ReviewPage, ReviewTaskPage } from './schemas.js';

type ReviewRow = Selectable<Database['audit_reviews']>;
type RunRow = Pick<
  Selectable<Database['tasks']>,
  'id' | 'description' | 'requester' | 'status' | 'risk' | 'required_capabilities'
> & {
  created_at: number;
  updated_at: number;
};

/**
 * A period is reviewed this long after it ends, so a run created in its last moments (whose
 * transaction commits a little later, or on a replica whose clock is slightly behind) is not missed.
 */
export const REVIEW_GRACE_MS = 5 * 60_000;

/** What an auditor concludes when completing a review. */
export interface CompleteReviewInput {
  outcome: 'no_issues' | 'issues_found';
  findings: string;
  flaggedTaskIds?: string[] | undefined;
}

/**
 * Periodic audit reviews of unattended runs (`humanInLoop.enabled: false` with `auditFrequency`
 * `daily`, `weekly` or `monthly`). After each UTC period ends (plus `REVIEW_GRACE_MS`) the sweeper
 * opens one review per frequency covering the runs created in it, with a sample to inspect; an
 * auditor (a human holding the policy's auditor role, or an admin) reads it and completes it with
 * findings. Opening and completing are ledger entries (`audit.review_opened`,
 * `audit.review_completed`), so the review trail is as tamper-evident as the decisions.
 *
 * @example
 * await reviews.openDue();                       // the sweeper, every tick
 * const { items } = await reviews.list(auditor, { status: 'open', limit: 20 });
 * await reviews.complete(auditor, items[0].id, { outcome: 'no_issues', findings: 'sampled 10 runs, all fine' });
 */
export class AuditReviews {
  constructor(private readonly deps: FeatureDeps) {}

  /**
   * Opens the reviews whose period has ended: for each frequency, the oldest period with runs no
   * review covers yet, one transaction per period (so a server that was down catches up period by
   * period). Runs that arrive for a period already reviewed are added to its review (see `extend`).
   * Returns how many reviews it opened or extended.
   *
   * `clockOffsetMs` (tests only: `HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS`) decides which periods have
   * ended as if the clock were that much later; what is recorded (`openedAt`, the ledger entry's time)
   * stays the real time. The SDK suites, which cannot move a spawned server's clock, use it so that
   * today's runs are reviewed now.
   */
  async openDue(maxPerFrequency = 100, clockOffsetMs = 0): Promise<number> {
    let changed = 0;
    for (const frequency of REVIEW_FREQUENCIES) {
      for (let i = 0; i < maxPerFrequency; i++) {
        const now = this.deps.now();
        // A read first: the sweeper runs every tick, and a write transaction each time would take
        // SQLite's write lock (and a turn of the group commit) for nothing on almost every tick.
        if (!(await firstUncovered(this.deps.db, frequency, now + clockOffsetMs))) break;
        const step = await this.deps.write((trx) => this.openNext(trx, frequency, now, clockOffsetMs));
        if (step === 'none') break;
        if (step === 'changed') changed += 1;
      }
    }
    return changed;
  }

  /** `raced`: another replica opened the same period at the same moment (its review stands). */
  private async openNext(
    trx: Transaction<Database>,
    frequency: ReviewFrequency,
    now: number,
    clockOffsetMs: number,
  ): Promise<'changed' | 'raced' | 'none'> {
    const first = await firstUncovered(trx, frequency, now + clockOffsetMs);
    if (!first) return 'none';
    const period = auditPeriod(frequency, Number(first.created_at));
    const runs = await uncoveredRuns(trx, frequency, period);
    // Locked: a completion running at the same moment either finishes first (and this reopens it,
    // `reopened: true`) or waits and then checks the auditor against the runs added here.
    const existing = await this.deps.dialect
      .forUpdate(
        trx
          .selectFrom('audit_reviews')
          .selectAll()
          .where('frequency', '=', frequency)
          .where('period_start', '=', period.start),
      )
      .executeTakeFirst();
    if (existing) {
      await this.extend(trx, existing, runs, now);
      return 'changed';
    }
    return (await this.open(trx, frequency, period, runs, now)) ? 'changed' : 'raced';
  }

  private async open(
    trx: Transaction<Database>,
    frequency: ReviewFrequency,
    period: AuditPeriod,
    runs: RunRow[],
    now: number,
  ): Promise<boolean> {
    const id = newAuditReviewId();
    const sample = sampleOf(runs, id);
    // Another replica opening the same period at the same moment: its row wins, this one does nothing.
    const inserted = await trx
      .insertInto('audit_reviews')
      .values({
        id,
        frequency,
        period_start: period.start,
        period_end: period.end,
        status: 'open',
        task_count: runs.length,
        status_counts: j(countByStatus(runs)),
        sample: j(sample),
        opened_at: now,
        opened_seq: -1,
        completed_at: null,
        completed_by: null,
        outcome: null,
        findings: null,
        flagged: null,
        completed_seq: null,
      })
      .onConflict((oc) => oc.columns(['frequency', 'period_start']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await cover(trx, id, runs);
    const { seqs } = await this.deps.ledger.append(trx, [
      {
        type: 'audit.review_opened',
        at: iso(now),
        actor: 'system',
        taskId: null,
        data: {
          reviewId: id,
          frequency,
          periodStart: iso(period.start),
          periodEnd: iso(period.end),
          auditorRole: this.deps.access.auditorRole,
          taskCount: runs.length,
          tasksDigest: tasksDigest(runs),
          sample,
        },
      },
    ]);
    await trx
      .updateTable('audit_reviews')
      .set({ opened_seq: seqs[0] as number })
      .where('id', '=', id)
      .execute();
    return true;
  }

  /**
   * Adds runs that arrived after their period's review opened, and draws the sample again over all
   * its runs (a late failure must be inspected like any other). A completed review goes back to
   * `open`: the auditor signed off on fewer runs than the period had, and must look again.
   */
  private async extend(trx: Transaction<Database>, review: ReviewRow, runs: RunRow[], now: number): Promise<void> {
    await cover(trx, review.id, runs);
    const all = await trx
      .selectFrom('tasks')
      .select(['id', 'status', 'risk', 'requester', 'required_capabilities'])
      .where('audit_review_id', '=', review.id)
      .execute();
    const sample = sampleOf(all, review.id);
    const counts = p<Record<string, number>>(review.status_counts);
    for (const [status, n] of Object.entries(countByStatus(runs))) counts[status] = (counts[status] ?? 0) + n;
    const reopened = review.status === 'completed';
    // The earlier sign-off stays in the ledger; the row shows the review as open again.
    const cleared = {
      completed_at: null,
      completed_by: null,
      outcome: null,
      findings: null,
      flagged: null,
      completed_seq: null,
    };
    await trx
      .updateTable('audit_reviews')
      .set({
        task_count: Number(review.task_count) + runs.length,
        status_counts: j(counts),
        sample: j(sample),
        status: 'open',
        ...cleared,
      })
      .where('id', '=', review.id)
      .execute();
    await this.deps.ledger.append(trx, [
      {
        type: 'audit.review_extended',
        at: iso(now),
        actor: 'system',
        taskId: null,
        data: { reviewId: review.id, taskCount: runs.length, tasksDigest: tasksDigest(runs), reopened, sample },
      },
    ]);
  }

  /** Reviews, newest period first (admin or auditor). */
  async list(
    actor: Principal,
    q: {
      status?: 'open' | 'completed' | undefined;
      frequency?: ReviewFrequency | undefined;
      limit: number;
      cursor?: string | undefined;
    },
  ): Promise<ReviewPage> {
    this.deps.access.requireAuditor(actor, 'reading audit reviews');
    let query = this.deps.db.selectFrom('audit_reviews').selectAll();
    if (q.status) query = query.where('status', '=', q.status);
    if (q.frequency) query = query.where('frequency', '=', q.frequency);
    if (q.cursor !== undefined) {
      const [start, id] = decodePairCursor(q.cursor);
      query = query.where((eb) =>
        eb.or([eb('period_start', '<', start), eb.and([eb('period_start', '=', start), eb('id', '<', id)])]),
      );
    }
    const rows = await query
      .orderBy('period_start', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = rows.slice(0, q.limit);
    const items = await Promise.all(page.map((r) => this.view(r)));
    const last = page.at(-1);
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodePairCursor(Number(last.period_start), last.id) : null,
    };
  }

  /** One review with its sample (admin or auditor). */
  async get(actor: Principal, reviewId: string): Promise<AuditReviewView> {
    this.deps.access.requireAuditor(actor, 'reading audit reviews');
    return this.view(await this.row(reviewId));
  }

  /** Every run a review covers, oldest first, a page at a time (admin or auditor). */
  async tasks(
    actor: Principal,
    reviewId: string,
    q: { limit: number; cursor?: string | undefined },
  ): Promise<ReviewTaskPage> {
    this.deps.access.requireAuditor(actor, 'reading audit reviews');
    await this.row(reviewId);
    let query = this.deps.db
      .selectFrom('tasks')
      .select(['id', 'description', 'requester', 'status', 'risk', 'created_at', 'updated_at'])
      .where('audit_review_id', '=', reviewId);
    if (q.cursor !== undefined) {
      const [at, id] = decodePairCursor(q.cursor);
      query = query.where((eb) =>
        eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('id', '>', id)])]),
      );
    }
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(q.limit + 1)
      .execute();
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map(runView),
      nextCursor: rows.length > q.limit && last ? encodePairCursor(Number(last.created_at), last.id) : null,
    };
  }

  /**
   * Completes an open review with the auditor's outcome and findings; flagged runs must be covered
   * by it. Only a human may sign off (an agent never audits agents' runs), and never one who
   * requested, or was named `onBehalfOf` by, any run the review covers (`403 requester_cannot_audit`):
   * nobody signs off their own runs. Who the auditor is and which runs the review covers are read in
   * the completion's transaction, under the review's row lock: runs that join later (see `extend`)
   * reopen the review, and the next completion is checked against them too. Signed into the ledger.
   */
  async complete(actor: Principal, reviewId: string, input: CompleteReviewInput): Promise<AuditReviewView> {
    this.deps.access.requireAuditor(actor, 'completing an audit review');
    if (actor.kind !== 'human') throw new HumanOSError('forbidden', 'only a human may complete an audit review');
    const flagged = [...new Set(input.flaggedTaskIds ?? [])];
    if (input.findings.trim() === '') throw new HumanOSError('validation_failed', 'findings must not be blank');
    const row = await this.deps.write(async (trx) => {
      // Authority as it stands now (a role dropped or a principal disabled on another replica counts).
      this.deps.access.requireAuditor(await currentPrincipal(trx, actor), 'completing an audit review');
      const review = await this.deps.dialect
        .forUpdate(trx.selectFrom('audit_reviews').selectAll().where('id', '=', reviewId))
        .executeTakeFirst();
      if (!review) throw new HumanOSError('not_found', `no audit review ${reviewId}`);
      if (review.status !== 'open') {
        throw new HumanOSError('already_decided', `audit review ${reviewId} is already completed`);
      }
      await refuseOwnRuns(trx, reviewId, actor.id);
      await checkFlagged(trx, reviewId, flagged);
      const now = this.deps.now();
      const { seqs } = await this.deps.ledger.append(trx, [
        {
          type: 'audit.review_completed',
          at: iso(now),
          actor: actor.id,
          taskId: null,
          data: {
            reviewId,
            frequency: review.frequency,
            periodStart: iso(Number(review.period_start)),
            periodEnd: iso(Number(review.period_end)),
            taskCount: Number(review.task_count),
            outcome: input.outcome,
            findings: input.findings,
            flaggedTaskIds: flagged,
          },
        },
      ]);
      const done = {
        status: 'completed' as const,
        completed_at: now,
        completed_by: actor.id,
        outcome: input.outcome,
        findings: input.findings,
        flagged: j(flagged),
        completed_seq: seqs[0] as number,
      };
      await trx.updateTable('audit_reviews').set(done).where('id', '=', reviewId).execute();
      return { ...review, ...done };
    });
    return this.view(row);
  }

  private async row(reviewId: string): Promise<ReviewRow> {
    const row = await this.deps.db
      .selectFrom('audit_reviews')
      .selectAll()
      .where('id', '=', reviewId)
      .executeTakeFirst();
    if (!row) throw new HumanOSError('not_found', `no audit review ${reviewId}`);
    return row;
  }

  private async view(r: ReviewRow): Promise<AuditReviewView> {
    const sample = p<{ id: string; reason: SampleReason }[]>(r.sample);
    const runs =
      sample.length === 0
        ? []
        : await this.deps.db
            .selectFrom('tasks')
            .select(['id', 'description', 'requester', 'status', 'risk', 'created_at', 'updated_at'])
            .where(
              'id',
              'in',
              sample.map((s) => s.id),
            )
            .execute();
    const byId = new Map(runs.map((t) => [t.id, t]));
    return {
      id: r.id,
      frequency: r.frequency,
      periodStart: iso(Number(r.period_start)),
      periodEnd: iso(Number(r.period_end)),
      status: r.status,
      auditorRole: this.deps.access.auditorRole,
      taskCount: Number(r.task_count),
      statusCounts: p(r.status_counts),
      sample: sample.flatMap((s) => {
        const t = byId.get(s.id);
        return t ? [{ ...runView(t), reason: s.reason }] : [];
      }),
      openedAt: iso(Number(r.opened_at)),
      ledgerIndex: Number(r.opened_seq),
      completedAt: r.completed_at === null ? null : iso(Number(r.completed_at)),
      completedBy: r.completed_by,
      outcome: r.outcome,
      findings: r.findings,
      flaggedTaskIds: r.flagged === null ? [] : p<string[]>(r.flagged),
      completedLedgerIndex: r.completed_seq === null ? null : Number(r.completed_seq),
    };
  }
}

/** The oldest run with this frequency that no review covers, from a period that has ended (plus grace) by `at`. */
async function firstUncovered(
  db: Kysely<Database> | Transaction<Database>,
  frequency: ReviewFrequency,
  at: number,
): Promise<{ created_at: number } | undefined> {
  return db
    .selectFrom('tasks')
    .select('created_at')
    .where('audit_frequency', '=', frequency)
    .where('audit_review_id', 'is', null)
    .where('created_at', '<', auditPeriod(frequency, at - REVIEW_GRACE_MS).start)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

/** The period's runs with this frequency that no review covers yet, oldest first. */
async function uncoveredRuns(
  trx: Transaction<Database>,
  frequency: ReviewFrequency,
  period: AuditPeriod,
): Promise<RunRow[]> {
  return trx
    .selectFrom('tasks')
    .select(['id', 'description', 'requester', 'status', 'risk', 'required_capabilities', 'created_at', 'updated_at'])
    .where('audit_frequency', '=', frequency)
    .where('audit_review_id', 'is', null)
    .where('created_at', '>=', period.start)
    .where('created_at', '<', period.end)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Marks the runs as covered by the review (in chunks: SQLite bounds the parameters of a statement). */
async function cover(trx: Transaction<Database>, reviewId: string, runs: readonly RunRow[]): Promise<void> {
  for (let i = 0; i < runs.length; i += 500) {
    const ids = runs.slice(i, i + 500).map((r) => r.id);
    await trx.updateTable('tasks').set({ audit_review_id: reviewId }).where('id', 'in', ids).execute();
  }
}

/**
 * Refuses an auditor who requested, or was named `onBehalfOf` by, a run the review covers: the
 * four-eyes rule of decisions (`requester_cannot_decide`) applied to the review of unattended runs.
 */
async function refuseOwnRuns(trx: Transaction<Database>, reviewId: string, auditor: string): Promise<void> {
  const own = await trx
    .selectFrom('tasks')
    .select('id')
    .where('audit_review_id', '=', reviewId)
    .where((eb) => eb.or([eb('requester', '=', auditor), eb('on_behalf_of', '=', auditor)]))
    .orderBy('id')
    .limit(5)
    .execute();
  if (own.length > 0) {
    throw new HumanOSError(
      'requester_cannot_audit',
      `${auditor} requested (or was named onBehalfOf by) runs this review covers (${own.map((t) => t.id).join(', ')}); another auditor must complete it`,
    );
  }
}

async function checkFlagged(trx: Transaction<Database>, reviewId: string, flagged: string[]): Promise<void> {
  if (flagged.length === 0) return;
  const found = await trx
    .selectFrom('tasks')
    .select('id')
    .where('id', 'in', flagged)
    .where('audit_review_id', '=', reviewId)
    .execute();
  const covered = new Set(found.map((t) => t.id));
  const stray = flagged.filter((id) => !covered.has(id));
  if (stray.length > 0) {
    throw new HumanOSError('validation_failed', `not runs of this review: ${stray.slice(0, 5).join(', ')}`);
  }
}

/**
 * The SHA-256 (hex) of the covered task ids, sorted and joined by newlines: the ledger entry pins
 * which runs a review covers without listing 100 000 ids (`GET /audit/reviews/{id}/tasks` lists them).
 */
export function tasksDigest(runs: readonly Pick<RunRow, 'id'>[]): string {
  return createHash('sha256')
    .update(
      runs
        .map((r) => r.id)
        .sort()
        .join('\n'),
    )
    .digest('hex');
}

function countByStatus(runs: readonly RunRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of runs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

/**
 * The review's sample drawn over these runs (core's `sampleRuns`: stratified by agent and capability
 * set, failures then high risk first within a stratum), keyed by the review's id so that whoever
 * creates runs cannot know which of them the draw will pick.
 */
function sampleOf(
  runs: Pick<RunRow, 'id' | 'status' | 'risk' | 'requester' | 'required_capabilities'>[],
  seed: string,
) {
  return sampleRuns(
    runs.map((r) => ({
      id: r.id,
      status: r.status,
      riskLevel: riskLevelOf(r),
      requester: r.requester,
      capabilities: p<string[]>(r.required_capabilities),
    })),
    { seed },
  );
}

function riskLevelOf(r: Pick<RunRow, 'risk'>): string | null {
  return p<{ level?: string } | null>(r.risk)?.level ?? null;
}

function runView(t: Omit<RunRow, 'required_capabilities'>): ReviewedTask {
  return {
    taskId: t.id,
    description: t.description,
    requester: t.requester,
    status: t.status,
    riskLevel: riskLevelOf(t),
    createdAt: iso(Number(t.created_at)),
    updatedAt: iso(Number(t.updated_at)),
  };
}
