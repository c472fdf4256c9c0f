import {
  HumanOSError,
  newWebhookId,
  newWebhookSecret,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  webhookHeaders,
} from '@humanos/core';
import type { Selectable, Transaction } from 'kysely';
import { eventContext } from '../delivery/context.js';
import {
  type Attempt,
  DEFAULT_OUTBOX_SETTINGS,
  type DeliveryRow,
  type Outbox,
  type OutboxSettings,
} from '../delivery/outbox.js';
import { deliveryView } from '../delivery/views.js';
import { type Principal, requireAdmin } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { postPinned } from './send.js';
import { AllowList, EgressGuard, type Resolver, systemResolver } from './ssrf.js';

type WebhookRow = Selectable<Database['webhooks']>;

/** Delivery tuning and where webhooks may go. */
export interface WebhookSettings extends OutboxSettings {
  /** `HUMANOS_WEBHOOK_ALLOW_HOSTS`: hosts, addresses and CIDRs allowed although not public. */
  allowHosts: string[];
  /** Name resolution for the SSRF guard (tests inject one). */
  resolve: Resolver;
  /** `HUMANOS_PUBLIC_URL`: the web inbox's address, for deep links in event bodies. */
  publicUrl: string | undefined;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  ...DEFAULT_OUTBOX_SETTINGS,
  allowHosts: [],
  resolve: systemResolver,
  publicUrl: undefined,
};

/** How long a rotated-out secret keeps signing, unless the rotation says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;

/** The outbox sends rows whose sink starts with this (a webhook's id, `webhook:…`) through `post`. */
const WEBHOOK_SINK = 'webhook:';

// Subscriptions are re-read at most this often on a replica that did not change them itself.
const SUBSCRIPTION_CACHE_MS = 1_000;

interface Deps extends FeatureDeps {
  onError: (e: unknown) => void;
  settings: WebhookSettings;
}

/**
 * Webhook subscriptions: every ledger event an admin subscribes to is POSTed to its URL in the
 * Standard Webhooks format, through the durable outbox (`delivery/outbox.ts`). URLs pass the SSRF guard when
 * subscribing and again on every send; secrets rotate with an overlap window during which both
 * signatures are sent.
 *
 * @example
 * const hook = await webhooks.create(admin, { url: 'https://relay.example.com/humanos', events: ['approval.*'] });
 * await webhooks.rotateSecret(admin, hook.id, { overlapSeconds: 3600 });
 */
export class Webhooks {
  private readonly guard: EgressGuard;
  private cache: { rows: WebhookRow[]; at: number } | undefined;
  /**
   * Transactions that changed subscriptions: their batch reads them afresh and keeps nothing, since
   * what they read may never commit (a write operation may even run twice, `kernel/committer.ts`).
   */
  private readonly changedIn = new WeakSet<Transaction<Database>>();

  constructor(
    private readonly deps: Deps,
    /** The outbox these (and the notification channels) deliver through. */
    private readonly outbox: Outbox,
  ) {
    this.guard = new EgressGuard(new AllowList(deps.settings.allowHosts), deps.settings.resolve);
    outbox.subscribeStored((trx) => this.subscriptions(trx));
    outbox.addSink(WEBHOOK_SINK, { send: (d, entry) => this.post(d, entry) });
  }

  /** Checks a URL's form and destination (the SSRF guard); `validation_failed` otherwise. */
  private async checkUrl(raw: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new HumanOSError('validation_failed', `url is not a URL: ${raw}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new HumanOSError('validation_failed', 'url must be http or https');
    }
    if (url.username || url.password) throw new HumanOSError('validation_failed', 'url must not carry credentials');
    await this.guard.addresses(url);
    return url;
  }

  async create(
    actor: Principal,
    input: { url: string; events?: string[]; secret?: string },
  ): Promise<Webhook & { secret: string }> {
    requireAdmin(actor);
    const url = await this.checkUrl(input.url);
    const events = [...new Set(input.events ?? ['*'])];
    const secret = input.secret ?? newWebhookSecret();
    const now = this.deps.now();
    const row: WebhookRow = {
      id: newWebhookId(),
      url: url.toString(),
      events: JSON.stringify(events),
      secret,
      previous_secret: null,
      previous_secret_expires_at: null,
      active: 1,
      created_at: now,
      created_by: actor.id,
    };
    await this.deps.write(async (trx) => {
      // Re-read subscriptions at this batch's end, so it already sees this change.
      this.changedIn.add(trx);
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

  /**
   * Replaces a subscription's secret. The previous one keeps signing (a second `v1,` signature in
   * `webhook-signature`) for `overlapSeconds` (0: stops at once), so receivers can switch without
   * losing a delivery. Returns the new secret, shown only here.
   */
  async rotateSecret(
    actor: Principal,
    id: string,
    input: { secret?: string; overlapSeconds?: number },
  ): Promise<Webhook & { secret: string }> {
    requireAdmin(actor);
    const now = this.deps.now();
    const secret = input.secret ?? newWebhookSecret();
    const overlap = input.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS;
    const row = await this.deps.write(async (trx) => {
      const hook = await trx.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      if (!hook) throw new HumanOSError('not_found', `no webhook ${id}`);
      if (!hook.active) throw new HumanOSError('invalid_state', `webhook ${id} was removed`);
      if (secret === hook.secret)
        throw new HumanOSError('validation_failed', 'the new secret must differ from the current one');
      const next = {
        secret,
        previous_secret: overlap > 0 ? hook.secret : null,
        previous_secret_expires_at: overlap > 0 ? now + overlap * 1000 : null,
      };
      await trx.updateTable('webhooks').set(next).where('id', '=', id).execute();
      await this.deps.ledger.append(trx, [
        {
          type: 'webhook.secret_rotated',
          at: iso(now),
          actor: actor.id,
          taskId: null,
          data: {
            id,
            previousSecretExpiresAt:
              next.previous_secret_expires_at === null ? null : iso(next.previous_secret_expires_at),
          },
        },
      ]);
      return { ...hook, ...next };
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
      this.changedIn.add(trx);
      await trx.updateTable('webhooks').set({ active: 0 }).where('id', '=', id).execute();
      await trx
        .updateTable('deliveries')
        .set({ status: 'failed', last_error: 'webhook removed' })
        .where('sink', '=', id)
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
      .selectFrom('deliveries')
      .selectAll()
      .where('sink', '=', id)
      .orderBy('seq', 'desc')
      .limit(q.limit ?? 50);
    if (q.status) query = query.where('status', '=', q.status);
    return (await query.execute()).map(webhookDeliveryView);
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
        .selectFrom('deliveries')
        .selectAll()
        .where('id', '=', deliveryId)
        .where('sink', '=', id)
        .executeTakeFirst();
      if (!d) throw new HumanOSError('not_found', `no delivery ${deliveryId} for ${id}`);
      if (d.status !== 'failed') throw new HumanOSError('invalid_state', `delivery ${deliveryId} is ${d.status}`);
      await trx
        .updateTable('deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now })
        .where('id', '=', deliveryId)
        .execute();
      return { ...d, status: 'pending' as const, attempts: 0, next_attempt_at: now };
    });
    this.outbox.kick();
    return webhookDeliveryView(row);
  }

  /** Pending and failed webhook deliveries (for metrics), over all subscriptions. */
  async countByStatus(): Promise<{ status: string; n: number }[]> {
    const by = new Map<string, number>();
    for (const r of await this.outbox.countByStatus(WEBHOOK_SINK)) by.set(r.status, (by.get(r.status) ?? 0) + r.n);
    return [...by].map(([status, n]) => ({ status, n }));
  }

  /** One attempt of one delivery: the destination checked again, the body built, signed and POSTed. */
  private async post(d: DeliveryRow, entry: string): Promise<Attempt> {
    const hook = await this.deps.db.selectFrom('webhooks').selectAll().where('id', '=', d.sink).executeTakeFirst();
    if (!hook?.active) return { ok: false, status: null, error: 'gone' };
    const url = new URL(hook.url);
    let addresses: string[];
    try {
      addresses = await this.guard.addresses(url);
    } catch (e) {
      return { ok: false, status: null, error: `refused: ${(e as Error).message}`.slice(0, 300) };
    }
    const event = JSON.parse(entry) as WebhookDelivery['data']['event'] & { approvalId?: string };
    const delivery: WebhookDelivery = {
      type: d.event_type,
      timestamp: event.at,
      data: {
        deliveryId: d.id,
        webhookId: hook.id,
        ledgerIndex: Number(d.seq),
        event,
        ...(await eventContext(this.deps.db, event, this.deps.settings.publicUrl, this.deps.policy)),
      },
    };
    const body = JSON.stringify(delivery);
    const now = this.deps.now();
    const secrets = [hook.secret];
    if (hook.previous_secret && (hook.previous_secret_expires_at ?? 0) > now) secrets.push(hook.previous_secret);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'HumanOS-Webhook/2',
      'x-humanos-event': d.event_type,
      // Signed at the wall clock: receivers compare it with theirs.
      ...webhookHeaders(secrets, d.id, body),
    };
    return postPinned(url, addresses, headers, body, this.deps.settings.timeoutMs);
  }

  /**
   * The active subscriptions, as `trx` sees them. Kept for `SUBSCRIPTION_CACHE_MS` only when read
   * by a transaction that did not change them: what it read is then already committed, whether or
   * not the transaction commits.
   */
  private async subscriptions(trx: Transaction<Database>): Promise<{ id: string; patterns: string[] }[]> {
    const wall = Date.now();
    const changed = this.changedIn.has(trx);
    let rows = changed || !this.cache || wall - this.cache.at > SUBSCRIPTION_CACHE_MS ? undefined : this.cache.rows;
    if (!rows) {
      rows = await trx.selectFrom('webhooks').selectAll().where('active', '=', 1).execute();
      if (!changed) this.cache = { rows, at: wall };
    }
    return rows.map((r) => ({ id: r.id, patterns: JSON.parse(r.events) as string[] }));
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
    previousSecretExpiresAt: r.previous_secret_expires_at === null ? null : iso(r.previous_secret_expires_at),
  };
}

/** An outbox row of a subscription as the API shows it. */
function webhookDeliveryView(d: DeliveryRow): WebhookDeliveryStatus {
  return { ...deliveryView(d), webhookId: d.sink };
}
