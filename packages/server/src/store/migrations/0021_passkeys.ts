import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0021_passkeys (append-only: never edit a migration that has shipped).
 * - `passkeys`: a human's WebAuthn credentials (ES256 or EdDSA), one row per credential id, ever: a
 *   revoked credential keeps its row (a credential id is enrolled once; the ledger's key registry says
 *   so too). `public_key` is the SPKI DER (base64url) the `passkey.enrolled` entry carries;
 *   `enrolled_seq`/`revoked_seq` are those entries' ledger indexes.
 * - `passkey_challenges`: single-use, short-lived nonces: `purpose` `register` (an enrolment's WebAuthn
 *   challenge) or `decide` (a decision's nonce, bound to `approval_id`); both bound to `principal_id`.
 *   A nonce is deleted in the transaction that uses it.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('passkeys')
      .addColumn('credential_id', 'text', (c) => c.primaryKey())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('algorithm', 'integer', (c) => c.notNull())
      .addColumn('rp_id', 'text', (c) => c.notNull())
      .addColumn('origins', 'text', (c) => c.notNull())
      .addColumn('transports', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('enrolled_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('revoked_by', 'text')
      .addColumn('revoked_seq', 'bigint')
      .execute();
    await db.schema.createIndex('passkeys_principal').on('passkeys').columns(['principal_id', 'created_at']).execute();
    await db.schema
      .createTable('passkey_challenges')
      .addColumn('nonce', 'text', (c) => c.primaryKey())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('approval_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('passkey_challenges_expiry').on('passkey_challenges').column('expires_at').execute();
  },
};
