import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0024_task_versions (append-only: never edit a migration that has shipped).
 * `task_versions`: one row per time an approver asked a task's agent for changes (issue 26), and
 * the revision that answered it. Version 1 is the task as created; row `version = n` says who asked
 * for changes to version n, on which gate, for which payload digest and with what feedback, and —
 * once the agent revised — when, the new digest and the diff (RFC 6901 pointers) from version n.
 * The ledger's `task.changes_requested` / `task.revised` entries are the signed record; this table
 * is what the waiter, the task view and the revision limit read.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('task_versions')
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('payload_digest', 'text', (c) => c.notNull())
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('feedback', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('requested_seq', 'bigint', (c) => c.notNull())
      .addColumn('revised_at', 'bigint')
      .addColumn('revised_digest', 'text')
      .addColumn('revised_seq', 'bigint')
      .addColumn('diff', 'text')
      .addPrimaryKeyConstraint('task_versions_pk', ['task_id', 'version'])
      .execute();
  },
};
