import { randomBytes } from 'node:crypto';
import { displayLines, moreCharacters, moreFields, type PayloadDisplay } from '@humanos/core';
import { createTransport, type Transporter } from 'nodemailer';
import type { Attempt, DeliveryRow } from '../delivery/outbox.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { reviewEmail, reviewNotice } from './auditNotice.js';
import type { Identity } from './identity.js';
import type { EmailOp } from './planner.js';
import { teamEmail, teamNotice } from './teamNotice.js';
import type { LinkTokens } from './tokens.js';
import { type ApprovalView, approvalView, oneClickRefusal, statusLine } from './view.js';

/** Escapes text for HTML: agent-supplied text is shown as text, never as markup. */
export function html(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export interface EmailSettings {
  smtpUrl: string;
  from: string;
  publicUrl: string;
  linkTtlSeconds: number;
  timeoutMs: number;
}

/** The one-click links of an e-mail: one per verdict, or none for a high-risk gate (sign-in required). */
export interface MailLinks {
  approve: string | null;
  reject: string | null;
  open: string;
}

const BUTTON =
  'display:inline-block;padding:10px 18px;border-radius:6px;font-weight:600;text-decoration:none;margin-right:8px';

function row(label: string, value: string): string {
  return `<tr><td style="padding:4px 12px 4px 0;color:#555;vertical-align:top">${html(label)}</td><td style="padding:4px 0">${value}</td></tr>`;
}

/** The payload that executes, as an HTML table: values as text (identifiers in monospace), edits marked, cuts linked. */
export function payloadHtml(display: PayloadDisplay, open: string): string {
  const more = (text: string) => `<a href="${html(open)}" style="color:#224">${html(text)}</a>`;
  const rows = display.fields.map((f) => {
    const mono =
      f.format === 'identifier' || f.format === 'json' ? 'font-family:ui-monospace,Menlo,Consolas,monospace;' : '';
    const value = `<span style="${mono}white-space:pre-wrap;word-break:break-all">${html(f.text)}</span>${f.truncated > 0 ? `… (${more(moreCharacters(f.truncated))})` : ''}`;
    const edited = f.edited ? ' <b style="color:#9a6700">(edited)</b>' : '';
    return row(f.label, `${value}${edited}`);
  });
  const hidden =
    display.hiddenFields > 0 ? `<p style="margin:4px 0">${more(moreFields(display.hiddenFields))}</p>` : '';
  return `<h2 style="font-size:15px;margin:16px 0 4px">What will execute</h2><p style="margin:0 0 8px;color:#666;font-size:12px">The payload, field by field${display.template ? ` (as the policy's display template ${html(display.template)} lays it out)` : ''}: this is what runs if approved.</p><table style="border-collapse:collapse;font-size:14px;margin-bottom:4px">${rows.join('')}</table>${hidden}`;
}

/** The agent's text as its claim, set apart from the payload. */
export function claimHtml(v: ApprovalView): string {
  const { ctx } = v;
  const confidence = ctx.aiProposal.confidence === null ? null : `${Math.round(ctx.aiProposal.confidence * 100)} %`;
  const line = (label: string, value: string | null) =>
    value ? `<p style="margin:4px 0"><b>${html(label)}:</b> ${html(value)}</p>` : '';
  return `<h2 style="font-size:15px;margin:0 0 4px">The agent says</h2><p style="margin:0 0 8px;color:#666;font-size:12px">Its claim — check it against what will execute.</p><blockquote style="margin:0 0 8px;padding:8px 12px;font-size:14px;border-left:4px solid #ccd;background:#f6f7f9">${line('Description', ctx.description)}${line('AI proposal', ctx.aiProposal.action)}${line('Reasoning', ctx.aiProposal.reasoning)}${line('Confidence', confidence)}</blockquote>`;
}

/** The warnings, above the decision buttons. */
export function warningsHtml(v: ApprovalView): string {
  if (v.ctx.warnings.length === 0) return '';
  const items = v.ctx.warnings.map((w) => `<li>${html(w.message)}</li>`).join('');
  return `<div style="border:1px solid #d4a72c;background:#fff8c5;border-radius:6px;padding:8px 12px;margin-bottom:12px"><b>⚠ Read before deciding</b><ul style="margin:4px 0;padding-left:20px">${items}</ul></div>`;
}

/** The buttons (or why there are none): one-click links where the request may be decided from the e-mail. */
function actionsHtml(v: ApprovalView, kind: EmailOp['op'], links: MailLinks): string {
  const openButton = (bg: string, fg: string, text = 'Open in HumanOS') =>
    `<a href="${html(links.open)}" style="${BUTTON};background:${bg};color:${fg}">${html(text)}</a>`;
  if (kind === 'outcome' || v.gate.status !== 'pending') return openButton('#eef', '#224');
  if (v.highRisk)
    return `<p style="margin:0 0 8px">This is a <b>${html(v.ctx.riskLevel)}-risk</b> request: decide it in HumanOS after signing in.</p>${openButton('#224', '#fff', 'Sign in to decide')}`;
  const approve = links.approve
    ? `<a href="${html(links.approve)}" style="${BUTTON};background:#1a7f37;color:#fff">Approve…</a>`
    : '';
  const reject = links.reject
    ? `<a href="${html(links.reject)}" style="${BUTTON};background:#cf222e;color:#fff">Reject…</a>`
    : '';
  const why = oneClickRefusal(v, 'approved');
  return `${why ? `<p style="margin:0 0 8px">${html(why)}</p>` : ''}${approve}${reject}${openButton(approve ? '#eef' : '#224', approve ? '#224' : '#fff', approve ? 'Open in HumanOS' : 'Open in HumanOS to decide')}`;
}

/** The e-mail's plain-text part: the same sections as the HTML, in the same order. */
function emailText(
  v: ApprovalView,
  kind: EmailOp['op'],
  links: MailLinks,
  lead: string,
  facts: [string, string][],
  confidence: string | null,
): string {
  const { ctx } = v;
  const pending = kind !== 'outcome' && v.gate.status === 'pending';
  const claim = [
    `  ${ctx.description}`,
    ...(ctx.aiProposal.action ? [`  AI proposal: ${ctx.aiProposal.action}`] : []),
    ...(ctx.aiProposal.reasoning ? [`  Reasoning: ${ctx.aiProposal.reasoning}`] : []),
    ...(confidence ? [`  Confidence: ${confidence}`] : []),
  ];
  const why = pending && !v.highRisk ? oneClickRefusal(v, 'approved') : undefined;
  return [
    `${lead}: ${ctx.description}`,
    '',
    'The agent says (its claim — check it against what will execute):',
    ...claim,
    '',
    `What will execute${ctx.display.template ? ` (display template ${ctx.display.template})` : ''}:`,
    ...displayLines(ctx.display, links.open).map((l) => `  ${l}`),
    '',
    ...facts.map(([k, val]) => `${k}: ${val}`),
    '',
    ...(ctx.warnings.length > 0
      ? ['WARNINGS — read before deciding:', ...ctx.warnings.map((w) => `  - ${w.message}`), '']
      : []),
    ...(pending && v.highRisk ? [`This is a ${ctx.riskLevel}-risk request: sign in to decide.`] : []),
    ...(why ? [why] : []),
    ...(pending && links.approve ? [`Approve (confirm on the page): ${links.approve}`] : []),
    ...(pending && links.reject ? [`Reject (confirm on the page): ${links.reject}`] : []),
    `Open in HumanOS: ${links.open}`,
    '',
    `Requested by ${v.task.requester} · ${v.gate.id}`,
  ].join('\n');
}

/**
 * The e-mail about an approval, as HTML and plain text: the agent's text as its claim, the payload
 * that executes (every field, as the policy's display template lays it out, edits marked), the
 * warnings, risk, deadline and progress, and one-click Approve / Reject links (each opens a
 * confirmation page; nothing is decided by opening a link) where the request may be decided from an
 * e-mail — or, for an outcome, what became of it.
 *
 * @example
 * const { subject, html, text } = renderEmail(view, 'request', links);
 */
export function renderEmail(
  v: ApprovalView,
  kind: EmailOp['op'],
  links: MailLinks,
): { subject: string; html: string; text: string } {
  const { ctx } = v;
  const status = statusLine(v);
  const lead =
    kind === 'outcome'
      ? (status.split(' ')[0] ?? '')
      : kind === 'reminder'
        ? 'Reminder: approval needed'
        : 'Approval needed';
  const subject = `${lead}: ${ctx.description}`.slice(0, 200);
  const confidence = ctx.aiProposal.confidence === null ? null : `${Math.round(ctx.aiProposal.confidence * 100)} %`;
  const facts: [string, string][] = [
    ['Risk', `${ctx.riskLevel}${ctx.riskFactors.length ? ` (${ctx.riskFactors.join(', ')})` : ''}`],
    ['Deadline', ctx.expiresAt ? new Date(ctx.expiresAt).toUTCString() : 'none'],
    ['Approvers', `${ctx.approverRoles.join(' or ')} — ${ctx.approvals} of ${ctx.required}`],
    ['Status', status],
  ];
  const note =
    (links.approve || links.reject) && kind !== 'outcome'
      ? `<p style="color:#666;font-size:12px">${[links.approve ? 'Approve…' : null, links.reject ? 'Reject…' : null].filter(Boolean).join(' and ')} open${links.approve && links.reject ? '' : 's'} a confirmation page in HumanOS; nothing is decided until you confirm there. The links work once, for you only, and expire.</p>`
      : '';
  const htmlBody = `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f6f7f9;margin:0;padding:24px">
<div style="max-width:600px;margin:0 auto;background:#fff;border:1px solid #dde;border-radius:8px;padding:24px">
<p style="margin:0 0 4px;color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.05em">HumanOS · ${html(lead)}</p>
<h1 style="font-size:20px;margin:0 0 16px">${html(ctx.description)}</h1>
${claimHtml(v)}${payloadHtml(ctx.display, links.open)}
<table style="border-collapse:collapse;font-size:14px;margin:16px 0 20px">${facts.map(([k, val]) => row(k, html(val))).join('')}</table>
${warningsHtml(v)}<div style="margin-bottom:16px">${actionsHtml(v, kind, links)}</div>${note}
<p style="color:#888;font-size:12px;margin-top:24px">Requested by ${html(v.task.requester)} · ${html(v.gate.id)}<br>You get this because you may decide it. Change your notifications in HumanOS (<code>humanos channels prefs</code>).</p>
</div></body></html>`;
  return { subject, html: htmlBody, text: emailText(v, kind, links, lead, facts, confidence) };
}

/**
 * The e-mail sink: sends approval requests, reminders and outcomes over SMTP (nodemailer), each
 * rendered from the current state (a request for a gate that was decided meanwhile is not sent).
 */
export class EmailSink {
  private readonly transport: Transporter;

  constructor(
    private readonly deps: FeatureDeps,
    private readonly identity: Identity,
    private readonly tokens: LinkTokens,
    private readonly settings: EmailSettings,
  ) {
    const url = new URL(settings.smtpUrl);
    const timeout = String(settings.timeoutMs);
    for (const k of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) {
      if (!url.searchParams.has(k)) url.searchParams.set(k, timeout);
    }
    this.transport = createTransport(url.toString());
  }

  /** The links of one approver's e-mail. */
  links(v: ApprovalView, principal: string): MailLinks {
    const open = v.ctx.url ?? this.settings.publicUrl;
    if (v.highRisk || v.gate.status !== 'pending') return { approve: null, reject: null, open };
    const now = this.deps.now();
    const link = (verdict: 'approved' | 'rejected') =>
      `${this.settings.publicUrl}/v1/humanos/channels/email/decide?t=${this.tokens.issue(
        { a: v.gate.id, p: principal, v: verdict, d: v.digest },
        this.settings.linkTtlSeconds,
        now,
      )}`;
    // No link for a verdict the e-mail may not give (a payload too large to show; approving with warnings).
    const allowed = (verdict: 'approved' | 'rejected') => (oneClickRefusal(v, verdict) ? null : link(verdict));
    return { approve: allowed('approved'), reject: allowed('rejected'), open };
  }

  async send(d: DeliveryRow, entry: string): Promise<Attempt> {
    const op = JSON.parse(d.target ?? '{}') as EmailOp;
    const approvalId = (JSON.parse(entry) as { approvalId?: string }).approvalId;
    const to = (await this.identity.addresses(this.deps.db, [op.principal])).get(op.principal)?.get('email');
    if (op.op === 'audit_review')
      return to ? this.sendReview(op.review, to) : { ok: true, status: null, error: 'skipped: no address' };
    if (op.op === 'notice') {
      if (!to) return { ok: true, status: null, error: 'skipped: no address' };
      const notice = { subject: op.subject, text: op.text, html: `<p>${html(op.text)}</p>` };
      return (
        (await this.mail(to, `<${randomBytes(12).toString('hex')}@humanos>`, notice)) ?? {
          ok: true,
          status: 250,
          error: null,
        }
      );
    }
    if (op.op === 'team_notice')
      return to ? this.sendNotice(op, to) : { ok: true, status: null, error: 'skipped: no address' };
    if (!approvalId || !to) return { ok: true, status: null, error: 'skipped: no address' };
    const v = await approvalView(this.deps.db, approvalId, this.settings.publicUrl, this.deps.policy);
    if (!v) return { ok: false, status: null, error: 'gone' };
    if (op.op !== 'outcome' && v.gate.status !== 'pending') {
      return { ok: true, status: null, error: `skipped: approval is ${v.gate.status}` };
    }
    const mail = renderEmail(v, op.op, this.links(v, op.principal));
    const messageId = `<${randomBytes(12).toString('hex')}@humanos>`;
    const failed = await this.mail(to, messageId, mail);
    if (failed) return failed;
    if (op.op === 'request') await this.recordSent(v, op.principal, to, messageId);
    return { ok: true, status: 250, error: null };
  }

  /** The notice of an opened audit review (see `auditNotice.ts`); a completed one is not announced. */
  private async sendReview(reviewId: string, to: string): Promise<Attempt> {
    const n = await reviewNotice(this.deps.db, reviewId, this.settings.publicUrl);
    if (!n) return { ok: false, status: null, error: 'gone' };
    if (n.status !== 'open') return { ok: true, status: null, error: 'skipped: review is completed' };
    const mail = reviewEmail({ ...n, url: n.url ?? this.settings.publicUrl });
    const failed = await this.mail(to, `<${randomBytes(12).toString('hex')}@humanos>`, mail);
    return failed ?? { ok: true, status: 250, error: null };
  }

  /** A mention or an assignment (`teamNotice.ts`). */
  private async sendNotice(op: Extract<EmailOp, { op: 'team_notice' }>, to: string): Promise<Attempt> {
    const n = await teamNotice(this.deps.db, op, this.settings.publicUrl);
    if (!n) return { ok: false, status: null, error: 'gone' };
    const mail = teamEmail({ ...n, url: n.url ?? this.settings.publicUrl });
    const failed = await this.mail(to, `<${randomBytes(12).toString('hex')}@humanos>`, mail);
    return failed ?? { ok: true, status: 250, error: null };
  }

  /** Sends one e-mail; the failed attempt, or undefined when the server took it. */
  private async mail(
    to: string,
    messageId: string,
    mail: { subject: string; html: string; text: string },
  ): Promise<Attempt | undefined> {
    try {
      await this.transport.sendMail({ from: this.settings.from, to, messageId, ...mail });
      return undefined;
    } catch (e) {
      const err = e as { responseCode?: number; code?: string; message?: string };
      return {
        ok: false,
        status: err.responseCode ?? null,
        error: `smtp: ${err.code ?? err.message ?? 'error'}`.slice(0, 200),
      };
    }
  }

  /** Remembered, so the approver hears the outcome later. */
  private async recordSent(v: ApprovalView, principal: string, to: string, messageId: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.write(async (trx) => {
      await trx
        .insertInto('channel_messages')
        .values({
          id: `message:${randomBytes(12).toString('hex')}`,
          approval_id: v.gate.id,
          channel: 'email',
          target: to,
          principal_id: principal,
          ref_channel: null,
          ref: messageId,
          rendered: v.stateKey,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }

  close(): void {
    this.transport.close();
  }
}
