import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0015_confidence_reports (append-only: never edit a migration that has shipped).
 * - `confidence_reports`: every confidence an executor reported while running a task, with the stage
 *   that reported it (`heartbeat`, `decision`), so calibration weighs what the agent said at every
 *   stage, not only at creation (the creation stage is the task's `ai_proposal.confidence`).
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('confidence_reports')
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('confidence', 'double precision', (c) => c.notNull())
      .addColumn('reported_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('confidence_reports_task').on('confidence_reports').column('task_id').execute();
  },
};
