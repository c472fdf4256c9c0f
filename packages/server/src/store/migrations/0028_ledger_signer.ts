import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0028_ledger_signer (append-only: never edit a migration that has shipped).
 * - `ledger_head.signer`: the hex public key that signs the log now (null until a server of this
 *   version starts). Every append batch reads it with the append lock it already takes, so a replica
 *   still running with the key a rotation replaced stops appending instead of signing checkpoints no
 *   verifier accepts (docs/operations.md, Rotating the key).
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('ledger_head').addColumn('signer', 'text').execute();
  },
};
