import { type Kysely, type Migration, sql } from 'kysely';

/** Migration 0001_initial (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('principals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('public_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('on_behalf_of', 'text')
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('required_capabilities', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('approved_payload', 'text')
      .addColumn('approved_digest', 'text')
      .addColumn('hitl', 'text', (c) => c.notNull())
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('risk', 'text', (c) => c.notNull())
      .addColumn('ai_proposal', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('execution_id', 'text')
      .addColumn('executor', 'text')
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('created_seq', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tasks_requester').on('tasks').columns(['requester', 'created_seq']).execute();
    await db.schema.createIndex('tasks_status').on('tasks').columns(['status', 'created_seq']).execute();
    await db.schema.createIndex('tasks_seq').on('tasks').column('created_seq').unique().execute();

    await db.schema
      .createTable('approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('approver_role', 'text', (c) => c.notNull())
      .addColumn('required', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('escalation_policy', 'text')
      .addColumn('escalate_to', 'text')
      .addColumn('decided_at', 'bigint')
      .execute();
    await db.schema.createIndex('approvals_task').on('approvals').column('task_id').execute();
    await db.schema.createIndex('approvals_due').on('approvals').columns(['status', 'expires_at']).execute();

    await db.schema
      .createTable('approval_roles')
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('approval_roles_pk', ['role', 'approval_id'])
      .execute();
    // The primary key serves the inbox (by role); this serves "which roles may decide this gate".
    await db.schema
      .createIndex('approval_roles_by_approval')
      .on('approval_roles')
      .columns(['approval_id', 'role'])
      .execute();

    await db.schema
      .createTable('decisions')
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('feedback', 'text')
      .addColumn('edits', 'text')
      .addColumn('payload_digest', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'bigint', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('ledger_index', 'bigint', (c) => c.notNull())
      // One seat per person per gate, enforced by the store as well as by the service.
      .addPrimaryKeyConstraint('decisions_one_seat', ['approval_id', 'principal_id'])
      .execute();
    await db.schema.createIndex('decisions_task').on('decisions').column('task_id').execute();

    await db.schema
      .createTable('idempotency_keys')
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal_id', 'key'])
      .execute();

    await db.schema
      .createTable('ledger_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into ledger_head (id, size) values (1, 0)`.execute(db);

    await db.schema
      .createTable('ledger_entries')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('entry', 'text', (c) => c.notNull())
      .addColumn('leaf_hash', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .execute();
    await db.schema.createIndex('ledger_entries_task').on('ledger_entries').columns(['task_id', 'seq']).execute();

    // Perfect-subtree hashes (level 0 = leaves). Appends write O(log n) rows; any root or proof
    // reads O(log n) rows, so nothing ever rescans the log.
    await db.schema
      .createTable('ledger_nodes')
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx'])
      .execute();

    await db.schema
      .createTable('checkpoints')
      .addColumn('size', 'bigint', (c) => c.primaryKey())
      .addColumn('root_hash', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
