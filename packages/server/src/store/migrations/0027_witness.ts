import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0027_witness (append-only: never edit a migration that has shipped).
 * - `ledger_cosignatures`: the cosignature/v1 lines witnesses (C2SP tlog-witness) returned for the
 *   checkpoint of `size`, one per witness (its vkey), with the witness's timestamp. Served after the
 *   log's own signature on the checkpoint endpoint and in the export.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('ledger_cosignatures')
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('witness', 'text', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addColumn('cosigned_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['size', 'witness'])
      .execute();
    // The newest cosigned size per witness: where its next consistency proof starts after a restart.
    await db.schema
      .createIndex('ledger_cosignatures_witness')
      .on('ledger_cosignatures')
      .columns(['witness', 'size'])
      .execute();
  },
};
