import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0026_gates (append-only: never edit a migration that has shipped).
 * - `approvals` gain what the policy rule that made a gate says about deciding it:
 *   `bulk_approvable` (0/1; the console may offer it in a bulk approval) and `min_review_seconds`
 *   (null: none; a decision earlier than that after the approver first had the request is refused).
 * - `approval_opens`: when each principal first had a request in front of them, and where (`web`,
 *   `api`, `email`: a GET of the approval, the e-mail confirmation page). One row per approval and
 *   principal, never moved: minReviewSeconds and the approver metrics count from it.
 * - `approval_prompts`: each request notification planned for a person (Slack DM and/or e-mail,
 *   once per gate), for the per-approver hourly prompt cap and the reminders of a capped gate.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('approvals')
      .addColumn('bulk_approvable', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('approvals').addColumn('min_review_seconds', 'integer').execute();
    await db.schema
      .createTable('approval_opens')
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('approval_opens_pk', ['approval_id', 'principal_id'])
      .execute();
    await db.schema
      .createTable('approval_prompts')
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('prompted_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('approval_prompts_pk', ['approval_id', 'principal_id'])
      .execute();
    await db.schema
      .createIndex('approval_prompts_principal')
      .on('approval_prompts')
      .columns(['principal_id', 'prompted_at'])
      .execute();
  },
};
