/**
 * `client.delegations` against a real server on both backends: create, list, update, end, the typed
 * refusals, and a delegate's approval on behalf; the SDK's types are checked against the server's
 * schemas at compile time.
 */
import type { Static } from 'typebox';
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import type {
  CreateDelegationBody,
  DelegationView,
  UpdateDelegationBody,
} from '../../server/src/delegations/schemas.js';
import { type DelegationsClient, HumanOSApiError, HumanOSClient } from '../src/index.js';
import { type Mutual, type Norm, type Res, same } from './drift.js';

type Same<A, S> = Mutual<Norm<A>, Norm<S>>;

same<Same<Parameters<DelegationsClient['create']>[0], Static<typeof CreateDelegationBody>>>(true);
same<Same<Parameters<DelegationsClient['update']>[1], Static<typeof UpdateDelegationBody>>>(true);
same<Same<Res<DelegationsClient['get']>, Static<typeof DelegationView>>>(true);

for (const backend of backends()) {
  describe(`client.delegations [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: [`did:agent:sdk-deleg-${backend}`, []],
        ann: [`did:human:sdk-ann-${backend}`, ['finance']],
        bob: [`did:human:sdk-bob-${backend}`, []],
      },
    });
    const client = (token: string | undefined) => new HumanOSClient({ baseUrl: s.t.url, apiKey: token, retries: 0 });
    const BOB = `did:human:sdk-bob-${backend}`;
    const ANN = `did:human:sdk-ann-${backend}`;

    it('creates, lists, changes and ends a delegation; the delegate approves on behalf', async () => {
      const ann = client(s.as.ann.token);
      const bob = client(s.as.bob.token);
      const endsAt = new Date(s.t.clock.now() + 3_600_000).toISOString();
      const d = await ann.delegations.create({ delegate: BOB, endsAt, outOfOffice: true, message: 'away' });
      expect(d).toMatchObject({
        delegator: ANN,
        delegate: BOB,
        roles: ['finance'],
        state: 'active',
        outOfOffice: true,
      });
      expect((await bob.delegations.list({ as: 'delegate' })).map((x) => x.id)).toEqual([d.id]);

      const task = await client(s.as.agent.token).createTask({
        description: 'Pay invoice',
        humanInLoop: { approverRole: 'finance' },
      });
      const gate = (task as { approvalRequest: { id: string } }).approvalRequest.id;
      const inbox = await bob.approvals.inbox();
      const item = inbox.items.find((g) => g.id === gate);
      expect(item?.onBehalfOf).toMatchObject({ delegator: ANN, delegationId: d.id });
      const approved = await bob.approvals.approve(gate, {});
      expect(approved.approvedBy).toBe(BOB);

      const later = new Date(s.t.clock.now() + 7_200_000).toISOString();
      expect((await ann.delegations.update(d.id, { endsAt: later })).endsAt).toBe(later);
      const ended = await bob.delegations.end(d.id, 'back early');
      expect(ended).toMatchObject({ state: 'ended', endReason: 'back early' });
      expect((await ann.delegations.get(d.id)).state).toBe('ended');

      const refused = await ann.delegations.create({ delegate: ANN, endsAt }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HumanOSApiError);
      expect((refused as HumanOSApiError).code).toBe('delegation_to_self');
    });
  });
}
