import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0020_sessions (append-only: never edit a migration that has shipped).
 * - `principals` gain what single sign-on needs: `display_name` and `email` (from the IdP, or set by an
 *   admin), and the OpenID identity the principal is linked to (`oidc_issuer`, `oidc_subject`; unique
 *   together, so one IdP account is one principal).
 * - `sessions`: server-side sign-in sessions of humans. Only the SHA-256 of the session secret is
 *   stored (`token_hash`), as for bearer tokens. `auth_time` is when the person authenticated at the
 *   IdP (the policy's `maxSessionAge` counts from it); `idle_expires_at` moves with use, `expires_at`
 *   never does; `revoked_at` ends a session at once (sign-out, the person or an admin revoking it).
 * - `oidc_logins`: sign-ins in progress (the authorization code flow's state, PKCE verifier, nonce and
 *   where to return; or a device authorization's device code). Short-lived, deleted when used.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('principals').addColumn('display_name', 'text').execute();
    await db.schema.alterTable('principals').addColumn('email', 'text').execute();
    await db.schema.alterTable('principals').addColumn('oidc_issuer', 'text').execute();
    await db.schema.alterTable('principals').addColumn('oidc_subject', 'text').execute();
    await db.schema
      .createIndex('principals_oidc')
      .on('principals')
      .columns(['oidc_issuer', 'oidc_subject'])
      .unique()
      .execute();
    await db.schema.createIndex('principals_email').on('principals').column('email').execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('auth_time', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('idle_expires_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('user_agent', 'text')
      .execute();
    await db.schema.createIndex('sessions_principal').on('sessions').columns(['principal_id', 'created_at']).execute();
    await db.schema
      .createTable('oidc_logins')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text')
      .addColumn('return_to', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
