import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0030_session_id_token (append-only: never edit a migration that has shipped).
 * - `sessions.id_token`: the ID token of the console sign-in that made the session, kept until the
 *   session ends, so that sign-out can end the person's session at the identity provider too
 *   (OpenID Connect RP-Initiated Logout: `id_token_hint`, which some providers require). Cleared when
 *   the session is revoked; null for device sessions and for sessions made before this migration.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').addColumn('id_token', 'text').execute();
  },
};
