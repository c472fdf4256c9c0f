import { canonicalJson, HumanOSError, sha256Hex } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import { j, p } from './rows.js';

/** A stored response: what a retry with the same `Idempotency-Key` and body gets back. */
export interface StoredResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

/** The fingerprint of a request body: canonical JSON, so key order and spacing do not matter. */
export function requestHash(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}

/**
 * The first response to `key`, when the same principal used it before with the same body; refuses
 * the key with another body (`idempotency_key_reused`); undefined for a new key.
 */
export async function replay(
  db: Kysely<Database>,
  principal: string,
  key: string,
  hash: string,
): Promise<StoredResponse | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('principal_id', '=', principal)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.request_hash !== hash) {
    throw new HumanOSError('idempotency_key_reused', 'this Idempotency-Key was used with a different request body');
  }
  return { statusCode: Number(row.status_code), body: p(row.response) };
}

/** Keeps the response for `key` in the same transaction as the change it describes. */
export async function remember(
  trx: Transaction<Database>,
  principal: string,
  key: string,
  hash: string,
  response: StoredResponse,
  now: number,
): Promise<void> {
  await trx
    .insertInto('idempotency_keys')
    .values({
      principal_id: principal,
      key,
      request_hash: hash,
      status_code: response.statusCode,
      response: j(response.body),
      created_at: now,
    })
    .execute();
}

/**
 * Replaces the stored response for `key` once it is complete. Decisions remember a partial response
 * in their transaction (their ledger proof exists only after the commit) and complete it here; a
 * crash between the two leaves the partial one, which the replay completes (see `approvals/replay.ts`).
 */
export async function completeRemembered(
  db: Kysely<Database>,
  principal: string,
  key: string,
  body: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response: j(body) })
    .where('principal_id', '=', principal)
    .where('key', '=', key)
    .execute();
}
