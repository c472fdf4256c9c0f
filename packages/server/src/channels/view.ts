import { HumanOSError, type PolicyDocument, payloadDigest, type WebhookApprovalContext } from '@humanos/core';
import type { Kysely } from 'kysely';
import { gatePayload } from '../approvals/display.js';
import { approvalContext, loadApproval } from '../delivery/context.js';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

/** One decision on a gate, with the channel it came from. */
export interface DecisionLine {
  principal: string;
  verdict: string;
  reason: string;
  channel: string;
}

/** Everything a message about an approval shows, read from the store as it stands now. */
export interface ApprovalView {
  gate: ApprovalRow;
  task: TaskRow;
  ctx: WebhookApprovalContext;
  decisions: DecisionLine[];
  /** The digest of the payload the gate decides: a link or button made for another one is stale. */
  digest: string;
  requireReason: boolean;
  requireFeedback: boolean;
  highRisk: boolean;
  /** What the message shows, as a key: when it is unchanged, an update is skipped. */
  stateKey: string;
}

/**
 * Loads what Slack messages, e-mails and the confirmation page show about one approval.
 *
 * @example
 * const v = await approvalView(db, 'approval:human:…', 'https://humanos.example.com', deps.policy);
 */
export async function approvalView(
  db: Kysely<Database>,
  approvalId: string,
  publicUrl: string | undefined,
  policy: Pick<PolicyDocument, 'display'>,
): Promise<ApprovalView | undefined> {
  const a = await loadApproval(db, approvalId);
  if (!a) return undefined;
  const rows = await db
    .selectFrom('decisions')
    .leftJoin('ledger_entries', 'ledger_entries.seq', 'decisions.ledger_index')
    .select(['decisions.principal_id', 'decisions.verdict', 'decisions.reason', 'ledger_entries.entry'])
    .where('decisions.approval_id', '=', approvalId)
    .orderBy('decisions.decided_at')
    .execute();
  const decisions = rows.map((r) => ({
    principal: r.principal_id,
    verdict: r.verdict,
    reason: r.reason,
    channel: (r.entry ? (JSON.parse(r.entry) as { data?: { channel?: string } }).data?.channel : undefined) ?? 'api',
  }));
  const hitl = p<{ requireExplicitReason?: boolean; requireExplicitFeedback?: boolean }>(a.task.hitl);
  const ctx = approvalContext(a.gate, a.task, a.roles, a.approvals, publicUrl, policy);
  const highRisk = ctx.riskLevel === 'high' || ctx.riskLevel === 'critical';
  const digest = payloadDigest(gatePayload(a.gate, a.task));
  return {
    gate: a.gate,
    task: a.task,
    ctx,
    decisions,
    digest,
    requireReason: !!hitl.requireExplicitReason || highRisk,
    requireFeedback: !!hitl.requireExplicitFeedback,
    highRisk,
    // What decides the buttons too: a message whose request got warnings (or a new template) is redrawn.
    stateKey: [
      a.gate.status,
      digest,
      ...decisions.map((d) => `${d.principal}:${d.verdict}`),
      `shown:${ctx.display.template ?? ''}:${ctx.display.tooLarge}`,
      ...ctx.warnings.map((w) => `warning:${w.code}:${w.field ?? ''}`),
    ].join('|'),
  };
}

/**
 * Why this verdict cannot be given from a message (a Slack button, an e-mail link) but only in the
 * console, or undefined when it can: a payload too large to show there is neither approved nor
 * rejected in one click, and a request with warnings is not approved in one click (rejecting it is).
 * The server refuses such a decision even from an old message that still carries the button.
 */
export function oneClickRefusal(v: ApprovalView, verdict: 'approved' | 'rejected'): string | undefined {
  if (v.ctx.display.tooLarge)
    return 'The payload is too large to show in full in this message: open it in HumanOS to decide.';
  if (verdict === 'approved' && v.ctx.warnings.length > 0)
    return 'This request has warnings (the agent’s text and the payload may disagree): open it in HumanOS to approve.';
  return undefined;
}

/** The refusal of a decision that must be made in the console (`console_required`, 403): nothing is written. */
export function consoleRequired(why: string): HumanOSError {
  return new HumanOSError('console_required', why);
}

const VERB: Record<string, string> = {
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
  escalated: 'Escalated',
};

/** One line saying where the approval stands: who decided, or who is still needed. */
export function statusLine(v: ApprovalView): string {
  const by = (verdict: string) =>
    v.decisions
      .filter((d) => d.verdict === verdict)
      .map((d) => `${d.principal} (${d.channel})`)
      .join(', ');
  const { gate, ctx } = v;
  if (gate.status === 'pending') {
    const left = ctx.required - ctx.approvals;
    const so = ctx.approvals > 0 ? `Approved so far by ${by('approved')}; ` : '';
    return `${so}waiting for ${left} ${left === 1 ? 'approval' : 'more approvals'} from ${ctx.approverRoles.join(' or ')}`;
  }
  if (gate.status === 'approved') return `Approved by ${by('approved')}`;
  if (gate.status === 'rejected') {
    const r = v.decisions.find((d) => d.verdict === 'rejected');
    return `Rejected by ${by('rejected')}${r?.reason ? `: ${r.reason}` : ''}`;
  }
  return VERB[gate.status] ?? gate.status;
}
