import type { Kysely, Migration } from 'kysely';

/** Migration 0012_webhooks_standard (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // Secret rotation with an overlap window: the previous secret keeps signing until it expires.
  // The outbox serves internal sinks too (notification channels): `target` says to whom a row goes
  // when its sink (`webhook_id`) fans one event out to several recipients.
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhooks').addColumn('previous_secret', 'text').execute();
    await db.schema.alterTable('webhooks').addColumn('previous_secret_expires_at', 'bigint').execute();
    await db.schema.alterTable('webhook_deliveries').addColumn('target', 'text').execute();
  },
};
