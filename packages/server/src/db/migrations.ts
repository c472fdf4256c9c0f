import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/**
 * One numbered migration set for both dialects. Only portable types are used (text, integer,
 * bigint); times are epoch milliseconds so ordering and deadline comparisons are plain integer
 * comparisons on both engines.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
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
  },
  '0002_policies': {
    // Chains open their steps one by one: a waiting step remembers its reason and its own timeout.
    // Reminders are durable rows too (remind_at), swept like deadlines.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('approvals').addColumn('reason', 'text').execute();
      await db.schema.alterTable('approvals').addColumn('timeout_ms', 'bigint').execute();
      await db.schema.alterTable('approvals').addColumn('remind_at', 'bigint').execute();
      await db.schema
        .alterTable('approvals')
        .addColumn('reminded', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('approvals_remind').on('approvals').columns(['status', 'remind_at']).execute();
    },
  },
  '0003_inbox_index': {
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
  },
  '0004_in_run_decisions': {
    // In-run decision gates carry the agent's proposal for that decision (and, once approved, the
    // approved payload); tasks remember the client's autonomy settings that apply during the run.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('approvals').addColumn('proposal', 'text').execute();
      await db.schema.alterTable('tasks').addColumn('client', 'text').execute();
    },
  },
  '0005_execution': {
    // Leases: a fencing token (lease_id) and its expiry per execution attempt; the latest confidence
    // the executor reported; who took a task over. Feedback rows feed calibration.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').addColumn('lease_id', 'text').execute();
      await db.schema.alterTable('tasks').addColumn('lease_expires_at', 'bigint').execute();
      await db.schema
        .alterTable('tasks')
        .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('tasks').addColumn('last_confidence', 'double precision').execute();
      await db.schema.alterTable('tasks').addColumn('overridden_by', 'text').execute();
      await db.schema.createIndex('tasks_lease').on('tasks').columns(['status', 'lease_expires_at']).execute();
      await db.schema
        .createTable('feedback')
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('capabilities', 'text', (c) => c.notNull())
        .addColumn('quality', 'text', (c) => c.notNull())
        .addColumn('correctness', 'integer')
        .addColumn('comments', 'text')
        .addColumn('improvements', 'text', (c) => c.notNull())
        .addColumn('confidence', 'double precision')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('feedback_pk', ['task_id', 'principal_id'])
        .execute();
      await db.schema.createIndex('feedback_agent').on('feedback').columns(['agent_id', 'created_at']).execute();
    },
  },
  '0006_routing': {
    // Resources register capabilities; a routing decision assigns a task to one resource.
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('principals')
        .addColumn('capabilities', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema.alterTable('tasks').addColumn('assigned_to', 'text').execute();
    },
  },
  '0007_webhooks': {
    // Subscriptions, and an outbox of deliveries written in the transaction that appends the event:
    // an event is in the ledger if and only if its deliveries are queued.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_by_hook')
        .on('webhook_deliveries')
        .columns(['webhook_id', 'seq'])
        .execute();
    },
  },
  '0008_principal_lifecycle': {
    // Principals can be disabled and their tokens rotated.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('principals').addColumn('disabled_at', 'bigint').execute();
      await db.schema.alterTable('principals').addColumn('token_rotated_at', 'bigint').execute();
    },
  },
  '0009_token_expiry': {
    // A token may be issued with an expiry (short-lived agent credentials).
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('principals').addColumn('token_expires_at', 'bigint').execute();
    },
  },
  '0010_proposed_payload': {
    // The payload as the agent proposed it, kept when earlier approvers' edits change `payload`.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').addColumn('proposed_payload', 'text').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
