import type { Principal, VisibilityFacts } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';

/** How often the one shared watcher of this process compares the ledger's size (while streams are open). */
export const HEAD_POLL_MS = 1000;

type Rows = { seq: number; entry: string; task_id: string | null }[];

/** One event of the feed: the ledger entry's index, its type and its canonical JSON text. */
export interface FeedEvent {
  seq: number;
  type: string;
  json: string;
}

/** The `type` of a stored entry, from its tail: canonical JSON puts `type` and `v` last. */
const TYPE_TAIL = /"type":"([a-z_.]+)","v":\d+}$/;

/** A page of the feed as every stream at the same cursor sees it, before filtering by principal. */
interface Page {
  rows: Rows;
  facts: Map<string, VisibilityFacts>;
}

/**
 * The event feed: ledger entries in order, filtered by who may see their task (the SSE stream's
 * source).
 *
 * Cheap for many idle streams: a stream queries only when the ledger changed (`version`), and one
 * watcher per process (not one per stream) polls the ledger's size to catch changes whose hint was
 * lost. Streams woken by the same change at the same cursor share one read of the rows.
 */
export class Feed {
  private readonly inflight = new Map<string, Promise<Page>>();
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
  private page(afterSeq: number, limit: number): Promise<Page> {
    const key = `${afterSeq}:${limit}:${this.version}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.readPage(afterSeq, limit).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** The rows, and what the visibility rule needs about their tasks (then applied per stream in memory). */
  private async readPage(afterSeq: number, limit: number): Promise<Page> {
    const rows = await this.deps.db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry', 'task_id'])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    const taskIds = [...new Set(rows.map((r) => r.task_id).filter((t): t is string => t !== null))];
    return { rows, facts: await this.deps.access.visibilityFacts(this.deps.db, taskIds) };
  }

  /**
   * Ledger entries after `afterSeq` that `actor` may see (the SSE stream's source); `more` when the
   * page was full (read again at once).
   */
  async after(
    actor: Principal,
    afterSeq: number,
    limit = 200,
  ): Promise<{ events: FeedEvent[]; lastSeq: number; more: boolean }> {
    const { rows, facts } = await this.page(afterSeq, limit);
    if (rows.length === 0) return { events: [], lastSeq: afterSeq, more: false };
    const access = this.deps.access;
    const admin = access.isAdmin(actor);
    // The same rule as the task routes, applied in memory to facts read once for every stream.
    const sees = (taskId: string | null) => {
      const f = taskId === null ? undefined : facts.get(taskId);
      return f !== undefined && access.seesWithFacts(actor, f);
    };
    // The stored entry text as it is (the signed bytes): no parse and re-serialise per stream.
    const events = rows
      .filter((r) => admin || sees(r.task_id))
      .map((r) => ({ seq: Number(r.seq), type: TYPE_TAIL.exec(r.entry)?.[1] ?? 'entry', json: r.entry }));
    return { events, lastSeq: Number(rows[rows.length - 1]?.seq), more: rows.length === limit };
  }
}
