import { randomBytes } from 'node:crypto';
import {
  HumanOSError,
  newDeliveryId,
  newWebhookId,
  signWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  type Webhook,
  type WebhookDeliveryStatus,
  webhookEventMatches,
} from '@humanos/core';
import type { Selectable, Transaction } from 'kysely';
import { type Principal, requireAdmin } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

type WebhookRow = Selectable<Database['webhooks']>;
type DeliveryRow = Selectable<Database['webhook_deliveries']>;

/** Tuning of delivery; defaults suit production, tests shorten them. */
export interface WebhookSettings {
  /** Per-attempt HTTP timeout. */
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
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  timeoutMs: 10_000,
  claimMs: 60_000,
  maxAttempts: 15,
  backoffBaseMs: 5_000,
  backoffCapMs: 3_600_000,
  retentionMs: 7 * 86_400_000,
};

const BATCH = 50;
// Subscriptions are re-read at most this often on a replica that did not change them itself.
const SUBSCRIPTION_CACHE_MS = 1_000;

interface Deps extends FeatureDeps {
  onError: (e: unknown) => void;
  settings: WebhookSettings;
}

/**
 * Webhook notifications: every ledger event an admin subscribes to is POSTed, signed with the
 * subscription's secret, to its URL. The outbox row is written in the same transaction as the
 * event, so nothing is announced that did not happen and nothing that happened is lost to a crash;
 * delivery is at least once (receivers deduplicate on `x-humanos-delivery`), with exponential
 * backoff, and claimed with `SKIP LOCKED` so several replicas never send the same attempt twice.
 */
export class Webhooks {
  private cache: { rows: WebhookRow[]; at: number } | undefined;
  private enqueued = false;
  private running: Promise<number> | undefined;
  private again = false;

  constructor(private readonly deps: Deps) {}

  async create(
    actor: Principal,
    input: { url: string; events?: string[]; secret?: string },
  ): Promise<Webhook & { secret: string }> {
    requireAdmin(actor);
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new HumanOSError('validation_failed', `url is not a URL: ${input.url}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new HumanOSError('validation_failed', 'url must be http or https');
    }
    if (url.username || url.password) throw new HumanOSError('validation_failed', 'url must not carry credentials');
    const events = [...new Set(input.events ?? ['*'])];
    const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const now = this.deps.now();
    const row: WebhookRow = {
      id: newWebhookId(),
      url: url.toString(),
      events: JSON.stringify(events),
      secret,
      active: 1,
      created_at: now,
      created_by: actor.id,
    };
    await this.deps.write(async (trx) => {
      // Re-read subscriptions at this batch's end, so it already sees this change.
      this.cache = undefined;
      await trx.insertInto('webhooks').values(row).execute();
      await this.deps.ledger.append(trx, [
        {
          type: 'webhook.created',
          at: iso(now),
          actor: actor.id,
          taskId: null,
          data: { id: row.id, url: row.url, events },
        },
      ]);
    });
    this.cache = undefined;
    return { ...view(row), secret };
  }

  async list(actor: Principal): Promise<Webhook[]> {
    requireAdmin(actor);
    const rows = await this.deps.db.selectFrom('webhooks').selectAll().orderBy('created_at').execute();
    return rows.map(view);
  }

  /** Stops a subscription: nothing further is queued; deliveries already queued are cancelled. */
  async remove(actor: Principal, id: string): Promise<Webhook> {
    requireAdmin(actor);
    const now = this.deps.now();
    const row = await this.deps.write(async (trx) => {
      const hook = await trx.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      if (!hook) throw new HumanOSError('not_found', `no webhook ${id}`);
      if (!hook.active) return hook;
      this.cache = undefined;
      await trx.updateTable('webhooks').set({ active: 0 }).where('id', '=', id).execute();
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', last_error: 'webhook removed' })
        .where('webhook_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      await this.deps.ledger.append(trx, [
        { type: 'webhook.removed', at: iso(now), actor: actor.id, taskId: null, data: { id } },
      ]);
      return { ...hook, active: 0 };
    });
    this.cache = undefined;
    return view(row);
  }

  async deliveries(
    actor: Principal,
    id: string,
    q: { status?: DeliveryRow['status']; limit?: number },
  ): Promise<WebhookDeliveryStatus[]> {
    requireAdmin(actor);
    const hook = await this.deps.db.selectFrom('webhooks').select('id').where('id', '=', id).executeTakeFirst();
    if (!hook) throw new HumanOSError('not_found', `no webhook ${id}`);
    let query = this.deps.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', id)
      .orderBy('seq', 'desc')
      .limit(q.limit ?? 50);
    if (q.status) query = query.where('status', '=', q.status);
    return (await query.execute()).map(deliveryView);
  }

  /** Queues a failed delivery again, with a fresh set of attempts. */
  async retry(actor: Principal, id: string, deliveryId: string): Promise<WebhookDeliveryStatus> {
    requireAdmin(actor);
    const now = this.deps.now();
    const row = await this.deps.write(async (trx) => {
      const hook = await trx.selectFrom('webhooks').select('active').where('id', '=', id).executeTakeFirst();
      if (!hook) throw new HumanOSError('not_found', `no webhook ${id}`);
      if (!hook.active) throw new HumanOSError('invalid_state', `webhook ${id} was removed`);
      const d = await trx
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', deliveryId)
        .where('webhook_id', '=', id)
        .executeTakeFirst();
      if (!d) throw new HumanOSError('not_found', `no delivery ${deliveryId} for ${id}`);
      if (d.status !== 'failed') throw new HumanOSError('invalid_state', `delivery ${deliveryId} is ${d.status}`);
      const next = { ...d, status: 'pending' as const, attempts: 0, next_attempt_at: now };
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now })
        .where('id', '=', deliveryId)
        .execute();
      return next;
    });
    this.enqueued = true;
    this.kick();
    return deliveryView(row);
  }

  /**
   * Forgets delivered deliveries older than the retention (the events stay in the ledger), so the
   * outbox does not grow without bound. Pending and failed ones are kept.
   */
  async pruneDelivered(): Promise<number> {
    const cutoff = this.deps.now() - this.deps.settings.retentionMs;
    const r = await this.deps.db
      .deleteFrom('webhook_deliveries')
      .where('status', '=', 'delivered')
      // After a claim, next_attempt_at is at most claimMs past the delivery: the index serves this.
      .where('next_attempt_at', '<', cutoff)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Pending and failed deliveries (for metrics; delivered ones are history, not a gauge). */
  async countByStatus(): Promise<{ status: string; n: number }[]> {
    const rows = await this.deps.db
      .selectFrom('webhook_deliveries')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .where('status', 'in', ['pending', 'failed'])
      .groupBy('status')
      .execute();
    return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
  }

  /** The committer's last step: queue a delivery per matching subscription for every new entry. */
  async enqueue(trx: Transaction<Database>, appended: readonly Database['ledger_entries'][]): Promise<void> {
    if (appended.length === 0) return;
    const hooks = await this.subscriptions(trx);
    if (hooks.length === 0) return;
    const now = this.deps.now();
    const rows: DeliveryRow[] = [];
    for (const e of appended) {
      const type = (JSON.parse(e.entry) as { type: string }).type;
      for (const h of hooks) {
        if (!h.patterns.some((pat) => webhookEventMatches(pat, type))) continue;
        rows.push({
          id: newDeliveryId(),
          webhook_id: h.id,
          seq: e.seq,
          event_type: type,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          last_status: null,
          last_error: null,
          created_at: now,
          delivered_at: null,
        });
      }
    }
    // 11 bound parameters a row; SQLite allows 32 766 a statement.
    for (let i = 0; i < rows.length; i += 1000) {
      await trx
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + 1000))
        .execute();
    }
    if (rows.length > 0) this.enqueued = true;
  }

  /** After a commit: start sending what it queued, without waiting for the timer. */
  afterCommit(): void {
    if (!this.enqueued) return;
    this.enqueued = false;
    this.kick();
  }

  private kick(): void {
    void this.deliverDue().catch((e) => this.deps.onError(e));
  }

  /**
   * Sends every due delivery (also called by the timer sweep). One run at a time per process; a call
   * during a run makes it go round once more. Resolves with the number of attempts made.
   */
  deliverDue(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let attempts = 0;
      try {
        do {
          this.again = false;
          for (;;) {
            const n = await this.sendBatch();
            attempts += n;
            if (n < BATCH) break;
          }
        } while (this.again);
      } finally {
        this.running = undefined;
      }
      return attempts;
    })();
    return this.running;
  }

  private async sendBatch(): Promise<number> {
    const claimed = await this.claimDue();
    if (claimed.length === 0) return 0;
    const hooks = new Map(
      (
        await this.deps.db
          .selectFrom('webhooks')
          .selectAll()
          .where('id', 'in', [...new Set(claimed.map((d) => d.webhook_id))])
          .execute()
      ).map((h) => [h.id, h]),
    );
    const entries = new Map(
      (
        await this.deps.db
          .selectFrom('ledger_entries')
          .select(['seq', 'entry'])
          .where(
            'seq',
            'in',
            claimed.map((d) => d.seq),
          )
          .execute()
      ).map((e) => [Number(e.seq), e.entry]),
    );
    const outcomes = await Promise.all(
      claimed.map(async (d) => {
        const hook = hooks.get(d.webhook_id);
        const entry = entries.get(Number(d.seq));
        if (!hook?.active || entry === undefined) return { d, ok: false, status: null, error: 'gone' };
        return { d, ...(await this.post(hook, d, entry)) };
      }),
    );
    await this.recordOutcomes(outcomes);
    return claimed.length;
  }

  /**
   * Claims due deliveries: pushes their next attempt past the claim window, so another replica (or
   * this one, after a crash) retries only if this attempt never reports back.
   */
  private claimDue(): Promise<DeliveryRow[]> {
    const { settings } = this.deps;
    const now = this.deps.now();
    return this.deps.write(async (trx) => {
      let q = trx
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('seq')
        .limit(BATCH);
      q = this.deps.dialect.skipLocked(q);
      const due = await q.execute();
      if (due.length === 0) return [];
      await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: now + settings.claimMs }))
        .where(
          'id',
          'in',
          due.map((d) => d.id),
        )
        .execute();
      return due;
    });
  }

  /** Each attempt's outcome: delivered, retried later with backoff, or failed for good. */
  private async recordOutcomes(
    outcomes: { d: DeliveryRow; ok: boolean; status: number | null; error: string | null }[],
  ): Promise<void> {
    const { settings } = this.deps;
    const done = this.deps.now();
    await this.deps.write(async (trx) => {
      for (const o of outcomes) {
        const attempts = o.d.attempts + 1;
        const failedForGood = !o.ok && (attempts >= settings.maxAttempts || o.error === 'gone');
        await trx
          .updateTable('webhook_deliveries')
          .set(
            o.ok
              ? { status: 'delivered', delivered_at: done, last_status: o.status, last_error: null }
              : {
                  status: failedForGood ? 'failed' : 'pending',
                  last_status: o.status,
                  last_error: o.error,
                  next_attempt_at: done + Math.min(settings.backoffCapMs, settings.backoffBaseMs * 2 ** (attempts - 1)),
                },
          )
          .where('id', '=', o.d.id)
          // A removal or a manual retry meanwhile wins over this attempt's report.
          .where('status', '=', 'pending')
          .where('attempts', '=', attempts)
          .execute();
      }
    });
  }

  private async post(
    hook: WebhookRow,
    d: DeliveryRow,
    entry: string,
  ): Promise<{ ok: boolean; status: number | null; error: string | null }> {
    const body = JSON.stringify({
      deliveryId: d.id,
      webhookId: hook.id,
      ledgerIndex: Number(d.seq),
      event: JSON.parse(entry),
    });
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'HumanOS-Webhook/1',
          'x-humanos-delivery': d.id,
          'x-humanos-event': d.event_type,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(hook.secret, body, Math.floor(this.deps.now() / 1000)),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.settings.timeoutMs),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      return { ok: false, status: null, error: (err.cause?.code ?? err.name ?? 'error').slice(0, 200) };
    }
  }

  private async subscriptions(trx: Transaction<Database>): Promise<{ id: string; patterns: string[] }[]> {
    const wall = Date.now();
    if (!this.cache || wall - this.cache.at > SUBSCRIPTION_CACHE_MS) {
      const rows = await trx.selectFrom('webhooks').selectAll().where('active', '=', 1).execute();
      this.cache = { rows, at: wall };
    }
    return this.cache.rows.map((r) => ({ id: r.id, patterns: JSON.parse(r.events) as string[] }));
  }
}

function view(r: WebhookRow): Webhook {
  return {
    id: r.id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    active: r.active === 1,
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
  };
}

function deliveryView(d: DeliveryRow): WebhookDeliveryStatus {
  return {
    id: d.id,
    webhookId: d.webhook_id,
    ledgerIndex: Number(d.seq),
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: iso(d.created_at),
    deliveredAt: d.delivered_at === null ? null : iso(d.delivered_at),
  };
}
