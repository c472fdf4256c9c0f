import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import {
  channelEnv,
  FakeSlack,
  SIGNING_SECRET,
  type SlackCall,
  SmtpSink,
  slackHeaders,
  until,
} from '../../../../test-support/integrations.js';

/**
 * A gate's risk is the risk of what it decides: a 50 000 wire submitted as an in-run decision inside
 * a low-risk task gets a floor gate at high risk, and every rule keyed on risk holds on every channel:
 * REST and the inbox, e-mail, Slack.
 */
type Blocks = { type: string; elements?: { action_id?: string; value?: string }[]; text?: { text: string } }[];

for (const backend of backends()) {
  describe(`in-run decision gates carry the decision's risk on every channel [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    let ann: Api;
    const ANN = `did:human:ann-risk-${backend}`;

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, channelEnv(slack, smtp));
      agent = await t.principal(`did:agent:tidy-${backend}`, []);
      ann = await t.principal(ANN, ['approver']);
      const link = await t.admin.req('PUT', `/channels/links/${ANN}`, {
        slackUserId: 'U0ANN',
        email: 'ann@example.com',
      });
      expect(link.status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    const settle = () => t.server.service.outbox.idle();
    const mentions = (c: SlackCall, id: string) => JSON.stringify(c.body).includes(id);

    let approvalId: string;
    /** A 50 000 wire submitted as an in-run decision of a low-risk task: its floor gate. */
    beforeAll(async () => {
      const created = await agent.post('/tasks', {
        description: 'Tidy the vendor folder',
        humanInLoop: { enabled: false },
      });
      expect(created.body.status).toBe('approved');
      const task = await agent.get(`/tasks/${created.body.taskId}`);
      expect(task.body.riskAssessment.level).toBe('low');
      expect((await agent.post(`/tasks/${created.body.taskId}/execute`, {})).status).toBe(200);
      const d = await agent.post(`/tasks/${created.body.taskId}/decisions`, {
        action: 'Wire funds to vendor',
        payload: { amount: 50000, iban: 'DE89370400440532013000' },
      });
      expect(d.body).toMatchObject({ status: 'pending', autoApproved: false });
      approvalId = d.body.decisionId as string;
    });

    it('REST and the inbox (bulk approval reads it) show the gate at high risk', async () => {
      const gate = await ann.get(`/approvals/${approvalId}`);
      expect(gate.body.riskAssessment.level).toBe('high');
      expect(gate.body.riskAssessment.factors).toEqual(expect.arrayContaining(['large_amount']));
      const inbox = await ann.get('/approvals?status=pending');
      const row = inbox.body.items.find((i: { id: string }) => i.id === approvalId);
      expect(row.riskAssessment.level).toBe('high');
    });

    it('e-mail: no one-click links, it asks to sign in', async () => {
      await until(() => smtp.to('ann@example.com').some((m) => m.text?.includes(approvalId)), 'the e-mail');
      const mail = smtp.to('ann@example.com').find((m) => m.text?.includes(approvalId));
      expect(mail?.text).toContain('high-risk request: sign in to decide');
      expect(mail?.text).not.toContain('confirm on the page');
      expect(mail?.text).not.toContain('/channels/email/decide');
    });

    it('Slack: approve opens a reason dialog instead of deciding in one click; nothing is decided', async () => {
      await until(() => slack.of('chat.postMessage').some((c) => mentions(c, approvalId)), 'the Slack DM');
      const post = slack.of('chat.postMessage').find((c) => mentions(c, approvalId)) as SlackCall;
      const approve = ((post.body.blocks as Blocks).find((b) => b.type === 'actions')?.elements ?? []).find(
        (e) => e.action_id === 'humanos_approve',
      );
      await settle();
      const before = await t.fingerprint();
      const body = `payload=${encodeURIComponent(
        JSON.stringify({
          type: 'block_actions',
          user: { id: 'U0ANN' },
          trigger_id: 'trigger-U0ANN',
          actions: [{ action_id: 'humanos_approve', value: approve?.value }],
          container: { channel_id: 'D0ANN', message_ts: '1.1' },
        }),
      )}`;
      const click = await fetch(`${t.url}/v1/humanos/channels/slack/interactions`, {
        method: 'POST',
        headers: slackHeaders(SIGNING_SECRET, body),
        body,
      });
      expect(click.status).toBe(200);
      await until(() => slack.of('views.open').some((c) => c.body.trigger_id === 'trigger-U0ANN'), 'the dialog');
      await settle();
      expect(await t.fingerprint()).toBe(before);
      expect((await ann.get(`/approvals/${approvalId}`)).body.status).toBe('pending');
    });

    it('REST: an approval without a reason is refused and changes nothing', async () => {
      await settle();
      const before = await t.fingerprint();
      const bare = await ann.post(`/approvals/${approvalId}/approve`, {});
      expect(bare.status).toBe(400);
      expect(bare.body.code).toBe('validation_failed');
      await settle();
      expect(await t.fingerprint()).toBe(before);
      expect((await ann.get(`/approvals/${approvalId}`)).body.status).toBe('pending');
    });
  });
}
