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

type Blocks = {
  type: string;
  block_id?: string;
  elements?: { action_id?: string; url?: string; value?: string }[];
  text?: { text: string };
}[];

const approvalOf = (c: SlackCall) => {
  const blocks = (c.body.blocks ?? []) as Blocks;
  const ctx = blocks.find((b) => b.type === 'context') as { elements: { text: string }[] } | undefined;
  return /approval:[a-z]+:[0-9a-f]+/.exec(ctx?.elements[0]?.text ?? '')?.[0];
};
const statusText = (c: SlackCall) => (c.body.blocks as Blocks).find((b) => b.block_id === 'status')?.text?.text ?? '';
const hasButtons = (c: SlackCall) =>
  (c.body.blocks as Blocks).some(
    (b) => b.type === 'actions' && b.elements?.some((e) => e.action_id === 'humanos_approve'),
  );

for (const backend of backends()) {
  describe(`notification channels: Slack and e-mail [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    let ann: Api;
    let dana: Api;
    let bob: Api;
    const ANN = `did:human:ann-${backend}`;
    const BOB = `did:human:bob-${backend}`;
    const CARL = `did:human:carl-${backend}`;
    const DANA = `did:human:dana-${backend}`;

    /** POSTs a form body to Slack's interactivity endpoint, signed as Slack signs it (or as told). */
    const slackPost = (body: string, headers = slackHeaders(SIGNING_SECRET, body)) =>
      fetch(`${t.url}/v1/humanos/channels/slack/interactions`, { method: 'POST', headers, body });
    const interaction = (payload: Record<string, unknown>) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const click = (user: string, action: 'humanos_approve' | 'humanos_reject', post: SlackCall, ts = 'x') => {
      const el = ((post.body.blocks as Blocks).find((b) => b.type === 'actions')?.elements ?? []).find(
        (e) => e.action_id === action,
      );
      return interaction({
        type: 'block_actions',
        user: { id: user },
        trigger_id: `trigger-${user}`,
        actions: [{ action_id: action, value: el?.value }],
        container: { channel_id: `D${user.slice(1)}`, message_ts: ts },
      });
    };
    const posts = (approvalId: string) => slack.of('chat.postMessage').filter((c) => approvalOf(c) === approvalId);
    const updates = (approvalId: string) => slack.of('chat.update').filter((c) => approvalOf(c) === approvalId);
    const ephemeralTo = (user: string) => slack.of('chat.postEphemeral').filter((c) => c.body.user === user);
    const settle = () => t.server.service.outbox.idle();
    const create = async (body: Record<string, unknown> = {}, who: Api = agent) => {
      const c = await who.post('/tasks', {
        description: 'Pay invoice 42 to ACME',
        humanInLoop: { approverRole: 'finance' },
        ...body,
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      return { taskId: c.body.taskId as string, approvalId: c.body.approvalRequest.id as string };
    };
    const decided = async (approvalId: string) => {
      const entries = (await t.admin.get('/ledger/entries?start=0')).body.entries as { entry: string }[];
      return entries
        .map(
          (e) =>
            JSON.parse(e.entry) as {
              type: string;
              actor: string;
              approvalId?: string;
              data: { channel?: string; record?: { reason: string } };
            },
        )
        .filter((e) => e.type === 'approval.decided' && e.approvalId === approvalId);
    };
    const mailLink = (approvalId: string, to: string, verdict: 'Approve' | 'Reject') => {
      const mail = smtp.to(to).find((m) => (m.text ?? '').includes(approvalId));
      const link = new RegExp(`${verdict} \\(confirm on the page\\): (\\S+)`).exec(mail?.text ?? '')?.[1];
      return link ? link.replace(PUBLIC_URL, t.url) : undefined;
    };

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, channelEnv(slack, smtp));
      agent = await t.principal(`did:agent:payer-${backend}`, []);
      ann = await t.principal(ANN, ['finance']);
      bob = await t.principal(BOB, ['finance']);
      await t.principal(CARL, ['ops']);
      dana = await t.principal(DANA, ['finance']);
      for (const [id, links] of [
        [ANN, { slackUserId: 'U0ANN', email: 'ann@example.com' }],
        [BOB, { slackUserId: 'U0BOB' }],
        [CARL, { slackUserId: 'U0CARL', email: 'carl@example.com' }],
        [DANA, { slackUserId: 'U0DANA' }],
      ] as const) {
        expect((await t.admin.req('PUT', `/channels/links/${id}`, links)).status).toBe(200);
      }
      expect((await t.admin.req('PUT', '/channels/roles/finance', { slackChannel: 'C0FINANCE' })).status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    it('a gate opens: Block Kit DMs to linked approvers and the role channel, and an HTML + text e-mail', async () => {
      const { approvalId } = await create({
        aiProposal: { action: 'Pay $9,000', reasoning: 'Matches PO <7> & the contract', confidence: 0.82 },
      });
      await until(() => posts(approvalId).length === 4, 'four Slack posts');
      await until(() => smtp.to('ann@example.com').some((m) => m.text?.includes(approvalId)), 'the e-mail to ann');
      // Ann, Bob and Dana hold the role; Carl does not; the role's channel gets it too.
      expect(
        posts(approvalId)
          .map((c) => c.body.channel)
          .sort(),
      ).toEqual(['C0FINANCE', 'U0ANN', 'U0BOB', 'U0DANA']);
      const post = posts(approvalId)[0] as SlackCall;
      expect(post.auth).toBe('Bearer xoxb-test-token');
      const blocks = post.body.blocks as Blocks;
      expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Approval needed: Pay invoice 42 to ACME' } });
      const actions = blocks.find((b) => b.type === 'actions')?.elements ?? [];
      expect(actions.map((e) => e.action_id)).toEqual(['humanos_approve', 'humanos_reject', 'humanos_open']);
      expect(actions[2]?.url).toBe(`${PUBLIC_URL}/approvals/${encodeURIComponent(approvalId)}`);
      // Agent text is escaped: it cannot mention or link.
      expect(JSON.stringify(blocks)).toContain('Matches PO &lt;7&gt; &amp; the contract');
      const mail = smtp.to('ann@example.com').find((m) => m.text?.includes(approvalId));
      expect(mail?.subject).toBe('Approval needed: Pay invoice 42 to ACME');
      expect(mail?.from?.text).toContain('humanos@example.com');
      expect(mail?.html).toContain('Approve…');
      expect(mail?.html).toContain('Matches PO &lt;7&gt; &amp; the contract');
      expect(mail?.text).toContain('Confidence: 82 %');
      expect(mailLink(approvalId, 'ann@example.com', 'Approve')).toMatch(/\/v1\/humanos\/channels\/email\/decide\?t=/);
      expect(smtp.to('carl@example.com').filter((m) => m.text?.includes(approvalId))).toEqual([]);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toContain('humanos_notification_deliveries');
    });

    it('approve from Slack: one ledger entry with channel slack, every message updated, e-mail told, a replay refused', async () => {
      const { approvalId } = await create();
      await until(
        () => posts(approvalId).length === 4 && smtp.to('ann@example.com').some((m) => m.text?.includes(approvalId)),
        'posts and mail',
      );
      await settle();
      const body = click('U0BOB', 'humanos_approve', posts(approvalId)[0] as SlackCall);
      const signed = slackHeaders(SIGNING_SECRET, body);
      const res = await slackPost(body, signed);
      expect(res.status).toBe(200);
      const entries = await decided(approvalId);
      expect(entries.map((e) => [e.actor, e.data.channel])).toEqual([[BOB, 'slack']]);
      expect(ephemeralTo('U0BOB').at(-1)?.body.text).toContain('You approved');
      await until(() => updates(approvalId).length === 4, 'four updates');
      for (const u of updates(approvalId)) {
        expect(statusText(u)).toContain(`Approved by ${BOB} (slack)`);
        expect(hasButtons(u)).toBe(false);
      }
      await until(
        () =>
          smtp
            .to('ann@example.com')
            .some((m) => m.subject === 'Approved: Pay invoice 42 to ACME' && m.text?.includes(approvalId)),
        'the outcome e-mail',
      );
      // The same signed request again: refused, nothing written.
      await settle();
      const before = await t.fingerprint();
      const again = await slackPost(body, signed);
      expect([again.status, (await again.json()).code]).toEqual([401, 'unauthorized']);
      // A stale button answers with the current state, and writes nothing.
      expect((await slackPost(click('U0ANN', 'humanos_approve', posts(approvalId)[0] as SlackCall))).status).toBe(200);
      expect(ephemeralTo('U0ANN').at(-1)?.body.text).toContain(`no longer open: Approved by ${BOB}`);
      await settle();
      expect(await t.fingerprint()).toBe(before);
    });

    it('reject from Slack: a reason dialog, a refusal shown inside it, then the decision', async () => {
      const { approvalId } = await create();
      await until(() => posts(approvalId).length === 4, 'posts');
      expect(
        (await slackPost(click('U0ANN', 'humanos_reject', posts(approvalId)[0] as SlackCall, '111.222'))).status,
      ).toBe(200);
      const open = slack.of('views.open').at(-1) as SlackCall;
      expect(open.body.trigger_id).toBe('trigger-U0ANN');
      const view = open.body.view as { callback_id: string; private_metadata: string; blocks: { block_id?: string }[] };
      expect(view.callback_id).toBe('humanos_decide');
      expect(view.blocks.map((b) => b.block_id)).toContain('reason');
      const submit = (reason: string | null) =>
        slackPost(
          interaction({
            type: 'view_submission',
            user: { id: 'U0ANN' },
            view: {
              private_metadata: view.private_metadata,
              state: { values: { reason: { value: { value: reason } } } },
            },
          }),
        );
      const empty = await submit(null);
      expect(await empty.json()).toEqual({
        response_action: 'errors',
        errors: { reason: expect.stringContaining('rejectionReason is required') },
      });
      expect(await decided(approvalId)).toEqual([]);
      const ok = await submit('Duplicate of invoice 41');
      expect(await ok.json()).toEqual({ response_action: 'clear' });
      const [entry] = await decided(approvalId);
      expect([entry?.actor, entry?.data.channel, entry?.data.record?.reason]).toEqual([
        ANN,
        'slack',
        'Duplicate of invoice 41',
      ]);
      await until(() => updates(approvalId).length === 4, 'updates');
      expect(statusText(updates(approvalId)[0] as SlackCall)).toContain(
        `Rejected by ${ANN} (slack): Duplicate of invoice 41`,
      );
    });

    it('an unlinked Slack user, a user without the role and the requester are refused with nothing written; forged and expired signatures too', async () => {
      const { approvalId } = await create({}, dana);
      await until(() => posts(approvalId).length === 3, 'posts (not to the requester)');
      expect(posts(approvalId).map((c) => c.body.channel)).not.toContain('U0DANA');
      const post = posts(approvalId)[0] as SlackCall;
      await settle();
      const before = await t.fingerprint();
      for (const [user, says] of [
        ['U0NOBODY', 'not linked to HumanOS'],
        // Not holding a role of the gate, the task is not even visible to Carl: as on the REST API.
        ['U0CARL', 'Not decided (not_found)'],
        ['U0DANA', 'requester_cannot_decide'],
      ] as const) {
        const r = await slackPost(click(user, 'humanos_approve', post));
        expect(r.status).toBe(200);
        expect(ephemeralTo(user).at(-1)?.body.text, user).toContain(says);
      }
      const body = click('U0ANN', 'humanos_approve', post);
      const forged = { ...slackHeaders(SIGNING_SECRET, body), 'x-slack-signature': `v0=${'0'.repeat(64)}` };
      const wrongKey = slackHeaders('another-secret', body);
      const expired = slackHeaders(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 301);
      const unsigned = { 'content-type': 'application/x-www-form-urlencoded' };
      for (const h of [forged, wrongKey, expired, unsigned]) {
        const r = await slackPost(body, h as ReturnType<typeof slackHeaders>);
        expect([r.status, r.headers.get('content-type')]).toEqual([401, 'application/problem+json; charset=utf-8']);
      }
      // A body changed after signing fails too.
      const tampered = await slackPost(body.replace('U0ANN', 'U0BOB'), slackHeaders(SIGNING_SECRET, body));
      expect(tampered.status).toBe(401);
      await settle();
      expect(await t.fingerprint()).toBe(before);
      expect(await decided(approvalId)).toEqual([]);
    });

    it('approve from an e-mail link: GET only confirms, POST decides once, the Slack messages follow', async () => {
      const { approvalId } = await create();
      await until(
        () => !!mailLink(approvalId, 'ann@example.com', 'Approve') && posts(approvalId).length === 4,
        'mail and posts',
      );
      const link = mailLink(approvalId, 'ann@example.com', 'Approve') as string;
      await settle();
      const before = await t.fingerprint();
      // Mail scanners prefetch links: any number of GETs decides nothing.
      for (let i = 0; i < 2; i++) {
        const page = await fetch(link);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
        const text = await page.text();
        expect(text).toContain('Confirm approval');
        expect(text).toContain(`You are deciding as ${ANN}`);
      }
      await settle();
      expect(await t.fingerprint()).toBe(before);
      const token = new URL(link).searchParams.get('t') as string;
      const post = (form: Record<string, string>) =>
        fetch(`${t.url}/v1/humanos/channels/email/decide`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        });
      const tampered = await post({ t: `${token.slice(0, -2)}AA` });
      expect(tampered.status).toBe(400);
      const ok = await post({ t: token, reason: 'Budget approved' });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('Recorded in the ledger');
      const entries = await decided(approvalId);
      expect(entries.map((e) => [e.actor, e.data.channel, e.data.record?.reason])).toEqual([
        [ANN, 'email', 'Budget approved'],
      ]);
      await until(() => updates(approvalId).length === 4, 'Slack messages updated');
      expect(statusText(updates(approvalId)[0] as SlackCall)).toContain(`Approved by ${ANN} (email)`);
      // Single use: the same link again is refused, and so is the GET.
      const twice = await post({ t: token });
      expect([twice.status, (await twice.text()).includes('already used')]).toEqual([409, true]);
      expect((await fetch(link)).status).toBe(409);
    });

    it('reject from an e-mail link needs a reason; stale, high-risk and expired links decide nothing', async () => {
      const { approvalId } = await create();
      await until(() => !!mailLink(approvalId, 'ann@example.com', 'Reject'), 'mail');
      const token = new URL(mailLink(approvalId, 'ann@example.com', 'Reject') as string).searchParams.get(
        't',
      ) as string;
      const post = (form: Record<string, string>) =>
        fetch(`${t.url}/v1/humanos/channels/email/decide`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        });
      const noReason = await post({ t: token });
      expect([noReason.status, (await noReason.text()).includes('rejectionReason is required')]).toEqual([400, true]);
      const ok = await post({ t: token, reason: 'Wrong vendor' });
      expect(ok.status).toBe(200);
      expect((await decided(approvalId)).map((e) => [e.actor, e.data.channel])).toEqual([[ANN, 'email']]);

      // A quorum: Bob approves with an edit, so Ann's link (made for the old payload) is stale.
      const quorum = await create({
        // The text's "invoice 42" is in the payload: no text/payload warning (which would make it high risk).
        payload: { invoice: 42, amount: 100 },
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['finance'] },
      });
      await until(() => !!mailLink(quorum.approvalId, 'ann@example.com', 'Approve'), 'quorum mail');
      const stale = mailLink(quorum.approvalId, 'ann@example.com', 'Approve') as string;
      expect((await bob.post(`/approvals/${quorum.approvalId}/approve`, { edits: { amount: 90 } })).status).toBe(200);
      const changed = await fetch(stale);
      expect([changed.status, (await changed.text()).includes('has changed')]).toEqual([409, true]);

      // High risk: no one-click links, the e-mail asks to sign in, and a crafted link is refused.
      const high = await create({ riskAssessment: { level: 'high', factors: ['irreversible'] } });
      await until(() => smtp.to('ann@example.com').some((m) => m.text?.includes(high.approvalId)), 'high-risk mail');
      const mail = smtp.to('ann@example.com').find((m) => m.text?.includes(high.approvalId));
      expect(mail?.text).toContain('high-risk request: sign in to decide');
      expect(mail?.text).not.toContain('confirm on the page');
      // A link made for it anyway (valid signature, right approver) is refused: sign in instead.
      const { LinkTokens } = await import('./tokens.js');
      const crafted = new LinkTokens(t.server.service.deps.key).issue(
        {
          a: high.approvalId,
          p: ANN,
          v: 'approved',
          d: payloadDigest((await t.admin.get(`/tasks/${high.taskId}`)).body.payload),
        },
        600,
        t.clock.now(),
      );
      await settle();
      const beforeCrafted = await t.fingerprint();
      for (const r of [
        await fetch(`${t.url}/v1/humanos/channels/email/decide?t=${crafted}`),
        await post({ t: crafted }),
      ]) {
        expect([r.status, (await r.text()).includes('Sign in to decide')]).toEqual([403, true]);
      }
      expect(await t.fingerprint()).toBe(beforeCrafted);

      // Expired: links work for two hours.
      const late = await create();
      await until(() => !!mailLink(late.approvalId, 'ann@example.com', 'Approve'), 'mail');
      const lateLink = mailLink(late.approvalId, 'ann@example.com', 'Approve') as string;
      t.clock.advance(7201_000);
      expect((await fetch(lateLink)).status).toBe(410);
      expect((await post({ t: new URL(lateLink).searchParams.get('t') as string })).status).toBe(410);
      expect(await decided(late.approvalId)).toEqual([]);
    });

    it('reminders go into the Slack threads and by e-mail; expiry updates every message and tells e-mail recipients', async () => {
      const { approvalId } = await create({
        humanInLoop: { approverRole: 'finance', approvalTimeout: 100, escalationPolicy: 'reject' },
      });
      await until(
        () => posts(approvalId).length === 4 && !!mailLink(approvalId, 'ann@example.com', 'Approve'),
        'posts and mail',
      );
      const threaded = () => slack.of('chat.postMessage').filter((c) => c.body.thread_ts !== undefined);
      const before = threaded().length;
      t.clock.advance(81_000);
      await t.server.service.timers.remindDue();
      await until(() => threaded().length === before + 4, 'a reminder in each thread');
      expect(String(threaded().at(-1)?.body.text)).toContain('Reminder');
      await until(
        () =>
          smtp
            .to('ann@example.com')
            .some((m) => m.subject?.startsWith('Reminder: approval needed') && m.text?.includes(approvalId)),
        'the reminder e-mail',
      );
      t.clock.advance(20_000);
      await t.server.service.timers.expireDue();
      await until(() => updates(approvalId).length === 4, 'every message updated');
      for (const u of updates(approvalId)) {
        expect(statusText(u)).toContain('Expired');
        expect(hasButtons(u)).toBe(false);
      }
      await until(
        () =>
          smtp
            .to('ann@example.com')
            .some((m) => m.subject === 'Expired: Pay invoice 42 to ACME' && m.text?.includes(approvalId)),
        'the outcome e-mail',
      );
    });

    it('a principal links its Slack user with a one-time code; preferences and quiet hours hold messages back', async () => {
      const code = await ann.post('/channels/slack/link-code', {});
      expect(code.status).toBe(201);
      expect(code.body.command).toBe(`/humanos link ${code.body.code}`);
      const slash = (user: string, text: string) =>
        slackPost(new URLSearchParams({ command: '/humanos', text, user_id: user }).toString());
      const linked = await slash('U0ANN2', `link ${code.body.code}`);
      expect((await linked.json()).text).toBe(`Linked: in HumanOS you are ${ANN}.`);
      expect((await ann.get('/channels/me')).body).toMatchObject({ slackUserId: 'U0ANN2', email: 'ann@example.com' });
      const reused = await slash('U0EVE', `link ${code.body.code}`);
      expect((await reused.json()).text).toContain('unknown, used or expired');
      const entries = (await t.admin.get('/ledger/entries?start=0')).body.entries as { entry: string }[];
      expect(entries.some((e) => e.entry.includes('"channel.linked"') && e.entry.includes('U0ANN2'))).toBe(true);

      // Ann: no e-mail, and quiet from 14:00 to 16:00 UTC (the test clock says 15:00 or later).
      const hour = new Date(t.clock.now()).getUTCHours();
      const quiet = {
        start: `${String(hour).padStart(2, '0')}:00`,
        end: `${String((hour + 1) % 24).padStart(2, '0')}:00`,
        timeZone: 'UTC',
      };
      const prefs = await ann.req('PUT', '/channels/me/preferences', { email: false, quietHours: quiet });
      expect(prefs.body).toEqual({ email: false, slack: true, quietHours: quiet });
      expect(
        (await ann.req('PUT', '/channels/me/preferences', { quietHours: { ...quiet, timeZone: 'Mars/Olympus' } }))
          .status,
      ).toBe(400);
      const { approvalId } = await create();
      await until(() => posts(approvalId).length === 3, 'posts to the others');
      await settle();
      expect(posts(approvalId).map((c) => c.body.channel)).not.toContain('U0ANN2');
      expect(smtp.to('ann@example.com').filter((m) => m.text?.includes(approvalId))).toEqual([]);
      // After the quiet hours, the held-back DM goes out.
      t.clock.advance(3_600_000);
      await t.server.service.outbox.deliverDue({ wait: true });
      expect(posts(approvalId).map((c) => c.body.channel)).toContain('U0ANN2');
      expect(smtp.to('ann@example.com').filter((m) => m.text?.includes(approvalId))).toEqual([]);
      await ann.req('PUT', '/channels/me/preferences', { email: true, quietHours: null });
    });
  });
}
