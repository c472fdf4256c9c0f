import type { Kysely, Migration } from 'kysely';

/** Migration 0006_routing (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // Resources register capabilities; a routing decision assigns a task to one resource.
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('principals')
      .addColumn('capabilities', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('tasks').addColumn('assigned_to', 'text').execute();
  },
};
