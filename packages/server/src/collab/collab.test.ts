import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { channelEnv, FakeSlack, type SlackCall, SmtpSink, until } from '../../../../test-support/integrations.js';

type Entry = { type: string; actor: string; approvalId?: string; taskId: string | null; data: Record<string, unknown> };

/** Issue 26: comments (escaped everywhere, mentions notified or refused), claims and lead assignment. */
for (const backend of backends()) {
  describe(`comments, claims and assignment [${backend}]`, () => {
    let t: TestServer;
    let slack: FakeSlack;
    let smtp: SmtpSink;
    let agent: Api;
    let ann: Api;
    let bob: Api;
    let carl: Api;
    let lead: Api;
    let outsider: Api;
    const id = (n: string) => `did:human:${n}-${backend}`;

    const create = async (description = 'Pay invoice 42 to ACME') => {
      const c = await agent.post('/tasks', {
        description,
        payload: { amount: 900, iban: 'DE89370400440532013000' },
        humanInLoop: { approverRole: 'finance' },
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      return { taskId: c.body.taskId as string, approvalId: c.body.approvalRequest.id as string };
    };
    const entries = async (type: string): Promise<Entry[]> => {
      const all = (await t.admin.get('/ledger/entries?start=0')).body.entries as { entry: string }[];
      return all.map((e) => JSON.parse(e.entry) as Entry).filter((e) => e.type === type);
    };
    /** The store once the outbox is idle (notifications are sent in the background). */
    const settled = async () => {
      await t.server.service.outbox.idle();
      return t.fingerprint();
    };
    const dmsTo = (user: string) => slack.of('chat.postMessage').filter((c: SlackCall) => c.body.channel === user);

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      t = await startTestServer(backend, channelEnv(slack, smtp));
      agent = await t.principal(`did:agent:payer-${backend}`, []);
      ann = await t.principal(id('ann'), ['finance']);
      bob = await t.principal(id('bob'), ['finance']);
      carl = await t.principal(id('carl'), ['finance']);
      lead = await t.principal(id('lead'), ['finance', 'approval_lead']);
      outsider = await t.principal(id('olga'), ['ops']);
      for (const [who, links] of [
        [id('ann'), { slackUserId: 'U0ANN', email: 'ann@example.com' }],
        [id('bob'), { slackUserId: 'U0BOB', email: 'bob@example.com' }],
      ] as const) {
        expect((await t.admin.req('PUT', `/channels/links/${who}`, links)).status).toBe(200);
      }
    });
    afterAll(async () => {
      await t?.close();
      await slack?.close();
      await smtp?.close();
    });

    it('a comment is stored as written, rendered escaped, recorded in the ledger and history (not a decision), and notifies its mentions escaped in Slack and e-mail', async () => {
      const { taskId, approvalId } = await create();
      const body = `**Check** the IBAN <script>alert(1)</script> [x](javascript:alert(1)) <@U0ALL> <!channel> & @${id('bob')}.`;
      const c = await ann.post(`/approvals/${approvalId}/comments`, { body });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      expect(c.body.body).toBe(body);
      expect(c.body.mentions).toEqual([id('bob')]);
      expect(c.body.html).toContain('<strong>Check</strong>');
      expect(c.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(c.body.html).not.toMatch(/<script|href="javascript/i);
      const list = await bob.get(`/approvals/${approvalId}/comments`);
      expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([c.body.id]);
      // In the ledger with the comment's digest, not its text; in the task's history; no decision.
      const added = (await entries('comment.added')).filter((e) => e.approvalId === approvalId);
      expect(added).toHaveLength(1);
      expect(added[0]?.data).toEqual({ commentId: c.body.id, digest: c.body.digest, mentions: [id('bob')] });
      expect(JSON.stringify(added[0])).not.toContain('alert');
      const history = await agent.get(`/tasks/${taskId}/history`);
      expect(history.body.events.map((e: { type: string }) => e.type)).toContain('comment.added');
      const gate = await bob.get(`/approvals/${approvalId}`);
      expect(gate.body).toMatchObject({ status: 'pending', decisions: [] });
      // Bob is told in Slack (mrkdwn-escaped: no mention, no channel ping, no link) and by e-mail (HTML-escaped).
      await until(() => dmsTo('U0BOB').some((m) => JSON.stringify(m.body).includes('mentioned you')), 'the Slack DM');
      const dm = dmsTo('U0BOB').find((m) => JSON.stringify(m.body).includes('mentioned you')) as SlackCall;
      const quoted = JSON.stringify(dm.body.blocks);
      expect(quoted).toContain('&lt;@U0ALL&gt; &lt;!channel&gt; &amp;');
      expect(quoted).not.toContain('<@U0ALL>');
      await until(
        () => smtp.to('bob@example.com').some((m) => (m.subject ?? '').includes('mentioned you')),
        'the e-mail',
      );
      const mail = smtp.to('bob@example.com').find((m) => (m.subject ?? '').includes('mentioned you'));
      expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(mail?.html).not.toContain('<script>');
      // The author's own mention of nobody else: Ann got no notice about her own comment.
      expect(dmsTo('U0ANN').some((m) => JSON.stringify(m.body).includes('mentioned you'))).toBe(false);
    });

    it('a mention of someone who may not see the request (or of no one) refuses the comment and writes nothing', async () => {
      const { approvalId } = await create();
      for (const who of [id('olga'), 'did:human:nobody', `did:agent:payer-${backend}`]) {
        const before = await settled();
        const r = await ann.post(`/approvals/${approvalId}/comments`, { body: `fyi @${who}` });
        expect(r.status).toBe(409);
        expect(r.body).toMatchObject({ code: 'mention_not_allowed', mentions: [who] });
        expect(await t.fingerprint()).toBe(before);
      }
      // Someone who cannot see it cannot read or write its comments either (404: it does not exist for them).
      expect((await outsider.get(`/approvals/${approvalId}/comments`)).status).toBe(404);
      expect((await outsider.post(`/approvals/${approvalId}/comments`, { body: 'hi' })).status).toBe(404);
      // Agents do not comment; admins may be mentioned.
      expect((await agent.post(`/approvals/${approvalId}/comments`, { body: 'hi' })).body.code).toBe('forbidden');
      expect((await ann.post(`/approvals/${approvalId}/comments`, { body: 'ok' })).status).toBe(201);
    });

    it('a claim is shown to the other approvers, is not a lock, and expires', async () => {
      const { approvalId } = await create();
      const c = await ann.post(`/approvals/${approvalId}/claim`, {});
      expect(c.status, JSON.stringify(c.body)).toBe(200);
      expect(c.body.claimedBy).toBe(id('ann'));
      const seen = await bob.get(`/approvals/${approvalId}`);
      expect(seen.body).toMatchObject({ claimedBy: id('ann'), claimedUntil: c.body.claimedUntil });
      const inbox = await bob.get('/approvals?status=pending');
      expect(inbox.body.items.find((g: { id: string }) => g.id === approvalId)?.claimedBy).toBe(id('ann'));
      // Bob cannot take the claim while it is live (nothing changes) …
      const before = await settled();
      const taken = await bob.post(`/approvals/${approvalId}/claim`, {});
      expect(taken.status).toBe(409);
      expect(taken.body).toMatchObject({ code: 'claim_held', claimedBy: id('ann') });
      expect((await bob.req('DELETE', `/approvals/${approvalId}/claim`)).body.code).toBe('claim_held');
      expect(await t.fingerprint()).toBe(before);
      // … after ten minutes it has lapsed: nobody is shown, and Bob may claim it.
      t.clock.advance(600_001);
      expect((await bob.get(`/approvals/${approvalId}`)).body.claimedBy).toBeNull();
      expect((await bob.post(`/approvals/${approvalId}/claim`, {})).body.claimedBy).toBe(id('bob'));
      // Not a lock: Carl decides while Bob holds the claim; the decided gate shows no claim.
      const approved = await carl.post(`/approvals/${approvalId}/approve`, { approvalReason: 'checked' });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      expect((await bob.get(`/approvals/${approvalId}`)).body.claimedBy).toBeNull();
      expect((await bob.post(`/approvals/${approvalId}/claim`, {})).body.code).toBe('invalid_state');
    });

    it('a claim is released by its holder; only an approver who may decide can claim', async () => {
      const { approvalId } = await create();
      expect((await ann.post(`/approvals/${approvalId}/claim`, {})).status).toBe(200);
      expect((await ann.req('DELETE', `/approvals/${approvalId}/claim`)).body.claimedBy).toBeNull();
      expect((await bob.get(`/approvals/${approvalId}`)).body.claimedBy).toBeNull();
      expect((await outsider.post(`/approvals/${approvalId}/claim`, {})).status).toBe(404);
      expect((await agent.post(`/approvals/${approvalId}/claim`, {})).body.code).toBe('forbidden');
    });

    it('assignment: only a lead, only to someone who may decide it now; the assignee is notified and sees it first', async () => {
      const first = await create('Assigned later');
      t.clock.advance(1000); // newest first: a later request
      const { approvalId } = await create('Newest request');
      await bob.post(`/approvals/${first.approvalId}/comments`, { body: 'just a note' });
      const refuse = async (who: Api, assignee: string, code: string, status: number) => {
        const before = await settled();
        const r = await who.post(`/approvals/${first.approvalId}/assign`, { assignee });
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        expect(r.body.code).toBe(code);
        expect(await t.fingerprint()).toBe(before);
      };
      await refuse(ann, id('bob'), 'lead_required', 403);
      await refuse(agent, id('bob'), 'lead_required', 403);
      await refuse(lead, id('olga'), 'assignee_not_eligible', 409); // no role of the gate
      await refuse(lead, `did:agent:payer-${backend}`, 'assignee_not_eligible', 409); // the requester
      await refuse(lead, 'did:human:nobody', 'assignee_not_eligible', 409);
      const outsiderLead = await t.principal(id('olead'), ['ops', 'approval_lead']);
      await refuse(outsiderLead, id('bob'), 'not_found', 404); // a lead who may not see it
      // Seated approvers are not eligible: on a quorum-less gate the decision closes it, so use a disabled one.
      const dana = await t.principal(id('dana'), ['finance']);
      expect((await t.admin.req('PATCH', `/principals/${id('dana')}`, { disabled: true })).status).toBe(200);
      void dana;
      await refuse(lead, id('dana'), 'assignee_not_eligible', 409);

      // A seated approver of a 2-of-N gate may not be assigned the second seat.
      const quorum = await agent.post('/tasks', {
        description: 'Two of finance',
        payload: { amount: 1 },
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['finance'] },
      });
      const qGate = quorum.body.approvalRequest.id as string;
      const seat = await carl.post(`/approvals/${qGate}/approve`, { approvalReason: 'checked' });
      expect(seat.body.status, JSON.stringify(seat.body)).toBe('pending');
      const beforeSeat = await settled();
      const seated = await lead.post(`/approvals/${qGate}/assign`, { assignee: id('carl') });
      expect(seated.body.code).toBe('assignee_not_eligible');
      expect(await t.fingerprint()).toBe(beforeSeat);
      expect((await lead.post(`/approvals/${qGate}/assign`, { assignee: id('ann') })).status).toBe(200);

      const ok = await lead.post(`/approvals/${first.approvalId}/assign`, { assignee: id('bob') });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body).toMatchObject({ assignee: id('bob'), assignedBy: id('lead') });
      const assigned = (await entries('approval.assigned')).filter((e) => e.approvalId === first.approvalId);
      expect(assigned).toMatchObject([{ actor: id('lead'), data: { assignee: id('bob'), previous: null } }]);
      // First in Bob's inbox although newer requests exist, and only once across pages.
      const inbox = await bob.get('/approvals?status=pending');
      expect(inbox.body.items[0]).toMatchObject({ id: first.approvalId, assignee: id('bob') });
      expect(inbox.body.items.filter((g: { id: string }) => g.id === first.approvalId)).toHaveLength(1);
      expect(inbox.body.items.findIndex((g: { id: string }) => g.id === approvalId)).toBeGreaterThan(0);
      const page1 = await bob.get('/approvals?status=pending&limit=1');
      const next = page1.body.nextCursor
        ? await bob.get(`/approvals?status=pending&limit=200&cursor=${page1.body.nextCursor}`)
        : { body: { items: [] } };
      expect(next.body.items.some((g: { id: string }) => g.id === first.approvalId)).toBe(false);
      // Ann's inbox order is unchanged (newest first).
      const annInbox = await ann.get('/approvals?status=pending');
      expect(annInbox.body.items.findIndex((g: { id: string }) => g.id === approvalId)).toBeLessThan(
        annInbox.body.items.findIndex((g: { id: string }) => g.id === first.approvalId),
      );
      await until(
        () => dmsTo('U0BOB').some((m) => JSON.stringify(m.body).includes('assigned you')),
        'the assignment DM',
      );
      await until(
        () => smtp.to('bob@example.com').some((m) => (m.subject ?? '').includes('assigned you')),
        'the e-mail',
      );
    });
  });
}
