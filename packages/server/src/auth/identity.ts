import { createHash } from 'node:crypto';
import { HumanOSError } from '@humanos/core';
import type { Transaction } from 'kysely';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, p } from '../kernel/rows.js';
import { setRoles } from '../principals/holders.js';
import { hashToken, newToken } from '../principals/principals.js';
import type { Database } from '../store/schema.js';
import type { Identity } from './oidc.js';

const ROLE = /^[a-z][a-z0-9_.-]{0,63}$/;

/** What the sign-in settings say about matching and roles. */
export interface MatchRules {
  autoProvision: boolean;
  /** Whether a roles claim is configured: then the IdP's groups replace the principal's roles at each sign-in. */
  rolesFromClaim: boolean;
}

/**
 * Which principal a signed-in person is, in one transaction: the principal linked to the identity
 * `(issuer, subject)` (an admin sets the link, or an earlier sign-in made it); else the one human whose
 * e-mail an admin set to the IdP's **verified** e-mail (an unverified address never matches: anyone
 * can type one in at many IdPs), which is then linked; else, with auto-provisioning, a new human
 * principal with no roles; else `sign_in_refused`. A disabled principal is refused. The IdP's display
 * name is kept; with a roles claim, its values (role names) become the roles, recorded in the ledger
 * as `principal.roles_changed` like an admin's change.
 *
 * @example
 * const { id, changed } = await signInPrincipal(deps, identity, { autoProvision: false, rolesFromClaim: true });
 */
export async function signInPrincipal(
  deps: FeatureDeps,
  who: Identity,
  rules: MatchRules,
): Promise<{ id: string; changed: boolean }> {
  return deps.write(async (trx) => {
    let row = await trx
      .selectFrom('principals')
      .selectAll()
      .where('oidc_issuer', '=', who.issuer)
      .where('oidc_subject', '=', who.subject)
      .executeTakeFirst();
    if (!row && who.email && who.emailVerified) {
      const byEmail = await trx
        .selectFrom('principals')
        .selectAll()
        .where('email', '=', who.email)
        .where('kind', '=', 'human')
        .where('oidc_subject', 'is', null)
        .execute();
      // Two principals with one address is ambiguous: refuse rather than pick one.
      if (byEmail.length === 1) row = byEmail[0];
    }
    let changed = false;
    if (!row) {
      if (!rules.autoProvision) {
        throw new HumanOSError(
          'sign_in_refused',
          `no HumanOS principal is linked to this identity${who.email ? ` (${who.email}${who.emailVerified ? '' : ', not verified'})` : ''}: ask an admin to add you`,
        );
      }
      row = await provision(deps, trx, who);
      changed = true;
    }
    if (row.kind !== 'human') throw new HumanOSError('sign_in_refused', `${row.id} is not a person`);
    if (row.disabled_at !== null) throw new HumanOSError('sign_in_refused', `${row.id} is disabled`);
    await trx
      .updateTable('principals')
      .set({
        oidc_issuer: who.issuer,
        oidc_subject: who.subject,
        display_name: who.name ?? row.display_name,
        email: row.email ?? (who.emailVerified ? (who.email ?? null) : null),
      })
      .where('id', '=', row.id)
      .execute();
    if (rules.rolesFromClaim && who.groups)
      changed = (await syncRoles(deps, trx, row.id, p(row.roles), who.groups)) || changed;
    if (changed) await deps.dialect.notify(trx, { principals: true });
    return { id: row.id, changed };
  });
}

/** Sets the roles the IdP's claim gives (valid role names only), with a ledger entry when they differ. */
async function syncRoles(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  id: string,
  previous: string[],
  groups: string[],
): Promise<boolean> {
  const roles = [...new Set(groups.filter((g) => ROLE.test(g)))].sort();
  if (roles.length === previous.length && roles.every((r) => previous.includes(r))) return false;
  await setRoles(trx, id, roles);
  await deps.ledger.append(trx, [
    {
      type: 'principal.roles_changed',
      at: iso(deps.now()),
      actor: id,
      taskId: null,
      data: { id, roles, previous, source: 'oidc' },
    },
  ]);
  return true;
}

/**
 * Creates the principal of a person the IdP vouches for (auto-provisioning): `did:human:<name>-<6 hex>`,
 * the name from the e-mail's local part (or the subject), the suffix from the identity so two people
 * with the same local part get two principals. No roles; a bearer token nobody is shown (it can be
 * rotated by an admin if the person ever needs one).
 */
async function provision(deps: FeatureDeps, trx: Transaction<Database>, who: Identity) {
  const base = (who.email?.split('@')[0] ?? who.subject)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 40);
  const suffix = createHash('sha256').update(`${who.issuer}\n${who.subject}`).digest('hex').slice(0, 6);
  const id = `did:human:${base || 'user'}-${suffix}`;
  const now = deps.now();
  const taken = await trx.selectFrom('principals').select('id').where('id', '=', id).executeTakeFirst();
  if (taken) throw new HumanOSError('sign_in_refused', `${id} exists but is linked to another identity`);
  const row = {
    id,
    kind: 'human',
    roles: '[]',
    token_hash: hashToken(newToken()),
    public_key: null,
    created_at: now,
    created_by: id,
    capabilities: '[]',
    disabled_at: null,
    token_rotated_at: null,
    token_expires_at: null,
    display_name: who.name ?? null,
    email: who.emailVerified ? (who.email ?? null) : null,
    oidc_issuer: who.issuer,
    oidc_subject: who.subject,
  };
  await trx.insertInto('principals').values(row).execute();
  await deps.ledger.append(trx, [
    {
      type: 'principal.created',
      at: iso(now),
      actor: id,
      taskId: null,
      data: { id, kind: 'human', roles: [], source: 'oidc', issuer: who.issuer },
    },
  ]);
  return row;
}
