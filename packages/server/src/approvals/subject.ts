import { HumanOSError } from '@humanos/core';
import { sql, type Transaction } from 'kysely';
import { type Delegated, delegatedAuthority, seatHolders } from '../delegations/authority.js';
import { isReadOnly, type Principal, READ_ONLY_DETAIL } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso, p, type TaskRow } from '../kernel/rows.js';
import { parseJsonArray } from '../store/dialect.js';
import { prepared, preparedShapes, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import { APPROVAL_COLUMNS } from './gates.js';
import { type ApprovalPath, LIVE } from './path.js';
import { type EditsShape, type EditsValues, editsAsked, editsOnPath, type PayloadVersion, versionNow } from './seen.js';

/**
 * What a decision is about and the checks every decision-like write makes on it (a decision, a
 * request for changes): load and lock, authority as it stands now, an open gate, one seat per person.
 */

type Verdict = 'approved' | 'rejected';

/** What a decision is about, loaded and locked in its transaction. */
export interface Subject {
  gate: ApprovalRow;
  task: TaskRow;
  /** The roles that may decide the gate (its rows in the inbox index, `approval_roles`). */
  roles: string[];
  now: number;
  /** The payload an approval would approve now (before this decision's edits), read under the locks. */
  version: PayloadVersion;
  /** A delegate's authority (the `authority` step): the decision is on behalf of the delegator. */
  delegated?: Delegated;
  /** The decider's principal row as it stands now (read with the gate), undefined if it is gone. */
  decider: Authority | undefined;
  /**
   * The live gates of the path the gate would be on (`pathOf`): its in-run decision's group, else
   * the task's execution gates. Read with the gate, locked by the same append lock.
   */
  pathGates: ApprovalRow[];
}

/** What authority a principal has now: its kind, roles (JSON text) and whether it is disabled. */
type Authority = Pick<Database['principals'], 'kind' | 'roles' | 'disabled_at'>;

const GATE = 'gate_';

/**
 * The gate, its task (both locked), the gate's roles, the decider's principal row (as a JSON array
 * of zero or one) and the gate's path (a JSON array of gates), compiled once (`store/prepared.ts`).
 */
const SUBJECT = prepared((db, v: Slots<{ approvalId: string; deciderId: string }>, dialect) =>
  dialect.forUpdate(
    db
      .selectFrom('approvals')
      .innerJoin('tasks', 'tasks.id', 'approvals.task_id')
      .selectAll('tasks')
      .select((eb) => [
        // Every column of the gate, named, so that it can be read beside its task in one joined row.
        ...APPROVAL_COLUMNS.map((c) => eb.ref(`approvals.${c}`).as(`${GATE}${c}`)),
        dialect
          .jsonArrayFrom(eb.selectFrom('approval_roles').select('role').whereRef('approval_id', '=', 'approvals.id'))
          .as(`${GATE}roles`),
        dialect
          .jsonArrayFrom(
            eb.selectFrom('principals').select(['kind', 'roles', 'disabled_at']).where('id', '=', v.deciderId),
          )
          .as(DECIDER),
        dialect
          .jsonArrayFrom(
            eb
              .selectFrom('approvals as p')
              .select(APPROVAL_COLUMNS.map((c) => `p.${c}` as const))
              .whereRef('p.task_id', '=', 'approvals.task_id')
              .where('p.status', 'in', LIVE)
              .where((w) =>
                w.or([
                  w.and([
                    w('approvals.kind', '=', 'decision'),
                    w('p.group_id', '=', w.fn.coalesce('approvals.group_id', 'approvals.id')),
                  ]),
                  w.and([w('approvals.kind', '!=', 'decision'), w('p.kind', '=', 'execution')]),
                ]),
              ),
          )
          .as(PATH),
      ])
      .where('approvals.id', '=', v.approvalId),
  ),
);

/** The columns the decider's principal row and the path's gates come back in (not a task column, not a gate one). */
const DECIDER = '_decider';
const PATH = '_path';

/**
 * Loads and locks what a decision is about in one statement: the gate, its task (both `for update`
 * on PostgreSQL, which serialises deciders of one gate so quorum counting cannot race), the roles
 * that may decide the gate (the inbox index, as one JSON array), the decider's principal row as
 * it stands now (`checkAuthority` judges it) and the live gates of the gate's path (`pathOf`; read
 * for every gate, used for those on a path: a column costs less than a round trip). The append lock is held already (`Ledger.begin`), and
 * every change of roles or of `disabled_at` is a ledger write, so none can commit between this
 * read and the decision's commit.
 *
 * @example
 * const s = await subjectOf(trx, 'approval:human:…', deps.now(), actor.id);
 */
export async function subjectOf(
  trx: Transaction<Database>,
  approvalId: string,
  now: number,
  deciderId: string,
): Promise<Subject> {
  const row = (await SUBJECT.first(trx, { approvalId, deciderId })) as Record<string, unknown> | undefined;
  if (!row) throw new HumanOSError('not_found', `no approval ${approvalId}`);
  const [decider] = parseJsonArray<Authority>(row[DECIDER]);
  const pathGates = parseJsonArray<ApprovalRow>(row[PATH]);
  delete row[DECIDER];
  delete row[PATH];
  const task: Record<string, unknown> = {};
  const gate: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith(GATE)) gate[k.slice(GATE.length)] = v;
    else task[k] = v;
  }
  const roles = parseJsonArray<{ role: string }>(gate.roles).map((r) => r.role);
  delete gate.roles;
  const g = gate as ApprovalRow;
  const t = task as TaskRow;
  return { gate: g, task: t, roles, now, version: versionNow(g, t), decider, pathGates };
}

export async function checkAuthority(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actor: Principal,
  { gate, task, roles, now, decider: current }: Subject,
  verdict: Verdict,
  input: { by?: string },
): Promise<Delegated | undefined> {
  // Authority as it stands now (read with the gate), not as a cached principal remembers it.
  if (!current || current.disabled_at !== null) {
    throw new HumanOSError('unauthorized', 'principal no longer exists or is disabled');
  }
  const currentRoles = p<string[]>(current.roles);
  const holdsRole = roles.some((r) => currentRoles.includes(r));
  // Without the role, a delegation in force may give it (on behalf of its delegator; delegations/).
  const delegated = holdsRole ? undefined : await delegatedAuthority(deps, trx, actor.id, roles, gate, task, now);
  // Holding one of the gate's roles makes the task visible; only others need the visibility query.
  if (!holdsRole && !delegated && !(await deps.access.canSee(trx, { ...actor, roles: currentRoles }, task))) {
    throw new HumanOSError('not_found', `no approval ${gate.id}`);
  }
  // The same rule as every REST write (a relay only reads), here so that Slack and e-mail share it.
  if (isReadOnly({ id: actor.id, kind: current.kind as Principal['kind'], roles: currentRoles })) {
    throw new HumanOSError('forbidden', READ_ONLY_DETAIL);
  }
  if (input.by !== undefined && input.by !== actor.id) {
    throw new HumanOSError(
      'approved_by_mismatch',
      `${verdict === 'approved' ? 'approvedBy' : 'rejectedBy'} must be the caller (${actor.id})`,
    );
  }
  if (current.kind !== 'human') throw new HumanOSError('agent_cannot_decide', 'agents never decide approvals');
  if (task.requester === actor.id || task.on_behalf_of === actor.id) {
    throw new HumanOSError('requester_cannot_decide', 'the requester of a task cannot decide its approvals');
  }
  if (!holdsRole && !delegated) {
    throw new HumanOSError('role_required', `deciding this approval needs one of the roles: ${roles.join(', ')}`);
  }
  return delegated;
}

/** The gate must be pending, not past its deadline, and its turn in the chain. */
export function checkOpen({ gate, now }: Subject): void {
  if (gate.status === 'expired' || (gate.status === 'pending' && gate.expires_at !== null && now >= gate.expires_at)) {
    throw new HumanOSError('approval_expired', `approval ${gate.id} expired at ${iso(gate.expires_at ?? now)}`);
  }
  if (gate.status === 'waiting') {
    throw new HumanOSError(
      'out_of_turn',
      `approval ${gate.id} is step ${gate.step + 1} of a chain; an earlier step is still open`,
    );
  }
  if (gate.status !== 'pending') {
    throw new HumanOSError('already_decided', `approval ${gate.id} is already ${gate.status}`, {
      approvalStatus: gate.status,
    });
  }
}

/**
 * One seat per person per gate, and across the gates of a path (chain steps, escalations, the steps
 * of one in-run decision): one person cannot fill two. Only approvals of the payload as it stands
 * hold a seat: someone whose approval was for an earlier version is asked again, on the same gate.
 */
export async function checkSeat(
  trx: Transaction<Database>,
  actor: Principal,
  s: Subject,
  path: ApprovalPath | undefined,
): Promise<void> {
  const { shape, values } = seatAsked(actor, s, path);
  refuseSeated(actor, s.gate, (await SEAT(`${shape}:none`).first(trx, values))?.seated ?? undefined);
}

/**
 * `checkSeat`'s read and `editsOnPath` (asked only when the approval names no digest) as one
 * statement of two subqueries: the gate a seat is held on (if any), and whether the path was edited.
 */
export async function seatAndEdits(
  trx: Transaction<Database>,
  actor: Principal,
  s: Subject,
  path: ApprovalPath | undefined,
  askEdited: boolean,
): Promise<{ seated: string | undefined; edited: boolean | undefined }> {
  const { shape, values } = seatAsked(actor, s, path);
  if (!askEdited) {
    return { seated: (await SEAT(`${shape}:none`).first(trx, values))?.seated ?? undefined, edited: undefined };
  }
  const edits = editsAsked(s.gate, s.task);
  const row = await SEAT(`${shape}:${edits.shape}`).first(trx, { ...values, ...edits.values });
  // SQLite answers `exists` with 0/1, PostgreSQL with a boolean.
  return { seated: row?.seated ?? undefined, edited: Boolean(row?.edited) };
}

/** Throws `already_seated` when `seated` names the gate the actor holds a seat on. */
export function refuseSeated(actor: Principal, gate: ApprovalRow, seated: string | null | undefined): void {
  if (seated === null || seated === undefined) return;
  throw new HumanOSError(
    'already_seated',
    seated === gate.id
      ? `${actor.id} has already decided on ${gate.id}`
      : `${actor.id} already decided an earlier step of this task; each step needs a different person`,
  );
}

/** Where a seat is looked for: this gate alone, or the gates of its path (an execution chain, an in-run decision). */
type SeatOn = 'gate' | 'execution' | 'decision';
/** Whose seat: the actor's, or (a delegate's decision) the actor's and the delegator's. */
type SeatShape = `${SeatOn}:${'self' | 'delegated'}`;

type SeatValues = EditsValues & { actor: string; delegator: string; digest: string };

/** The shape and values of the seat query for `actor` deciding `s`. */
function seatAsked(
  actor: Principal,
  { gate, task, delegated }: Subject,
  path: ApprovalPath | undefined,
): { shape: SeatShape; values: SeatValues } {
  return {
    shape: `${path ? path.kind : 'gate'}:${delegated ? 'delegated' : 'self'}`,
    values: {
      taskId: task.id,
      gateId: gate.id,
      groupId: gate.group_id ?? gate.id,
      actor: actor.id,
      delegator: delegated?.delegator ?? actor.id,
      digest: path?.digest ?? '',
    },
  };
}

/**
 * The seat `actor` already holds on this gate, or on another gate of its path, for the payload as it
 * stands (as `seated`); with an edits shape, also whether the path was edited (as `edited`). One
 * prepared statement per shape.
 */
const SEAT = preparedShapes((db, v: Slots<SeatValues>, shape: `${SeatShape}:${EditsShape | 'none'}`) => {
  const [on, who, edits] = shape.split(':') as [SeatOn, 'self' | 'delegated', EditsShape | 'none'];
  let q = db
    .selectFrom('decisions')
    .innerJoin('approvals', 'approvals.id', 'decisions.approval_id')
    .select('decisions.approval_id as seated')
    .where('decisions.task_id', '=', v.taskId)
    .where(seatHolders(who === 'delegated' ? [v.actor, v.delegator] : [v.actor]))
    // A cancelled gate holds no seat: its decisions count for nothing (an earlier version's, issue 26).
    .where('approvals.status', '!=', 'cancelled');
  if (on === 'gate') q = q.where('decisions.approval_id', '=', v.gateId);
  else {
    q = q.where('decisions.payload_digest', '=', v.digest);
    q =
      on === 'execution' ? q.where('approvals.kind', '=', 'execution') : q.where('approvals.group_id', '=', v.groupId);
  }
  const seat = q.limit(1);
  if (edits === 'none') return seat.select(sql<null>`null`.as('edited'));
  return db.selectNoFrom((eb) => [seat.as('seated'), eb.exists(editsOnPath(db, v, edits)).as('edited')]);
});
