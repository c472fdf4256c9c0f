import { randomBytes } from 'node:crypto';
import { type DelegationTerms, HumanOSError, policyPattern, UnsupportedPattern } from '@humanos/core';
import type { Selectable, Transaction } from 'kysely';
import { isReadOnly } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import type { DelegationScope, DelegationView } from './schemas.js';

export type DelegationRow = Selectable<Database['delegations']>;

/** The longest window when the policy sets none (`delegation.maxDays`). */
export const DEFAULT_MAX_DAYS = 30;
const DAY_MS = 86_400_000;

/** Roles never delegated: administering the server is not an approval role. */
const NEVER_DELEGATED = new Set(['admin']);

export function newDelegationId(): string {
  return `delegation:human:${randomBytes(12).toString('hex')}`;
}

/** Where a delegation stands at `now`: its window is [starts_at, ends_at). */
export function stateOf(r: DelegationRow, now: number): 'scheduled' | 'active' | 'ended' {
  if (r.ended_at !== null || now >= r.ends_at) return 'ended';
  return now < r.starts_at ? 'scheduled' : 'active';
}

export function delegationView(r: DelegationRow, now: number): DelegationView {
  return {
    id: r.id,
    delegator: r.delegator,
    delegate: r.delegate,
    roles: p<string[]>(r.roles),
    scope: p<DelegationScope>(r.scope),
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    outOfOffice: r.out_of_office === 1,
    message: r.message,
    state: stateOf(r, now),
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
    ledgerIndex: Number(r.created_seq),
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
    endedBy: r.ended_by,
    endReason: r.end_reason,
  };
}

/** The terms its ledger entries carry (what the offline verifier folds, `DelegationRegistry`). */
export function termsOf(r: DelegationRow): DelegationTerms {
  return {
    delegationId: r.id,
    delegator: r.delegator,
    delegate: r.delegate,
    roles: p<string[]>(r.roles),
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    scope: p<DelegationScope>(r.scope),
    outOfOffice: r.out_of_office === 1,
    message: r.message,
  };
}

/** An RFC 3339 time as epoch milliseconds; `validation_failed` naming the field when it is not one. */
export function parseTime(field: string, text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new HumanOSError('validation_failed', `${field} is not an RFC 3339 time: ${text}`);
  return ms;
}

/**
 * The window: it starts before it ends and has not already ended, and lasts at most the policy's
 * `delegation.maxDays` (default 30).
 */
export function checkWindow(deps: FeatureDeps, start: number, end: number, now: number): void {
  if (end <= start) throw new HumanOSError('delegation_window_invalid', 'the window must end after it starts');
  if (end <= now) throw new HumanOSError('delegation_window_invalid', 'the window has already ended');
  const maxDays = deps.policy.delegation?.maxDays ?? DEFAULT_MAX_DAYS;
  if (end - start > maxDays * DAY_MS) {
    throw new HumanOSError('delegation_too_long', `a delegation lasts at most ${maxDays} days (the policy's maximum)`, {
      maxDays,
    });
  }
}

/** The matcher's text pattern must be one the policy accepts (else it would match nothing, silently). */
export function checkScope(scope: DelegationScope | undefined): void {
  const pattern = scope?.match?.descriptionMatches;
  if (pattern !== undefined && policyPattern(pattern) instanceof UnsupportedPattern) {
    throw new HumanOSError(
      'validation_failed',
      `scope.match.descriptionMatches is not a supported pattern: ${pattern}`,
    );
  }
}

/** The delegator: an enabled human; their roles as they stand now. */
export async function delegatorOf(trx: Transaction<Database>, id: string): Promise<string[]> {
  const d = await trx
    .selectFrom('principals')
    .select(['kind', 'roles', 'disabled_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (d?.kind !== 'human' || d.disabled_at !== null)
    throw new HumanOSError('validation_failed', `${id} is not an enabled human: only people delegate`);
  return p<string[]>(d.roles);
}

/**
 * The delegate: an enabled human other than the delegator, not a read-only relay, who holds none of
 * the delegated roles (they already have a seat on those gates: a quorum would count them twice).
 */
export async function checkDelegate(
  trx: Transaction<Database>,
  delegator: string,
  delegate: string,
  roles: readonly string[],
): Promise<void> {
  if (delegate === delegator) throw new HumanOSError('delegation_to_self', 'a delegation names someone else');
  const d = await trx
    .selectFrom('principals')
    .select(['kind', 'roles', 'disabled_at'])
    .where('id', '=', delegate)
    .executeTakeFirst();
  const held = d ? p<string[]>(d.roles) : [];
  if (d?.kind !== 'human' || isReadOnly({ id: delegate, kind: 'human', roles: held }))
    throw new HumanOSError(
      'delegate_not_human',
      `${delegate} is not a human who can decide: only people are delegates`,
    );
  if (d.disabled_at !== null) throw new HumanOSError('delegate_disabled', `${delegate} is disabled`);
  const both = roles.filter((r) => held.includes(r));
  if (both.length > 0) {
    throw new HumanOSError(
      'delegate_holds_seat',
      `${delegate} already holds ${both.join(', ')}: they have a seat on those gates and cannot decide twice`,
      { roles: both },
    );
  }
}

/**
 * The roles delegated: given ones must be the delegator's own (a role held only by delegation cannot
 * be passed on: no cascade); none given means all of their own roles but `admin`.
 */
export async function checkRoles(
  trx: Transaction<Database>,
  delegator: string,
  own: readonly string[],
  asked: readonly string[] | undefined,
  now: number,
): Promise<string[]> {
  const roles = asked ?? own.filter((r) => !NEVER_DELEGATED.has(r));
  if (roles.length === 0) throw new HumanOSError('delegation_role_not_held', `${delegator} holds no role to delegate`);
  const missing = roles.filter((r) => !own.includes(r) || NEVER_DELEGATED.has(r));
  if (missing.length === 0) return [...roles];
  const received = await trx
    .selectFrom('delegations')
    .select('roles')
    .where('delegate', '=', delegator)
    .where('ended_at', 'is', null)
    .where('ends_at', '>', now)
    .execute();
  const byDelegation = new Set(received.flatMap((r) => p<string[]>(r.roles)));
  const cascading = missing.filter((r) => byDelegation.has(r));
  if (cascading.length > 0) {
    throw new HumanOSError(
      'delegation_cascade',
      `${delegator} holds ${cascading.join(', ')} only by delegation: delegations do not cascade`,
      { roles: cascading },
    );
  }
  throw new HumanOSError('delegation_role_not_held', `${delegator} does not hold ${missing.join(', ')}`, {
    roles: missing,
  });
}
