import type { Kysely, Migration } from 'kysely';

/** Migration 0002_policies (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // Chains open their steps one by one: a waiting step remembers its reason and its own timeout.
  // Reminders are durable rows too (remind_at), swept like deadlines.
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('approvals').addColumn('reason', 'text').execute();
    await db.schema.alterTable('approvals').addColumn('timeout_ms', 'bigint').execute();
    await db.schema.alterTable('approvals').addColumn('remind_at', 'bigint').execute();
    await db.schema
      .alterTable('approvals')
      .addColumn('reminded', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('approvals_remind').on('approvals').columns(['status', 'remind_at']).execute();
  },
};
