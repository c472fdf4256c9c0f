import { randomBytes } from 'node:crypto';
import { HumanOSError, moreCharacters } from '@humanos/core';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import type { Attempt, DeliveryRow } from '../delivery/outbox.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { reviewNotice, reviewSlackMessage } from './auditNotice.js';
import type { SlackOp } from './planner.js';
import { teamNotice, teamSlackMessage } from './teamNotice.js';
import { type ApprovalView, approvalView, oneClickRefusal, statusLine } from './view.js';

/** Slack's Web API, as HumanOS uses it: no retries of its own (the outbox retries), one timeout per call. */
export class SlackApi {
  readonly client: WebClient;

  constructor(token: string, apiUrl: string, timeoutMs: number) {
    this.client = new WebClient(token, {
      slackApiUrl: apiUrl,
      timeout: timeoutMs,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  }
}

/** Slack's mrkdwn treats `&`, `<` and `>` as markup: agent text is escaped so it cannot mention or link. */
export function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Block Kit action ids and the modal's callback id. */
export const ACTION_APPROVE = 'humanos_approve';
export const ACTION_REJECT = 'humanos_reject';
export const ACTION_OPEN = 'humanos_open';
export const MODAL_DECIDE = 'humanos_decide';

/** What an Approve/Reject button carries: the gate and the payload digest it was shown with. */
interface ButtonValue {
  a: string;
  d: string;
}

function fields(v: ApprovalView): { type: 'mrkdwn'; text: string }[] {
  const { ctx } = v;
  const deadline = v.gate.expires_at
    ? `<!date^${Math.floor(v.gate.expires_at / 1000)}^{date_short_pretty} {time}|${ctx.expiresAt}>`
    : 'none';
  return [
    { type: 'mrkdwn', text: `*Risk:*\n${esc(ctx.riskLevel)}` },
    { type: 'mrkdwn', text: `*Deadline:*\n${deadline}` },
    { type: 'mrkdwn', text: `*Approvers:*\n${esc(ctx.approverRoles.join(', '))}` },
    {
      type: 'mrkdwn',
      text: `*Progress:*\n${ctx.approvals} of ${ctx.required}${v.gate.step > 0 ? ` (step ${v.gate.step + 1})` : ''}`,
    },
  ];
}

/** The agent's text, presented as its claim: what it says it does, not what executes. */
function claimBlock(v: ApprovalView): Record<string, unknown> {
  const { ctx } = v;
  const lines = [
    '*The agent says* (its claim — check it against what will execute):',
    `>${esc(ctx.description).replaceAll('\n', '\n>')}`,
    ctx.aiProposal.action ? `*AI proposal:* ${esc(ctx.aiProposal.action)}` : null,
    ctx.aiProposal.reasoning ? `*Reasoning:* ${esc(ctx.aiProposal.reasoning)}` : null,
    ctx.aiProposal.confidence !== null ? `*Confidence:* ${Math.round(ctx.aiProposal.confidence * 100)} %` : null,
  ].filter(Boolean);
  return { type: 'section', block_id: 'claim', text: { type: 'mrkdwn', text: cut(lines.join('\n'), 3000) } };
}

/**
 * The payload that executes, field by field, as plain text (never mrkdwn: a value is shown as it
 * is, it cannot format, mention or link), ten fields a section; what is cut or hidden says so and
 * links to the console.
 */
export function payloadBlocks(v: ApprovalView): Record<string, unknown>[] {
  const { display, url } = v.ctx;
  const via = display.template ? ` (shown as the policy's template ${esc(display.template)} lays it out)` : '';
  const blocks: Record<string, unknown>[] = [
    { type: 'divider' },
    { type: 'section', block_id: 'payload', text: { type: 'mrkdwn', text: `*What will execute*${via}:` } },
  ];
  const fields = display.fields.map((f) => ({
    type: 'plain_text',
    emoji: false,
    text: cut(
      `${f.label}${f.edited ? ' (edited)' : ''}\n${f.text}${f.truncated > 0 ? `… (${moreCharacters(f.truncated)})` : ''}`,
      2000,
    ),
  }));
  for (let i = 0; i < fields.length; i += 10) blocks.push({ type: 'section', fields: fields.slice(i, i + 10) });
  const open = url ? `<${url}|open in HumanOS>` : 'open in HumanOS';
  const notes = [
    display.fields.some((f) => f.truncated > 0) ? `Some values are cut: ${open} to read them whole.` : null,
    display.hiddenFields > 0 ? `${display.hiddenFields} more fields are not shown here: ${open} to see them.` : null,
  ].filter(Boolean);
  if (notes.length > 0)
    blocks.push({ type: 'context', block_id: 'payload_more', elements: [{ type: 'mrkdwn', text: notes.join(' ') }] });
  return blocks;
}

/** The warnings an approver reads before the buttons. */
function warningBlock(v: ApprovalView): Record<string, unknown> | undefined {
  if (v.ctx.warnings.length === 0) return undefined;
  const lines = v.ctx.warnings.map((w) => `• ${esc(w.message)}`);
  return {
    type: 'section',
    block_id: 'warnings',
    text: { type: 'mrkdwn', text: cut(`:warning: *Read before deciding*\n${lines.join('\n')}`, 3000) },
  };
}

/** Approve and Reject where a click may decide, and Open in HumanOS; why a verdict is not offered here. */
function decisionBlocks(v: ApprovalView): Record<string, unknown>[] {
  const { ctx } = v;
  const open = v.gate.status === 'pending';
  const value = JSON.stringify({ a: v.gate.id, d: v.digest } satisfies ButtonValue);
  const button = (verdict: 'approved' | 'rejected') =>
    verdict === 'approved'
      ? {
          type: 'button',
          action_id: ACTION_APPROVE,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value,
        }
      : {
          type: 'button',
          action_id: ACTION_REJECT,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reject' },
          value,
        };
  const verdicts = open ? (['approved', 'rejected'] as const) : [];
  const buttons: Record<string, unknown>[] = verdicts.filter((x) => !oneClickRefusal(v, x)).map(button);
  if (ctx.url)
    buttons.push({
      type: 'button',
      action_id: ACTION_OPEN,
      text: { type: 'plain_text', text: 'Open in HumanOS' },
      url: ctx.url,
    });
  const blocks: Record<string, unknown>[] = [];
  const why = open ? oneClickRefusal(v, 'approved') : undefined;
  if (why) blocks.push({ type: 'context', block_id: 'console_only', elements: [{ type: 'mrkdwn', text: esc(why) }] });
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'decide', elements: buttons });
  return blocks;
}

/**
 * The Block Kit message for an approval: the agent's text as its claim, the payload that executes
 * (every field, as the policy's display template lays it out), the warnings, the facts an approver
 * needs, and — while it is open — Approve, Reject (with a reason dialog) and Open in HumanOS. A
 * request with warnings has no Approve button, one whose payload does not fit none at all: they are
 * decided in the console. Once decided it says so and who decided, through which channel. Edits are
 * not offered in Slack: they are made in the web inbox.
 */
export function slackMessage(v: ApprovalView): { text: string; blocks: Record<string, unknown>[] } {
  const { ctx } = v;
  const open = v.gate.status === 'pending';
  const title = `${open ? 'Approval needed' : (statusLine(v).split(' ')[0] ?? '')}: ${ctx.description}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(title, 150) } },
    claimBlock(v),
    ...payloadBlocks(v),
    { type: 'divider' },
    { type: 'section', fields: fields(v) },
    {
      type: 'section',
      block_id: 'status',
      text: {
        type: 'mrkdwn',
        text: `${open ? '⏳' : v.gate.status === 'approved' ? '✅' : '❌'} ${esc(statusLine(v))}`,
      },
    },
  ];
  const warning = warningBlock(v);
  if (warning) blocks.push(warning);
  blocks.push(...decisionBlocks(v));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: esc(`Requested by ${v.task.requester} · ${v.gate.id}`) }],
  });
  // The notification/fallback text is mrkdwn too: escaped like every block, so agent text cannot mention or link.
  return { text: esc(`${title} — ${statusLine(v)}`), blocks };
}

/** The dialog that asks for a reason (and feedback, where the task requires it) before deciding. */
export function decideModal(
  v: ApprovalView,
  verdict: 'approved' | 'rejected',
  meta: { digest: string; channel?: string | undefined; ts?: string | undefined },
): Record<string, unknown> {
  const input = (id: string, label: string, optional: boolean) => ({
    type: 'input',
    block_id: id,
    optional,
    label: { type: 'plain_text', text: label },
    element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
  });
  // What is decided, in the dialog too: the agent's claim, the payload that executes, the warnings.
  const warning = warningBlock(v);
  const blocks: Record<string, unknown>[] = [
    claimBlock(v),
    ...payloadBlocks(v),
    ...(warning ? [warning] : []),
    input('reason', verdict === 'rejected' ? 'Why reject?' : 'Reason', verdict === 'approved' && !v.requireReason),
  ];
  if (v.requireFeedback) blocks.push(input('feedback', 'Feedback for the agent', false));
  return {
    type: 'modal',
    callback_id: MODAL_DECIDE,
    // The digest of the message the button was on: the decision is checked against it, not against `v`.
    private_metadata: JSON.stringify({ a: v.gate.id, d: meta.digest, v: verdict, channel: meta.channel, ts: meta.ts }),
    title: { type: 'plain_text', text: verdict === 'approved' ? 'Approve' : 'Reject' },
    submit: { type: 'plain_text', text: verdict === 'approved' ? 'Approve' : 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** A Web API failure as an outbox attempt: rate limits wait for Retry-After. */
export function slackFailure(e: unknown, now: number): Attempt {
  const err = e as { code?: string; data?: { error?: string }; retryAfter?: number; message?: string };
  if (err.code === ErrorCode.RateLimitedError) {
    return { ok: false, status: 429, error: 'rate limited', retryAt: now + (err.retryAfter ?? 30) * 1000 };
  }
  if (err.code === ErrorCode.PlatformError)
    return { ok: false, status: null, error: `slack: ${err.data?.error ?? 'error'}` };
  return { ok: false, status: null, error: `slack: ${(err.message ?? 'request failed').slice(0, 200)}` };
}

/**
 * The Slack sink: posts an approval's message (once per target; a retried post after a crash may
 * post twice), updates messages in place when the approval moves on, and threads reminders. Every
 * message is rendered from the current state, so a late one never shows stale buttons.
 */
export class SlackSink {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly api: SlackApi,
    private readonly publicUrl: string | undefined,
  ) {}

  async send(d: DeliveryRow, entry: string): Promise<Attempt> {
    const op = JSON.parse(d.target ?? '{}') as SlackOp;
    const approvalId = (JSON.parse(entry) as { approvalId?: string }).approvalId;
    try {
      if (op.op === 'audit_review') return await this.postReview(op);
      if (op.op === 'notice') {
        // A plain notice (out of office, a delegation starting): no buttons, nothing to update.
        await this.api.client.chat.postMessage({ channel: op.to, text: esc(op.text) });
        return { ok: true, status: null, error: null };
      }
      if (op.op === 'team_notice') return await this.postNotice(op);
      if (op.op === 'post' && approvalId) return await this.post(approvalId, op);
      if (op.op === 'update') return await this.update(op.message);
      if (op.op === 'remind') return await this.remind(op.message);
    } catch (e) {
      if (e instanceof HumanOSError) throw e;
      return slackFailure(e, this.deps.now());
    }
    return { ok: false, status: null, error: 'gone' };
  }

  private async post(approvalId: string, op: Extract<SlackOp, { op: 'post' }>): Promise<Attempt> {
    const done = await this.deps.db
      .selectFrom('channel_messages')
      .select('id')
      .where('approval_id', '=', approvalId)
      .where('channel', '=', 'slack')
      .where('target', '=', op.to)
      .executeTakeFirst();
    if (done) return { ok: true, status: null, error: 'already posted' };
    const v = await approvalView(this.deps.db, approvalId, this.publicUrl, this.deps.policy);
    if (v?.gate.status !== 'pending')
      return { ok: true, status: null, error: `skipped: approval is ${v?.gate.status ?? 'gone'}` };
    const res = await this.api.client.chat.postMessage({ channel: op.to, ...slackMessage(v) });
    const now = this.deps.now();
    const id = `message:${randomBytes(12).toString('hex')}`;
    await this.deps.write(async (trx) => {
      await trx
        .insertInto('channel_messages')
        .values({
          id,
          approval_id: approvalId,
          channel: 'slack',
          target: op.to,
          principal_id: op.principal,
          ref_channel: String(res.channel ?? op.to),
          ref: String(res.ts),
          rendered: v.stateKey,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
    // Decided while it was being posted: the planner saw no message to update, so update it here.
    return this.update(id);
  }

  /** The notice of an opened audit review (a DM or the auditor role's channel), with a link to it. */
  private async postReview(op: Extract<SlackOp, { op: 'audit_review' }>): Promise<Attempt> {
    const n = await reviewNotice(this.deps.db, op.review, this.publicUrl);
    if (!n) return { ok: false, status: null, error: 'gone' };
    if (n.status !== 'open') return { ok: true, status: null, error: 'skipped: review is completed' };
    await this.api.client.chat.postMessage({ channel: op.to, ...reviewSlackMessage(n) });
    return { ok: true, status: null, error: null };
  }

  /** A mention or an assignment, as a DM (`teamNotice.ts`). */
  private async postNotice(op: Extract<SlackOp, { op: 'team_notice' }>): Promise<Attempt> {
    const n = await teamNotice(this.deps.db, op, this.publicUrl);
    if (!n) return { ok: false, status: null, error: 'gone' };
    await this.api.client.chat.postMessage({ channel: op.to, ...teamSlackMessage(n) });
    return { ok: true, status: null, error: null };
  }

  /** Brings the message at (channel, ts) up to date, if it is one of ours (after a stale click). */
  async refreshByRef(channel: string, ts: string): Promise<void> {
    const m = await this.deps.db
      .selectFrom('channel_messages')
      .select('id')
      .where('channel', '=', 'slack')
      .where('ref', '=', ts)
      .where('ref_channel', '=', channel)
      .executeTakeFirst();
    if (m) await this.update(m.id);
  }

  /** A posted message with the current view of its approval. */
  private async message(messageId: string) {
    const m = await this.deps.db
      .selectFrom('channel_messages')
      .selectAll()
      .where('id', '=', messageId)
      .executeTakeFirst();
    const v = m ? await approvalView(this.deps.db, m.approval_id, this.publicUrl, this.deps.policy) : undefined;
    return m && v ? { m, v } : undefined;
  }

  private async update(messageId: string): Promise<Attempt> {
    const found = await this.message(messageId);
    if (!found) return { ok: false, status: null, error: 'gone' };
    const { m, v } = found;
    if (v.stateKey === m.rendered) return { ok: true, status: null, error: null };
    await this.api.client.chat.update({ channel: m.ref_channel ?? m.target, ts: m.ref, ...slackMessage(v) });
    await this.deps.write(async (trx) => {
      await trx
        .updateTable('channel_messages')
        .set({ rendered: v.stateKey, updated_at: this.deps.now() })
        .where('id', '=', m.id)
        .execute();
    });
    return { ok: true, status: null, error: null };
  }

  private async remind(messageId: string): Promise<Attempt> {
    const found = await this.message(messageId);
    if (!found) return { ok: false, status: null, error: 'gone' };
    const { m, v } = found;
    if (v.gate.status !== 'pending') return { ok: true, status: null, error: 'skipped: no longer open' };
    const text = `⏰ Reminder: this request ${v.ctx.expiresAt ? `expires at ${v.ctx.expiresAt}` : 'is still open'} — ${statusLine(v)}`;
    await this.api.client.chat.postMessage({ channel: m.ref_channel ?? m.target, thread_ts: m.ref, text: esc(text) });
    return { ok: true, status: null, error: null };
  }
}
