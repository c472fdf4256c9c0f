import { randomBytes } from 'node:crypto';
import { didKind, HumanOSError, type PrincipalView, sha256Hex } from '@humanos/core';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { type Principal, requireAdmin } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, j, p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { Consents } from './consents.js';
import { currentPrincipal } from './current.js';
import { indexRoles, setRoles } from './holders.js';
import type { CreatedPrincipal } from './schemas.js';

export const ADMIN_DID = 'did:human:admin';

const CACHE_SIZE = 10_000;
/**
 * How long a replica may keep using a principal it looked up. Changes made on this replica clear
 * the cache at once and tell the others (PostgreSQL NOTIFY); this bounds the delay only when that
 * hint is lost.
 */
const CACHE_MS = 30_000;

/** Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force. */
export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function newToken(): string {
  return `hos_${randomBytes(32).toString('base64url')}`;
}

type PrincipalRow = Selectable<Database['principals']>;

/** One ledger-recorded change of a principal. */
interface Change {
  type:
    | 'principal.roles_changed'
    | 'principal.token_rotated'
    | 'principal.disabled'
    | 'principal.enabled'
    | 'principal.identity_changed';
  data: Record<string, unknown>;
}

/**
 * Principals (humans and agents) and their bearer tokens: authentication with a short-lived cache,
 * the admin bootstrap, and the admin's lifecycle operations (roles, token rotation, disabling).
 * Every change appends a ledger entry in its own transaction, like any other state change.
 */
export class Principals {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  /** Bumped by `invalidate`, so a lookup that raced a change does not cache what it read before it. */
  private generation = 0;

  /** The standing consents humans give agents (`/me/consents`). */
  readonly consents: Consents;

  constructor(private readonly deps: FeatureDeps) {
    this.consents = new Consents(deps);
  }

  /**
   * `GET /me`: the caller, and whether it may audit — so a client need not know the policy's
   * `auditorRole` (a console that checked for the literal `auditor` hid the audit pages from it).
   */
  me(actor: Principal): {
    id: string;
    kind: 'human' | 'agent';
    roles: string[];
    capabilities: string[];
    auditor: boolean;
  } {
    return {
      id: actor.id,
      kind: actor.kind,
      roles: actor.roles,
      capabilities: actor.capabilities ?? [],
      auditor: this.deps.access.isAuditor(actor),
    };
  }

  private get db(): Kysely<Database> {
    return this.deps.db;
  }

  /** The principal a bearer token belongs to; undefined for an unknown or expired token or a disabled principal. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    const now = this.deps.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const generation = this.generation;
    const row = await this.db
      .selectFrom('principals')
      .select(['id', 'kind', 'roles', 'capabilities', 'disabled_at', 'token_expires_at'])
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    // Unknown tokens are never cached: a guess always costs a lookup, and a new principal works at once.
    if (!row || row.disabled_at !== null) return undefined;
    const expires = row.token_expires_at === null ? Number.POSITIVE_INFINITY : Number(row.token_expires_at);
    if (expires <= now) return undefined;
    const principal: Principal = {
      id: row.id,
      kind: row.kind as Principal['kind'],
      roles: p<string[]>(row.roles),
      capabilities: p<string[]>(row.capabilities),
    };
    if (generation !== this.generation) return principal;
    if (this.cache.size >= CACHE_SIZE) this.cache.clear();
    // Never past the token's own expiry.
    this.cache.set(hash, { principal, until: Math.min(now + CACHE_MS, expires) });
    return principal;
  }

  /** Forgets every cached principal (after a change here or on another replica). */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
  }

  /** Creates `did:human:admin` on an empty store. Returns the token when one was generated. */
  async bootstrapAdmin(token: string | undefined): Promise<{ created: boolean; generatedToken?: string }> {
    const existing = await this.db.selectFrom('principals').select('id').where('id', '=', ADMIN_DID).executeTakeFirst();
    if (existing) return { created: false };
    const use = token ?? newToken();
    try {
      await this.insert({ id: ADMIN_DID, kind: 'human', roles: ['admin'] }, use, ADMIN_DID);
    } catch (e) {
      // Another replica bootstrapped first.
      if (e instanceof HumanOSError && e.code === 'principal_exists') return { created: false };
      throw e;
    }
    return token ? { created: true } : { created: true, generatedToken: use };
  }

  /**
   * Creates a principal (admin only) and returns its token, which is shown this once.
   *
   * @example
   * const { token } = await principals.create(admin, { id: 'did:human:ann', roles: ['finance_manager'] });
   */
  async create(
    actor: Principal,
    input: {
      id: string;
      kind?: 'human' | 'agent';
      roles: string[];
      publicKey?: string;
      capabilities?: string[];
      /** Seconds the token stays valid; without it, until rotated or the principal is disabled. */
      tokenExpiresIn?: number;
      displayName?: string;
      /** Matched against the IdP's verified e-mail at the first single sign-on. */
      email?: string;
    },
  ): Promise<CreatedPrincipal> {
    requireAdmin(actor);
    const kind = didKind(input.id);
    if (input.kind && input.kind !== kind) {
      throw new HumanOSError('validation_failed', `kind ${input.kind} does not match the DID method of ${input.id}`);
    }
    const token = newToken();
    const roles = [...new Set(input.roles)];
    refuseAgentAdmin(kind, roles);
    const capabilities = [...new Set(input.capabilities ?? [])];
    const expiresAt = input.tokenExpiresIn === undefined ? null : this.deps.now() + input.tokenExpiresIn * 1000;
    await this.insert(
      {
        id: input.id,
        kind,
        roles,
        publicKey: input.publicKey,
        capabilities,
        tokenExpiresAt: expiresAt,
        displayName: input.displayName,
        email: input.email?.toLowerCase(),
      },
      token,
      actor.id,
      // The admin's authority as the store says now (its role dropped on another replica counts).
      async (trx) => requireAdmin(await currentPrincipal(trx, actor)),
    );
    return {
      id: input.id,
      kind,
      roles,
      capabilities,
      token,
      tokenExpiresAt: expiresAt === null ? null : iso(expiresAt),
    };
  }

  private async insert(
    pr: {
      id: string;
      kind: string;
      roles: string[];
      publicKey?: string | undefined;
      capabilities?: string[];
      tokenExpiresAt?: number | null;
      displayName?: string | undefined;
      email?: string | undefined;
    },
    token: string,
    actor: string,
    authorize?: (trx: Transaction<Database>) => Promise<void>,
  ): Promise<void> {
    const now = this.deps.now();
    await this.deps.write(async (trx) => {
      await authorize?.(trx);
      const exists = await trx.selectFrom('principals').select('id').where('id', '=', pr.id).executeTakeFirst();
      if (exists) throw new HumanOSError('principal_exists', `${pr.id} already exists`);
      await trx
        .insertInto('principals')
        .values({
          id: pr.id,
          kind: pr.kind,
          roles: j(pr.roles),
          token_hash: hashToken(token),
          public_key: pr.publicKey ?? null,
          created_at: now,
          created_by: actor,
          capabilities: j(pr.capabilities ?? []),
          disabled_at: null,
          token_rotated_at: null,
          token_expires_at: pr.tokenExpiresAt ?? null,
          display_name: pr.displayName ?? null,
          email: pr.email ?? null,
          oidc_issuer: null,
          oidc_subject: null,
        })
        .execute();
      await indexRoles(trx, pr.id, pr.roles);
      await this.deps.ledger.append(trx, [
        {
          type: 'principal.created',
          at: iso(now),
          actor,
          taskId: null,
          data: {
            id: pr.id,
            kind: pr.kind,
            roles: pr.roles,
            ...(pr.tokenExpiresAt ? { tokenExpiresAt: iso(pr.tokenExpiresAt) } : {}),
          },
        },
      ]);
    });
  }

  /** Every principal, by id (admin only). */
  async list(actor: Principal): Promise<PrincipalView[]> {
    requireAdmin(actor);
    const rows = await this.db.selectFrom('principals').selectAll().orderBy('id').execute();
    return rows.map(view);
  }

  /** One principal: an admin may read any, anyone else only itself. */
  async get(actor: Principal, id: string): Promise<PrincipalView> {
    if (actor.id !== id) requireAdmin(actor);
    return view(await this.row(this.db, id));
  }

  /** A resource (agent or human) registers what it can do; routing proposals use it. */
  async registerCapabilities(
    actor: Principal,
    capabilities: string[],
  ): Promise<{ id: string; capabilities: string[] }> {
    const caps = [...new Set(capabilities)];
    await this.deps.write(async (trx) => {
      await currentPrincipal(trx, actor);
      await declareCapabilities(this.deps, trx, actor, caps);
    });
    this.deps.notifier.principalsChanged();
    return { id: actor.id, capabilities: caps };
  }

  /**
   * Changes a principal's roles and/or whether it is disabled (admin only), in one transaction with
   * one ledger entry per change. New roles apply at once (gates of a dropped role leave its inbox);
   * a disabled principal's token is refused everywhere and it is no longer proposed for routing, its
   * past decisions untouched. An admin cannot lock itself out (drop its own admin role, disable
   * itself).
   *
   * @example
   * await principals.update(admin, 'did:human:ann', { disabled: true });
   */
  async update(actor: Principal, id: string, input: PrincipalUpdate): Promise<PrincipalView> {
    requireAdmin(actor);
    const roles = input.roles && [...new Set(input.roles)];
    if (id === actor.id && ((roles && !roles.includes('admin')) || input.disabled === true)) {
      throw new HumanOSError('self_lockout', 'an admin cannot disable itself or remove its own admin role');
    }
    return this.change(actor, id, { admin: true }, async (trx, row) => {
      const entries: Change[] = [];
      const previous = p<string[]>(row.roles);
      if (roles) refuseAgentAdmin(row.kind, roles);
      if (roles && !sameSet(previous, roles)) {
        await setRoles(trx, id, roles);
        entries.push({ type: 'principal.roles_changed', data: { id, roles, previous } });
      }
      const now = this.deps.now();
      if (input.disabled !== undefined && (row.disabled_at !== null) !== input.disabled) {
        await trx
          .updateTable('principals')
          .set({ disabled_at: input.disabled ? now : null })
          .where('id', '=', id)
          .execute();
        entries.push({ type: input.disabled ? 'principal.disabled' : 'principal.enabled', data: { id } });
      }
      return [...entries, ...(await changeIdentity(trx, row, input))];
    });
  }

  /**
   * Issues a new token for a principal and invalidates the old one at once. An admin may rotate
   * any principal's token; anyone else only its own, and only with its current token
   * (`presentedTokenHash`, the hash of the bearer token of the request): a principal disabled, or a
   * token rotated away, on another replica whose notice this replica missed gets `401`, not a fresh
   * token (the check reads the principal's row in the rotation's transaction).
   *
   * @example
   * const { token } = await principals.rotateToken(admin, 'did:agent:invoice-bot');
   */
  async rotateToken(
    actor: Principal,
    id: string,
    opts: { expiresIn?: number } = {},
    presentedTokenHash?: string,
  ): Promise<{ id: string; token: string; tokenExpiresAt: string | null }> {
    if (actor.id !== id) requireAdmin(actor);
    const token = newToken();
    const now = this.deps.now();
    const expiresAt = opts.expiresIn === undefined ? null : now + opts.expiresIn * 1000;
    const shown = expiresAt === null ? null : iso(expiresAt);
    const authority = actor.id === id ? { admin: false, presentedTokenHash } : { admin: true };
    await this.change(actor, id, authority, async (trx) => {
      await trx
        .updateTable('principals')
        .set({ token_hash: hashToken(token), token_rotated_at: now, token_expires_at: expiresAt })
        .where('id', '=', id)
        .execute();
      return [{ type: 'principal.token_rotated', data: { id, expiresAt: shown } }];
    });
    return { id, token, tokenExpiresAt: shown };
  }

  /**
   * Runs a change of principal `id` in one write with its ledger entries (`apply` returns none when
   * there was nothing to change: then nothing is written), then drops cached principals everywhere.
   * The actor's authority (enabled; an admin when `admin`; presenting its current token when
   * `presentedTokenHash` is given) is read in the same transaction, not taken from the token cache.
   */
  private async change(
    actor: Principal,
    id: string,
    authority: { admin: boolean; presentedTokenHash?: string | undefined },
    apply: (trx: Transaction<Database>, row: PrincipalRow) => Promise<Change[]>,
  ): Promise<PrincipalView> {
    const { row, changed } = await this.deps.write(async (trx) => {
      const me = await currentPrincipal(trx, actor, authority.presentedTokenHash);
      if (authority.admin) requireAdmin(me);
      const before = await this.row(trx, id);
      const entries = await apply(trx, before);
      // (A display name alone is no ledger entry, but is written: read the row as it now is.)
      if (entries.length === 0) return { row: await this.row(trx, id), changed: false };
      const at = iso(this.deps.now());
      await this.deps.ledger.append(
        trx,
        entries.map((e) => ({ type: e.type, at, actor: actor.id, taskId: null, data: e.data })),
      );
      // Delivered at commit: the other replicas drop their cached principals.
      await this.deps.dialect.notify(trx, { principals: true });
      return { row: await this.row(trx, id), changed: true };
    });
    if (changed) this.invalidate();
    return view(row);
  }

  private async row(db: Kysely<Database>, id: string): Promise<PrincipalRow> {
    const row = await db.selectFrom('principals').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new HumanOSError('not_found', `no principal ${id}`);
    return row;
  }
}

function view(r: PrincipalRow): PrincipalView {
  return {
    id: r.id,
    kind: r.kind as PrincipalView['kind'],
    roles: p<string[]>(r.roles),
    capabilities: p<string[]>(r.capabilities),
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
    disabledAt: r.disabled_at === null ? null : iso(r.disabled_at),
    tokenRotatedAt: r.token_rotated_at === null ? null : iso(r.token_rotated_at),
    tokenExpiresAt: r.token_expires_at === null ? null : iso(Number(r.token_expires_at)),
    displayName: r.display_name,
    email: r.email,
    oidc: r.oidc_issuer !== null && r.oidc_subject !== null ? { issuer: r.oidc_issuer, subject: r.oidc_subject } : null,
  };
}

/** What an admin may change of a principal (`PATCH /principals/{id}`). */
export interface PrincipalUpdate {
  roles?: string[];
  disabled?: boolean;
  /** The name people see; null clears it (the next sign-in sets the IdP's). */
  displayName?: string | null;
  /** Matched against the IdP's verified e-mail at the first sign-in; null clears it. */
  email?: string | null;
  /** The OpenID identity the person signs in as; null unlinks it (they sign in by e-mail again). */
  oidc?: { issuer: string; subject: string } | null;
}

/**
 * Applies an admin's change of who a person signs in as (e-mail, OpenID identity) and their display
 * name. A change of the e-mail or the identity decides who may act as this principal, so it is a
 * ledger entry (`principal.identity_changed`); the display name is not. An identity linked to
 * another principal is `conflict`.
 */
async function changeIdentity(
  trx: Transaction<Database>,
  row: PrincipalRow,
  input: PrincipalUpdate,
): Promise<Change[]> {
  const set: Partial<Database['principals']> = {};
  if (input.displayName !== undefined) set.display_name = input.displayName;
  const email = input.email === undefined ? row.email : (input.email?.toLowerCase() ?? null);
  const oidc = input.oidc === undefined ? { issuer: row.oidc_issuer, subject: row.oidc_subject } : input.oidc;
  const issuer = oidc?.issuer ?? null;
  const subject = oidc?.subject ?? null;
  const identityChanged = email !== row.email || issuer !== row.oidc_issuer || subject !== row.oidc_subject;
  if (identityChanged && row.kind !== 'human') throw new HumanOSError('validation_failed', 'only a person signs in');
  if (issuer !== null && (issuer !== row.oidc_issuer || subject !== row.oidc_subject)) {
    const other = await trx
      .selectFrom('principals')
      .select('id')
      .where('oidc_issuer', '=', issuer)
      .where('oidc_subject', '=', subject)
      .executeTakeFirst();
    if (other) throw new HumanOSError('conflict', `that identity signs in as ${other.id}`);
  }
  if (identityChanged) Object.assign(set, { email, oidc_issuer: issuer, oidc_subject: subject });
  if (Object.keys(set).length > 0) await trx.updateTable('principals').set(set).where('id', '=', row.id).execute();
  if (!identityChanged) return [];
  return [
    {
      type: 'principal.identity_changed',
      data: { id: row.id, email, oidc: issuer === null ? null : { issuer, subject } },
    },
  ];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** An agent may never hold the admin role: it could create a human principal and approve its own tasks. */
function refuseAgentAdmin(kind: string, roles: readonly string[]): void {
  if (kind !== 'human' && roles.includes('admin')) {
    throw new HumanOSError('validation_failed', 'an agent cannot hold the admin role');
  }
}

/**
 * Sets what a principal declares it can run (recorded in the ledger). Capabilities scope what an
 * executor sees and runs, so cached principals must not keep the old set: other replicas are told at
 * commit; the caller tells this one (`notifier.principalsChanged()`) once the write has committed.
 */
export async function declareCapabilities(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actor: Principal,
  capabilities: string[],
): Promise<void> {
  await trx
    .updateTable('principals')
    .set({ capabilities: j(capabilities) })
    .where('id', '=', actor.id)
    .execute();
  await deps.ledger.append(trx, [
    { type: 'principal.capabilities', at: iso(deps.now()), actor: actor.id, taskId: null, data: { capabilities } },
  ]);
  await deps.dialect.notify(trx, { principals: true });
}
