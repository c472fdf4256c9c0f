import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HumanOSError } from '@humanos/core';
import type { Selectable } from 'kysely';
import { type Principal, requireAdmin } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, p } from '../kernel/rows.js';
import { currentPrincipal } from '../principals/current.js';
import type { Database } from '../store/schema.js';

/** Session secrets start with this, so a bearer token that is one is told apart from a principal's token. */
export const SESSION_TOKEN_PREFIX = 'hss_';

/** How often (at most) a session's last use is written: the idle timeout's resolution, and the write load. */
const TOUCH_EVERY_MS = 60_000;

type SessionRow = Selectable<Database['sessions']>;

/** Timeouts of sessions (HUMANOS_SESSION_IDLE_SECONDS, HUMANOS_SESSION_MAX_SECONDS). */
export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

/** A session as its owner (or an admin) sees it; never its secret. */
export interface SessionView {
  id: string;
  principalId: string;
  method: 'oidc' | 'device';
  issuer: string;
  createdAt: string;
  authTime: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  userAgent: string | null;
  current: boolean;
}

/** What a valid session secret authenticates: its principal (with `auth` set) and its session. */
export interface SessionAuth {
  principal: Principal;
  session: SessionRow;
}

/** The id of the session a request authenticated with, if it did with one. */
export const sessionIdOf = (actor: Principal): string | undefined =>
  actor.auth?.method === 'session' ? actor.auth.sessionId : undefined;

const hash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/**
 * The CSRF token of a session: an HMAC of a fixed label keyed with the session secret. The console
 * reads it (same-origin only: `GET /auth/session`) and sends it as `X-HumanOS-CSRF`; another site can
 * make the browser send the cookie but can neither read nor compute this (synchronizer-token pattern,
 * with nothing more to store).
 */
export function csrfToken(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('humanos csrf v1').digest('base64url');
}

/** Whether `given` is the CSRF token of `sessionSecret` (constant time). */
export function csrfMatches(sessionSecret: string, given: string | undefined): boolean {
  if (!given) return false;
  const want = Buffer.from(csrfToken(sessionSecret));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * Server-side sign-in sessions of humans: made by a single sign-on (the console's code flow, or the
 * CLI's device grant), ended by sign-out, by revocation (the person, or an admin for a principal), by
 * the idle timeout or the absolute one. The secret is shown once (the cookie, or the CLI's token)
 * and stored only as a hash. Nothing is cached: a revoked session is refused on the next request.
 *
 * @example
 * const { secret } = await sessions.create('did:human:ann', { method: 'oidc', issuer, authTime });
 * const auth = await sessions.authenticate(secret); // its principal, or undefined
 */
export class Sessions {
  constructor(
    private readonly deps: FeatureDeps,
    readonly limits: SessionLimits,
  ) {}

  /** Starts a session for `principalId`; returns its secret (shown once) and row. */
  async create(
    principalId: string,
    opts: {
      method: 'oidc' | 'device';
      issuer: string;
      authTime: number | undefined;
      userAgent?: string | undefined;
      /** The sign-in's ID token, kept for sign-out at the IdP (`id_token_hint`). */
      idToken?: string | undefined;
    },
  ): Promise<{ secret: string; session: SessionRow }> {
    const now = this.deps.now();
    const secret = `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const session: SessionRow = {
      id: `ses_${randomBytes(12).toString('base64url')}`,
      token_hash: hash(secret),
      principal_id: principalId,
      method: opts.method,
      issuer: opts.issuer,
      created_at: now,
      // An IdP's auth_time in the future (clock skew) counts as now: never fresher than the sign-in.
      auth_time: Math.min(opts.authTime ?? now, now),
      last_seen_at: now,
      idle_expires_at: Math.min(now + this.limits.idleSeconds * 1000, now + this.limits.maxSeconds * 1000),
      expires_at: now + this.limits.maxSeconds * 1000,
      revoked_at: null,
      user_agent: opts.userAgent?.slice(0, 300) ?? null,
      id_token: opts.idToken ?? null,
    };
    await this.deps.db.insertInto('sessions').values(session).execute();
    return { secret, session };
  }

  /**
   * The principal a session secret authenticates, or undefined: unknown, revoked, idle or past its
   * absolute end, or its principal disabled. A use moves the idle deadline (written at most once a
   * minute), never past the absolute end.
   */
  async authenticate(secret: string): Promise<SessionAuth | undefined> {
    const now = this.deps.now();
    const row = await this.deps.db
      .selectFrom('sessions')
      .innerJoin('principals', 'principals.id', 'sessions.principal_id')
      .selectAll('sessions')
      .select(['principals.kind', 'principals.roles', 'principals.capabilities', 'principals.disabled_at'])
      .where('sessions.token_hash', '=', hash(secret))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.disabled_at !== null || row.kind !== 'human') return undefined;
    if (Number(row.idle_expires_at) <= now || Number(row.expires_at) <= now) return undefined;
    if (now - Number(row.last_seen_at) >= TOUCH_EVERY_MS) {
      const idle = Math.min(now + this.limits.idleSeconds * 1000, Number(row.expires_at));
      await this.deps.db
        .updateTable('sessions')
        .set({ last_seen_at: now, idle_expires_at: idle })
        .where('id', '=', row.id)
        .execute();
    }
    const { kind: _k, roles, capabilities, disabled_at: _d, ...session } = row;
    return {
      session,
      principal: {
        id: row.principal_id,
        kind: 'human',
        roles: p<string[]>(roles),
        capabilities: p<string[]>(capabilities),
        auth: { method: 'session', sessionId: row.id, authTime: Number(row.auth_time) },
      },
    };
  }

  /** The caller's sessions that still work, newest first (`current` marks the one of this request). */
  async mine(actor: Principal): Promise<SessionView[]> {
    return this.listOf(actor.id, sessionIdOf(actor));
  }

  /** Every working session of a principal (admin). */
  async of(actor: Principal, principalId: string): Promise<SessionView[]> {
    requireAdmin(actor);
    return this.listOf(principalId, sessionIdOf(actor));
  }

  private async listOf(principalId: string, currentId: string | undefined): Promise<SessionView[]> {
    const now = this.deps.now();
    const rows = await this.deps.db
      .selectFrom('sessions')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('idle_expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
    return rows.map((r) => sessionView(r, currentId));
  }

  /**
   * Ends one of the caller's own sessions (sign-out is this for the current one). Another person's
   * session is `not_found`, as is one already ended.
   */
  async revokeMine(actor: Principal, sessionId: string): Promise<SessionView> {
    return (await this.signOut(actor, sessionId)).view;
  }

  /**
   * Sign-out: ends the caller's session like {@link revokeMine}, and hands back the ID token of the
   * sign-in that made it (if any), which is forgotten here, for ending the session at the IdP too.
   */
  async signOut(actor: Principal, sessionId: string): Promise<{ view: SessionView; idToken: string | null }> {
    const now = this.deps.now();
    const row = await this.deps.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sessionId)
      .where('principal_id', '=', actor.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new HumanOSError('not_found', `no session ${sessionId} of yours`);
    await this.deps.db
      .updateTable('sessions')
      .set({ revoked_at: now, id_token: null })
      .where('id', '=', sessionId)
      .execute();
    return { view: sessionView({ ...row, revoked_at: now }, sessionIdOf(actor)), idToken: row.id_token };
  }

  /**
   * Ends the session of a secret, if it is one (a browser signing in again replaces its session: the
   * one its old cookie named must not live on unseen).
   */
  async revokeSecret(secret: string): Promise<void> {
    await this.deps.db
      .updateTable('sessions')
      .set({ revoked_at: this.deps.now(), id_token: null })
      .where('token_hash', '=', hash(secret))
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Ends every session of a principal (admin; e.g. a lost laptop); answers how many were open. */
  async revokeAllOf(actor: Principal, principalId: string): Promise<{ principalId: string; revoked: number }> {
    requireAdmin(actor);
    const now = this.deps.now();
    const revoked = await this.deps.write(async (trx) => {
      // The admin's authority as the store says now (not as this replica's token cache remembers it).
      requireAdmin(await currentPrincipal(trx, actor));
      const exists = await trx.selectFrom('principals').select('id').where('id', '=', principalId).executeTakeFirst();
      if (!exists) throw new HumanOSError('not_found', `no principal ${principalId}`);
      const r = await trx
        .updateTable('sessions')
        .set({ revoked_at: now, id_token: null })
        .where('principal_id', '=', principalId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    });
    return { principalId, revoked };
  }

  /** Drops sessions that ended more than a day ago (the sweeper's maintenance). */
  async prune(): Promise<void> {
    const before = this.deps.now() - 86_400_000;
    await this.deps.db
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before), eb('idle_expires_at', '<', before)]),
      )
      .execute();
    await this.deps.db.deleteFrom('oidc_logins').where('expires_at', '<', this.deps.now()).execute();
  }
}

export function sessionView(r: SessionRow, currentId: string | undefined): SessionView {
  return {
    id: r.id,
    principalId: r.principal_id,
    method: r.method as SessionView['method'],
    issuer: r.issuer,
    createdAt: iso(Number(r.created_at)),
    authTime: iso(Number(r.auth_time)),
    lastSeenAt: iso(Number(r.last_seen_at)),
    expiresAt: iso(Number(r.expires_at)),
    idleExpiresAt: iso(Number(r.idle_expires_at)),
    userAgent: r.user_agent,
    current: r.id === currentId,
  };
}
