/**
 * `client.collab` (comments, claims, assignment) and `client.audit.attentionChecks` through the SDK
 * against a real server, with their types checked against the server's schemas at compile time.
 */
import type { Static } from 'typebox';
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import type { AttentionCheckReport as ReportSchema } from '../../server/src/attention/schemas.js';
import type { ClaimState, CommentView } from '../../server/src/collab/schemas.js';
import { type AuditClient, type CollabClient, HumanOSApiError, HumanOSClient } from '../src/index.js';
import { type Mutual, type Norm, type Res, same } from './drift.js';

type Same<A, S> = Mutual<Norm<A>, Norm<S>>;

same<Same<Res<CollabClient['comment']>, Static<typeof CommentView>>>(true);
same<Same<Res<CollabClient['claim']>, Static<typeof ClaimState>>>(true);
same<Same<Res<CollabClient['assign']>, Static<typeof ClaimState>>>(true);
same<Same<Res<AuditClient['attentionChecks']>, Static<typeof ReportSchema>>>(true);

for (const backend of backends()) {
  describe(`client.collab [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:sdk-payer', []],
        ann: ['did:human:sdk-ann', ['finance']],
        bob: ['did:human:sdk-bob', ['finance']],
        lead: ['did:human:sdk-lead', ['finance', 'approval_lead']],
      },
    });
    const client = (token: string | undefined) => new HumanOSClient({ baseUrl: s.t.url, apiKey: token, retries: 0 });

    it('comments, claims, releases and assigns; refusals carry their codes', async () => {
      const agent = client(s.as.agent.token);
      const ann = client(s.as.ann.token);
      const bob = client(s.as.bob.token);
      const lead = client(s.as.lead.token);
      const task = await agent.createTask({
        description: 'Pay invoice 12',
        payload: { amount: 12 },
        humanInLoop: { approverRole: 'finance' },
      });
      const gate = task.approvalRequest?.id as string;
      const c = await ann.collab.comment(gate, '**ok** <i>x</i> @did:human:sdk-bob');
      expect(c).toMatchObject({ author: 'did:human:sdk-ann', mentions: ['did:human:sdk-bob'] });
      expect(c.html).toContain('&lt;i&gt;x&lt;/i&gt;');
      expect((await bob.collab.comments(gate)).map((x) => x.id)).toEqual([c.id]);
      const refused = await ann.collab.comment(gate, '@did:human:nobody').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HumanOSApiError);
      expect((refused as HumanOSApiError).code).toBe('mention_not_allowed');

      expect((await ann.collab.claim(gate)).claimedBy).toBe('did:human:sdk-ann');
      const held = await bob.collab.claim(gate).catch((e: unknown) => e);
      expect((held as HumanOSApiError).code).toBe('claim_held');
      expect((await ann.collab.release(gate)).claimedBy).toBeNull();

      expect(
        ((await ann.collab.assign(gate, 'did:human:sdk-bob').catch((e: unknown) => e)) as HumanOSApiError).code,
      ).toBe('lead_required');
      expect(await lead.collab.assign(gate, 'did:human:sdk-bob')).toMatchObject({
        assignee: 'did:human:sdk-bob',
        assignedBy: 'did:human:sdk-lead',
      });
      expect((await s.t.admin.get('/audit/attention-checks')).body.enabled).toBe(false);
      expect(
        (await client(undefined)
          .audit.attentionChecks()
          .catch((e: unknown) => e)) as HumanOSApiError,
      ).toBeInstanceOf(HumanOSApiError);
    });
  });
}
