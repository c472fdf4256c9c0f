import { DEFAULT_MAX_REVISIONS, HumanOSError } from '@humanos/core';
import type { Transaction } from 'kysely';
import { checkSessionAge } from '../auth/freshness.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { NewEntry } from '../kernel/ledger.js';
import { iso } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { cancelGates } from './gates.js';
import { pathOf } from './path.js';
import type { ChangesRequestedResult } from './schemas.js';
import { checkSeen } from './seen.js';
import { checkAuthority, checkOpen, checkSeat, type Subject, subjectOf } from './subject.js';

/** What an approver sends instead of a verdict. */
export interface RequestChangesInput {
  feedback: string;
  /** The digest of the payload the approver was shown; required (the feedback is about that version). */
  payloadDigest?: string;
  /** When given, must be the caller. */
  by?: string;
  channel?: 'api' | 'web' | 'slack' | 'email';
}

/**
 * An approver answers a task's execution approval with feedback instead of a verdict (issue 26): the
 * task goes back to its agent (`changes_requested`), every gate of this version — open, waiting and
 * already approved — is cancelled (its approvals never count again, see `executionAuthority`), and
 * a `task.changes_requested` entry records who asked, on which gate, for which payload digest and
 * what. Checked like a decision, in one transaction, with the gate and the task locked: the same
 * authority (a human holding the gate's role, not the requester, one seat per person), an open gate,
 * and the digest the approver saw (`stale_payload` for another version, nothing written). Refused
 * with `revision_limit` when the task has been revised as often as the policy allows.
 *
 * @example
 * await requestChanges(deps, cfo, 'approval:human:…', { feedback: 'Pay the March invoice, not February', payloadDigest });
 */
export async function requestChanges(
  deps: FeatureDeps,
  actor: Principal,
  approvalId: string,
  input: RequestChangesInput,
): Promise<ChangesRequestedResult> {
  const now = deps.now();
  const feedback = input.feedback.trim();
  if (feedback === '') throw new HumanOSError('validation_failed', 'feedback is required to request changes');
  return deps.write(async (trx, touched) => {
    const s = await subjectOf(trx, approvalId, now, actor.id);
    // `by` is checked as a rejection's `rejectedBy` would be; the verdict only words that message.
    await checkAuthority(deps, trx, actor, s, 'rejected', { by: input.by });
    checkOpen(s);
    checkSessionAge(deps.policy, actor, s.gate, s.task, now);
    if (s.gate.kind !== 'execution' || s.task.status !== 'awaiting_approval')
      throw new HumanOSError(
        'invalid_state',
        `changes can be requested on a task's execution approval while it awaits approval (${s.gate.id} is a ${s.gate.kind} gate of a ${s.task.status} task)`,
        { taskStatus: s.task.status },
      );
    if (input.payloadDigest === undefined)
      throw new HumanOSError(
        'payload_digest_required',
        'say which version you ask changes for with payloadDigest (or If-Match): the currentDigest of GET /approvals/{id}',
      );
    // A digest of another version: 409 stale_payload with the current one and the diff.
    await checkSeen(trx, s.gate, s.task, s.version, 'rejected', input.payloadDigest);
    await checkSeat(trx, actor, s, pathOf(s.gate, s.task, s.pathGates));
    const version = await openVersion(deps, trx, s);
    const upd = await trx
      .updateTable('tasks')
      .set({ status: 'changes_requested', updated_at: now })
      .where('id', '=', s.task.id)
      .where('status', '=', 'awaiting_approval')
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1)
      throw new HumanOSError('invalid_state', `task ${s.task.id} changed concurrently`);
    const reason = `changes requested by ${actor.id}`;
    const cancelled = await cancelGates(
      trx,
      [s.task.id],
      { statuses: ['pending', 'waiting', 'approved'], kind: 'execution' },
      { actor: actor.id, now, reason },
    );
    const ledgerIndex = await record(deps, trx, actor, s, { version, feedback, channel: input.channel, cancelled });
    touched.add(s.task.id);
    return {
      approvalId,
      taskId: s.task.id,
      taskStatus: 'changes_requested' as const,
      requestedBy: actor.id,
      requestedAt: iso(now),
      feedback,
      version,
      payloadDigest: s.version.digest,
      ledgerIndex,
    };
  });
}

/** The `task.changes_requested` entry (with the gates it cancelled) and the `task_versions` row. */
async function record(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actor: Principal,
  s: Subject,
  r: { version: number; feedback: string; channel: RequestChangesInput['channel']; cancelled: NewEntry[] },
): Promise<number> {
  const { version, feedback, cancelled } = r;
  const now = s.now;
  const approvalId = s.gate.id;
  const data = {
    version,
    payloadDigest: s.version.digest,
    feedback,
    requestedBy: actor.id,
    channel: r.channel ?? 'api',
    cancelledApprovals: cancelled.map((e) => e.approvalId),
  };
  const appended = await deps.ledger.append(trx, [
    { type: 'task.changes_requested', at: iso(now), actor: actor.id, taskId: s.task.id, approvalId, data },
    ...cancelled,
  ]);
  const ledgerIndex = appended.seqs[0] as number;
  await trx
    .insertInto('task_versions')
    .values({
      task_id: s.task.id,
      version,
      payload_digest: s.version.digest,
      approval_id: approvalId,
      requested_by: actor.id,
      feedback,
      requested_at: now,
      requested_seq: ledgerIndex,
      revised_at: null,
      revised_digest: null,
      revised_seq: null,
      diff: null,
    })
    .execute();
  return ledgerIndex;
}

/** The version changes are asked for (1 + the revisions so far); refused at the policy's revision limit. */
async function openVersion(deps: FeatureDeps, trx: Transaction<Database>, s: Subject): Promise<number> {
  const revisions = await revisionsOf(trx, s.task.id);
  const max = maxRevisions(deps);
  if (revisions >= max)
    throw new HumanOSError(
      'revision_limit',
      `task ${s.task.id} has been revised ${revisions} times, the most the policy allows (maxRevisions ${max}): approve or reject it`,
      { revisions, maxRevisions: max },
    );
  return revisions + 1;
}

/** How many times a task has been revised. */
export async function revisionsOf(trx: Transaction<Database>, taskId: string): Promise<number> {
  const row = await trx
    .selectFrom('task_versions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('task_id', '=', taskId)
    .where('revised_at', 'is not', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The policy's revision limit. */
export function maxRevisions(deps: Pick<FeatureDeps, 'policy'>): number {
  return deps.policy.maxRevisions ?? DEFAULT_MAX_REVISIONS;
}
