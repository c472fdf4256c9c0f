import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0018_consents (append-only: never edit a migration that has shipped).
 * - `consents`: standing grants a human makes to another principal, one current row per
 *   (grantor, grantee, kind). Kind `on_behalf_of`: the human lets an agent name them as a task's
 *   `onBehalfOf` until `until` (epoch ms) unless revoked. The row is the current state; the history
 *   is in the ledger (`principal.consent_granted` / `principal.consent_revoked`). `scope` (JSON, null
 *   for "everything") is there for kinds that narrow what they allow, such as the delegations of
 *   issue 26 (roles, actions, risk levels).
 * - Indexes on `tasks` for the audit review's own-runs check and the `onBehalfOf` lookups: the runs
 *   of a review (`audit_review_id`) and the tasks acting for a human (`on_behalf_of`).
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('consents')
      .addColumn('grantor', 'text', (c) => c.notNull())
      .addColumn('grantee', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('scope', 'text')
      .addColumn('granted_at', 'bigint', (c) => c.notNull())
      .addColumn('until', 'bigint', (c) => c.notNull())
      .addColumn('granted_seq', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('revoked_by', 'text')
      .addColumn('revoked_seq', 'bigint')
      .addPrimaryKeyConstraint('consents_pk', ['grantor', 'grantee', 'kind'])
      .execute();
    await db.schema.createIndex('consents_grantee').on('consents').columns(['grantee', 'kind']).execute();
    await db.schema.createIndex('tasks_audit_review').on('tasks').columns(['audit_review_id', 'created_at']).execute();
    await db.schema.createIndex('tasks_on_behalf_of').on('tasks').columns(['on_behalf_of', 'created_seq']).execute();
  },
};
