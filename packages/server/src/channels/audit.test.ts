import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { channelEnv, FakeSlack, PUBLIC_URL, SmtpSink, until } from '../../../../test-support/integrations.js';

/**
 * An opened periodic audit review reaches the auditors where they are: an e-mail to each auditor
 * with an address (quiet hours respected), a Slack DM to each linked auditor and a post in the
 * auditor role's channel — each with a link to the review in the console. Nobody else hears of it.
 */
for (const backend of backends()) {
  describe(`audit reviews on Slack and e-mail [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    const AUDRA = `did:human:audra-${backend}`;
    const IAN = `did:human:ian-${backend}`;
    const OPS = `did:human:opal-${backend}`;

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, channelEnv(slack, smtp));
      agent = await t.principal(`did:agent:nightly-${backend}`, []);
      await t.principal(AUDRA, ['auditor']);
      const ian = await t.principal(IAN, ['auditor']);
      await t.principal(OPS, ['ops']);
      for (const [id, links] of [
        [AUDRA, { slackUserId: 'U0AUDRA', email: 'audra@example.com' }],
        [IAN, { email: 'ian@example.com' }],
        [OPS, { slackUserId: 'U0OPAL', email: 'opal@example.com' }],
      ] as const) {
        expect((await t.admin.req('PUT', `/channels/links/${id}`, links)).status).toBe(200);
      }
      // Ian does not want e-mail.
      expect((await ian.req('PUT', '/channels/me/preferences', { email: false })).status).toBe(200);
      expect((await t.admin.req('PUT', '/channels/roles/auditor', { slackChannel: 'C0AUDIT' })).status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    it('the auditors get an e-mail and Slack messages linking to the review; others get nothing', async () => {
      for (const n of [1, 2]) {
        const r = await agent.post('/tasks', {
          description: `Rotate logs ${n}`,
          humanInLoop: { enabled: false },
          auditFrequency: 'daily',
        });
        expect(r.status).toBe(201);
      }
      t.clock.advance(24 * 3_600_000);
      expect(await t.server.service.auditReviews.openDue()).toBe(1);
      const review = (await t.admin.get('/audit/reviews')).body.items[0];
      const url = `${PUBLIC_URL}/audit/reviews/${encodeURIComponent(review.id)}`;
      const reviewPosts = () =>
        slack.of('chat.postMessage').filter((c) => JSON.stringify(c.body.blocks ?? []).includes(review.id));
      await until(() => reviewPosts().length === 2, 'two Slack posts about the review');
      await until(() => smtp.to('audra@example.com').some((m) => m.text?.includes(review.id)), 'the e-mail to audra');
      await t.server.service.outbox.idle();

      expect(
        reviewPosts()
          .map((c) => c.body.channel)
          .sort(),
      ).toEqual(['C0AUDIT', 'U0AUDRA']);
      const blocks = JSON.stringify(reviewPosts()[0]?.body.blocks);
      expect(blocks).toContain('Audit review ready: daily unattended runs of 2026-01-10');
      expect(blocks).toContain(url);
      const mail = smtp.to('audra@example.com').find((m) => m.text?.includes(review.id));
      expect(mail?.subject).toBe('Audit review ready: daily unattended runs of 2026-01-10');
      expect(mail?.text).toContain('Runs: 2 (2 approved)');
      expect(mail?.text).toContain(`Open the review: ${url}`);
      expect(mail?.html).toContain('Open the review');
      expect(smtp.to('ian@example.com')).toEqual([]);
      expect(smtp.to('opal@example.com')).toEqual([]);
      expect(slack.of('chat.postMessage').filter((c) => c.body.channel === 'U0OPAL')).toEqual([]);
    });
  });
}
