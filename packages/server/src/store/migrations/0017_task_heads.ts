import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0017_task_heads (append-only: never edit a migration that has shipped).
 * The task-heads map (docs/ledger.md, core `taskheads.ts`), whose root every checkpoint signs:
 * - `task_heads`: per task, its position in the heads tree (order of first appearance in the log),
 *   the number of its entries and the running hash over them (hex). A cache the seal extends and the
 *   grant checks against the signed root; never trusted on its own.
 * - `task_head_nodes`: the tree's perfect-subtree hashes (as `ledger_nodes`, but rewritten in place
 *   when a task's leaf changes).
 * Existing logs are filled in at server start (`Ledger.ensureTaskHeads`), which needs the signing
 * key; the migration only makes the tables.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('task_heads')
      .addColumn('task_id', 'text', (c) => c.primaryKey())
      .addColumn('pos', 'bigint', (c) => c.notNull().unique())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('acc', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('task_head_nodes')
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('task_head_nodes_pk', ['level', 'idx'])
      .execute();
  },
};
