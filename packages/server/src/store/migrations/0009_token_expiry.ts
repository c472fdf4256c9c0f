import type { Kysely, Migration } from 'kysely';

/** Migration 0009_token_expiry (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // A token may be issued with an expiry (short-lived agent credentials).
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('principals').addColumn('token_expires_at', 'bigint').execute();
  },
};
