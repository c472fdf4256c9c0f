import { writeFileSync } from 'node:fs';
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

/**
 * Issue 24: a decision the policy requires a passkey for cannot be made from Slack or an e-mail link
 * (neither can carry the approver's signature): both answer `passkey_required` with the console's
 * page of the request, and nothing is written. The gate here is low risk, so the channels still
 * offer their one-click actions; the refusal comes from the decision path itself.
 */
const POLICY = `/tmp/humanos-passkey-channels-${process.pid}.json`;
writeFileSync(
  POLICY,
  JSON.stringify({ name: 'pk-channels', version: 1, requirePasskey: { capabilities: ['payments'] }, rules: [] }),
);

type Blocks = { type: string; elements?: { action_id?: string; value?: string }[] }[];

for (const backend of backends()) {
  describe(`passkey-required gates refuse Slack and e-mail [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    const ANN = `did:human:pkc-ann-${backend}`;

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, { ...channelEnv(slack, smtp), HUMANOS_POLICY: POLICY });
      agent = await t.principal(`did:agent:pkc-${backend}`, []);
      await t.principal(ANN, ['finance']);
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

    async function gate(): Promise<string> {
      const c = await agent.post('/tasks', {
        description: 'Pay invoice 9',
        requiredCapabilities: ['payments'],
        humanInLoop: { approverRole: 'finance' },
        // The text's "invoice 9" is in the payload: no text/payload warning (which would raise the risk).
        payload: { invoice: 9, amount: 10 },
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      return c.body.approvalRequest.id as string;
    }
    const consoleLink = (id: string) => `${PUBLIC_URL}/approvals/${encodeURIComponent(id)}`;

    it('a Slack click is refused with the console link; nothing is written', async () => {
      const id = await gate();
      const post = () => slack.of('chat.postMessage').find((c) => JSON.stringify(c.body).includes(id));
      await until(() => post() !== undefined, 'the Slack DM');
      await t.server.service.outbox.idle();
      const el = ((post() as SlackCall).body.blocks as Blocks)
        .find((b) => b.type === 'actions')
        ?.elements?.find((e) => e.action_id === 'humanos_approve');
      const body = `payload=${encodeURIComponent(
        JSON.stringify({
          type: 'block_actions',
          user: { id: 'U0ANN' },
          trigger_id: 'trigger',
          actions: [{ action_id: 'humanos_approve', value: el?.value }],
          container: { channel_id: 'D0ANN', message_ts: '1.2' },
        }),
      )}`;
      const before = await t.fingerprint();
      const r = await fetch(`${t.url}/v1/humanos/channels/slack/interactions`, {
        method: 'POST',
        headers: slackHeaders(SIGNING_SECRET, body),
        body,
      });
      expect(r.status).toBe(200);
      const told = slack
        .of('chat.postEphemeral')
        .filter((c) => c.body.user === 'U0ANN')
        .at(-1);
      expect(told?.body.text).toContain('Not decided (passkey_required)');
      expect(told?.body.text).toContain(consoleLink(id));
      await t.server.service.outbox.idle();
      expect(await t.fingerprint()).toBe(before);
    });

    it('an e-mail link is refused with the console link; nothing is written', async () => {
      const id = await gate();
      const mail = () => smtp.to('ann@example.com').find((m) => m.text?.includes(id));
      await until(() => mail() !== undefined, 'the e-mail');
      const link = /Approve \(confirm on the page\): (\S+)/.exec(mail()?.text ?? '')?.[1] as string;
      await t.server.service.outbox.idle();
      const before = await t.fingerprint();
      const r = await fetch(`${t.url}/v1/humanos/channels/email/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ t: new URL(link).searchParams.get('t') as string }).toString(),
      });
      const page = await r.text();
      expect(r.status).toBe(403);
      expect(page).toContain('passkey_required');
      expect(page).toContain(`href="${consoleLink(id)}"`);
      await t.server.service.outbox.idle();
      expect(await t.fingerprint()).toBe(before);
    });
  });
}
