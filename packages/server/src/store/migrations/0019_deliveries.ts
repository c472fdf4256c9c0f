import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0019_deliveries (append-only: never edit a migration that has shipped).
 *
 * The durable outbox serves webhooks, Slack and e-mail alike (`delivery/outbox.ts`), so its table is
 * named for what it holds: `webhook_deliveries` becomes `deliveries`, and its `webhook_id` column —
 * a sink id (`webhook:…`, `channel:slack`, `channel:email`, `channel:plan`) — becomes `sink`. Both
 * are renames (`ALTER TABLE … RENAME`), on SQLite as on PostgreSQL: every row stays, with its
 * attempts, backoff and status, so nothing queued before the upgrade is lost or sent twice. The two
 * indexes follow under names of the new table (SQLite cannot rename an index: they are dropped and
 * made again). On PostgreSQL the migration is one transaction.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhook_deliveries').renameTo('deliveries').execute();
    await db.schema.alterTable('deliveries').renameColumn('webhook_id', 'sink').execute();
    await db.schema.dropIndex('webhook_deliveries_due').execute();
    await db.schema.dropIndex('webhook_deliveries_by_hook').execute();
    await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('deliveries_by_sink').on('deliveries').columns(['sink', 'seq']).execute();
  },
};
