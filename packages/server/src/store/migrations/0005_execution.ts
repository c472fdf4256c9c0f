import type { Kysely, Migration } from 'kysely';

/** Migration 0005_execution (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // Leases: a fencing token (lease_id) and its expiry per execution attempt; the latest confidence
  // the executor reported; who took a task over. Feedback rows feed calibration.
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').addColumn('lease_id', 'text').execute();
    await db.schema.alterTable('tasks').addColumn('lease_expires_at', 'bigint').execute();
    await db.schema
      .alterTable('tasks')
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('tasks').addColumn('last_confidence', 'double precision').execute();
    await db.schema.alterTable('tasks').addColumn('overridden_by', 'text').execute();
    await db.schema.createIndex('tasks_lease').on('tasks').columns(['status', 'lease_expires_at']).execute();
    await db.schema
      .createTable('feedback')
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('capabilities', 'text', (c) => c.notNull())
      .addColumn('quality', 'text', (c) => c.notNull())
      .addColumn('correctness', 'integer')
      .addColumn('comments', 'text')
      .addColumn('improvements', 'text', (c) => c.notNull())
      .addColumn('confidence', 'double precision')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('feedback_pk', ['task_id', 'principal_id'])
      .execute();
    await db.schema.createIndex('feedback_agent').on('feedback').columns(['agent_id', 'created_at']).execute();
  },
};
