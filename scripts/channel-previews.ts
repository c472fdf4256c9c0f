/**
 * Renders what approvers see on the notification channels, from the real templates, into
 * docs/images/: the request e-mail, the outcome e-mail, the e-mail link's confirmation page (PNG,
 * with headless Chromium) and the Slack Block Kit message (JSON, to paste into Slack's Block Kit
 * Builder). Run after `npm run build`:
 *
 *   npx tsx scripts/channel-previews.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MESSAGE_LIMITS, renderPayload } from '../packages/core/dist/index.js';
import { renderEmail } from '../packages/server/dist/channels/email.js';
import { confirmationPage } from '../packages/server/dist/channels/emailPage.js';
import { slackMessage } from '../packages/server/dist/channels/slack.js';
import type { ApprovalView } from '../packages/server/dist/channels/view.js';

const out = join(import.meta.dirname, '..', 'docs', 'images');
const tmp = mkdtempSync(join(tmpdir(), 'humanos-previews-'));
const at = Date.parse('2026-01-10T15:00:00Z');
const approvalId = 'approval:human:4f1c2a9e8b7d6c5a4f3e2d1c';
const publicUrl = 'https://humanos.example.com';

function view(status: string, decisions: ApprovalView['decisions']): ApprovalView {
  const gate = {
    id: approvalId,
    task_id: 'task:human:9a8b7c6d5e4f3a2b1c0d9e8f',
    kind: 'execution',
    step: 0,
    approver_role: 'finance',
    required: 1,
    status,
    requested_at: at,
    expires_at: at + 30 * 60_000,
    escalation_policy: 'auto',
    escalate_to: null,
    decided_at: status === 'pending' ? null : at + 4 * 60_000,
    reason: 'Payments above $5,000 need finance',
    timeout_ms: 30 * 60_000,
    remind_at: null,
    reminded: 0,
    proposal: null,
  } as ApprovalView['gate'];
  const task = { requester: 'did:agent:invoice-bot' } as ApprovalView['task'];
  return {
    gate,
    task,
    ctx: {
      id: approvalId,
      kind: 'execution',
      status,
      step: 0,
      reason: gate.reason,
      approverRoles: ['finance'],
      required: 1,
      approvals: decisions.filter((d) => d.verdict === 'approved').length,
      expiresAt: new Date(at + 30 * 60_000).toISOString(),
      description: 'Pay invoice INV-2291 from ACME Corp ($9,400)',
      riskLevel: 'medium',
      riskFactors: ['payment', 'new bank account'],
      aiProposal: {
        action: 'Pay $9,400 to ACME Corp (IBAN DE89…3000)',
        reasoning: 'Matches PO-7731 and the delivery note; the bank account changed last week.',
        confidence: 0.82,
      },
      url: `${publicUrl}/approvals/${encodeURIComponent(approvalId)}`,
      // The payload that executes, laid out by a policy display template (amount in cents).
      display: renderPayload(
        { invoice: 'INV-2291', payee: 'ACME Corp', amount: 940000, currency: 'USD', iban: 'DE89370400440532013000' },
        {
          ...MESSAGE_LIMITS,
          template: {
            id: 'payments',
            fields: [
              { path: '/amount', label: 'Amount', format: 'money', currencyPath: '/currency', minorUnits: true },
              { path: '/payee', label: 'Payee' },
              { path: '/iban', label: 'IBAN', format: 'identifier' },
            ],
          },
        },
      ),
      warnings: [],
    },
    decisions,
    digest: 'sha256:0000',
    requireReason: false,
    requireFeedback: true,
    highRisk: false,
    stateKey: status,
  };
}

const links = {
  approve: `${publicUrl}/v1/humanos/channels/email/decide?t=…approve…`,
  reject: `${publicUrl}/v1/humanos/channels/email/decide?t=…reject…`,
  open: `${publicUrl}/approvals/${encodeURIComponent(approvalId)}`,
};

function shot(name: string, html: string, height: number): void {
  const file = join(tmp, `${name}.html`);
  writeFileSync(file, html);
  execFileSync('chromium', [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--window-size=720,${height}`,
    `--screenshot=${join(out, `${name}.png`)}`,
    `file://${file}`,
  ]);
}

mkdirSync(out, { recursive: true });
const pending = view('pending', []);
shot('email-request', renderEmail(pending, 'request', links).html, 760);
const done = view('approved', [
  { principal: 'did:human:ann', verdict: 'approved', reason: 'PO matches', channel: 'slack' },
]);
shot('email-outcome', renderEmail(done, 'outcome', { approve: null, reject: null, open: links.open }).html, 720);
const claims = { a: approvalId, p: 'did:human:ann', v: 'approved' as const, d: 'sha256:0000', e: 0, j: 'x' };
shot('email-confirm', confirmationPage(pending, claims, '…', publicUrl).html, 920);
writeFileSync(
  join(out, 'slack-request.json'),
  `${JSON.stringify({ blocks: slackMessage(pending).blocks }, null, 2)}\n`,
);
writeFileSync(join(out, 'slack-approved.json'), `${JSON.stringify({ blocks: slackMessage(done).blocks }, null, 2)}\n`);
console.log(
  `wrote ${out}/email-request.png, email-outcome.png, email-confirm.png, slack-request.json, slack-approved.json`,
);
