import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0025_team (append-only: never edit a migration that has shipped).
 * - `approvals` gets a claim (`claimed_by` until `claimed_until`, epoch ms: someone of the role is
 *   looking at it; not a lock on deciding), an assignment by a lead (`assignee`, `assigned_by`,
 *   `assigned_at`) and, for a synthetic attention check, what was planted (`attention_check`, JSON;
 *   null on every real gate).
 * - `approval_comments`: the conversation on a gate, as its author wrote it (`body`, markdown), the
 *   principals it mentioned and notified (`mentions`, JSON array; a mention of someone who may not
 *   see the request refuses the comment), the SHA-256 of the canonical comment (`digest`,
 *   which the `comment.added` ledger entry at `ledger_index` carries).
 * - `attention_checks`: one row per planted check: the gate, the real task it was modelled on, the
 *   flaw, and once decided who decided, the verdict and whether the flaw was caught.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('approvals').addColumn('claimed_by', 'text').execute();
    await db.schema.alterTable('approvals').addColumn('claimed_until', 'bigint').execute();
    await db.schema.alterTable('approvals').addColumn('assignee', 'text').execute();
    await db.schema.alterTable('approvals').addColumn('assigned_by', 'text').execute();
    await db.schema.alterTable('approvals').addColumn('assigned_at', 'bigint').execute();
    await db.schema.alterTable('approvals').addColumn('attention_check', 'text').execute();
    await db.schema.createIndex('approvals_assignee').on('approvals').columns(['assignee', 'status']).execute();
    await db.schema
      .createTable('approval_comments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('mentions', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('ledger_index', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('approval_comments_gate')
      .on('approval_comments')
      .columns(['approval_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('attention_checks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('source_task_id', 'text')
      .addColumn('flaw', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('verdict', 'text')
      .addColumn('caught', 'integer')
      .addColumn('decided_at', 'bigint')
      .execute();
    await db.schema.createIndex('attention_checks_approval').on('attention_checks').column('approval_id').execute();
    await db.schema.createIndex('attention_checks_decider').on('attention_checks').columns(['decided_by']).execute();
  },
};
