/**
 * The per-approver hourly prompt cap (issue 26, policy `promptCap`): beyond N requests in an hour to
 * one approver, new requests go to the other eligible approvers of the role; when everyone is over
 * it, the least-prompted still get enough to decide; reminders follow the request; an hour later the
 * approver is asked again. Slack DMs on a Web API double. Both backends.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { channelEnv, FakeSlack, SmtpSink } from '../../../../test-support/integrations.js';

const POLICY = { name: 'cap-test', version: 1, promptCap: { perApproverPerHour: 2 }, rules: [] };

for (const backend of backends()) {
  describe(`prompt cap [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    const USERS: Record<string, string> = { U0ANN: 'did:human:ann', U0BOB: 'did:human:bob', U0CY: 'did:human:cy' };

    beforeAll(async () => {
      const file = `/tmp/humanos-cap-${process.pid}-${backend}.json`;
      writeFileSync(file, JSON.stringify(POLICY));
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, { ...channelEnv(slack, smtp), HUMANOS_POLICY: file });
      agent = await t.principal('did:agent:bot', []);
      await t.principal('did:human:ann', ['finance', 'treasury']);
      await t.principal('did:human:bob', ['finance']);
      await t.principal('did:human:cy', ['treasury']);
      for (const [user, id] of Object.entries(USERS)) {
        expect((await t.admin.req('PUT', `/channels/links/${id}`, { slackUserId: user })).status).toBe(200);
      }
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    /** Creates a request for `role` and answers who got a Slack DM about it. */
    const ask = async (role: string, body: Record<string, unknown> = {}) => {
      const before = slack.of('chat.postMessage').length;
      const c = await agent.post('/tasks', {
        description: `Pay invoice for ${role}`,
        humanInLoop: { approverRole: role },
        ...body,
      });
      expect(c.status).toBe(201);
      await t.server.service.outbox.idle();
      const to = slack
        .of('chat.postMessage')
        .slice(before)
        .map((m) => USERS[String(m.body.channel)])
        .filter(Boolean)
        .sort();
      return { id: c.body.approvalRequest.id as string, to };
    };

    it('routes past an approver at the cap to the others, and back after an hour', async () => {
      // ann gets two treasury requests (as does cy): both reach the cap of 2.
      expect((await ask('treasury')).to).toEqual(['did:human:ann', 'did:human:cy']);
      expect((await ask('treasury')).to).toEqual(['did:human:ann', 'did:human:cy']);
      // A finance request goes to bob only: ann had her 2 this hour.
      const third = await ask('finance');
      expect(third.to).toEqual(['did:human:bob']);
      // ann still sees it in her inbox: the cap routes notifications, not authority.
      const ann = agent.as((await t.admin.post('/principals/did:human:ann/token', {})).body.token);
      expect(((await ann.get('/approvals')).body.items as { id: string }[]).map((g) => g.id)).toContain(third.id);
      // Everyone at the cap: the least-prompted still gets it (a request always reaches someone).
      expect((await ask('treasury')).to).toEqual(['did:human:ann']);
      // A quorum of 2 reaches two people even over the cap.
      const quorum = await ask('finance', {
        humanInLoop: undefined,
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['finance'] },
      });
      expect(quorum.to).toEqual(['did:human:ann', 'did:human:bob']);
      // An hour later the counts are back to zero.
      t.clock.advance(3_600_001);
      expect((await ask('finance')).to).toEqual(['did:human:ann', 'did:human:bob']);
    });

    it('a reminder follows the request to whom it was sent', async () => {
      for (const [user, id] of Object.entries(USERS)) {
        const email = `${id.slice(10)}@example.com`;
        expect((await t.admin.req('PUT', `/channels/links/${id}`, { slackUserId: user, email })).status).toBe(200);
      }
      t.clock.advance(3_600_001);
      await ask('treasury');
      await ask('treasury');
      const r = await ask('finance', { humanInLoop: { approverRole: 'finance', approvalTimeout: 100 } });
      expect(r.to).toEqual(['did:human:bob']);
      const mails = (who: string) => smtp.to(`${who}@example.com`).filter((m) => (m.text ?? '').includes(r.id)).length;
      expect([mails('ann'), mails('bob')]).toEqual([0, 1]);
      t.clock.advance(81_000);
      expect(await t.server.service.timers.remindDue()).toBeGreaterThanOrEqual(1);
      await t.server.service.outbox.idle();
      expect([mails('ann'), mails('bob')]).toEqual([0, 2]);
    });
  });
}
