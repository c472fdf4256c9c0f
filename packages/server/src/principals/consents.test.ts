import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../../test-support/harness.js';

const DAY = 86_400_000;

/**
 * Issue 22 (medium): `onBehalfOf` let an agent pick which approver is shut out of deciding (the human
 * a task acts for may not decide it): name the strict CFO, and the lenient one decides. Now the named
 * human must have given this agent a standing consent (`PUT /me/consents/{agentId}`): time-boxed,
 * revocable, in the ledger, checked in the create's transaction.
 */
for (const backend of backends()) {
  describe(`onBehalfOf needs the named human's consent [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:payer', []],
        other: ['did:agent:other-bot', []],
        strict: ['did:human:cfo-strict', ['cfo']],
        lenient: ['did:human:cfo-lenient', ['cfo']],
      },
    });
    const wire = {
      description: 'Wire 50 000 EUR to Acme',
      approvalChain: [{ role: 'cfo' }],
      payload: { amount: 50000 },
    };
    const onBehalf = (api = s.as.agent, who = 'did:human:cfo-strict') =>
      api.post('/tasks', { ...wire, onBehalfOf: who });
    const at = (ms: number) => new Date(s.t.clock.now() + ms).toISOString();

    async function entries(type: string) {
      const size = (await s.t.admin.get('/ledger/checkpoint')).body.size;
      const all = (await s.t.admin.get(`/ledger/entries?start=0&end=${size}`)).body.entries.map(
        (e: { entry: string }) => JSON.parse(e.entry),
      );
      return all.filter((e: { type: string }) => e.type === type);
    }

    async function refusedUnchanged(
      r: Promise<{ status: number; body: { code: string } }>,
      status: number,
      code: string,
    ) {
      const before = await s.t.fingerprint();
      const reply = await r;
      expect([reply.status, reply.body.code]).toEqual([status, code]);
      expect(await s.t.fingerprint()).toBe(before);
    }

    it('without consent: the task is refused (403 consent_required) and nothing is written', async () => {
      await refusedUnchanged(onBehalf(), 403, 'consent_required');
      // A human cannot name another human either (consents are given to agents only) …
      await refusedUnchanged(onBehalf(s.as.lenient), 403, 'consent_required');
      // … but naming oneself excludes no one else.
      expect((await onBehalf(s.as.lenient, 'did:human:cfo-lenient')).status).toBe(201);
      // Unknown or non-human names are still a 400.
      await refusedUnchanged(onBehalf(s.as.agent, 'did:human:nobody'), 400, 'validation_failed');
    });

    it('a consent names an agent, is made by a human, and runs for a bounded time', async () => {
      const put = (api = s.as.strict, agent = 'did:agent:payer', body: unknown = { until: at(30 * DAY) }) =>
        api.req('PUT', `/me/consents/${agent}`, body);
      await refusedUnchanged(put(s.as.other, 'did:agent:payer'), 403, 'forbidden'); // an agent consents to nothing
      await refusedUnchanged(put(s.as.strict, 'did:human:cfo-lenient'), 400, 'validation_failed'); // not a human
      await refusedUnchanged(put(s.as.strict, 'did:agent:ghost'), 404, 'not_found');
      for (const body of [
        { until: at(-1000) },
        { until: at(91 * DAY) },
        { until: 'tomorrow' },
        { until: at(DAY), extra: 1 },
        {},
      ]) {
        await refusedUnchanged(put(s.as.strict, 'did:agent:payer', body), 400, 'validation_failed');
      }
      await refusedUnchanged(s.as.strict.req('DELETE', '/me/consents/did:agent:payer'), 404, 'not_found');
    });

    it('with consent: the task is accepted, and that human is excluded from deciding it', async () => {
      const until = at(30 * DAY);
      const granted = await s.as.strict.req('PUT', '/me/consents/did:agent:payer', { until });
      expect(granted.status).toBe(200);
      expect(granted.body).toMatchObject({
        grantor: 'did:human:cfo-strict',
        grantee: 'did:agent:payer',
        kind: 'on_behalf_of',
        until,
        revokedAt: null,
        active: true,
      });
      const [entry] = await entries('principal.consent_granted');
      expect(entry).toMatchObject({
        seq: granted.body.ledgerIndex,
        actor: 'did:human:cfo-strict',
        data: { grantor: 'did:human:cfo-strict', grantee: 'did:agent:payer', kind: 'on_behalf_of', until },
      });

      const created = await onBehalf();
      expect(created.status).toBe(201);
      const gate = created.body.approvalRequest.id as string;
      const mine = await s.as.strict.post(`/approvals/${gate}/approve`, { approvalReason: 'fine' });
      expect([mine.status, mine.body.code]).toEqual([403, 'requester_cannot_decide']);
      expect((await s.as.lenient.post(`/approvals/${gate}/approve`, { approvalReason: 'fine' })).status).toBe(200);
      // The consent is to this agent only.
      await refusedUnchanged(onBehalf(s.as.other), 403, 'consent_required');

      expect((await s.as.strict.get('/me/consents')).body.items).toEqual([granted.body]);
      expect((await s.as.lenient.get('/me/consents')).body.items).toEqual([]);
      expect((await s.t.admin.get('/principals/did:human:cfo-strict/consents')).body.items).toEqual([granted.body]);
      expect((await s.t.admin.get('/principals/did:agent:payer/consents')).body.items).toEqual([granted.body]);
      expect((await s.as.lenient.get('/principals/did:human:cfo-strict/consents')).status).toBe(403);
    });

    it('an expired consent is refused', async () => {
      const start = s.t.clock.t;
      s.t.clock.t = start + 30 * DAY; // `until` has come
      await refusedUnchanged(onBehalf(), 403, 'consent_required');
      expect((await s.as.strict.get('/me/consents')).body.items).toEqual([]);
      expect((await s.as.strict.get('/me/consents?all=true')).body.items).toMatchObject([{ active: false }]);
      // Renewing it (a new entry) makes it count again.
      expect((await s.as.strict.req('PUT', '/me/consents/did:agent:payer', { until: at(DAY) })).status).toBe(200);
      expect((await onBehalf()).status).toBe(201);
      expect(await entries('principal.consent_granted')).toHaveLength(2);
    });

    it('a revoked consent is refused at once; the revocation is in the ledger', async () => {
      const revoked = await s.as.strict.req('DELETE', '/me/consents/did:agent:payer');
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ active: false, revokedBy: 'did:human:cfo-strict' });
      await refusedUnchanged(onBehalf(), 403, 'consent_required');
      const [entry] = await entries('principal.consent_revoked');
      expect(entry).toMatchObject({
        seq: revoked.body.revokedLedgerIndex,
        actor: 'did:human:cfo-strict',
        data: { grantor: 'did:human:cfo-strict', grantee: 'did:agent:payer', kind: 'on_behalf_of' },
      });
      await refusedUnchanged(s.as.strict.req('DELETE', '/me/consents/did:agent:payer'), 404, 'not_found');
    });

    it('a human disabled after consenting can no longer be named', async () => {
      await s.as.strict.req('PUT', '/me/consents/did:agent:payer', { until: at(DAY) });
      expect((await s.t.admin.req('PATCH', '/principals/did:human:cfo-strict', { disabled: true })).status).toBe(200);
      await refusedUnchanged(onBehalf(), 400, 'validation_failed');
    });
  });
}
