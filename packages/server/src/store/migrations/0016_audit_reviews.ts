import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0016_audit_reviews (append-only: never edit a migration that has shipped).
 * - `tasks.audit_frequency`: set on unattended runs (no gate) created with `auditFrequency`
 *   `daily` / `weekly` / `monthly`; `tasks.audit_review_id`: the periodic review covering the run,
 *   null until one opens. The index finds the runs no review covers yet, oldest first.
 * - `audit_reviews`: one per frequency and UTC period, opened by the sweeper after the period ends,
 *   completed by an auditor with findings. Both steps are ledger entries too.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').addColumn('audit_frequency', 'text').execute();
    await db.schema.alterTable('tasks').addColumn('audit_review_id', 'text').execute();
    await db.schema
      .createIndex('tasks_audit_pending')
      .on('tasks')
      .columns(['audit_frequency', 'audit_review_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('audit_reviews')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('frequency', 'text', (c) => c.notNull())
      .addColumn('period_start', 'bigint', (c) => c.notNull())
      .addColumn('period_end', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('task_count', 'integer', (c) => c.notNull())
      /** JSON: `{status: count}` over the covered runs when the review opened (extensions add to it). */
      .addColumn('status_counts', 'text', (c) => c.notNull())
      /** JSON: `[{id, reason}]`, the runs the auditor is asked to inspect. */
      .addColumn('sample', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addColumn('opened_seq', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('completed_by', 'text')
      .addColumn('outcome', 'text')
      .addColumn('findings', 'text')
      /** JSON array of task ids the auditor flagged. */
      .addColumn('flagged', 'text')
      .addColumn('completed_seq', 'bigint')
      .addUniqueConstraint('audit_reviews_period', ['frequency', 'period_start'])
      .execute();
    await db.schema
      .createIndex('audit_reviews_status')
      .on('audit_reviews')
      .columns(['status', 'period_start'])
      .execute();
  },
};
