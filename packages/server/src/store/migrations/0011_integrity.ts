import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Migration 0011_integrity (append-only: never edit a migration that has shipped).
 * - `tasks.payload_digest`: the digest of the payload as it stands (edits move it on); approvals
 *   given for another digest no longer count, and their approvers are asked again. Null on rows from
 *   before: treated as "every approval is current".
 * - `approvals.group_id`: the steps of one in-run decision (its policy chain) share a group.
 * - `tasks.cap_key`: the task's required capabilities, sorted and space-joined (null for none), with an
 *   index, so a worker's claim finds the tasks its capabilities cover without scanning other work.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').addColumn('payload_digest', 'text').execute();
    await db.schema.alterTable('approvals').addColumn('group_id', 'text').execute();
    await db.schema.alterTable('tasks').addColumn('cap_key', 'text').execute();
    const rows = await sql<{ id: string; required_capabilities: string }>`
      select id, required_capabilities from tasks where required_capabilities <> '[]'`.execute(db);
    for (const r of rows.rows) {
      const key = [...new Set(JSON.parse(r.required_capabilities) as string[])].sort().join(' ');
      await sql`update tasks set cap_key = ${key} where id = ${r.id}`.execute(db);
    }
    await db.schema.createIndex('tasks_claimable').on('tasks').columns(['status', 'cap_key', 'created_seq']).execute();
  },
};
