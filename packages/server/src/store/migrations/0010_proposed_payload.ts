import type { Kysely, Migration } from 'kysely';

/** Migration 0010_proposed_payload (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // The payload as the agent proposed it, kept when earlier approvers' edits change `payload`.
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').addColumn('proposed_payload', 'text').execute();
  },
};
