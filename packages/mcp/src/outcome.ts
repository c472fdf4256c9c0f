import type { ApprovalOutcome, Task } from '@human/sdk';
import type { McpHumanOSClient } from './client.js';

/** Where a request for approval stands, in the words a model acts on. */
export type DecisionOutcome = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled' | 'changes_requested';

/** One signed human decision, with where it sits in the ledger. */
export interface SignedDecision {
  approver: string;
  verdict: string;
  decidedAt: string;
  reason: string | null;
  /** Ed25519 signature of the decision record by the server's ledger key. */
  signature: string;
  ledgerIndex: number;
  /** Digest (canonical JSON, SHA-256) of the payload the human approved. */
  payloadDigest: string | null;
  /** The server checked this ledger entry against its latest signed checkpoint. */
  inLedger: boolean;
}

/** Why the approved payload can be trusted: signed decisions in a tamper-evident ledger. */
export interface Provenance {
  signer: string;
  decisions: SignedDecision[];
  checkpoint: { size: number; rootHash: string; checkpoint: string } | null;
}

/** The answer of `wait_for_decision`. */
export interface DecisionView {
  outcome: DecisionOutcome;
  taskId: string;
  taskStatus: string;
  approvalId: string | null;
  message: string;
  [k: string]: unknown;
}

type DecisionState = Omit<ApprovalOutcome, 'timedOut'>;

/** Maps the server's decision state to the outcome a model acts on, with next steps spelled out. */
export function outcomeOf(state: DecisionState): DecisionOutcome {
  if (!state.decided) return 'pending';
  if (state.changesRequested) return 'changes_requested';
  if (state.approved) return 'approved';
  if (state.cancelled || state.status === 'cancelled') return 'cancelled';
  if (state.expired || state.status === 'expired') return 'expired';
  return 'rejected';
}

/** Builds the model-facing view of a decision state; `provenance` is fetched only for approvals. */
export async function decisionView(client: McpHumanOSClient, state: DecisionState): Promise<DecisionView> {
  const outcome = outcomeOf(state);
  const base = { outcome, taskId: state.taskId, taskStatus: state.status, approvalId: state.approvalId };
  switch (outcome) {
    case 'pending': {
      const gate = state.approvalRequest;
      return {
        ...base,
        approverRole: gate?.approverRole ?? null,
        expiresAt: gate?.expiresAt ?? null,
        message:
          'No human has decided yet. Do not carry out the action. Call wait_for_decision again with the same taskId ' +
          '(it waits up to the configured time per call), or do other work and check back later.',
      };
    }
    case 'approved':
      return {
        ...base,
        autoApproved: state.autoApproved,
        approvedPayload: state.approvedPayload,
        edits: state.edits,
        edited: state.edits !== null,
        approvedBy: state.approvedBy,
        approvers: state.approvers,
        approvedAt: state.approvedAt,
        reason: state.approvalReason,
        feedback: state.feedback,
        payloadDigest: state.payloadDigest,
        alternative: state.alternative,
        provenance: state.autoApproved ? null : await provenanceOf(client, state.taskId),
        message: approvedMessage(state),
      };
    case 'rejected':
      return {
        ...base,
        rejectedBy: state.rejectedBy,
        rejectedAt: state.rejectedAt,
        reason: state.rejectionReason,
        feedback: state.feedback,
        message: rejectedMessage(state.rejectedBy, state.rejectionReason, state.feedback),
      };
    case 'changes_requested':
      return {
        ...base,
        requestedBy: state.changesRequestedBy,
        feedback: state.feedback,
        version: state.version,
        message: changesRequestedMessage(state.changesRequestedBy, state.feedback),
      };
    case 'expired':
      return {
        ...base,
        message:
          'Nobody decided before the approval deadline, so the request expired and the action must NOT be carried ' +
          'out. If it is still needed, tell the user, or call request_approval again (perhaps with a longer ' +
          'approvalTimeout).',
      };
    case 'cancelled':
      return {
        ...base,
        message: 'The request was withdrawn (cancelled) before it ran. Do not carry out the action.',
      };
  }
}

function approvedMessage(state: DecisionState): string {
  if (state.status !== 'approved') {
    return `This was approved and the task is now ${state.status}: call get_task for its execution and result.`;
  }
  const who = state.autoApproved ? 'The policy approved this without a human' : `Approved by ${state.approvedBy}`;
  const edits = state.alternative
    ? ` The approver chose your alternative ${state.alternative.index} ("${state.alternative.action}") instead of your proposal: approvedPayload is that alternative's payload.`
    : state.edits === null
      ? ''
      : ' The approver EDITED the payload: use approvedPayload exactly, not what you proposed.';
  const reason = state.approvalReason ? ` Reason: "${state.approvalReason}".` : '';
  return (
    `${who}.${reason}${edits} Carry out the action with approvedPayload (call start_execution first to get the ` +
    'execution id to use as the idempotency key of the side effect), then call complete_task with the result, or ' +
    'fail_task if it did not work.'
  );
}

/**
 * Changes requested, phrased so a model revises: the answer starts with `changes requested: <feedback>`.
 *
 * @example
 * changesRequestedMessage('did:human:cfo', 'Pay INV-3 instead'); // 'changes requested: "Pay INV-3 instead". …'
 */
export function changesRequestedMessage(by: string | null, feedback: string | null): string {
  return (
    `changes requested: "${feedback ?? ''}". A human (${by ?? 'an approver'}) did not approve this version and asks ` +
    'you to change it. Do not carry out the action. Revise the request to address the feedback: call ' +
    'revise_request with this taskId and the changed payload (and reasoning), then wait_for_decision again.'
  );
}

/** A rejection, phrased so a model can act on it. */
export function rejectedMessage(by: string | null, reason: string | null, feedback: string | null): string {
  const said = reason ? `: "${reason}"` : ' (no reason given)';
  const more = feedback ? ` Feedback: "${feedback}".` : '';
  return (
    `A human (${by ?? 'an approver'}) REJECTED this request${said}.${more} Do not carry out the action and do ` +
    'not ask again unchanged. Address the reason: change the plan and request approval for the new plan, or ' +
    'report back to the user.'
  );
}

/**
 * The signed decisions behind a task's approval, each with its ledger index and whether the server
 * found it under its latest signed checkpoint, plus that checkpoint and the signer's key.
 */
export async function provenanceOf(client: McpHumanOSClient, taskId: string): Promise<Provenance> {
  const [task, history, checkpoint, key] = await Promise.all([
    client.getTask(taskId),
    client.history(taskId).catch(() => undefined),
    client.ledgerCheckpoint().catch(() => null),
    client.ledgerPublicKey(),
  ]);
  const verified = new Map((history?.events ?? []).map((e) => [e.index, e.verified]));
  return {
    signer: key.publicKey,
    decisions: signedDecisions(task).map((d) => ({ ...d, inLedger: verified.get(d.ledgerIndex) ?? false })),
    checkpoint: checkpoint && {
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
      checkpoint: checkpoint.checkpoint,
    },
  };
}

/** A decision as the REST API shows it in a gate's `decisions`. */
type DecisionRecord = Omit<SignedDecision, 'approver' | 'inLedger'> & { principal: string };

function signedDecisions(task: Task): Omit<SignedDecision, 'inLedger'>[] {
  const out: Omit<SignedDecision, 'inLedger'>[] = [];
  for (const gate of task.approvals) {
    if (gate.kind !== 'execution') continue;
    for (const d of gate.decisions as DecisionRecord[]) {
      const { principal, verdict, decidedAt, reason, signature, ledgerIndex, payloadDigest } = d;
      out.push({ approver: principal, verdict, decidedAt, reason, signature, ledgerIndex, payloadDigest });
    }
  }
  return out;
}

/** A compact view of a task for a model: what it is, where it stands, what ran and what came out. */
export function taskSummary(task: Task): Record<string, unknown> {
  return {
    taskId: task.id,
    description: task.description,
    status: task.status,
    requester: task.requester,
    proposedPayload: task.proposedPayload,
    approvedPayload: task.approvedPayload,
    confidence: task.confidence,
    approvals: task.approvals.map((g) => ({
      approvalId: g.id,
      kind: g.kind,
      status: g.status,
      approverRole: g.approverRole,
      expiresAt: g.expiresAt,
      decisions: (g.decisions as DecisionRecord[]).map((d) => ({
        approver: d.principal,
        verdict: d.verdict,
        reason: d.reason,
        decidedAt: d.decidedAt,
      })),
    })),
    execution: task.execution ?? null,
    lease: task.lease ?? null,
    overriddenBy: task.overriddenBy ?? null,
    result: task.result,
    error: task.error,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
}
