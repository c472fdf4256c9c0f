import type { Kysely, Migration } from 'kysely';

/** Migration 0008_principal_lifecycle (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // Principals can be disabled and their tokens rotated.
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('principals').addColumn('disabled_at', 'bigint').execute();
    await db.schema.alterTable('principals').addColumn('token_rotated_at', 'bigint').execute();
  },
};
