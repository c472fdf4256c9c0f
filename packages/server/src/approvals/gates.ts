import { type GateKind, type GateSpec, newApprovalId } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import type { NewEntry } from '../kernel/ledger.js';
import { type ApprovalRow, type DecisionRow, iso, type TaskRow } from '../kernel/rows.js';
import { parseJsonArray } from '../store/dialect.js';
import { allColumns, prepared, preparedInsert, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';

/** How a side gate (an in-run decision, a review) is opened: for whom, why, and its deadline. */
export interface SideGateOptions {
  reason: string;
  escalateTo: string | undefined;
  timeoutSec?: number | null;
  escalationPolicy?: 'auto' | 'reject' | null;
  escalationTarget?: string | null;
  proposal?: unknown;
}

/** Every column of a gate (`approvals`), checked by the compiler: one added by a migration and not named here fails to compile. */
export const APPROVAL_COLUMNS = allColumns<'approvals'>({
  id: 1,
  task_id: 1,
  kind: 1,
  step: 1,
  approver_role: 1,
  required: 1,
  status: 1,
  requested_at: 1,
  expires_at: 1,
  escalation_policy: 1,
  escalate_to: 1,
  decided_at: 1,
  reason: 1,
  timeout_ms: 1,
  remind_at: 1,
  reminded: 1,
  proposal: 1,
  group_id: 1,
  bulk_approvable: 1,
  min_review_seconds: 1,
  claimed_by: 1,
  claimed_until: 1,
  assignee: 1,
  assigned_by: 1,
  assigned_at: 1,
  attention_check: 1,
});

/** Every column of a decision row, checked likewise. */
export const DECISION_COLUMNS = allColumns<'decisions'>({
  approval_id: 1,
  task_id: 1,
  principal_id: 1,
  verdict: 1,
  reason: 1,
  feedback: 1,
  edits: 1,
  payload_digest: 1,
  decided_at: 1,
  record: 1,
  signature: 1,
  ledger_index: 1,
  on_behalf_of: 1,
  delegation_id: 1,
});

/** Reminders go out when this share of a gate's time has passed. */
export const REMIND_AT = 0.8;

/**
 * A task's decisions in the order they were made. Not row order: a seat's changed decision is
 * updated in place (the upsert on the seat key keeps the row where it was).
 *
 * @example const decisions = await taskDecisions(db, task.id);
 */
export function taskDecisions(db: Kysely<Database>, taskId: string): Promise<DecisionRow[]> {
  return TASK_DECISIONS.rows(db, { taskId });
}

const TASK_DECISIONS = prepared((db, v: Slots<{ taskId: string }>) =>
  // Equal clock times are ordered as they were made (the log's order), not as rows happen to lie.
  db.selectFrom('decisions').selectAll().where('task_id', '=', v.taskId).orderBy('decided_at').orderBy('ledger_index'),
);

/**
 * A task's gates, in the order its views show them, and its decisions, in the order they were made
 * (`taskDecisions`), in one statement: each as
 * one JSON array column (a task's view needs both; on PostgreSQL a statement is a round trip).
 * Sorted here rather than trusted to the aggregate's input order, which SQL leaves unspecified.
 *
 * @example const { gates, decisions } = await taskGatesAndDecisions(trx, task.id);
 */
export async function taskGatesAndDecisions(db: Kysely<Database>, taskId: string): Promise<GatesAndDecisions> {
  return inOrder(await GATES_AND_DECISIONS.first(db, { taskId }));
}

/** A task's gates and decisions, in the order its view shows them. */
export interface GatesAndDecisions {
  gates: ApprovalRow[];
  decisions: DecisionRow[];
}

/**
 * A task's row, locked for the rest of the transaction, with its gates and decisions
 * (`taskGatesAndDecisions`) in the same statement: what finishing a task reads. Undefined when
 * there is no such task.
 *
 * @example const read = await lockTaskWithGates(trx, taskId); // read?.task.status, read?.gates
 */
export async function lockTaskWithGates(
  trx: Transaction<Database>,
  taskId: string,
): Promise<({ task: TaskRow } & GatesAndDecisions) | undefined> {
  const row = await TASK_WITH_GATES_LOCKED.first(trx, { taskId });
  if (!row) return undefined;
  const { gates, decisions, ...task } = row;
  return { task, ...inOrder({ gates, decisions }) };
}

const inOrder = (row: { gates: unknown; decisions: unknown } | undefined): GatesAndDecisions => ({
  gates: parseJsonArray<ApprovalRow>(row?.gates).sort(byGateOrder),
  decisions: parseJsonArray<DecisionRow>(row?.decisions).sort(byDecisionOrder),
});

const TASK_WITH_GATES_LOCKED = prepared((db, v: Slots<{ taskId: string }>, dialect) =>
  dialect.forUpdate(
    db
      .selectFrom('tasks')
      .selectAll('tasks')
      .select((eb) => [
        dialect
          .jsonArrayFrom(
            eb.selectFrom('approvals').select(APPROVAL_COLUMNS).whereRef('approvals.task_id', '=', 'tasks.id'),
          )
          .as('gates'),
        dialect
          .jsonArrayFrom(
            eb.selectFrom('decisions').select(DECISION_COLUMNS).whereRef('decisions.task_id', '=', 'tasks.id'),
          )
          .as('decisions'),
      ])
      .where('tasks.id', '=', v.taskId),
  ),
);

const GATES_AND_DECISIONS = prepared((db, v: Slots<{ taskId: string }>, dialect) =>
  db.selectNoFrom((eb) => [
    // Columns named: SQLite's JSON objects need them (Kysely's helper refuses `selectAll`).
    dialect
      .jsonArrayFrom(eb.selectFrom('approvals').select(APPROVAL_COLUMNS).where('task_id', '=', v.taskId))
      .as('gates'),
    dialect
      .jsonArrayFrom(eb.selectFrom('decisions').select(DECISION_COLUMNS).where('task_id', '=', v.taskId))
      .as('decisions'),
  ]),
);

/** Code-unit order (not a collation): the same in JavaScript on both databases. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Decision gates before execution gates (kind descending), then step, time, and id (two reads agree). */
const byGateOrder = (a: ApprovalRow, b: ApprovalRow): number =>
  cmp(b.kind, a.kind) || a.step - b.step || a.requested_at - b.requested_at || cmp(a.id, b.id);

/** `TASK_DECISIONS`' order: by time, then (equal clock times) the order they were made in, the log's. */
const byDecisionOrder = (a: DecisionRow, b: DecisionRow): number =>
  a.decided_at - b.decided_at || a.ledger_index - b.ledger_index;

/** Opens a gate: its row, and one inbox-index row per role that may decide it. */
export async function insertGate(trx: Transaction<Database>, g: ApprovalRow, roles: string[]): Promise<void> {
  // Held (`store/held.ts`): sent with the operation's other writes, in one round trip on PostgreSQL.
  await INSERT_GATE.later(trx, [g]);
  await INSERT_GATE_ROLES.later(
    trx,
    roles.map((role) => ({ approval_id: g.id, role, status: g.status, requested_at: g.requested_at })),
  );
}

/** Mirrors gate status and open time into approval_roles (the inbox index) after a change. */
export async function syncRoles(
  trx: Transaction<Database>,
  which: { approvalId: string } | { taskId: string } | { taskIds: readonly string[] },
): Promise<void> {
  if ('taskIds' in which && which.taskIds.length === 0) return;
  await trx
    .updateTable('approval_roles')
    .set((eb) => ({
      status: eb
        .selectFrom('approvals')
        .select('approvals.status')
        .whereRef('approvals.id', '=', 'approval_roles.approval_id'),
      requested_at: eb
        .selectFrom('approvals')
        .select('approvals.requested_at')
        .whereRef('approvals.id', '=', 'approval_roles.approval_id'),
    }))
    .where((eb) =>
      'approvalId' in which
        ? eb('approval_id', '=', which.approvalId)
        : eb(
            'approval_id',
            'in',
            eb
              .selectFrom('approvals')
              .select('approvals.id')
              .where((w) =>
                'taskId' in which
                  ? w('approvals.task_id', '=', which.taskId)
                  : w('approvals.task_id', 'in', which.taskIds),
              ),
          ),
    )
    .execute();
}

/** Sets the inbox index's status of gates whose new status is known (a cheaper `syncRoles`). */
export async function setRoleStatus(trx: Transaction<Database>, approvalIds: readonly string[], status: string) {
  if (approvalIds.length === 0) return;
  if (approvalIds.length === 1) await ROLE_STATUS.later(trx, { approvalId: approvalIds[0] as string, status });
  else await trx.updateTable('approval_roles').set({ status }).where('approval_id', 'in', approvalIds).execute();
}

/** One gate's status mirrored into the inbox index (a decision's case), compiled once. */
const ROLE_STATUS = prepared((db, v: Slots<{ approvalId: string; status: string }>) =>
  db.updateTable('approval_roles').set({ status: v.status }).where('approval_id', '=', v.approvalId),
);

/**
 * Cancels the gates of `taskIds` in one of `from.statuses` (and of `kind`, when given): chain steps
 * that will never open, a review answered by an override, the open gates of a withdrawn task. Returns one `approval.cancelled` entry per
 * gate, saying why, for the caller to append with the change that caused it.
 */
export async function cancelGates(
  trx: Transaction<Database>,
  taskIds: readonly string[],
  from: { statuses: readonly ('waiting' | 'pending' | 'approved')[]; kind?: GateKind; group?: string },
  cause: { actor: string; now: number; reason: string },
): Promise<NewEntry[]> {
  if (taskIds.length === 0) return [];
  let q = trx
    .updateTable('approvals')
    .set({ status: 'cancelled', decided_at: cause.now })
    .where('task_id', 'in', taskIds)
    .where('status', 'in', from.statuses);
  if (from.kind) q = q.where('kind', '=', from.kind);
  if (from.group)
    q = q.where((eb) => eb.or([eb('group_id', '=', from.group as string), eb('id', '=', from.group as string)]));
  const rows = await q.returning(['id', 'task_id']).execute();
  await setRoleStatus(
    trx,
    rows.map((r) => r.id),
    'cancelled',
  );
  return rows.map((r) => ({
    type: 'approval.cancelled',
    at: iso(cause.now),
    actor: cause.actor,
    taskId: r.task_id,
    approvalId: r.id,
    data: { reason: cause.reason },
  }));
}

/** The ledger entry that records a gate opening (`approval.requested`). */
export function gateOpenedEntry(g: ApprovalRow, actor: string, now: number): NewEntry {
  return {
    type: 'approval.requested',
    at: iso(now),
    actor,
    taskId: g.task_id,
    approvalId: g.id,
    data: {
      kind: g.kind,
      step: g.step,
      status: g.status,
      reason: g.reason,
      approverRole: g.approver_role,
      required: g.required,
      expiresAt: g.expires_at === null ? null : iso(g.expires_at),
      escalationPolicy: g.escalation_policy,
      escalateTo: g.escalate_to,
    },
  };
}

/** A new gate's row: its deadline and reminder start now if it opens now (`pending`). */
export function newGateRow(
  taskId: string,
  kind: GateKind,
  step: number,
  spec: GateSpec,
  status: 'pending' | 'waiting',
  now: number,
): ApprovalRow {
  const timeoutMs = spec.timeoutSec === null ? null : spec.timeoutSec * 1000;
  const open = status === 'pending';
  return {
    id: newApprovalId(),
    task_id: taskId,
    kind,
    step,
    approver_role: spec.roles.join(', '),
    required: spec.required,
    status,
    requested_at: now,
    expires_at: open && timeoutMs !== null ? now + timeoutMs : null,
    escalation_policy: spec.escalationPolicy,
    escalate_to: spec.escalateTo,
    decided_at: null,
    reason: spec.reason,
    timeout_ms: timeoutMs,
    remind_at: open && timeoutMs !== null ? now + Math.floor(timeoutMs * REMIND_AT) : null,
    reminded: 0,
    proposal: null,
    group_id: null,
    bulk_approvable: spec.bulkApprovable ? 1 : 0,
    min_review_seconds: spec.minReviewSeconds ?? null,
    claimed_by: null,
    claimed_until: null,
    assignee: null,
    assigned_by: null,
    assigned_at: null,
    attention_check: null,
  };
}

/** A waiting chain step as it is when it opens now: its own deadline starts now. */
export function openStep(g: ApprovalRow, now: number): ApprovalRow {
  return {
    ...g,
    status: 'pending',
    requested_at: now,
    expires_at: g.timeout_ms === null ? null : now + g.timeout_ms,
    remind_at: g.timeout_ms === null ? null : now + Math.floor(g.timeout_ms * REMIND_AT),
  };
}

const INSERT_GATE = preparedInsert('approvals', APPROVAL_COLUMNS);
const INSERT_GATE_ROLES = preparedInsert('approval_roles', ['approval_id', 'role', 'status', 'requested_at']);
