/**
 * `minReviewSeconds` (issue 26) is enforced by the server: a decision earlier than the policy's
 * minimum after the approver first opened the request is refused (`review_too_fast`, the seconds
 * left), nothing changes; after the time it passes. Slack and e-mail decisions of someone who never
 * opened it count from the message's delivery. The suite's test clock, no sleeps. Both backends.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../../test-support/harness.js';
import { reviewStart } from './review.js';

const POLICY = {
  name: 'review-test',
  version: 1,
  rules: [
    {
      id: 'prod-db',
      match: { descriptionMatches: 'database' },
      require: { approverRole: 'dba', minReviewSeconds: 30, riskLevel: 'high' },
    },
  ],
};

for (const backend of backends()) {
  describe(`minReviewSeconds [${backend}]`, () => {
    const file = `/tmp/humanos-review-${process.pid}-${backend}.json`;
    writeFileSync(file, JSON.stringify(POLICY));
    const s = useTestServer(backend, {
      env: { HUMANOS_POLICY: file },
      principals: {
        agent: ['did:agent:bot', []],
        dba: ['did:human:dora', ['dba']],
        other: ['did:human:omar', ['dba']],
      },
    });
    const create = async (description = 'Drop the staging database') => {
      const c = await s.as.agent.post('/tasks', { description });
      expect(c.status).toBe(201);
      return c.body.approvalRequest.id as string;
    };
    const approve = (id: string) => s.as.dba.post(`/approvals/${id}/approve`, { approvalReason: 'checked the backup' });

    it('refuses a decision made too soon after opening, changing nothing, and passes after the time', async () => {
      const id = await create();
      const opened = await s.as.dba.get(`/approvals/${id}`);
      expect(opened.body.minReviewSeconds).toBe(30);
      s.t.clock.advance(10_000);
      const before = await s.t.fingerprint();
      const early = await approve(id);
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({
        code: 'review_too_fast',
        secondsLeft: 20,
        minReviewSeconds: 30,
        decidableAt: new Date(s.t.clock.now() + 20_000).toISOString(),
      });
      const rejectEarly = await s.as.dba.post(`/approvals/${id}/reject`, { rejectionReason: 'no' });
      expect(rejectEarly.body.code).toBe('review_too_fast');
      expect(await s.t.fingerprint()).toBe(before);
      expect((await s.as.dba.get(`/approvals/${id}`)).body.status).toBe('pending');
      // Opening it again does not restart the clock.
      s.t.clock.advance(19_000);
      expect((await approve(id)).body.secondsLeft).toBe(1);
      s.t.clock.advance(1_000);
      const ok = await approve(id);
      expect(ok.status).toBe(200);
      expect((await s.as.dba.get(`/approvals/${id}`)).body.status).toBe('approved');
    });

    it('a decision by someone who never opened it is refused with the whole minimum left', async () => {
      const id = await create();
      s.t.clock.advance(3_600_000);
      const before = await s.t.fingerprint();
      const blind = await approve(id);
      expect(blind.status).toBe(409);
      expect(blind.body).toMatchObject({ code: 'review_too_fast', secondsLeft: 30, decidableAt: null });
      expect(blind.body.detail).toMatch(/has not opened this request/);
      expect(await s.t.fingerprint()).toBe(before);
      // Another approver's open is not hers.
      await s.as.other.get(`/approvals/${id}`);
      s.t.clock.advance(60_000);
      expect((await approve(id)).body.code).toBe('review_too_fast');
    });

    it('gates without the rule are not slowed down', async () => {
      const c = await s.as.agent.post('/tasks', { description: 'Rotate a log', humanInLoop: { approverRole: 'dba' } });
      const id = c.body.approvalRequest.id as string;
      expect((await s.as.dba.get(`/approvals/${id}`)).body.minReviewSeconds).toBeNull();
      expect((await approve(id)).status).toBe(200);
    });

    it('Slack and e-mail decisions of someone who never opened it count from the delivery', async () => {
      const id = await create();
      const db = s.t.server.store.db;
      const at = s.t.clock.now();
      await db
        .insertInto('channel_messages')
        .values([
          message(id, 'slack', null, at), // a post in the role's Slack channel
          message(id, 'email', 'did:human:omar', at + 5_000), // an e-mail to someone else
        ])
        .execute();
      expect(await reviewStart(db, id, 'did:human:dora', 'slack')).toEqual({ at, how: 'delivered (slack)' });
      expect(await reviewStart(db, id, 'did:human:dora', 'email')).toBeUndefined();
      expect(await reviewStart(db, id, 'did:human:omar', 'email')).toEqual({
        at: at + 5_000,
        how: 'delivered (email)',
      });
      // A REST decision never counts a delivery: the API and the console must open it.
      expect(await reviewStart(db, id, 'did:human:dora', 'api')).toBeUndefined();
      await s.as.dba.get(`/approvals/${id}`);
      expect((await reviewStart(db, id, 'did:human:dora', 'slack'))?.how).toBe('opened (api)');
    });
  });
}

function message(approvalId: string, channel: string, principal: string | null, at: number) {
  return {
    id: `m-${channel}-${approvalId}`,
    approval_id: approvalId,
    channel,
    target: principal ?? 'C0DBA',
    principal_id: principal,
    ref_channel: null,
    ref: `ref-${channel}`,
    rendered: '',
    created_at: at,
    updated_at: at,
  };
}
