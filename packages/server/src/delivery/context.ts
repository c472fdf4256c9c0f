import {
  type AiProposal,
  type ApprovalWarning,
  gateRisk,
  type PolicyDocument,
  type RiskAssessment,
  type WebhookApprovalContext,
  type WebhookDelivery,
  type WebhookTaskContext,
} from '@humanos/core';
import type { Kysely } from 'kysely';
import { gateDisplay } from '../approvals/display.js';
import { gateWarnings } from '../approvals/views.js';
import { type ApprovalRow, iso, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

/** A link into the web inbox, or null when no public URL is configured. */
export function inboxLink(publicUrl: string | undefined, path: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${path}` : null;
}

export function taskContext(t: TaskRow, publicUrl: string | undefined): WebhookTaskContext {
  return {
    id: t.id,
    description: t.description,
    status: t.status,
    requester: t.requester,
    riskLevel: p<RiskAssessment>(t.risk).level,
    url: inboxLink(publicUrl, `/tasks/${encodeURIComponent(t.id)}`),
  };
}

/** The proposal a gate decides: an in-run decision's own, a routing gate's assignment, or the task's. */
function proposalOf(g: ApprovalRow, t: TaskRow): WebhookApprovalContext['aiProposal'] {
  if (g.kind === 'decision') {
    const prop = p<{ action?: string; reasoning?: string | null; confidence?: number | null } | null>(g.proposal);
    return { action: prop?.action ?? null, reasoning: prop?.reasoning ?? null, confidence: prop?.confidence ?? null };
  }
  const ai = p<AiProposal>(t.ai_proposal);
  if (g.kind === 'routing') {
    const prop = p<{ proposedResource: string | null } | null>(g.proposal);
    return {
      action: prop?.proposedResource ? `Assign to ${prop.proposedResource}` : 'Choose a resource',
      reasoning: null,
      confidence: ai.confidence ?? null,
    };
  }
  return { action: ai.action ?? null, reasoning: ai.reasoning ?? null, confidence: ai.confidence ?? null };
}

/**
 * What an approver must see before deciding: where the agent's text disagrees with the payload as it
 * stands (`gateWarnings`, the same list as the REST view). This is the one place every message reads
 * them from, so Slack, e-mail and the confirmation page show the same list.
 */
export function approvalWarnings(g: ApprovalRow, t: TaskRow): ApprovalWarning[] {
  return gateWarnings(g, t);
}

/**
 * The approval as every message shows it: the request, its risk and progress, the agent's proposal
 * (its claim), and the payload that executes (`display`, rendered by the policy's display template
 * within a message's limits) with the warnings an approver must see first.
 *
 * @example
 * const ctx = approvalContext(gate, task, ['finance'], 0, 'https://humanos.example.com', deps.policy);
 */
export function approvalContext(
  g: ApprovalRow,
  t: TaskRow,
  roles: string[],
  approvals: number,
  publicUrl: string | undefined,
  policy: Pick<PolicyDocument, 'display'>,
): WebhookApprovalContext {
  // An in-run decision's gate is at its own risk (at least the task's): a 50 000 wire inside a
  // low-risk task gets no one-click links, a Slack dialog and a required reason.
  const risk = gateRisk({ kind: g.kind, proposal: p(g.proposal) }, p<RiskAssessment>(t.risk));
  return {
    id: g.id,
    kind: g.kind,
    status: g.status,
    step: g.step,
    reason: g.reason,
    approverRoles: roles,
    required: g.required,
    approvals,
    expiresAt: g.expires_at === null ? null : iso(g.expires_at),
    description: t.description,
    riskLevel: risk.level,
    riskFactors: risk.factors ?? [],
    aiProposal: proposalOf(g, t),
    url: inboxLink(publicUrl, `/approvals/${encodeURIComponent(g.id)}`),
    display: gateDisplay(policy, g, t),
    warnings: approvalWarnings(g, t),
  };
}

/** A gate with its task, roles and approvals so far, as it stands now. */
export async function loadApproval(
  db: Kysely<Database>,
  approvalId: string,
): Promise<{ gate: ApprovalRow; task: TaskRow; roles: string[]; approvals: number } | undefined> {
  const gate = await db.selectFrom('approvals').selectAll().where('id', '=', approvalId).executeTakeFirst();
  if (!gate) return undefined;
  const task = await db.selectFrom('tasks').selectAll().where('id', '=', gate.task_id).executeTakeFirst();
  if (!task) return undefined;
  const roles = (
    await db.selectFrom('approval_roles').select('role').where('approval_id', '=', approvalId).execute()
  ).map((r) => r.role);
  const approved = await db
    .selectFrom('decisions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('approval_id', '=', approvalId)
    .where('verdict', '=', 'approved')
    .executeTakeFirst();
  return { gate, task, roles, approvals: Number(approved?.n ?? 0) };
}

/**
 * What a chat relay needs besides the bare ledger event: the task (description, risk, status) and,
 * for approval events, the gate (roles, quorum progress, deadline, the AI's proposal) with deep links
 * into the web inbox. Read when sending, so a retried delivery shows the current state.
 */
export async function eventContext(
  db: Kysely<Database>,
  event: { taskId: string | null; approvalId?: unknown },
  publicUrl: string | undefined,
  policy: Pick<PolicyDocument, 'display'>,
): Promise<Pick<WebhookDelivery['data'], 'task' | 'approval'>> {
  if (typeof event.approvalId === 'string') {
    const a = await loadApproval(db, event.approvalId);
    if (a) {
      return {
        task: taskContext(a.task, publicUrl),
        approval: approvalContext(a.gate, a.task, a.roles, a.approvals, publicUrl, policy),
      };
    }
  }
  if (!event.taskId) return {};
  const t = await db.selectFrom('tasks').selectAll().where('id', '=', event.taskId).executeTakeFirst();
  return t ? { task: taskContext(t, publicUrl) } : {};
}
