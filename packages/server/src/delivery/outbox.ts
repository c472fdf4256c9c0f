import { newDeliveryId, webhookEventMatches } from '@humanos/core';
import type { Selectable, Transaction } from 'kysely';
import type { FeatureDeps } from '../kernel/deps.js';
import type { Database } from '../store/schema.js';

/** One row of the outbox: one event (or, for a fan-out sink, one message) for one sink. */
export type DeliveryRow = Selectable<Database['deliveries']>;

/** How one attempt went. `retryAt` (epoch ms) asks for the next attempt no earlier than then (a 429's Retry-After). */
export interface Attempt {
  ok: boolean;
  status: number | null;
  error: string | null;
  retryAt?: number;
}

/** Whoever sends a sink's rows: a webhook subscription's HTTP POST, a Slack message, an e-mail. */
export interface Sink {
  send(d: DeliveryRow, entry: string): Promise<Attempt>;
}

/** A subscriber to ledger events: an outbox row is queued for each event matching one of its patterns. */
export interface Subscriber {
  id: string;
  patterns: string[];
}

/** Tuning of delivery; defaults suit production, tests shorten them. */
export interface OutboxSettings {
  /** Per-attempt timeout (HTTP request, SMTP transaction, Slack call). */
  timeoutMs: number;
  /** A claimed delivery whose sender died is retried after this long. */
  claimMs: number;
  /** Attempts before a delivery is marked `failed` (it can be retried by hand). */
  maxAttempts: number;
  /** Backoff after the n-th failed attempt: min(cap, base · 2^(n−1)). */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Delivered deliveries are forgotten after this long. */
  retentionMs: number;
  /** Attempts in flight at once in this process, over all sinks. */
  concurrency: number;
  /** Attempts in flight at once for one sink: a hanging receiver holds at most this many slots. */
  perSinkConcurrency: number;
}

export const DEFAULT_OUTBOX_SETTINGS: OutboxSettings = {
  timeoutMs: 10_000,
  claimMs: 60_000,
  maxAttempts: 15,
  backoffBaseMs: 5_000,
  backoffCapMs: 3_600_000,
  retentionMs: 7 * 86_400_000,
  concurrency: 32,
  perSinkConcurrency: 4,
};

// Rows looked at per claim round; those of sinks already at their limit are left for later.
const CANDIDATES = 200;

/** What the outbox needs besides the features' deps: where background failures go, and its tuning. */
export interface OutboxDeps extends FeatureDeps {
  onError: (e: unknown) => void;
  settings: OutboxSettings;
}

/**
 * The durable outbox behind webhooks and notification channels. A row is queued in the same
 * transaction as the ledger event it announces (so nothing is announced that did not happen, and
 * nothing that happened is lost to a crash), claimed with `SKIP LOCKED` (so replicas never make the
 * same attempt twice), and sent at least once with exponential backoff.
 *
 * Each sink (a webhook subscription, the Slack or e-mail channel) is isolated: every attempt runs on
 * its own with its own timeout and is recorded when it ends, and a sink never holds more than
 * `perSinkConcurrency` attempts, so a receiver that hangs delays only its own deliveries.
 *
 * @example
 * const outbox = new Outbox({ ...deps, onError: log, settings: DEFAULT_OUTBOX_SETTINGS });
 * outbox.addSink('webhook:', webhookSender);
 * await outbox.deliverDue({ wait: true }); // tests: attempts made and recorded
 */
export class Outbox {
  private readonly sinks: [string, Sink][] = [];
  private readonly internal: Subscriber[] = [];
  private readonly sources: ((trx: Transaction<Database>) => Promise<Subscriber[]>)[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private total = 0;
  private enqueued = false;
  private claiming: Promise<Promise<void>[]> | undefined;
  private again = false;
  private starved = false;

  constructor(private readonly deps: OutboxDeps) {}

  get settings(): OutboxSettings {
    return this.deps.settings;
  }

  /** Routes rows whose sink id starts with `prefix` to `sink`. */
  addSink(prefix: string, sink: Sink): void {
    this.sinks.push([prefix, sink]);
  }

  /** A subscriber configured in code rather than stored (a notification channel's planner). */
  subscribe(s: Subscriber): void {
    this.internal.push(s);
  }

  /** Subscribers stored in the database (webhook subscriptions), read in each committing transaction. */
  subscribeStored(source: (trx: Transaction<Database>) => Promise<Subscriber[]>): void {
    this.sources.push(source);
  }

  /** Rows for these sinks/targets, due at `at`, written in the caller's transaction (a planner's fan-out). */
  async insert(
    trx: Transaction<Database>,
    rows: { sink: string; seq: number; eventType: string; target: string | null; at: number }[],
  ): Promise<void> {
    const now = this.deps.now();
    const values: DeliveryRow[] = rows.map((r) => ({
      id: newDeliveryId(),
      sink: r.sink,
      seq: r.seq,
      event_type: r.eventType,
      status: 'pending',
      attempts: 0,
      next_attempt_at: r.at,
      last_status: null,
      last_error: null,
      created_at: now,
      delivered_at: null,
      target: r.target,
    }));
    // 12 bound parameters a row; SQLite allows 32 766 a statement.
    for (let i = 0; i < values.length; i += 1000) {
      await trx
        .insertInto('deliveries')
        .values(values.slice(i, i + 1000))
        .execute();
    }
    if (values.length > 0) this.enqueued = true;
  }

  /** The committer's last step: queue a row per matching subscriber for every new entry. */
  async enqueue(trx: Transaction<Database>, appended: readonly Database['ledger_entries'][]): Promise<void> {
    if (appended.length === 0) return;
    const subs = [...this.internal];
    for (const source of this.sources) subs.push(...(await source(trx)));
    if (subs.length === 0) return;
    const rows: { sink: string; seq: number; eventType: string; target: null; at: number }[] = [];
    const now = this.deps.now();
    for (const e of appended) {
      const type = (JSON.parse(e.entry) as { type: string }).type;
      for (const s of subs) {
        if (s.patterns.some((pat) => webhookEventMatches(pat, type))) {
          rows.push({ sink: s.id, seq: e.seq, eventType: type, target: null, at: now });
        }
      }
    }
    await this.insert(trx, rows);
  }

  /** After a commit: start sending what it queued, without waiting for the timer. */
  afterCommit(): void {
    if (!this.enqueued) return;
    this.enqueued = false;
    this.kick();
  }

  kick(): void {
    void this.deliverDue().catch((e) => this.deps.onError(e));
  }

  /**
   * Claims due rows and starts their attempts (also called by the timer sweep). Resolves with the
   * number of attempts started — at once, or, with `wait`, once they are recorded. One claim loop
   * runs at a time per process; a call during one makes it go round once more.
   */
  async deliverDue(opts: { wait?: boolean } = {}): Promise<number> {
    const started = await this.claimLoop();
    if (opts.wait) await Promise.all(started);
    return started.length;
  }

  /** Resolves when no attempt is in flight in this process (tests settle the outbox with it). */
  async idle(): Promise<void> {
    while (this.attempts.size > 0 || this.claiming) {
      await Promise.all([...this.attempts, this.claiming]);
    }
  }

  private claimLoop(): Promise<Promise<void>[]> {
    if (this.claiming) {
      this.again = true;
      return this.claiming.then(() => []);
    }
    this.claiming = (async () => {
      const started: Promise<void>[] = [];
      try {
        do {
          this.again = false;
          for (;;) {
            const claimed = await this.claimRound();
            started.push(...claimed.map((d) => this.attempt(d)));
            if (claimed.length === 0 || this.starved) break;
          }
        } while (this.again);
      } finally {
        this.claiming = undefined;
      }
      return started;
    })();
    return this.claiming;
  }

  /**
   * One claim: due rows of sinks with free slots, their next attempt pushed past the claim window
   * so that another replica (or this one, after a crash) retries only if this attempt never reports.
   */
  private claimRound(): Promise<DeliveryRow[]> {
    const { settings } = this.deps;
    const free = settings.concurrency - this.total;
    this.starved = free <= 0;
    if (free <= 0) return Promise.resolve([]);
    const now = this.deps.now();
    const full = [...this.inFlight].filter(([, n]) => n >= settings.perSinkConcurrency).map(([id]) => id);
    return this.deps
      .write(async (trx) => {
        let q = trx
          .selectFrom('deliveries')
          .selectAll()
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at')
          .orderBy('seq')
          .limit(CANDIDATES);
        if (full.length > 0) q = q.where('sink', 'not in', full);
        const due = await this.deps.dialect.skipLocked(q).execute();
        const taken = new Map<string, number>();
        let count = 0;
        const picked = due.filter((d) => {
          const n = (this.inFlight.get(d.sink) ?? 0) + (taken.get(d.sink) ?? 0);
          if (n >= settings.perSinkConcurrency || count >= free) return false;
          taken.set(d.sink, (taken.get(d.sink) ?? 0) + 1);
          count++;
          return true;
        });
        // Rows left (or not even looked at) for a sink at its limit: claim again when one of its attempts ends.
        this.starved = picked.length < due.length || full.length > 0;
        if (picked.length === 0) return [];
        await trx
          .updateTable('deliveries')
          .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: now + settings.claimMs }))
          .where(
            'id',
            'in',
            picked.map((d) => d.id),
          )
          .execute();
        return picked;
      })
      .then((picked) => {
        // Slots are taken once the claim is committed (a claim that failed to commit holds none).
        for (const d of picked) this.take(d.sink, 1);
        return picked;
      });
  }

  private take(sink: string, n: number): void {
    this.total += n;
    const left = (this.inFlight.get(sink) ?? 0) + n;
    if (left === 0) this.inFlight.delete(sink);
    else this.inFlight.set(sink, left);
  }

  /** One attempt, on its own: sent, recorded, its slot freed, and more claimed if rows were waiting. */
  private attempt(d: DeliveryRow): Promise<void> {
    const run = (async () => {
      let outcome: Attempt;
      try {
        outcome = await this.send(d);
      } catch (e) {
        outcome = { ok: false, status: null, error: String((e as Error).message ?? e).slice(0, 300) };
      }
      try {
        await this.record(d, outcome);
      } finally {
        this.take(d.sink, -1);
      }
    })()
      .catch((e) => this.deps.onError(e))
      .finally(() => {
        this.attempts.delete(run);
        if (this.starved) this.kick();
      });
    this.attempts.add(run);
    return run;
  }

  private async send(d: DeliveryRow): Promise<Attempt> {
    const sink = this.sinks.find(([prefix]) => d.sink.startsWith(prefix))?.[1];
    if (!sink) return { ok: false, status: null, error: 'gone' };
    const entry = await this.deps.db
      .selectFrom('ledger_entries')
      .select('entry')
      .where('seq', '=', d.seq)
      .executeTakeFirst();
    if (!entry) return { ok: false, status: null, error: 'gone' };
    return sink.send(d, entry.entry);
  }

  /** The attempt's outcome: delivered, retried later with backoff, or failed for good. */
  private async record(d: DeliveryRow, o: Attempt): Promise<void> {
    const { settings } = this.deps;
    const attempts = d.attempts + 1;
    const failedForGood = !o.ok && (attempts >= settings.maxAttempts || o.error === 'gone');
    await this.deps.write(async (trx) => {
      const done = this.deps.now();
      const backoff = done + Math.min(settings.backoffCapMs, settings.backoffBaseMs * 2 ** (attempts - 1));
      await trx
        .updateTable('deliveries')
        .set(
          o.ok
            ? { status: 'delivered', delivered_at: done, last_status: o.status, last_error: o.error }
            : {
                status: failedForGood ? 'failed' : 'pending',
                last_status: o.status,
                last_error: o.error,
                next_attempt_at: Math.max(backoff, o.retryAt ?? 0),
              },
        )
        .where('id', '=', d.id)
        // A removal or a manual retry meanwhile wins over this attempt's report.
        .where('status', '=', 'pending')
        .where('attempts', '=', attempts)
        .execute();
    });
  }

  /**
   * Forgets delivered rows older than the retention (the events stay in the ledger), so the outbox
   * does not grow without bound. Pending and failed ones are kept.
   */
  async pruneDelivered(): Promise<number> {
    const cutoff = this.deps.now() - this.deps.settings.retentionMs;
    const r = await this.deps.db
      .deleteFrom('deliveries')
      .where('status', '=', 'delivered')
      // After a claim, next_attempt_at is at most claimMs past the delivery: the index serves this.
      .where('next_attempt_at', '<', cutoff)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Pending and failed rows of sinks whose id starts with `prefix` (for metrics; delivered ones are history). */
  async countByStatus(prefix: string): Promise<{ sink: string; status: string; n: number }[]> {
    const rows = await this.deps.db
      .selectFrom('deliveries')
      .select(['sink', 'status', (eb) => eb.fn.countAll().as('n')])
      .where('status', 'in', ['pending', 'failed'])
      .where('sink', 'like', `${prefix}%`)
      .groupBy(['sink', 'status'])
      .execute();
    return rows.map((r) => ({ sink: r.sink, status: r.status, n: Number(r.n) }));
  }
}
