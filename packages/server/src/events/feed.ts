import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';

/** How often the one shared watcher of this process compares the ledger's size (while streams are open). */
export const HEAD_POLL_MS = 1000;

type Rows = { seq: number; entry: string; task_id: string | null }[];

/**
 * The event feed: ledger entries in order, filtered by who may see their task (the SSE stream's
 * source).
 *
 * Cheap for many idle streams: a stream queries only when the ledger changed (`version`), and one
 * watcher per process (not one per stream) polls the ledger's size to catch changes whose hint was
 * lost. Streams woken by the same change at the same cursor share one read of the rows.
 */
export class Feed {
  private readonly inflight = new Map<string, Promise<Rows>>();
  private subscribers = 0;
  private watcher: NodeJS.Timeout | undefined;
  private knownSize = -1;

  constructor(private readonly deps: FeatureDeps) {}

  /** Grows whenever the ledger may have changed; equal to a previous value means "nothing new since". */
  get version(): number {
    return this.deps.notifier.version;
  }

  /** Resolves when the ledger grows (a hint), after `ms`, or when `signal` aborts. */
  waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return this.deps.notifier.waitForLedger(ms, signal);
  }

  /** A stream opened: make sure the shared size watcher runs. Pair with `unsubscribe`. */
  subscribe(): void {
    this.subscribers++;
    if (this.watcher) return;
    this.watcher = setInterval(() => void this.pollHead(), HEAD_POLL_MS);
    this.watcher.unref();
  }

  unsubscribe(): void {
    this.subscribers = Math.max(0, this.subscribers - 1);
    if (this.subscribers === 0 && this.watcher) {
      clearInterval(this.watcher);
      this.watcher = undefined;
    }
  }

  private async pollHead(): Promise<void> {
    try {
      const size = await this.deps.ledger.size(this.deps.db);
      if (this.knownSize !== -1 && size !== this.knownSize) this.deps.notifier.changed([]);
      this.knownSize = size;
    } catch {
      // The database is away: streams keep their keep-alives; the next poll tries again.
    }
  }

  /**
   * One read shared by the streams asking for the same page at the same `version` (a read started
   * before a change is never handed to a stream that already knows of the change).
   */
  private rows(afterSeq: number, limit: number): Promise<Rows> {
    const key = `${afterSeq}:${limit}:${this.version}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.deps.db
        .selectFrom('ledger_entries')
        .select(['seq', 'entry', 'task_id'])
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute()
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /**
   * Ledger entries after `afterSeq` that `actor` may see (the SSE stream's source); `more` when the
   * page was full (read again at once).
   */
  async after(
    actor: Principal,
    afterSeq: number,
    limit = 200,
  ): Promise<{ events: Record<string, unknown>[]; lastSeq: number; more: boolean }> {
    const rows = await this.rows(afterSeq, limit);
    if (rows.length === 0) return { events: [], lastSeq: afterSeq, more: false };
    const admin = this.deps.access.isAdmin(actor);
    const taskIds = [...new Set(rows.map((r) => r.task_id).filter((t): t is string => t !== null))];
    // The same rule as the task routes, for a page of tasks at once.
    const visible = admin ? new Set<string>() : await this.deps.access.visibleAmong(this.deps.db, actor, taskIds);
    const events = rows
      .filter((r) => admin || (r.task_id !== null && visible.has(r.task_id)))
      .map((r) => JSON.parse(r.entry) as Record<string, unknown>);
    return { events, lastSeq: Number(rows[rows.length - 1]?.seq), more: rows.length === limit };
  }
}
