import { randomBytes } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { Attempt, DeliveryRow } from '../delivery/outbox.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { reviewEmail, reviewNotice } from './auditNotice.js';
import type { Identity } from './identity.js';
import type { EmailOp } from './planner.js';
import { teamEmail, teamNotice } from './teamNotice.js';
import type { LinkTokens } from './tokens.js';
import { type ApprovalView, approvalView, statusLine } from './view.js';

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

/**
 * The e-mail about an approval, as HTML and plain text: the request with the AI's proposal,
 * reasoning, confidence, risk, deadline and progress, and one-click Approve / Reject links (each
 * opens a confirmation page; nothing is decided by opening a link) — or, for an outcome, what
 * became of it.
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
  const facts: [string, string | null][] = [
    ['AI proposal', ctx.aiProposal.action],
    ['Reasoning', ctx.aiProposal.reasoning],
    ['Confidence', confidence],
    ['Risk', `${ctx.riskLevel}${ctx.riskFactors.length ? ` (${ctx.riskFactors.join(', ')})` : ''}`],
    ['Deadline', ctx.expiresAt ? new Date(ctx.expiresAt).toUTCString() : 'none'],
    ['Approvers', `${ctx.approverRoles.join(' or ')} — ${ctx.approvals} of ${ctx.required}`],
    ['Status', status],
  ];
  const shown = facts.filter((f): f is [string, string] => f[1] !== null);
  const actions =
    kind === 'outcome' || v.gate.status !== 'pending'
      ? `<a href="${html(links.open)}" style="${BUTTON};background:#eef;color:#224">Open in HumanOS</a>`
      : links.approve && links.reject
        ? `<a href="${html(links.approve)}" style="${BUTTON};background:#1a7f37;color:#fff">Approve…</a><a href="${html(links.reject)}" style="${BUTTON};background:#cf222e;color:#fff">Reject…</a><a href="${html(links.open)}" style="${BUTTON};background:#eef;color:#224">Open in HumanOS</a>`
        : `<p style="margin:0 0 8px">This is a <b>${html(ctx.riskLevel)}-risk</b> request: decide it in HumanOS after signing in.</p><a href="${html(links.open)}" style="${BUTTON};background:#224;color:#fff">Sign in to decide</a>`;
  const note =
    links.approve && kind !== 'outcome'
      ? '<p style="color:#666;font-size:12px">Approve… and Reject… open a confirmation page in HumanOS; nothing is decided until you confirm there. The links work once, for you only, and expire.</p>'
      : '';
  const htmlBody = `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f6f7f9;margin:0;padding:24px">
<div style="max-width:600px;margin:0 auto;background:#fff;border:1px solid #dde;border-radius:8px;padding:24px">
<p style="margin:0 0 4px;color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.05em">HumanOS · ${html(lead)}</p>
<h1 style="font-size:20px;margin:0 0 16px">${html(ctx.description)}</h1>
<table style="border-collapse:collapse;font-size:14px;margin-bottom:20px">${shown.map(([k, val]) => row(k, html(val))).join('')}</table>
<div style="margin-bottom:16px">${actions}</div>${note}
<p style="color:#888;font-size:12px;margin-top:24px">Requested by ${html(v.task.requester)} · ${html(v.gate.id)}<br>You get this because you may decide it. Change your notifications in HumanOS (<code>humanos channels prefs</code>).</p>
</div></body></html>`;
  const text = [
    `${lead}: ${ctx.description}`,
    '',
    ...shown.map(([k, val]) => `${k}: ${val}`),
    '',
    ...(kind !== 'outcome' && v.gate.status === 'pending' && links.approve && links.reject
      ? [`Approve (confirm on the page): ${links.approve}`, `Reject (confirm on the page): ${links.reject}`]
      : kind !== 'outcome' && v.gate.status === 'pending'
        ? [`This is a ${ctx.riskLevel}-risk request: sign in to decide.`]
        : []),
    `Open in HumanOS: ${links.open}`,
    '',
    `Requested by ${v.task.requester} · ${v.gate.id}`,
  ].join('\n');
  return { subject, html: htmlBody, text };
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
    return { approve: link('approved'), reject: link('rejected'), open };
  }

  async send(d: DeliveryRow, entry: string): Promise<Attempt> {
    const op = JSON.parse(d.target ?? '{}') as EmailOp;
    const approvalId = (JSON.parse(entry) as { approvalId?: string }).approvalId;
    const to = (await this.identity.addresses(this.deps.db, [op.principal])).get(op.principal)?.get('email');
    if (op.op === 'audit_review')
      return to ? this.sendReview(op.review, to) : { ok: true, status: null, error: 'skipped: no address' };
    if (op.op === 'notice')
      return to ? this.sendNotice(op, to) : { ok: true, status: null, error: 'skipped: no address' };
    if (!approvalId || !to) return { ok: true, status: null, error: 'skipped: no address' };
    const v = await approvalView(this.deps.db, approvalId, this.settings.publicUrl);
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
  private async sendNotice(op: Extract<EmailOp, { op: 'notice' }>, to: string): Promise<Attempt> {
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
