import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { payloadDigest } from '@humanos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import {
  channelEnv,
  FakeSlack,
  PUBLIC_URL,
  SIGNING_SECRET,
  type SlackCall,
  SmtpSink,
  slackHeaders,
  until,
} from '../../../../test-support/integrations.js';
import { LinkTokens } from './tokens.js';

/**
 * Issue 25: what the approver sees is what executes. The task says "Refund EUR 24.99" and its
 * payload says 2499: every channel shows the payload (per the policy's display template, or as it
 * is), apart from the agent's text; a payload too large for a message has no one-click decision, and
 * an old button or link for it is refused server-side.
 */
type Block = {
  type: string;
  block_id?: string;
  elements?: { action_id?: string; url?: string; value?: string; text?: string }[];
  text?: { text: string };
  fields?: { type: string; text: string }[];
};

const IBAN = 'DE89370400440532013000';
const REFUND = { amount: 2499, currency: 'EUR', iban: IBAN };
const POLICY = {
  name: 'display-test',
  version: 1,
  rules: [],
  display: [
    {
      id: 'refunds',
      match: { capabilities: ['refunds'] },
      fields: [
        { path: '/amount', label: 'Amount', format: 'money', currencyPath: '/currency', minorUnits: true },
        { path: '/iban', label: 'IBAN', format: 'identifier' },
      ],
    },
    {
      id: 'transfers',
      match: { capabilities: ['transfers'] },
      fields: [{ path: '/amount', label: 'Amount', format: 'money', currencyPath: '/currency' }],
    },
  ],
};

for (const backend of backends()) {
  describe(`every channel shows the payload that executes [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    let ann: Api;
    const ANN = `did:human:ann-display-${backend}`;
    const CARL = `did:human:carl-display-${backend}`;

    const approvalOf = (c: SlackCall) =>
      /approval:[a-z]+:[0-9a-f]+/.exec(JSON.stringify((c.body.blocks as Block[]).at(-1)))?.[0];
    const postTo = (approvalId: string) =>
      slack.of('chat.postMessage').find((c) => approvalOf(c) === approvalId && c.body.channel === 'U0ANN');
    const mailFor = (approvalId: string) => smtp.to('ann@example.com').find((m) => m.text?.includes(approvalId));
    const fieldTexts = (c: SlackCall) =>
      (c.body.blocks as Block[])
        .flatMap((b) => (b.fields ?? []).filter((f) => f.type === 'plain_text'))
        .map((f) => f.text);
    const actionIds = (c: SlackCall) =>
      (c.body.blocks as Block[]).find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id) ?? [];
    const create = async (payload: Record<string, unknown>, requiredCapabilities: string[] = []) => {
      const c = await agent.post('/tasks', {
        description: 'Refund EUR 24.99 to customer C-1042',
        humanInLoop: { approverRole: 'finance' },
        aiProposal: { action: 'Refund 24.99 EUR', reasoning: 'The customer returned the item', confidence: 0.9 },
        requiredCapabilities,
        payload,
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      const approvalId = c.body.approvalRequest.id as string;
      await until(
        () => postTo(approvalId) !== undefined && mailFor(approvalId) !== undefined,
        'the Slack DM and e-mail',
      );
      return {
        approvalId,
        post: postTo(approvalId) as SlackCall,
        mail: mailFor(approvalId) as NonNullable<ReturnType<typeof mailFor>>,
      };
    };

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      const file = join(mkdtempSync(join(tmpdir(), 'humanos-display-')), 'policy.json');
      writeFileSync(file, JSON.stringify(POLICY));
      t = await startTestServer(backend, { ...channelEnv(slack, smtp), HUMANOS_POLICY: file });
      agent = await t.principal(`did:agent:refunder-${backend}`, []);
      ann = await t.principal(ANN, ['finance']);
      const links = { slackUserId: 'U0ANN', email: 'ann@example.com' };
      expect((await t.admin.req('PUT', `/channels/links/${ANN}`, links)).status).toBe(200);
      await t.principal(CARL, ['ops']);
      expect((await t.admin.req('PUT', `/channels/links/${CARL}`, { slackUserId: 'U0CARL' })).status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    it('without a template: Slack, the e-mail and its confirmation page show 2499 and the IBAN, apart from the agent’s claim', async () => {
      const { approvalId, post, mail } = await create(REFUND);
      // Slack: the payload as plain-text fields, after the agent's claim.
      expect(fieldTexts(post)).toEqual(['Amount\n2499', 'Currency\nEUR', `IBAN\n${IBAN}`]);
      const blocks = post.body.blocks as Block[];
      const claim = blocks.findIndex((b) => b.block_id === 'claim');
      const payload = blocks.findIndex((b) => b.block_id === 'payload');
      expect(blocks[claim]?.text?.text).toContain('*The agent says*');
      expect(blocks[claim]?.text?.text).toContain('Refund EUR 24.99 to customer C-1042');
      expect(blocks[payload]?.text?.text).toBe('*What will execute*:');
      expect(claim).toBeLessThan(payload);
      // The text says 24.99 and names C-1042; the payload says 2499 and names no customer: flagged
      // above the buttons, and no one-click Approve (Reject and the console stay).
      const warned = blocks.findIndex((b) => b.block_id === 'warnings');
      expect(blocks[warned]?.text?.text).toContain('The description says EUR 24.99, but the payload’s amount is 2499');
      expect(blocks[warned]?.text?.text).toContain('C-1042');
      expect(warned).toBeLessThan(blocks.findIndex((b) => b.type === 'actions'));
      expect(actionIds(post)).toEqual(['humanos_reject', 'humanos_open']);
      // E-mail: both parts, the warnings, and no Approve link (the raised risk: sign in to decide).
      expect(mail.text).toContain('The agent says (its claim — check it against what will execute):');
      expect(mail.text).toContain(`What will execute:\n  Amount: 2499\n  Currency: EUR\n  IBAN: ${IBAN}\n`);
      expect(mail.text).toContain('WARNINGS — read before deciding:');
      expect(mail.text).toContain('The description says EUR 24.99, but the payload’s amount is 2499 at /amount.');
      expect(mail.text).not.toContain('Approve (confirm on the page)');
      expect(mail.html).toContain('What will execute');
      expect(mail.html).toContain('>2499</span>');
      expect(mail.html).toContain(IBAN);
      expect(mail.html).not.toContain('Approve…');
      // A request whose text agrees with its payload (minor units declared, the customer named) has
      // the one-click link; the confirmation page it opens shows the same rendering.
      const agreed = await create({ amount: 2499, currency: 'EUR', minorUnits: true, customer: 'C-1042', iban: IBAN });
      expect(actionIds(agreed.post)).toEqual(['humanos_approve', 'humanos_reject', 'humanos_open']);
      const link = /Approve \(confirm on the page\): (\S+)/
        .exec(agreed.mail.text ?? '')?.[1]
        ?.replace(PUBLIC_URL, t.url);
      const page = await (await fetch(link as string)).text();
      expect(page).toContain('The agent says');
      expect(page).toContain('What will execute');
      expect(page).toContain('>2499</span>');
      expect(page).toContain(IBAN);
      // The console's view: the same rendering.
      const detail = (await t.admin.get(`/approvals/${encodeURIComponent(approvalId)}`)).body;
      expect(detail.display).toEqual({
        fields: [
          { path: '/amount', label: 'Amount', text: '2499', format: 'number', edited: false, truncated: 0 },
          { path: '/currency', label: 'Currency', text: 'EUR', format: 'text', edited: false, truncated: 0 },
          { path: '/iban', label: 'IBAN', text: IBAN, format: 'identifier', edited: false, truncated: 0 },
        ],
        hiddenFields: 0,
        tooLarge: false,
        template: null,
      });
    });

    it('the policy’s template: minor units read EUR 24.99 in every channel; without minorUnits EUR 2,499.00', async () => {
      const refund = await create(REFUND, ['refunds']);
      expect(fieldTexts(refund.post)).toEqual(['Amount\nEUR 24.99', `IBAN\n${IBAN}`]);
      expect(refund.mail.text).toContain(
        `What will execute (display template refunds):\n  Amount: EUR 24.99\n  IBAN: ${IBAN}\n`,
      );
      const detail = (await t.admin.get(`/approvals/${encodeURIComponent(refund.approvalId)}`)).body;
      expect(detail.display.template).toBe('refunds');
      expect(detail.display.fields[0]).toMatchObject({ label: 'Amount', text: 'EUR 24.99', format: 'money' });
      const transfer = await create(REFUND, ['transfers']);
      expect(fieldTexts(transfer.post)).toEqual(['Amount\nEUR 2,499.00', `IBAN\n${IBAN}`]);
      expect(transfer.mail.text).toContain('  Amount: EUR 2,499.00\n');
    });

    it('an edit by the first approver is marked where the next one decides: the console view and the Slack message', async () => {
      const c = await agent.post('/tasks', {
        description: 'Refund EUR 24.99 to customer C-1042',
        approvalChain: [{ role: 'finance' }, { role: 'ops' }],
        requiredCapabilities: ['refunds'],
        payload: REFUND,
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      const [first, second] = (c.body.approvalChain as { id: string }[]).map((g) => g.id) as [string, string];
      const approved = await ann.post(`/approvals/${encodeURIComponent(first)}/approve`, {
        approvalReason: 'the customer paid 25.00',
        edits: { amount: 2500 },
      });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      const detail = (await t.admin.get(`/approvals/${encodeURIComponent(second)}`)).body;
      expect(
        detail.display.fields.map((f: { label: string; text: string; edited: boolean }) => [f.label, f.text, f.edited]),
      ).toEqual([
        ['Amount', 'EUR 25.00', true],
        ['IBAN', IBAN, false],
      ]);
      await until(
        () => slack.of('chat.postMessage').some((m) => approvalOf(m) === second && m.body.channel === 'U0CARL'),
        'the DM for the second step',
      );
      const post = slack.of('chat.postMessage').find((m) => approvalOf(m) === second && m.body.channel === 'U0CARL');
      expect(fieldTexts(post as SlackCall)).toEqual(['Amount (edited)\nEUR 25.00', `IBAN\n${IBAN}`]);
    });

    it('a 200-field payload: a cut view with the console link and no one-click decision; an old button or link is refused, nothing written', async () => {
      // The text agrees with the payload (no warnings, no raised risk): only its size takes the buttons away.
      const big: Record<string, unknown> = {
        amount: 2499,
        currency: 'EUR',
        minorUnits: true,
        customer: 'C-1042',
        comment: 'n'.repeat(1000),
      };
      for (let i = 0; i < 200; i++) big[`field${String(i).padStart(3, '0')}`] = i;
      const { approvalId, post, mail } = await create(big);
      const hidden = Object.keys(big).length - 30; // every leaf is a field; the first 30 are shown
      const url = `${PUBLIC_URL}/approvals/${encodeURIComponent(approvalId)}`;
      expect(fieldTexts(post)).toHaveLength(30);
      expect(actionIds(post)).toEqual(['humanos_open']);
      const more = (post.body.blocks as Block[]).find((b) => b.block_id === 'payload_more');
      expect(more?.elements?.[0]?.text).toContain(`${hidden} more fields are not shown here: <${url}|open in HumanOS>`);
      expect(mail.text).not.toContain('confirm on the page');
      expect(mail.text).toContain(`… ${hidden} more fields not shown — open in HumanOS: ${url}`);
      expect(mail.text).toContain(`(700 more characters — open in HumanOS: ${url})`);
      expect(mail.html).toContain('Open in HumanOS to decide');
      expect(mail.html).not.toContain('Approve…');

      // A button as an older message carried it, and a link as an older e-mail carried it: refused.
      await t.server.service.outbox.idle();
      const before = await t.fingerprint();
      const digest = payloadDigest(big);
      const click = `payload=${encodeURIComponent(
        JSON.stringify({
          type: 'block_actions',
          user: { id: 'U0ANN' },
          trigger_id: 'trigger-ann',
          actions: [{ action_id: 'humanos_approve', value: JSON.stringify({ a: approvalId, d: digest }) }],
          container: { channel_id: 'DANN', message_ts: '1.2' },
        }),
      )}`;
      const res = await fetch(`${t.url}/v1/humanos/channels/slack/interactions`, {
        method: 'POST',
        headers: slackHeaders(SIGNING_SECRET, click),
        body: click,
      });
      expect(res.status).toBe(200);
      const told = slack.of('chat.postEphemeral').filter((c) => c.body.user === 'U0ANN');
      expect(String(told.at(-1)?.body.text)).toContain('Not decided (console_required)');
      const token = new LinkTokens(t.server.service.deps.key).issue(
        { a: approvalId, p: ANN, v: 'approved', d: digest },
        3600,
        Date.now(),
      );
      const page = await fetch(`${t.url}/v1/humanos/channels/email/decide?t=${token}`);
      expect([page.status, (await page.text()).includes('console_required')]).toEqual([403, true]);
      const confirm = await fetch(`${t.url}/v1/humanos/channels/email/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ t: token }).toString(),
      });
      expect(confirm.status).toBe(403);
      await t.server.service.outbox.idle();
      expect(await t.fingerprint()).toBe(before);
      const gate = (await t.admin.get(`/approvals/${encodeURIComponent(approvalId)}`)).body;
      expect([gate.status, gate.decisions, gate.display.tooLarge, gate.display.hiddenFields]).toEqual([
        'pending',
        [],
        false,
        0,
      ]);
    });
  });
}
