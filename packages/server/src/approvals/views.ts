import {
  type AiProposal,
  type ApprovalWarning,
  gateRisk,
  invisibleCharacters,
  payloadDigest,
  type RankedCandidate,
  type RiskAssessment,
  textPayloadWarnings,
} from '@humanos/core';
import { type ApprovalRow, type DecisionRow, iso, p, type TaskRow } from '../kernel/rows.js';
import type { AttentionCheckReveal, DecisionEntry, GateDecision, GateView } from './schemas.js';

/** What a kind of gate shows of its own in place of the task's proposal. */
type KindView<K extends keyof GateView> = Pick<GateView, 'aiProposal' | 'alternatives' | K>;

/** A routing gate proposes the best-ranked resource, with the others as alternatives. */
export function routingGateView(g: ApprovalRow, taskProposal: AiProposal): KindView<'proposedResource' | 'ranking'> {
  const prop = p<{ proposedResource: string | null; ranking: RankedCandidate[] }>(g.proposal);
  const others = prop.ranking.filter((r) => r.id !== prop.proposedResource).map((r) => `Assign to ${r.id}`);
  const best = prop.ranking[0];
  return {
    aiProposal: {
      action: prop.proposedResource
        ? `Assign to ${prop.proposedResource}`
        : 'No registered resource matches; choose one',
      reasoning: best
        ? `Best capability match (${Math.round(best.capabilityMatch * 100)} %) and past quality ${best.meanQuality === null ? 'unrated' : best.meanQuality.toFixed(2)} (${best.ratings} ratings)`
        : null,
      confidence: taskProposal.confidence,
      alternatives: others,
    },
    alternatives: others,
    proposedResource: prop.proposedResource,
    ranking: prop.ranking,
  };
}

/** An in-run decision gate shows the agent's proposal for that decision, not the task's. */
export function decisionGateView(g: ApprovalRow): KindView<'payload' | 'approvedPayload' | 'payloadDigest'> {
  const prop = p<{
    action: string;
    reasoning: string | null;
    confidence: number | null;
    alternatives: string[];
    payload: Record<string, unknown>;
    approvedPayload?: Record<string, unknown>;
    approvedDigest?: string;
  }>(g.proposal);
  return {
    aiProposal: {
      action: prop.action,
      reasoning: prop.reasoning,
      confidence: prop.confidence,
      alternatives: prop.alternatives,
    },
    alternatives: prop.alternatives,
    payload: prop.payload,
    approvedPayload: prop.approvedPayload ?? null,
    payloadDigest: prop.approvedDigest ?? null,
  };
}

/**
 * A low-confidence review shows the confidence the executor reported (not the proposal's), the
 * threshold it fell below and the escalation message.
 */
export function reviewGateView(
  g: ApprovalRow,
  taskProposal: AiProposal,
): KindView<'reportedConfidence' | 'confidenceThreshold' | 'escalationMessage'> {
  const r = p<{ confidence: number; threshold: number; escalationMessage: string }>(g.proposal);
  return {
    aiProposal: { ...taskProposal, confidence: r.confidence },
    alternatives: taskProposal.alternatives,
    reportedConfidence: r.confidence,
    confidenceThreshold: r.threshold,
    escalationMessage: r.escalationMessage,
  };
}

export function decisionView(d: DecisionRow): DecisionEntry {
  return {
    principal: d.principal_id,
    verdict: d.verdict,
    reason: d.reason,
    feedback: d.feedback,
    edits: p(d.edits),
    payloadDigest: d.payload_digest,
    decidedAt: iso(d.decided_at),
    signature: d.signature,
    ledgerIndex: Number(d.ledger_index),
    ...(d.on_behalf_of ? { onBehalfOf: d.on_behalf_of } : {}),
  };
}

/** What a task contributes to each of its gates' views. */
export interface GateContext {
  aiProposal: AiProposal;
  risk: RiskAssessment;
  description: string;
  /** The digest of the task's payload as it stands. */
  digest: string;
  /** The task's payload as it stands, when the caller has it (detail views). */
  payload?: unknown;
  /** Where the agent's text (description, proposal) disagrees with the payload as it stands. */
  warnings: ApprovalWarning[];
  /** The server's clock when the view is made (a claim shows until it expires); the system clock if unset. */
  now?: number;
}

/**
 * Where a task's agent-written text disagrees with its payload (`textPayloadWarnings`): the
 * description and the proposal's action and reasoning, against the payload given. Task creation
 * (which records them and raises the risk) and every view read the same text the same way.
 *
 * @example
 * taskWarnings('Refund EUR 24.99', { action: 'Refund EUR 24.99', reasoning: null }, { amount: 2499 })[0].claimed // 'EUR 24.99'
 */
export function taskWarnings(
  description: string,
  proposal: Pick<AiProposal, 'action' | 'reasoning'>,
  payload: unknown,
): ApprovalWarning[] {
  return textPayloadWarnings({ description, action: proposal.action, reasoning: proposal.reasoning }, payload);
}

/** The task columns warnings are read from: stored ones, or the payload to compute them from. */
type WarningColumns = Pick<TaskRow, 'ai_proposal' | 'description' | 'payload_digest'> &
  Partial<Pick<TaskRow, 'payload' | 'warnings' | 'warnings_digest'>> & {
    legacy_payload?: string | null;
    warnings_payload?: string | null;
  };

/**
 * The task's warnings for the payload as it stands: the stored list when it was computed for this
 * payload's digest, else computed now from the payload (a list query selects `warnings_payload`
 * for exactly those rows).
 */
function warningsOf(t: WarningColumns, ai: AiProposal): ApprovalWarning[] {
  if (t.warnings != null && t.warnings_digest != null && t.warnings_digest === t.payload_digest) return p(t.warnings);
  const raw = t.payload ?? t.warnings_payload ?? t.legacy_payload;
  if (raw == null) throw new Error(`task warnings need the payload or the stored warnings (${t.description})`);
  return taskWarnings(t.description, ai, p(raw));
}

/**
 * The task's columns a gate view needs, parsed. The digest is the stored one; rows from before it
 * was stored (null) need the payload (`legacy_payload` lets a list query fetch it for those only).
 */
export function gateContext(t: WarningColumns & Pick<TaskRow, 'risk'>): GateContext {
  const stored = t.payload ?? t.legacy_payload ?? undefined;
  const aiProposal = p<AiProposal>(t.ai_proposal);
  const ctx: GateContext = {
    aiProposal,
    risk: p<RiskAssessment>(t.risk),
    description: t.description,
    digest: t.payload_digest ?? payloadDigest(stored === undefined ? null : p(stored)),
    warnings: warningsOf(t, aiProposal),
  };
  if (t.payload !== undefined) ctx.payload = p(t.payload);
  return ctx;
}

/**
 * The warnings a gate's approvers are shown: an in-run decision's text against its own payload, any
 * other gate's task text against the task's payload as it stands. Every view and message reads them here.
 *
 * @example
 * approvalContext(...).warnings = gateWarnings(gate, task);
 */
export function gateWarnings(g: ApprovalRow, t: WarningColumns): ApprovalWarning[] {
  return g.kind === 'decision' ? decisionWarnings(g) : warningsOf(t, p<AiProposal>(t.ai_proposal));
}

/** An in-run decision's text (its action and reasoning) against its own payload as it stands. */
function decisionWarnings(g: ApprovalRow): ApprovalWarning[] {
  const prop = p<{ action?: string; reasoning?: string | null; payload?: unknown } | null>(g.proposal);
  return textPayloadWarnings({ action: prop?.action ?? null, reasoning: prop?.reasoning ?? null }, prop?.payload ?? {});
}

/** The payload an in-run decision gate decides (its own, as edits left it). */
export function decisionPayload(g: Pick<ApprovalRow, 'proposal'>): unknown {
  return p<{ payload?: unknown } | null>(g.proposal)?.payload ?? {};
}

/**
 * The digest of the payload an approval of this gate would approve now: an in-run decision's own
 * payload, else the task's payload as it stands. Approvals for another digest do not count, and a
 * decision naming another digest is refused (`stale_payload`).
 */
export function currentDigest(g: ApprovalRow, task: Pick<GateContext, 'digest'>): string {
  return g.kind === 'decision' ? payloadDigest(decisionPayload(g)) : task.digest;
}

/**
 * A gate's decisions as the API shows them, each with `stale`: an approval given for an earlier
 * version of the payload no longer counts (its approver is asked again).
 */
export function gateDecisions(g: ApprovalRow, task: GateContext, decisions: readonly DecisionRow[]): GateDecision[] {
  // Routing, review and audit gates approve no payload of their own: their approvals never go stale.
  const digest = g.kind === 'execution' || g.kind === 'decision' ? currentDigest(g, task) : undefined;
  return decisions.map((d) => ({
    ...decisionView(d),
    verdict: d.verdict,
    stale: d.verdict === 'approved' && digest !== undefined && d.payload_digest !== digest,
  }));
}

/** A gate as the API shows it: its policy, progress, the proposal it decides and its decisions. */
export function gateView(g: ApprovalRow, task: GateContext, decisions: DecisionRow[] = []): GateView {
  const shown = gateDecisions(g, task, decisions);
  const approvals = shown.filter((d) => d.verdict === 'approved' && !d.stale).length;
  const agentText = {
    description: task.description,
    aiProposal: task.aiProposal,
    ...(g.kind === 'decision'
      ? { proposal: p(g.proposal) }
      : task.payload !== undefined
        ? { payload: task.payload }
        : {}),
  };
  return {
    id: g.id,
    taskId: g.task_id,
    kind: g.kind,
    status: g.status,
    requestedAt: iso(g.requested_at),
    expiresAt: g.expires_at === null ? null : iso(g.expires_at),
    approverRole: g.approver_role,
    eligibleRoles: g.approver_role.split(', '),
    step: g.step,
    reason: g.reason,
    required: g.required,
    approvals,
    escalationPolicy: g.escalation_policy,
    escalateTo: g.escalate_to,
    task: { id: g.task_id, description: task.description },
    ...(g.kind === 'decision'
      ? decisionGateView(g)
      : g.kind === 'routing'
        ? routingGateView(g, task.aiProposal)
        : g.kind === 'review' && g.proposal !== null
          ? reviewGateView(g, task.aiProposal)
          : { aiProposal: task.aiProposal, alternatives: task.aiProposal.alternatives }),
    riskAssessment: gateRisk({ kind: g.kind, proposal: p(g.proposal) }, task.risk),
    decisions: shown,
    currentDigest: currentDigest(g, task),
    decidedAt: g.decided_at === null ? null : iso(g.decided_at),
    // Bidi controls or zero-width characters in what the agent wrote: shown escaped, never as-is.
    textWarnings: invisibleCharacters(agentText),
    // Where the agent's text disagrees with the payload this gate decides (as it stands).
    warnings: g.kind === 'decision' ? decisionWarnings(g) : task.warnings,
    bulkApprovable: g.bulk_approvable === 1,
    minReviewSeconds: g.min_review_seconds ?? null,
    ...teamFields(g, task.now ?? Date.now()),
  };
}

/**
 * A gate's claim (while live and the gate open), its assignment, and — once decided — whether it was
 * an attention check (`collab/`). A check shows nothing of itself while it is open.
 */
export function teamFields(
  g: ApprovalRow,
  now: number,
): Pick<GateView, 'claimedBy' | 'claimedUntil' | 'assignee' | 'assignedBy' | 'attentionCheck'> {
  const live = g.status === 'pending' && g.claimed_by !== null && Number(g.claimed_until ?? 0) > now;
  const decided = g.status !== 'pending' && g.status !== 'waiting';
  return {
    claimedBy: live ? g.claimed_by : null,
    claimedUntil: live ? iso(Number(g.claimed_until)) : null,
    assignee: g.assignee,
    assignedBy: g.assigned_by,
    attentionCheck:
      decided && g.attention_check !== null
        ? {
            ...p<Omit<AttentionCheckReveal, 'caught'>>(g.attention_check),
            caught: g.status === 'rejected' ? true : g.status === 'approved' ? false : null,
          }
        : null,
  };
}
