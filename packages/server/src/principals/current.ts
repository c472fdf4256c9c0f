import { HumanOSError } from '@humanos/core';
import type { Kysely } from 'kysely';
import type { Principal } from '../kernel/access.js';
import { p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

/**
 * The caller as the store says it is now, read inside the caller's write transaction: the authority a
 * write acts on. A request is authenticated against a per-replica cache (up to `CACHE_MS`, and longer
 * when a replica missed the other replicas' notices during a LISTEN reconnect), so a principal
 * disabled, stripped of a role or whose token was rotated on another replica may still pass
 * authentication here; every write that acts on the caller's own authority re-reads it instead.
 * `tokenHash` (the hash of the bearer token the request presented) additionally requires that token
 * to be the principal's current one. A principal that is gone, disabled, or whose token is no longer
 * current is `401 unauthorized`, as the authentication itself would answer.
 *
 * @example
 * const now = await currentPrincipal(trx, req.principal); // fresh kind and roles, or 401
 * requireAdmin(now);
 */
export async function currentPrincipal(
  trx: Kysely<Database>,
  actor: Principal,
  tokenHash?: string,
): Promise<Principal> {
  const row = await trx
    .selectFrom('principals')
    .select(['id', 'kind', 'roles', 'capabilities', 'disabled_at', 'token_hash'])
    .where('id', '=', actor.id)
    .executeTakeFirst();
  // (A token's expiry needs no re-check: the cache never keeps a principal past its token's expiry.)
  if (!row || row.disabled_at !== null || (tokenHash !== undefined && row.token_hash !== tokenHash)) {
    throw new HumanOSError('unauthorized', `${actor.id} is disabled, removed, or its token is no longer valid`);
  }
  return {
    id: row.id,
    kind: row.kind as Principal['kind'],
    roles: p<string[]>(row.roles),
    capabilities: p<string[]>(row.capabilities),
  };
}
