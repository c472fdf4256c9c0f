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

type Blocks = { type: string; elements?: { action_id?: string; value?: string; text?: string }[] }[];

/**
 * Starts `f` after a few milliseconds: race `i` of `n` offsets the two sides by -22…+22 ms, spread
 * evenly (`side` 1 is delayed for positive offsets, -1 for negative), so the runs cover both orders
 * and the interleavings in between on each backend.
 */
const later = <T>(i: number, n: number, side: 1 | -1, f: () => Promise<T>): Promise<T> => {
  const ms = Math.round(-22 + (44 * i) / Math.max(1, n - 1)) * side;
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)).then(f) : f();
};

/** Races per channel: PostgreSQL is where the old outside-the-transaction check lost most (26 of 30). */
const RACES: Record<string, number> = { postgres: 30, sqlite: 15 };

/**
 * Issue 22, attack 2 and the channel mediums: a Slack click or an e-mail confirmation counts only
 * for the payload its message showed, however it races an edit-approval (decide() checks the digest
 * under its locks); the read-only integration role decides on no channel; malformed signed Slack
 * payloads are a 400; the Slack fallback text is escaped.
 */
for (const backend of backends()) {
  describe(`channel decisions are bound to the payload their message showed [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    let bob: Api;
    const ANN = `did:human:race-ann-${backend}`;
    const BOB = `did:human:race-bob-${backend}`;
    const RELAY = `did:human:race-relay-${backend}`;

    const slackPost = (body: string, headers = slackHeaders(SIGNING_SECRET, body)) =>
      fetch(`${t.url}/v1/humanos/channels/slack/interactions`, { method: 'POST', headers, body });
    const interaction = (payload: Record<string, unknown>) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const postTo = (user: string, approvalId: string) =>
      slack
        .of('chat.postMessage')
        .find((c) => c.body.channel === user && JSON.stringify(c.body.blocks ?? []).includes(approvalId));
    const approveButton = (post: SlackCall) =>
      ((post.body.blocks as Blocks).find((b) => b.type === 'actions')?.elements ?? []).find(
        (e) => e.action_id === 'humanos_approve',
      )?.value as string;
    const click = (user: string, value: string) =>
      interaction({
        type: 'block_actions',
        user: { id: user },
        trigger_id: `trigger-${user}`,
        actions: [{ action_id: 'humanos_approve', value }],
        container: { channel_id: `D${user}`, message_ts: '1.2' },
      });
    const mailLink = (approvalId: string) => {
      const mail = smtp.to('ann@example.com').find((m) => (m.text ?? '').includes(approvalId));
      const link = /Approve \(confirm on the page\): (\S+)/.exec(mail?.text ?? '')?.[1];
      return link ? link.replace(PUBLIC_URL, t.url) : undefined;
    };
    const confirm = (token: string) =>
      fetch(`${t.url}/v1/humanos/channels/email/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ t: token }).toString(),
      });
    /** The task's decisions as the signed ledger records them: who, through which channel, for which digest. */
    const decisionsOf = async (taskId: string) => {
      const rows = await t.server.service.deps.db
        .selectFrom('ledger_entries')
        .select('entry')
        .where('task_id', '=', taskId)
        .orderBy('seq')
        .execute();
      return rows
        .map(
          (r) =>
            JSON.parse(r.entry) as {
              type: string;
              actor: string;
              data: { channel?: string; record?: { payloadDigest: string } };
            },
        )
        .filter((e) => e.type === 'approval.decided')
        .map((e) => ({ actor: e.actor, channel: e.data.channel, digest: e.data.record?.payloadDigest }));
    };
    /** A 2-of-N payment whose requests reached Ann by Slack and by e-mail. */
    const payment = async (n: number) => {
      // `run: n`: the text's figure is in the payload (else a text/payload warning makes it high risk).
      const payload = { amount: 5000 + n, iban: 'DE89370400440532013000', run: n };
      const c = await agent.post('/tasks', {
        description: `Race payment ${n}`,
        humanInLoop: { approverRole: 'finance' },
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['finance'] },
        payload,
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      return {
        taskId: c.body.taskId as string,
        approvalId: c.body.approvalRequest.id as string,
        shown: payloadDigest(payload),
      };
    };
    // The first edit of a payload with one version needs no digest (so the race runs on the old code too).
    const bobEdits = (approvalId: string) =>
      bob.post(`/approvals/${approvalId}/approve`, {
        approvalReason: 'other account',
        edits: { iban: 'GB33BUKB20201555555555' },
      });

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, channelEnv(slack, smtp));
      agent = await t.principal(`did:agent:race-payer-${backend}`, []);
      await t.principal(ANN, ['finance']);
      bob = await t.principal(BOB, ['finance']);
      await t.principal(RELAY, ['finance', 'integration']);
      for (const [id, links] of [
        [ANN, { slackUserId: 'U0ANN', email: 'ann@example.com' }],
        [RELAY, { slackUserId: 'U0RELAY', email: 'relay@example.com' }],
      ] as const) {
        expect((await t.admin.req('PUT', `/channels/links/${id}`, links)).status).toBe(200);
      }
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    it(`a Slack click racing an edit-approval is never counted for the edited payload (${RACES[backend]} races)`, async () => {
      const races = await Promise.all(Array.from({ length: RACES[backend] as number }, (_, i) => payment(i)));
      await until(() => races.every((r) => !!postTo('U0ANN', r.approvalId)), 'Ann’s Slack messages', 20_000);
      const outcome = { counted: 0, refused: 0 };
      for (const [i, r] of races.entries()) {
        const value = approveButton(postTo('U0ANN', r.approvalId) as SlackCall);
        expect(JSON.parse(value).d).toBe(r.shown);
        const [clicked, edited] = await Promise.all([
          later(i, races.length, 1, () => slackPost(click('U0ANN', value))),
          later(i, races.length, -1, () => bobEdits(r.approvalId)),
        ]);
        expect(clicked.status).toBe(200);
        expect(edited.status).toBe(200);
        const ann = (await decisionsOf(r.taskId)).filter((d) => d.actor === ANN);
        // Never for a payload other than the one the message showed.
        for (const d of ann) expect([d.channel, d.digest]).toEqual(['slack', r.shown]);
        outcome[ann.length > 0 ? 'counted' : 'refused']++;
      }
      expect(outcome.counted + outcome.refused).toBe(RACES[backend]);
      console.info(`[${backend}] Slack races: ${JSON.stringify(outcome)}`);
    }, 120_000);

    it(`an e-mail confirmation racing an edit-approval is never counted for the edited payload (${RACES[backend]} races)`, async () => {
      const races = await Promise.all(Array.from({ length: RACES[backend] as number }, (_, i) => payment(100 + i)));
      await until(() => races.every((r) => !!mailLink(r.approvalId)), 'Ann’s e-mails', 20_000);
      const outcome = { counted: 0, refused: 0 };
      for (const [i, r] of races.entries()) {
        const token = new URL(mailLink(r.approvalId) as string).searchParams.get('t') as string;
        const [confirmed, edited] = await Promise.all([
          later(i, races.length, 1, () => confirm(token)),
          later(i, races.length, -1, () => bobEdits(r.approvalId)),
        ]);
        expect(edited.status).toBe(200);
        const ann = (await decisionsOf(r.taskId)).filter((d) => d.actor === ANN);
        for (const d of ann) expect([d.channel, d.digest]).toEqual(['email', r.shown]);
        // A refused confirmation says the request changed (or, once Bob's edit is in, that it is no longer as sent).
        if (ann.length === 0)
          expect([confirmed.status, (await confirmed.text()).includes('has changed')]).toEqual([409, true]);
        else expect(confirmed.status).toBe(200);
        outcome[ann.length > 0 ? 'counted' : 'refused']++;
      }
      console.info(`[${backend}] e-mail races: ${JSON.stringify(outcome)}`);
    }, 120_000);

    it('the read-only integration role decides neither on Slack nor by e-mail; nothing is written', async () => {
      const r = await payment(200);
      await until(() => !!postTo('U0ANN', r.approvalId) && !!mailLink(r.approvalId), 'Ann’s message and e-mail');
      await t.server.service.outbox.idle();
      // The relay holds the gate's role but is asked nothing: no DM, no e-mail with decision links.
      expect(postTo('U0RELAY', r.approvalId)).toBeUndefined();
      expect(smtp.to('relay@example.com').filter((m) => (m.text ?? '').includes(r.approvalId))).toEqual([]);
      // Its click on a message it sees anyway (a shared channel, a forwarded DM) is refused.
      const post = postTo('U0ANN', r.approvalId) as SlackCall;
      const before = await t.fingerprint();
      expect((await slackPost(click('U0RELAY', approveButton(post)))).status).toBe(200);
      const told = slack.of('chat.postEphemeral').filter((c) => c.body.user === 'U0RELAY');
      expect(told.at(-1)?.body.text).toContain('Not decided (forbidden)');
      // A link made for the relay (validly signed, for the payload as it is): refused too.
      const token = new LinkTokens(t.server.service.deps.key).issue(
        { a: r.approvalId, p: RELAY, v: 'approved', d: r.shown },
        600,
        t.clock.now(),
      );
      const page = await confirm(token);
      expect([page.status, (await page.text()).includes('forbidden')]).toEqual([403, true]);
      await t.server.service.outbox.idle();
      expect(await t.fingerprint()).toBe(before);
      expect(await decisionsOf(r.taskId)).toEqual([]);
      // REST refuses the same principal as before (one rule).
      const relay = t.admin.as((await t.admin.post(`/principals/${RELAY}/token`, {})).body.token);
      expect((await relay.post(`/approvals/${r.approvalId}/approve`, { payloadDigest: r.shown })).status).toBe(403);
    });

    it('signed but malformed Slack payloads are a 400 problem, and write nothing', async () => {
      await t.server.service.outbox.idle();
      const before = await t.fingerprint();
      for (const body of [
        'payload=not-json',
        interaction({ type: 'block_actions' }),
        interaction({ type: 'block_actions', user: { id: 'U0ANN' }, actions: 'nope' }),
        interaction({
          type: 'block_actions',
          user: { id: 'U0ANN' },
          actions: [{ action_id: 'humanos_approve', value: 'not json' }],
        }),
        interaction({
          type: 'block_actions',
          user: { id: 'U0ANN' },
          actions: [{ action_id: 'humanos_approve', value: JSON.stringify({ a: 42 }) }],
        }),
        interaction({ type: 'view_submission', user: { id: 'U0ANN' }, view: { private_metadata: '{' } }),
        interaction({
          type: 'view_submission',
          user: { id: 'U0ANN' },
          view: { private_metadata: '{"a":"x","v":"maybe"}' },
        }),
      ]) {
        const r = await slackPost(body);
        expect([r.status, r.headers.get('content-type'), (await r.json()).code], body).toEqual([
          400,
          'application/problem+json; charset=utf-8',
          'bad_request',
        ]);
      }
      expect(await t.fingerprint()).toBe(before);
    });

    it('the Slack notification text (fallback) is escaped like the blocks', async () => {
      const c = await agent.post('/tasks', {
        description: 'Pay <!channel> via <http://evil.example|click here> & more',
        humanInLoop: { approverRole: 'finance' },
      });
      await until(() => !!postTo('U0ANN', c.body.approvalRequest.id), 'the post');
      const text = String(postTo('U0ANN', c.body.approvalRequest.id)?.body.text);
      expect(text).toContain('Pay &lt;!channel&gt; via &lt;http://evil.example|click here&gt; &amp; more');
      expect(text).not.toMatch(/<!channel>|<http/);
    });
  });
}
