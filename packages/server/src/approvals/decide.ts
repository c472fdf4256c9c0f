import {
  type AiProposal,
  type ApprovalStatus,
  applyMergePatch,
  canonicalJson,
  canTransition,
  type DecisionRecord,
  gateRisk,
  gateStatusAfter,
  type HumanInLoop,
  HumanOSError,
  isSideGate,
  type PasskeyAssertion,
  payloadDigest,
  type RiskAssessment,
  riskRank,
  signDecision,
  type TaskStatus,
  taskStatusAfter,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import { authOf, checkSessionAge } from '../auth/freshness.js';
import { onBehalfFields } from '../delegations/authority.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { completeRemembered, remember } from '../kernel/idempotency.js';
import type { NewEntry } from '../kernel/ledger.js';
import { type ApprovalRow, iso, j, moveTaskRow, p, type TaskRow } from '../kernel/rows.js';
import { checkPasskey, type PasskeyEvidence, passkeyEntryData } from '../passkeys/decision.js';
import { exactly } from '../store/held.js';
import { prepared, preparedInsert, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import { type ChosenAlternative, chosenAlternative } from './alternative.js';
import { cancelGates, DECISION_COLUMNS, gateOpenedEntry, openStep, setRoleStatus, syncRoles } from './gates.js';
import { type ApprovalPath, currentApprovals, pathOf, walkPath } from './path.js';
import { provenance } from './provenance.js';
import { responseOf } from './response.js';
import { checkReviewTime, restChannel } from './review.js';
import { routingTarget } from './routing.js';
import type { ApprovalResult, RejectionResult } from './schemas.js';
import { checkSeen } from './seen.js';
import { checkAuthority, checkOpen, refuseSeated, type Subject, seatAndEdits, subjectOf } from './subject.js';
import { taskWarnings } from './views.js';

export interface DecideInput {
  by?: string;
  /** Routing approvals: the resource to assign (default: the proposed one). */
  assignTo?: string;
  reason?: string;
  feedback?: string;
  edits?: Record<string, unknown>;
  /**
   * The digest of the payload the decider was shown (`sha256:…`). Checked in the decision's
   * transaction against the payload an approval would approve now (`checkSeen`): another version is
   * `stale_payload`; an approval without it is `payload_digest_required` once the payload has been edited.
   */
  payloadDigest?: string;
  /** Where the decision came from, recorded in the ledger entry's `data.channel` (default `api`). */
  channel?: 'api' | 'web' | 'slack' | 'email';
  /**
   * The approver's passkey assertion over this decision's challenge (`POST /approvals/{id}/passkey-challenge`),
   * required where the policy's `requirePasskey` applies; verified in the transaction (`checkPasskey`).
   */
  passkey?: PasskeyAssertion;
  /** Approve the proposal's alternative of this index instead (`alternative.ts`); never with `edits`. */
  alternative?: number;
}

type Verdict = 'approved' | 'rejected';

/** An `Idempotency-Key` and the fingerprint of the request it was sent with. */
export interface IdempotencyKey {
  key: string;
  hash: string;
}

/** The signed record of a decision and what it makes of the gate and the task. */
interface Outcome {
  record: DecisionRecord;
  signature: string;
  approvedPayload: unknown;
  gateStatus: ApprovalStatus;
  taskStatus: TaskStatus;
  nextStep: ApprovalRow | undefined;
  assignTo: string | undefined;
  /** On an approval path: the status every gate of the path moves to. */
  statuses?: Map<string, 'approved' | 'pending' | 'waiting'>;
  /** On an approval path: every gate approved for the payload as it now stands. */
  done?: boolean;
  /** Whether the policy demanded a passkey, and the verified assertion (the `passkey` step). */
  passkey?: PasskeyEvidence;
}

/** Execution gates and in-run decision steps form approval paths (see `path.ts`); others stand alone. */
function onPath(gate: ApprovalRow): boolean {
  return gate.kind === 'execution' || gate.kind === 'decision';
}

/**
 * Records one human's decision on a gate, as named steps in one transaction: load and lock
 * (`subjectOf`), authority (checked now, not when the gate opened), the gate's state, the payload
 * version its maker saw (`checkSeen`, under the locks), one seat per person, the input rules, the
 * signed record, then the gate, the task and the ledger. A refused decision writes nothing.
 *
 * @example
 * await decide(deps, cfo, 'approval:human:…', 'approved', { reason: 'within budget' });
 */
export async function decide(
  deps: FeatureDeps,
  actor: Principal,
  approvalId: string,
  verdict: Verdict,
  input: DecideInput,
  idem?: IdempotencyKey,
): Promise<ApprovalResult | RejectionResult> {
  const now = deps.now();
  const { value, seal } = await deps.writeSealed(async (trx, touched) => {
    const s: Subject = await subjectOf(trx, approvalId, now, actor.id);
    s.delegated = await checkAuthority(deps, trx, actor, s, verdict, input);
    checkOpen(s);
    checkSessionAge(deps.policy, actor, s.gate, s.task, now); // maxSessionAge: a fresh sign-in for high risk
    const path = onPath(s.gate) ? pathOf(s.gate, s.task, s.pathGates) : undefined;
    // The seat and the path's edits in one read; checked in the same order as ever (digest, then seat).
    const facts = await seatAndEdits(trx, actor, s, path, verdict === 'approved' && input.payloadDigest === undefined);
    await checkSeen(trx, s.gate, s.task, s.version, verdict, input.payloadDigest, facts.edited);
    refuseSeated(actor, s.gate, facts.seated);
    checkInput(s, verdict, input);
    await checkReviewTime(trx, actor, s.gate, input.channel ?? restChannel(actor), now); // minReviewSeconds
    const chosen = chosenAlternative(s.gate, s.task, verdict, input); // approve one of the proposal's alternatives
    const o = await outcomeOf(deps, trx, actor, s, verdict, input, path, chosen);
    o.passkey = await checkPasskey(deps, trx, actor, s, o.record, input.passkey);
    const extra = await moveGates(trx, actor, s, o, path);
    await moveTask(trx, actor, s, o, path);
    const ledgerIndex = await record(deps, trx, actor, s, o, extra, input);
    touched.add(s.task.id);
    if (idem) {
      // Remembered with the decision, so a retry can never decide twice; the proof is added after commit.
      const partial = responseOf(actor, approvalId, o, verdict, { ledgerIndex, approvalSignature: o.signature });
      await remember(trx, actor.id, idem.key, idem.hash, { statusCode: 200, body: partial }, now);
    }
    return { o, ledgerIndex, requestedAt: s.gate.requested_at };
  });
  if (!seal) throw new Error('a decision committed without a ledger checkpoint');
  deps.onDecided({ approvalId, verdict, at: now, requestedAt: Number(value.requestedAt) });
  const prov = await provenance(deps, value.ledgerIndex, seal, value.o.signature);
  const response = responseOf(actor, approvalId, value.o, verdict, prov);
  if (idem) await completeRemembered(deps.db, actor.id, idem.key, response);
  return response;
}

/** Reasons, feedback and edits as the task's HITL settings and risk require. */
function checkInput({ gate, task }: Subject, verdict: Verdict, input: DecideInput): void {
  if (gate.kind === 'audit' && input.edits !== undefined)
    throw new HumanOSError('validation_failed', 'a spot-check cannot edit the payload of a task that already ran');
  const hitl = p<HumanInLoop>(task.hitl);
  const risk = gateRisk({ kind: gate.kind, proposal: p(gate.proposal) }, p<RiskAssessment>(task.risk));
  const reason = (input.reason ?? '').trim();
  if (verdict === 'rejected' && reason === '') {
    throw new HumanOSError('validation_failed', 'rejectionReason is required');
  }
  if (
    verdict === 'approved' &&
    reason === '' &&
    (hitl.requireExplicitReason || riskRank(risk.level) >= riskRank('high'))
  ) {
    throw new HumanOSError('validation_failed', 'approvalReason is required for this task');
  }
  if (hitl.requireExplicitFeedback && !(input.feedback ?? '').trim()) {
    throw new HumanOSError('validation_failed', 'feedback is required for this task (requireExplicitFeedback)');
  }
  if (verdict === 'rejected' && input.edits !== undefined) {
    throw new HumanOSError('validation_failed', 'edits can only accompany an approval');
  }
}

/** The signed decision record, and the statuses the gate and the task move to. */
async function outcomeOf(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actor: Principal,
  { gate, task, now, version, delegated }: Subject,
  verdict: Verdict,
  input: DecideInput,
  path: ApprovalPath | undefined,
  chosen?: ChosenAlternative,
): Promise<Outcome> {
  // Edits apply over exactly the version the decider's digest was checked against; a chosen
  // alternative replaces it (it moves the path on as an edit does).
  const payload = version.payload;
  const approvedPayload = chosen ? chosen.payload : input.edits ? applyMergePatch(payload, input.edits) : payload;
  const record: DecisionRecord = {
    type: 'humanos.decision/v1',
    origin: deps.origin,
    approvalId: gate.id,
    taskId: task.id,
    verdict,
    decidedBy: actor.id,
    decidedAt: iso(now),
    reason: (input.reason ?? '').trim(),
    feedback: input.feedback ?? null,
    edits: input.edits ?? null,
    payloadDigest: chosen ? chosen.digest : input.edits ? payloadDigest(approvedPayload) : version.digest,
    ...onBehalfFields(delegated),
  };
  if (chosen) record.alternative = { index: chosen.index, payloadDigest: chosen.digest };
  const assignTo = await routingTarget(trx, gate, task, verdict, input);
  if (assignTo) record.assignTo = assignTo;
  const signature = signDecision(record, deps.key);
  if (path)
    return {
      record,
      signature,
      approvedPayload,
      assignTo,
      nextStep: undefined,
      ...pathOutcome(
        path,
        await approversOf(trx, path, gate, actor, verdict, record.payloadDigest),
        gate,
        task,
        verdict,
      ),
    };
  // A routing approval opens the first execution step; reviews and spot-checks stand alone.
  const gateStatus = gateStatusAfter(verdict, { required: gate.required, approvalsSoFar: 0 });
  const nextStep =
    gate.kind === 'routing' && gateStatus === 'approved'
      ? await trx
          .selectFrom('approvals')
          .selectAll()
          .where('task_id', '=', task.id)
          .where('kind', '=', 'execution')
          .where('status', '=', 'waiting')
          .orderBy('step')
          .limit(1)
          .executeTakeFirst()
      : undefined;
  const taskStatus = taskStatusAfter({
    kind: gate.kind,
    gateStatus,
    taskStatus: task.status as TaskStatus,
    nextStepWaiting: nextStep !== undefined,
    leased: task.lease_id !== null,
  });
  return { record, signature, approvedPayload, gateStatus, taskStatus, nextStep, assignTo };
}

/**
 * Who has approved each gate of the path for the payload this decision leaves (with this approval).
 * A lone one-person gate needs no query: this approval decides it.
 */
async function approversOf(
  trx: Transaction<Database>,
  path: ApprovalPath,
  gate: ApprovalRow,
  actor: Principal,
  verdict: Verdict,
  digest: string,
): Promise<Map<string, Set<string>>> {
  if (verdict === 'rejected') return new Map();
  const lone = path.gates.length === 1 && gate.required === 1;
  const approvers = lone ? new Map([[gate.id, new Set<string>()]]) : await currentApprovals(trx, path.gates, digest);
  approvers.get(gate.id)?.add(actor.id);
  return approvers;
}

/** Gate and task statuses on a path: a reject vetoes; an approval re-walks the path (see `walkPath`). */
function pathOutcome(
  path: ApprovalPath,
  approvers: Map<string, Set<string>>,
  gate: ApprovalRow,
  task: TaskRow,
  verdict: Verdict,
): Pick<Outcome, 'gateStatus' | 'taskStatus' | 'statuses' | 'done'> {
  const current = task.status as TaskStatus;
  if (verdict === 'rejected') {
    return { gateStatus: 'rejected', taskStatus: path.kind === 'execution' ? 'rejected' : current };
  }
  const { statuses, done } = walkPath(path.gates, approvers);
  return {
    gateStatus: statuses.get(gate.id) ?? 'pending',
    taskStatus: path.kind === 'execution' && done ? 'approved' : current,
    statuses,
    done,
  };
}

/** The gate's new status, the next step opened (or an earlier one reopened), the steps after a reject cancelled. */
async function moveGates(
  trx: Transaction<Database>,
  actor: Principal,
  { gate, task, now }: Subject,
  o: Outcome,
  path: ApprovalPath | undefined,
): Promise<NewEntry[]> {
  const extra: NewEntry[] = [];
  if (o.statuses && path) {
    for (const g of path.gates) {
      const to = o.statuses.get(g.id);
      if (to && to !== g.status) extra.push(...(await moveGate(trx, actor, g, to, now, o.record.payloadDigest)));
    }
  } else if (o.gateStatus !== 'pending') {
    await moveGate(trx, actor, gate, o.gateStatus as 'approved' | 'rejected', now, o.record.payloadDigest);
  }
  if (o.nextStep) extra.push(...(await moveGate(trx, actor, o.nextStep, 'pending', now, o.record.payloadDigest)));
  if (o.gateStatus === 'rejected' && (path || !isSideGate(gate.kind))) {
    // A reject at any step ends the path: the steps that never opened are cancelled.
    const reason = `step ${gate.step + 1} was rejected`;
    const which = path?.kind === 'decision' ? { group: gate.group_id ?? gate.id } : {};
    extra.push(
      ...(await cancelGates(trx, [task.id], { statuses: ['waiting'], ...which }, { actor: actor.id, now, reason })),
    );
  }
  return extra;
}

/**
 * Moves one gate, conditionally on the status it was read with (a concurrent change is a conflict):
 * decided; opened for its turn (a new deadline, `approval.requested`); reopened because its
 * approvals were for an earlier version of the payload (`approval.requested` with `reapproval`);
 * or set back to wait for its turn.
 */
async function moveGate(
  trx: Transaction<Database>,
  actor: Principal,
  g: ApprovalRow,
  to: ApprovalStatus,
  now: number,
  digest: string,
): Promise<NewEntry[]> {
  const opening = to === 'pending';
  const opened = opening ? openStep(g, now) : g;
  const where = { id: g.id, from: g.status };
  // Held (`store/held.ts`): the decision's writes go in one round trip on PostgreSQL, checked when sent.
  const once = exactly(1, () => new HumanOSError('already_decided', `approval ${g.id} was decided concurrently`));
  if (opening) {
    await OPEN_GATE.later(
      trx,
      { ...where, requestedAt: now, expiresAt: opened.expires_at, remindAt: opened.remind_at },
      once,
    );
  } else if (to === 'waiting') await PARK_GATE.later(trx, where, once);
  else await DECIDE_GATE.later(trx, { ...where, to, at: now }, once);
  if (opening) await syncRoles(trx, { approvalId: g.id });
  else await setRoleStatus(trx, [g.id], to);
  if (!opening) return [];
  const entry = gateOpenedEntry(opened, actor.id, now);
  if (g.status !== 'approved') return [entry];
  // Its approvals were for another version: its approvers are asked again, with the new digest.
  return [{ ...entry, data: { ...entry.data, reapproval: { payloadDigest: digest, editedBy: actor.id } } }];
}

/**
 * The task (or the in-run decision) follows the path: an edit moves its payload on; the last
 * approval makes it approved with that payload. Routing assigns the resource; a review that says
 * "stop" hands the task to the reviewer.
 */
async function moveTask(
  trx: Transaction<Database>,
  actor: Principal,
  { gate, task, now }: Subject,
  o: Outcome,
  path: ApprovalPath | undefined,
): Promise<void> {
  const digest = o.record.payloadDigest;
  const edited = path !== undefined && digest !== path.digest;
  if (path?.kind === 'decision') {
    if (edited || o.done) await moveDecision(trx, path, o);
    return;
  }
  const approvedNow = o.taskStatus === 'approved' && gate.kind !== 'review' && o.taskStatus !== task.status;
  const changes = {
    // An edit moves the payload on, and with it the warnings about where the agent's text disagrees.
    ...(edited
      ? {
          payload: j(o.approvedPayload),
          payload_digest: digest,
          warnings: j(taskWarnings(task.description, p<AiProposal>(task.ai_proposal), o.approvedPayload)),
          warnings_digest: digest,
        }
      : {}),
    ...(o.taskStatus !== task.status ? { status: o.taskStatus } : {}),
    ...(approvedNow ? { approved_payload: j(o.approvedPayload), approved_digest: digest } : {}),
    // A reviewer who says "stop" takes the task over, as with override.
    ...(o.taskStatus === 'overridden' ? { overridden_by: actor.id, lease_id: null, lease_expires_at: null } : {}),
    ...(o.assignTo ? { assigned_to: o.assignTo } : {}),
  };
  if (Object.keys(changes).length === 0) return;
  if (o.taskStatus !== task.status && !canTransition(task.status as TaskStatus, o.taskStatus)) {
    throw new HumanOSError('invalid_state', `task ${task.id} is ${task.status}`);
  }
  await moveTaskRow.later(
    trx,
    { ...changes, updated_at: now },
    { id: task.id, status: task.status },
    exactly(1, () => new HumanOSError('invalid_state', `task ${task.id} changed concurrently`)),
  );
}

/** An in-run decision's steps share its payload; once all approve it, they carry the approved payload. */
async function moveDecision(trx: Transaction<Database>, path: ApprovalPath, o: Outcome): Promise<void> {
  for (const g of path.gates) {
    const proposal = p<Record<string, unknown> | null>(g.proposal);
    const next = {
      ...proposal,
      // The payload the agent proposed, kept once an edit moves `payload` on (for diffs, and to know it was edited).
      ...(proposal && !('proposedPayload' in proposal) ? { proposedPayload: proposal.payload } : {}),
      payload: o.approvedPayload,
      ...(o.done ? { approvedPayload: o.approvedPayload, approvedDigest: o.record.payloadDigest } : {}),
    };
    await trx
      .updateTable('approvals')
      .set({ proposal: j(next) })
      .where('id', '=', g.id)
      .execute();
  }
}

/** The `approval.decided` ledger entry (with the entries the decision caused) and the decision row. */
async function record(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actor: Principal,
  { gate, task, now, delegated }: Subject,
  o: Outcome,
  extra: NewEntry[],
  input: DecideInput,
): Promise<number> {
  const { record: rec, signature, gateStatus, taskStatus } = o;
  const appended = await deps.ledger.append(trx, [
    {
      type: 'approval.decided',
      at: iso(now),
      actor: actor.id,
      taskId: task.id,
      approvalId: gate.id,
      data: {
        record: rec,
        signature,
        gateStatus,
        taskStatus,
        channel: input.channel ?? 'api',
        ...passkeyEntryData(o.passkey),
        ...authOf(actor),
      },
    },
    ...extra,
  ]);
  const ledgerIndex = appended.seqs[0] as number;
  // One row per person and gate: a re-approval (after an edit made the earlier one stale) replaces
  // every column of it, in one upsert on the seat's key; the earlier decision stays in the ledger.
  const row = {
    approval_id: gate.id,
    task_id: task.id,
    principal_id: actor.id,
    verdict: rec.verdict,
    reason: rec.reason,
    feedback: input.feedback ?? null,
    edits: input.edits ? j(input.edits) : null,
    payload_digest: rec.payloadDigest,
    decided_at: now,
    record: canonicalJson(rec),
    signature,
    ledger_index: ledgerIndex,
    on_behalf_of: delegated?.delegator ?? null,
    delegation_id: delegated?.delegationId ?? null,
  };
  await UPSERT_DECISION.later(trx, [row]);
  return ledgerIndex;
}

/** The seat's row: inserted, or every other column replaced (a re-approval after an edit). */
const UPSERT_DECISION = preparedInsert('decisions', DECISION_COLUMNS, (q) =>
  q.onConflict((oc) =>
    oc
      .columns(['approval_id', 'principal_id'])
      .doUpdateSet((eb) =>
        Object.fromEntries(
          DECISION_COLUMNS.filter((c) => c !== 'approval_id' && c !== 'principal_id').map((c) => [
            c,
            eb.ref(`excluded.${c}`),
          ]),
        ),
      ),
  ),
);

// A gate's three moves, each compiled once (`store/prepared.ts`); conditional on the status it was read with.
type GateWhere = { id: string; from: string };
const OPEN_GATE = prepared(
  (db, v: Slots<GateWhere & { requestedAt: number; expiresAt: number | null; remindAt: number | null }>) =>
    db
      .updateTable('approvals')
      .set({ status: 'pending', requested_at: v.requestedAt, expires_at: v.expiresAt, remind_at: v.remindAt })
      .set({ decided_at: null })
      .where('id', '=', v.id)
      .where('status', '=', v.from),
);
const PARK_GATE = prepared((db, v: Slots<GateWhere>) =>
  db
    .updateTable('approvals')
    .set({ status: 'waiting', decided_at: null, expires_at: null, remind_at: null })
    .where('id', '=', v.id)
    .where('status', '=', v.from),
);
const DECIDE_GATE = prepared((db, v: Slots<GateWhere & { to: string; at: number }>) =>
  db
    .updateTable('approvals')
    .set({ status: v.to, decided_at: v.at })
    .where('id', '=', v.id)
    .where('status', '=', v.from),
);
