import { type Kysely, type Migration, sql } from 'kysely';

/** Migration 0003_inbox_index (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // The inbox reads one role's pending gates newest first. Mirroring status and open time into
  // approval_roles lets that be an index range walk that stops after one page, instead of a sort
  // of every pending gate of the role (seconds at a million pending approvals).
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('approval_roles')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
      .execute();
    await db.schema
      .alterTable('approval_roles')
      .addColumn('requested_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update approval_roles set status = (select a.status from approvals a where a.id = approval_roles.approval_id), requested_at = (select a.requested_at from approvals a where a.id = approval_roles.approval_id)`.execute(
      db,
    );
    await db.schema
      .createIndex('approval_roles_inbox')
      .on('approval_roles')
      .columns(['role', 'status', 'requested_at', 'approval_id'])
      .execute();
  },
};
