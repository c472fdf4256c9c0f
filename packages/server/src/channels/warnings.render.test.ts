import { type ApprovalWarning, payloadDigest, renderPayload } from '@humanos/core';
import { describe, expect, it } from 'vitest';
import type { ApprovalRow, TaskRow } from '../kernel/rows.js';
import { renderEmail } from './email.js';
import { confirmationPage } from './emailPage.js';
import { decideModal, slackMessage } from './slack.js';
import { type ApprovalView, oneClickRefusal } from './view.js';

/**
 * The render functions every channel uses, given an approval with warnings (the warnings feature
 * produces them; here they are the input): shown above the buttons, and no one-click approve.
 */
const REFUND = { amount: 2499, currency: 'EUR', iban: 'DE89370400440532013000' };
const MISMATCH: ApprovalWarning = {
  code: 'text_payload_mismatch',
  message: 'The description says EUR 24.99; the payload’s /amount is 2499.',
  field: '/amount',
  claimed: '24.99',
  actual: '2499',
  source: 'description',
};
const URL = 'https://humanos.example.com/approvals/approval%3Ahuman%3A1';

function view(warnings: ApprovalWarning[], payload: unknown = REFUND, riskLevel = 'medium'): ApprovalView {
  return {
    gate: { id: 'approval:human:1', status: 'pending', step: 0, expires_at: null } as ApprovalRow,
    task: { requester: 'did:agent:refunder' } as TaskRow,
    ctx: {
      id: 'approval:human:1',
      kind: 'execution',
      status: 'pending',
      step: 0,
      reason: null,
      approverRoles: ['finance'],
      required: 1,
      approvals: 0,
      expiresAt: null,
      description: 'Refund EUR 24.99 to customer C-1042',
      riskLevel,
      riskFactors: [],
      aiProposal: { action: 'Refund 24.99 EUR', reasoning: null, confidence: null },
      url: URL,
      display: renderPayload(payload, { maxFields: 30, maxChars: 300 }),
      warnings,
    },
    decisions: [],
    digest: payloadDigest(payload),
    requireReason: false,
    requireFeedback: false,
    highRisk: riskLevel === 'high',
    stateKey: 'x',
  };
}
const links = { approve: 'https://h/approve', reject: 'https://h/reject', open: URL };

describe('warnings in every channel', () => {
  it('Slack: the warnings above the buttons, Reject and Open but no Approve; without warnings all three', () => {
    const { blocks } = slackMessage(view([MISMATCH]));
    const ids = blocks.map((b) => b.block_id ?? b.type);
    expect(ids.indexOf('warnings')).toBeGreaterThan(-1);
    expect(ids.indexOf('warnings')).toBeLessThan(ids.indexOf('decide'));
    expect(JSON.stringify(blocks)).toContain('The description says EUR 24.99; the payload’s /amount is 2499.');
    const buttons = (blocks.find((b) => b.block_id === 'decide') as { elements: { action_id: string }[] }).elements;
    expect(buttons.map((b) => b.action_id)).toEqual(['humanos_reject', 'humanos_open']);
    expect(JSON.stringify(blocks.find((b) => b.block_id === 'console_only'))).toContain(
      'open it in HumanOS to approve',
    );
    const clean = slackMessage(view([])).blocks.find((b) => b.block_id === 'decide') as {
      elements: { action_id: string }[];
    };
    expect(clean.elements.map((b) => b.action_id)).toEqual(['humanos_approve', 'humanos_reject', 'humanos_open']);
    // The reject dialog shows the payload and the warnings too.
    const modal = decideModal(view([MISMATCH]), 'rejected', { digest: 'd' });
    expect(JSON.stringify(modal)).toContain('Amount\\n2499');
    expect(JSON.stringify(modal)).toContain('The description says EUR 24.99');
  });

  it('e-mail: the warnings above the buttons in both parts, no Approve link offered', () => {
    const v = view([MISMATCH]);
    const mail = renderEmail(v, 'request', { ...links, approve: null });
    expect(mail.html.indexOf('Read before deciding')).toBeLessThan(mail.html.indexOf('Reject…'));
    expect(mail.html).not.toContain('Approve…');
    expect(mail.text).toContain('WARNINGS — read before deciding:\n  - The description says EUR 24.99');
    expect(mail.text).not.toContain('Approve (confirm on the page)');
    expect(mail.text).toContain('Reject (confirm on the page): https://h/reject');
    const page = confirmationPage(
      v,
      { a: v.gate.id, p: 'did:human:ann', v: 'rejected', d: v.digest, e: 0, j: 'j' },
      't',
      URL,
    );
    expect(page.html).toContain('Read before deciding');
    expect(page.html).toContain('>2499</span>');
  });

  it('which verdicts a message may give', () => {
    expect(oneClickRefusal(view([]), 'approved')).toBeUndefined();
    expect(oneClickRefusal(view([MISMATCH]), 'approved')).toMatch(/warnings/);
    expect(oneClickRefusal(view([MISMATCH]), 'rejected')).toBeUndefined();
    const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, i]));
    expect(oneClickRefusal(view([], big), 'rejected')).toMatch(/too large/);
    expect(oneClickRefusal(view([], big), 'approved')).toMatch(/too large/);
  });
});
