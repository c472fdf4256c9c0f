import { createHash, randomBytes } from 'node:crypto';
import { HumanOSError } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import type { LinksView, MyChannels } from './schemas.js';
import './tables.js';

export type ChannelName = 'slack' | 'email';

/** A principal's notification preferences: channels on or off, and quiet hours in a time zone. */
export interface Preferences {
  email: boolean;
  slack: boolean;
  quietHours: { start: string; end: string; timeZone: string } | null;
}

export const DEFAULT_PREFERENCES: Preferences = { email: true, slack: true, quietHours: null };

/** How long a Slack link code works. */
const LINK_CODE_MS = 10 * 60_000;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const hashCode = (code: string) =>
  createHash('sha256')
    .update(code.replace(/[^A-Z0-9]/gi, '').toUpperCase())
    .digest('hex');

/**
 * Who is who on each channel: principals linked to Slack users and e-mail addresses (by an admin,
 * or by the principal itself with a one-time code redeemed in Slack), and each principal's
 * notification preferences. Links are identity: every change is a ledger event.
 *
 * @example
 * const { code } = await identity.linkCode(ann);   // ann types `/humanos link ${code}` in Slack
 * await identity.setLinks(admin, 'did:human:bob', { email: 'bob@example.com' });
 */
export class Identity {
  constructor(private readonly deps: FeatureDeps) {}

  /** The principal linked to an address on a channel, as it stands now (undefined if none or disabled). */
  async principalFor(channel: ChannelName, externalId: string): Promise<Principal | undefined> {
    const row = await this.deps.db
      .selectFrom('channel_identities')
      .innerJoin('principals', 'principals.id', 'channel_identities.principal_id')
      .select(['principals.id', 'principals.kind', 'principals.roles', 'principals.disabled_at'])
      .where('channel_identities.channel', '=', channel)
      .where('channel_identities.external_id', '=', normalise(channel, externalId))
      .executeTakeFirst();
    if (!row || row.disabled_at !== null) return undefined;
    return { id: row.id, kind: row.kind as Principal['kind'], roles: p<string[]>(row.roles) };
  }

  /** A principal's addresses on every channel. */
  async addresses(db: Kysely<Database>, principalIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    if (principalIds.length === 0) return out;
    const rows = await db
      .selectFrom('channel_identities')
      .select(['principal_id', 'channel', 'external_id'])
      .where('principal_id', 'in', principalIds)
      .execute();
    for (const r of rows) {
      const m = out.get(r.principal_id) ?? new Map<string, string>();
      m.set(r.channel, r.external_id);
      out.set(r.principal_id, m);
    }
    return out;
  }

  async preferences(db: Kysely<Database>, principalIds: readonly string[]): Promise<Map<string, Preferences>> {
    const out = new Map<string, Preferences>();
    if (principalIds.length === 0) return out;
    const rows = await db
      .selectFrom('notification_prefs')
      .selectAll()
      .where('principal_id', 'in', principalIds)
      .execute();
    for (const r of rows) out.set(r.principal_id, prefsView(r));
    return out;
  }

  /** The caller's links and preferences. */
  async me(actor: Principal): Promise<MyChannels> {
    const links = (await this.addresses(this.deps.db, [actor.id])).get(actor.id);
    const prefs = (await this.preferences(this.deps.db, [actor.id])).get(actor.id) ?? DEFAULT_PREFERENCES;
    return {
      principalId: actor.id,
      slackUserId: links?.get('slack') ?? null,
      email: links?.get('email') ?? null,
      preferences: prefs,
    };
  }

  async setPreferences(actor: Principal, input: Partial<Preferences>): Promise<Preferences> {
    if (input.quietHours) checkQuietHours(input.quietHours);
    const now = this.deps.now();
    const current = (await this.preferences(this.deps.db, [actor.id])).get(actor.id) ?? DEFAULT_PREFERENCES;
    const next: Preferences = {
      email: input.email ?? current.email,
      slack: input.slack ?? current.slack,
      quietHours: input.quietHours === undefined ? current.quietHours : input.quietHours,
    };
    const row = {
      principal_id: actor.id,
      email: next.email ? 1 : 0,
      slack: next.slack ? 1 : 0,
      quiet_start: next.quietHours?.start ?? null,
      quiet_end: next.quietHours?.end ?? null,
      time_zone: next.quietHours?.timeZone ?? null,
      updated_at: now,
    };
    await this.deps.write(async (trx) => {
      await trx
        .insertInto('notification_prefs')
        .values(row)
        .onConflict((oc) => oc.column('principal_id').doUpdateSet({ ...row }))
        .execute();
    });
    return next;
  }

  /**
   * Sets (a string) or removes (null) a principal's Slack user and e-mail address. Admins only: an
   * address decides where one-click decision links go.
   */
  async setLinks(
    actor: Principal,
    principalId: string,
    input: { slackUserId?: string | null; email?: string | null },
  ): Promise<LinksView> {
    this.deps.access.requireAdmin(actor);
    await this.deps.write(async (trx) => {
      const target = await trx
        .selectFrom('principals')
        .select(['id', 'kind'])
        .where('id', '=', principalId)
        .executeTakeFirst();
      if (!target) throw new HumanOSError('not_found', `no principal ${principalId}`);
      if (target.kind !== 'human')
        throw new HumanOSError('validation_failed', 'only humans decide, so only humans are linked');
      for (const [channel, value] of [
        ['slack', input.slackUserId],
        ['email', input.email],
      ] as const) {
        if (value !== undefined) await this.link(trx, actor.id, principalId, channel, value);
      }
    });
    const links = (await this.addresses(this.deps.db, [principalId])).get(principalId);
    return { principalId, slackUserId: links?.get('slack') ?? null, email: links?.get('email') ?? null };
  }

  /** A one-time code the caller redeems in Slack (`/humanos link CODE`) to link its Slack user. */
  async linkCode(actor: Principal): Promise<{ code: string; expiresAt: string; command: string }> {
    if (actor.kind !== 'human')
      throw new HumanOSError('validation_failed', 'only humans decide, so only humans are linked');
    const bytes = randomBytes(8);
    const raw = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
    const code = `${raw.slice(0, 4)}-${raw.slice(4)}`;
    const expiresAt = this.deps.now() + LINK_CODE_MS;
    await this.deps.write(async (trx) => {
      await trx
        .insertInto('channel_link_codes')
        .values({ code_hash: hashCode(code), principal_id: actor.id, expires_at: expiresAt, used_at: null })
        .execute();
    });
    return { code, expiresAt: iso(expiresAt), command: `/humanos link ${code}` };
  }

  /** Redeems a link code for a Slack user: the code's principal is linked to it. Returns that principal. */
  async redeemSlackCode(code: string, slackUserId: string): Promise<string> {
    const now = this.deps.now();
    return this.deps.write(async (trx) => {
      const row = await this.deps.dialect
        .forUpdate(trx.selectFrom('channel_link_codes').selectAll().where('code_hash', '=', hashCode(code)))
        .executeTakeFirst();
      if (!row || row.used_at !== null || row.expires_at <= now) {
        throw new HumanOSError('validation_failed', 'this link code is unknown, used or expired; ask for a new one');
      }
      await trx
        .updateTable('channel_link_codes')
        .set({ used_at: now })
        .where('code_hash', '=', row.code_hash)
        .execute();
      await this.link(trx, row.principal_id, row.principal_id, 'slack', slackUserId);
      return row.principal_id;
    });
  }

  /** Replaces (or removes) one link, with its ledger event. An address belongs to one principal at a time. */
  private async link(
    trx: Transaction<Database>,
    by: string,
    principalId: string,
    channel: ChannelName,
    value: string | null,
  ): Promise<void> {
    const now = this.deps.now();
    const externalId = value === null ? null : normalise(channel, value);
    const before = await trx
      .selectFrom('channel_identities')
      .select('external_id')
      .where('principal_id', '=', principalId)
      .where('channel', '=', channel)
      .executeTakeFirst();
    if ((before?.external_id ?? null) === externalId) return;
    await trx
      .deleteFrom('channel_identities')
      .where('principal_id', '=', principalId)
      .where('channel', '=', channel)
      .execute();
    const entries = [];
    if (externalId !== null) {
      const taken = await trx
        .selectFrom('channel_identities')
        .select('principal_id')
        .where('channel', '=', channel)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      if (taken) {
        await trx
          .deleteFrom('channel_identities')
          .where('channel', '=', channel)
          .where('external_id', '=', externalId)
          .execute();
        entries.push(linkEntry('channel.unlinked', by, taken.principal_id, channel, externalId, now));
      }
      await trx
        .insertInto('channel_identities')
        .values({ channel, external_id: externalId, principal_id: principalId, created_at: now, created_by: by })
        .execute();
      entries.push(linkEntry('channel.linked', by, principalId, channel, externalId, now));
    } else if (before) {
      entries.push(linkEntry('channel.unlinked', by, principalId, channel, before.external_id, now));
    }
    await this.deps.ledger.append(trx, entries);
  }
}

function linkEntry(
  type: 'channel.linked' | 'channel.unlinked',
  by: string,
  principalId: string,
  channel: ChannelName,
  externalId: string,
  now: number,
) {
  return { type, at: iso(now), actor: by, taskId: null, data: { principalId, channel, externalId } };
}

function normalise(channel: ChannelName, value: string): string {
  const v = value.trim();
  if (channel === 'email') {
    if (!/^[^\s@<>"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/.test(v)) {
      throw new HumanOSError('validation_failed', `not an e-mail address: ${value}`);
    }
    return v.toLowerCase();
  }
  if (!/^[UW][A-Z0-9]{2,20}$/.test(v)) throw new HumanOSError('validation_failed', `not a Slack user id: ${value}`);
  return v;
}

function prefsView(r: Database['notification_prefs']): Preferences {
  return {
    email: r.email === 1,
    slack: r.slack === 1,
    quietHours:
      r.quiet_start && r.quiet_end && r.time_zone
        ? { start: r.quiet_start, end: r.quiet_end, timeZone: r.time_zone }
        : null,
  };
}

function checkQuietHours(q: { start: string; end: string; timeZone: string }): void {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: q.timeZone });
  } catch {
    throw new HumanOSError('validation_failed', `unknown time zone: ${q.timeZone}`);
  }
  if (q.start === q.end) throw new HumanOSError('validation_failed', 'quiet hours must not start when they end');
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When a principal's quiet hours end, if `now` is inside them (epoch ms), else undefined. Hours may
 * wrap midnight (`22:00`–`07:00`).
 *
 * @example
 * quietUntil({ email: true, slack: true, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } }, Date.now());
 */
export function quietUntil(prefs: Preferences, now: number): number | undefined {
  const q = prefs.quietHours;
  if (!q) return undefined;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: q.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const at =
    Number(parts.find((x) => x.type === 'hour')?.value) * 60 + Number(parts.find((x) => x.type === 'minute')?.value);
  const start = minutes(q.start);
  const end = minutes(q.end);
  const inside = start < end ? at >= start && at < end : at >= start || at < end;
  if (!inside) return undefined;
  const left = (end - at + 1440) % 1440;
  return now - (now % 60_000) + left * 60_000;
}
