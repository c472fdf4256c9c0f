import { HumanOSError } from '@humanos/core';
import { recordOpen } from '../approvals/review.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { p } from '../kernel/rows.js';
import { claimHtml, html, payloadHtml, warningsHtml } from './email.js';
import type { DecideFn } from './slackInteractions.js';
import type { LinkClaims, LinkTokens } from './tokens.js';
import { type ApprovalView, approvalView, consoleRequired, oneClickRefusal, statusLine } from './view.js';

/** A page the e-mail link answers with. */
export interface Page {
  status: number;
  html: string;
}

/** The route one-click links point to (under the API prefix, outside bearer authentication). */
export const EMAIL_DECIDE_PATH = '/v1/humanos/channels/email/decide';

function page(title: string, body: string, status = 200): Page {
  return {
    status,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${html(title)} · HumanOS</title>
<style>body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f6f7f9;margin:0;padding:24px}main{max-width:560px;margin:0 auto;background:#fff;border:1px solid #dde;border-radius:8px;padding:24px}label{display:block;margin:12px 0 4px;font-weight:600}textarea{width:100%;box-sizing:border-box;min-height:80px;font:inherit}button{margin-top:16px;padding:10px 18px;border:0;border-radius:6px;font-weight:600;color:#fff;cursor:pointer}.ok{background:#1a7f37}.no{background:#cf222e}.muted{color:#666;font-size:13px}</style></head>
<body><main><h1 style="font-size:20px">${html(title)}</h1>${body}</main></body></html>`,
  };
}

const openLink = (v: ApprovalView | undefined, publicUrl: string) =>
  `<p><a href="${html(v?.ctx.url ?? publicUrl)}">Open in HumanOS</a></p>`;

/** The payload was edited after the e-mail was sent: the link decides nothing. */
const changedPage = (v: ApprovalView, publicUrl: string) =>
  page(
    'This request has changed',
    `<p>The payload was edited after this e-mail was sent. Review the current version in HumanOS.</p>${openLink(v, publicUrl)}`,
    409,
  );

/**
 * The confirmation page of a usable link: what is decided, the fields the task requires, and a
 * form that POSTs the decision.
 */
export function confirmationPage(v: ApprovalView, claims: LinkClaims, token: string, publicUrl: string): Page {
  const approve = claims.v === 'approved';
  const field = (name: string, label: string, required: boolean) =>
    `<label for="${name}">${html(label)}${required ? '' : ' <span class="muted">(optional)</span>'}</label><textarea id="${name}" name="${name}" maxlength="5000"${required ? ' required' : ''}></textarea>`;
  const facts = `${claimHtml(v)}${payloadHtml(v.ctx.display, v.ctx.url ?? publicUrl)}<p><b>Risk:</b> ${html(v.ctx.riskLevel)} · <b>Status:</b> ${html(statusLine(v))}</p>${warningsHtml(v)}`;
  return page(
    `${approve ? 'Approve' : 'Reject'}: ${v.ctx.description}`,
    `${facts}<p class="muted">You are deciding as ${html(claims.p)}. Nothing is decided until you confirm.</p>
<form method="post" action="${EMAIL_DECIDE_PATH}"><input type="hidden" name="t" value="${html(token)}">
${field('reason', approve ? 'Reason' : 'Why reject?', !approve || v.requireReason)}${v.requireFeedback ? field('feedback', 'Feedback for the agent', true) : ''}
<button type="submit" class="${approve ? 'ok' : 'no'}">Confirm ${approve ? 'approval' : 'rejection'}</button></form>${openLink(v, publicUrl)}`,
  );
}

/**
 * One-click e-mail links. Opening a link (GET) only shows a confirmation page — mail scanners
 * prefetch links, so a GET never decides; the form on that page (POST) decides through the one
 * decision path, as the approver the e-mail was sent to, with `channel: 'email'` in the ledger. A
 * link works once, until it expires, for the payload it was sent with, and never for a high-risk gate.
 */
export class EmailLinks {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly tokens: LinkTokens,
    private readonly decide: DecideFn,
    private readonly publicUrl: string,
  ) {}

  /** Everything that makes a link unusable, as the page to show; or the claims, the approval and the approver. */
  private async check(token: string): Promise<Page | { claims: LinkClaims; v: ApprovalView; actor: Principal }> {
    const now = this.deps.now();
    const t = this.tokens.verify(token, now);
    if (!t)
      return page('This link is not valid', '<p>Use the buttons in the e-mail as they are, or open HumanOS.</p>', 400);
    const { claims } = t;
    const v = await approvalView(this.deps.db, claims.a, this.publicUrl, this.deps.policy);
    const open = openLink(v, this.publicUrl);
    if (t.expired) return page('This link has expired', `<p>Decide in HumanOS instead.</p>${open}`, 410);
    if (await this.used(claims.j)) {
      return page('This link was already used', `<p>${html(v ? statusLine(v) : '')}</p>${open}`, 409);
    }
    if (!v) return page('This approval no longer exists', open, 404);
    if (v.gate.status !== 'pending' || (v.gate.expires_at !== null && now >= v.gate.expires_at)) {
      return page('This request is no longer open', `<p>${html(statusLine(v))}.</p>${open}`, 409);
    }
    if (v.digest !== claims.d) return changedPage(v, this.publicUrl);
    if (v.highRisk) {
      return page(
        'Sign in to decide',
        `<p>This is a ${html(v.ctx.riskLevel)}-risk request: it can only be decided after signing in.</p>${open}`,
        403,
      );
    }
    // A link from before the request got warnings (or for a payload too large for an e-mail) decides nothing.
    const consoleOnly = oneClickRefusal(v, claims.v);
    if (consoleOnly) {
      const e = consoleRequired(consoleOnly);
      return page('Decide in HumanOS', `<p>${html(e.message)} (${html(e.code)})</p>${open}`, e.status);
    }
    const row = await this.deps.db
      .selectFrom('principals')
      .select(['id', 'kind', 'roles', 'disabled_at'])
      .where('id', '=', claims.p)
      .executeTakeFirst();
    if (!row || row.disabled_at !== null)
      return page('This link is not valid', '<p>Its approver can no longer sign in.</p>', 403);
    return { claims, v, actor: { id: row.id, kind: row.kind as Principal['kind'], roles: p<string[]>(row.roles) } };
  }

  private async used(jti: string): Promise<boolean> {
    return !!(await this.deps.db
      .selectFrom('channel_nonces')
      .select('id')
      .where('id', '=', `email:${jti}`)
      .executeTakeFirst());
  }

  /** GET: the confirmation page (never decides). */
  async confirmation(token: string): Promise<Page> {
    const c = await this.check(token);
    if ('status' in c) return c;
    // The page shows the request: the approver has it in front of them from now (minReviewSeconds).
    await recordOpen(this.deps, c.v.gate, c.actor, 'email');
    return confirmationPage(c.v, c.claims, token, this.publicUrl);
  }

  /** POST: decides, once, as the approver the link was made for. */
  async confirm(form: URLSearchParams): Promise<Page> {
    const c = await this.check(form.get('t') ?? '');
    if ('status' in c) return c;
    const { claims, v, actor } = c;
    const text = (k: string) => form.get(k)?.trim() || undefined;
    try {
      // The digest the e-mail was made for: decide() checks it under its locks, whatever raced the check above.
      await this.decide(actor, claims.a, claims.v, {
        reason: text('reason'),
        feedback: text('feedback'),
        channel: 'email',
        payloadDigest: claims.d,
      });
    } catch (e) {
      if (!(e instanceof HumanOSError)) throw e;
      if (e.code === 'stale_payload') return changedPage(v, this.publicUrl);
      return page('Not decided', `<p>${html(e.message)} (${html(e.code)})</p>${openLink(v, this.publicUrl)}`, e.status);
    }
    const now = this.deps.now();
    await this.deps.write(async (trx) => {
      await trx
        .insertInto('channel_nonces')
        .values({ id: `email:${claims.j}`, expires_at: Math.max(now, claims.e * 1000) })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
    const after = await approvalView(this.deps.db, claims.a, this.publicUrl, this.deps.policy);
    return page(
      claims.v === 'approved' ? 'Approved' : 'Rejected',
      `<p>Recorded in the ledger. ${html(after ? statusLine(after) : '')}.</p>${openLink(after, this.publicUrl)}`,
    );
  }
}
