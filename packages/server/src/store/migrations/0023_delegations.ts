import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0023_delegations (append-only: never edit a migration that has shipped).
 * - `delegations`: a human (`delegator`) lets another enabled human (`delegate`) decide gates of some
 *   of their roles (`roles`, a JSON array) for the window [`starts_at`, `ends_at`), optionally limited
 *   by `scope` (JSON: a policy action matcher and/or risk levels). `out_of_office` turns on the
 *   channels' auto-reply (`message`). `created_seq` / `updated_seq` / `started_seq` / `ended_seq` are
 *   the ledger indexes of its `delegation.*` entries; a decision on behalf cites `created_seq`, which
 *   the offline verifier checks against the signed entries, not against this row.
 * - `decisions` gain `on_behalf_of` and `delegation_id`: a delegate's decision names the delegator, so
 *   the seat rule (one person, one seat) covers the delegator too.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('delegations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('delegator', 'text', (c) => c.notNull())
      .addColumn('delegate', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'bigint', (c) => c.notNull())
      .addColumn('ends_at', 'bigint', (c) => c.notNull())
      .addColumn('out_of_office', 'integer', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_seq', 'bigint', (c) => c.notNull())
      .addColumn('updated_seq', 'bigint')
      .addColumn('started_seq', 'bigint')
      .addColumn('ended_at', 'bigint')
      .addColumn('ended_by', 'text')
      .addColumn('ended_seq', 'bigint')
      .addColumn('end_reason', 'text')
      .execute();
    await db.schema.createIndex('delegations_delegate').on('delegations').columns(['delegate', 'ends_at']).execute();
    await db.schema.createIndex('delegations_delegator').on('delegations').columns(['delegator', 'ends_at']).execute();
    await db.schema.alterTable('decisions').addColumn('on_behalf_of', 'text').execute();
    await db.schema.alterTable('decisions').addColumn('delegation_id', 'text').execute();
  },
};
