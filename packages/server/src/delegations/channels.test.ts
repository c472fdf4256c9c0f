/**
 * Out of office in the channels (issue 26), with the Slack double and the in-process SMTP server on
 * both backends: when the window starts the delegate is told (Slack DM and e-mail); a request to an
 * absent approver is replaced by a notice naming the delegate, and the delegate gets the request with
 * its buttons and links; a click by the delegate is a decision on behalf of the absent approver.
 */
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

type Blocks = { type: string; elements?: { action_id?: string; value?: string; text?: string }[] }[];

for (const backend of backends()) {
  describe(`out of office in Slack and e-mail [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    let ann: Api;
    const ANN = `did:human:ann-ooo-${backend}`;
    const BOB = `did:human:bob-ooo-${backend}`;
    const dmsTo = (user: string) => slack.of('chat.postMessage').filter((c) => c.body.channel === user);
    const hasButtons = (c: SlackCall) =>
      ((c.body.blocks ?? []) as Blocks).some(
        (b) => b.type === 'actions' && b.elements?.some((e) => e.action_id === 'humanos_approve'),
      );
    const settle = () => t.server.service.outbox.idle();

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, channelEnv(slack, smtp));
      agent = await t.principal(`did:agent:ooo-bot-${backend}`, []);
      ann = await t.principal(ANN, ['finance']);
      await t.principal(BOB, []);
      for (const [id, links] of [
        [ANN, { slackUserId: 'U0ANN', email: 'ann@example.com' }],
        [BOB, { slackUserId: 'U0BOB', email: 'bob@example.com' }],
      ] as const) {
        expect((await t.admin.req('PUT', `/channels/links/${id}`, links)).status).toBe(200);
      }
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    it('the delegate is told when the window starts; the absent approver gets a notice naming the delegate', async () => {
      const d = await ann.post('/delegations', {
        delegate: BOB,
        endsAt: new Date(t.clock.now() + 3_600_000).toISOString(),
        outOfOffice: true,
        message: 'On holiday, back Monday',
      });
      expect(d.status).toBe(201);
      await t.server.service.outbox.deliverDue();
      await until(() => dmsTo('U0BOB').length === 1 && smtp.to('bob@example.com').length === 1, 'start notice');
      expect(dmsTo('U0BOB')[0]?.body.text).toContain(`${ANN} is out of office until`);
      expect(smtp.to('bob@example.com')[0]?.text).toContain('On holiday, back Monday');

      const c = await agent.post('/tasks', {
        description: 'Pay invoice 7 to ACME',
        humanInLoop: { approverRole: 'finance' },
      });
      const gate = c.body.approvalRequest.id as string;
      await t.server.service.outbox.deliverDue();
      await until(() => dmsTo('U0BOB').length === 2 && dmsTo('U0ANN').length === 1, 'request and notice');
      // Ann: a notice naming Bob, no buttons; no request mail with links.
      const notice = dmsTo('U0ANN')[0] as SlackCall;
      expect(notice.body.text).toContain(`was sent to ${BOB}`);
      expect(hasButtons(notice)).toBe(false);
      await until(() => smtp.to('ann@example.com').length === 1, 'notice mail');
      const mail = smtp.to('ann@example.com')[0];
      expect(mail?.subject).toContain('Out of office');
      expect(mail?.text).toContain(BOB);
      expect(mail?.text).not.toContain('/channels/email/decide');
      // Bob: the request itself, with its buttons; his click decides on Ann's behalf.
      const request = dmsTo('U0BOB')[1] as SlackCall;
      expect(hasButtons(request)).toBe(true);
      const el = ((request.body.blocks as Blocks).find((b) => b.type === 'actions')?.elements ?? []).find(
        (e) => e.action_id === 'humanos_approve',
      );
      const body = `payload=${encodeURIComponent(
        JSON.stringify({
          type: 'block_actions',
          user: { id: 'U0BOB' },
          trigger_id: 'trigger-bob',
          actions: [{ action_id: 'humanos_approve', value: el?.value }],
          container: { channel_id: 'DBOB', message_ts: 'x' },
        }),
      )}`;
      const res = await fetch(`${t.url}/v1/humanos/channels/slack/interactions`, {
        method: 'POST',
        headers: slackHeaders(SIGNING_SECRET, body),
        body,
      });
      expect(res.status).toBe(200);
      const view = await ann.get(`/approvals/${gate}`);
      expect(view.body.status).toBe('approved');
      expect(view.body.decisions[0]).toMatchObject({ principal: BOB, onBehalfOf: ANN });
      await settle();
    });
  });
}
