import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0022_warnings (append-only: never edit a migration that has shipped).
 * - `tasks.warnings`: the task's `text_payload_mismatch` warnings (JSON `ApprovalWarning[]`), as
 *   computed from its agent-written text and its payload when `warnings_digest` was the payload's
 *   digest. Written at creation and when an edit moves the payload on; a view whose task digest
 *   differs (or is null: tasks from before this migration) recomputes from the payload as it stands,
 *   so the inbox need not load payloads to show warnings and a stale list is never shown.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').addColumn('warnings', 'text').execute();
    await db.schema.alterTable('tasks').addColumn('warnings_digest', 'text').execute();
  },
};
