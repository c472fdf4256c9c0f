import type { Kysely, Migration } from 'kysely';

/** Migration 0004_in_run_decisions (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // In-run decision gates carry the agent's proposal for that decision (and, once approved, the
  // approved payload); tasks remember the client's autonomy settings that apply during the run.
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('approvals').addColumn('proposal', 'text').execute();
    await db.schema.alterTable('tasks').addColumn('client', 'text').execute();
  },
};
