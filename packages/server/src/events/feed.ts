import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';

/** The event feed: ledger entries in order, filtered by who may see their task (the SSE stream's source). */
export class Feed {
  constructor(private readonly deps: FeatureDeps) {}

  /** Resolves when the ledger grows (a hint; callers poll too), after `ms`, or when `signal` aborts. */
  waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return this.deps.notifier.waitForLedger(ms, signal);
  }

  /** Ledger entries after `afterSeq` that `actor` may see (the SSE stream's source). */
  async after(
    actor: Principal,
    afterSeq: number,
    limit = 200,
  ): Promise<{ events: Record<string, unknown>[]; lastSeq: number }> {
    const rows = await this.deps.db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry', 'task_id'])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    if (rows.length === 0) return { events: [], lastSeq: afterSeq };
    const admin = this.deps.access.isAdmin(actor);
    const taskIds = [...new Set(rows.map((r) => r.task_id).filter((t): t is string => t !== null))];
    // The same rule as the task routes, for a page of tasks at once.
    const visible = admin ? new Set<string>() : await this.deps.access.visibleAmong(this.deps.db, actor, taskIds);
    const events = rows
      .filter((r) => admin || (r.task_id !== null && visible.has(r.task_id)))
      .map((r) => JSON.parse(r.entry) as Record<string, unknown>);
    return { events, lastSeq: Number(rows[rows.length - 1]?.seq) };
  }
}
