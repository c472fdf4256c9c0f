/**
 * Delegation and out-of-office (issue 26), over HTTP on both backends: who may be a delegate (never
 * oneself, an agent, a disabled human, someone holding a seat on the same gates; no cascade; within the
 * policy's maximum), the window [start, end) to the millisecond, the inbox marking "on behalf of",
 * the signed decision naming both people and the delegation's ledger index, one seat per person with
 * the delegator counted, a `delegable: false` rule, escalation along the original ladder, and the
 * offline verification of the whole log.
 */
import { writeFileSync } from 'node:fs';
import { parseLedgerExport, verifyLedger } from '@humanos/core';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Api, backends, useTestServer } from '../../../../test-support/harness.js';

const HOUR = 3_600_000;
const POLICY = `/tmp/humanos-delegation-${process.pid}.json`;
writeFileSync(
  POLICY,
  JSON.stringify({
    name: 'delegation',
    version: 1,
    escalationLadder: { finance_manager: 'cfo' },
    delegation: { maxDays: 10 },
    rules: [
      {
        id: 'quorum',
        match: { descriptionMatches: 'quorum' },
        require: { quorum: { required: 2, eligible: ['finance_manager'] } },
      },
      { id: 'board', match: { descriptionMatches: 'board' }, require: { approverRole: 'cfo', delegable: false } },
    ],
  }),
);

for (const backend of backends()) {
  describe(`delegation [${backend}]`, () => {
    const id = (n: string) => `did:human:${n}-${backend}`;
    const s = useTestServer(backend, {
      env: { HUMANOS_POLICY: POLICY },
      principals: {
        agent: [`did:agent:bot-${backend}`, []],
        ann: [id('ann'), ['finance_manager']],
        bob: [id('bob'), []],
        carl: [id('carl'), ['finance_manager']],
        dora: [id('dora'), ['cfo']],
        eve: [id('eve'), []],
        frank: [id('frank'), []],
      },
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    const now = () => s.t.clock.now();
    const delegate = (who: Api, body: Record<string, unknown>) =>
      who.post('/delegations', { endsAt: iso(now() + HOUR), ...body });
    const pay = async (description: string, extra: Record<string, unknown> = {}) => {
      const c = await s.as.agent.post('/tasks', {
        description,
        payload: { amount: 120 },
        humanInLoop: { approverRole: 'finance_manager', approvalTimeout: 8 * 3600, escalationPolicy: 'auto' },
        ...extra,
      });
      expect(c.status).toBe(201);
      return { taskId: c.body.taskId as string, gate: c.body.approvalRequest.id as string };
    };
    const inbox = async (who: Api) =>
      (await who.get('/approvals?status=pending')).body.items as { id: string; onBehalfOf?: { delegator: string } }[];
    const end = (who: Api, d: string) => who.post(`/delegations/${d}/end`, {});

    it('refuses a delegation to oneself, an agent, a disabled human, a co-seat holder, a role not held; nothing is written', async () => {
      await s.t.admin.req('PATCH', `/principals/${id('eve')}`, { disabled: true });
      const before = await s.t.fingerprint();
      const cases: [Record<string, unknown>, number, string][] = [
        [{ delegate: id('ann') }, 400, 'delegation_to_self'],
        [{ delegate: `did:agent:bot-${backend}` }, 400, 'delegate_not_human'],
        [{ delegate: 'did:human:nobody' }, 400, 'delegate_not_human'],
        [{ delegate: id('eve') }, 400, 'delegate_disabled'],
        [{ delegate: id('carl') }, 409, 'delegate_holds_seat'],
        [{ delegate: id('bob'), roles: ['cfo'] }, 400, 'delegation_role_not_held'],
        [{ delegate: id('bob'), startsAt: iso(now() + 2 * HOUR) }, 400, 'delegation_window_invalid'],
        [
          { delegate: id('bob'), startsAt: iso(now() - 2 * HOUR), endsAt: iso(now() - HOUR) },
          400,
          'delegation_window_invalid',
        ],
        [{ delegate: id('bob'), endsAt: iso(now() + 10 * 24 * HOUR + 1) }, 400, 'delegation_too_long'],
        [{ delegate: id('bob'), delegator: id('carl') }, 403, 'forbidden'],
        [{ delegate: id('bob'), unknown: 1 }, 400, 'validation_failed'],
      ];
      for (const [body, status, code] of cases) {
        const r = await delegate(s.as.ann, body);
        expect([r.status, r.body.code], JSON.stringify(body)).toEqual([status, code]);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }
      expect(await s.t.fingerprint()).toBe(before);
      // An admin may set one up for someone (an absence nobody planned); it is recorded as theirs.
      const forAnn = await delegate(s.t.admin, { delegate: id('bob'), delegator: id('ann') });
      expect(forAnn.status).toBe(201);
      expect(forAnn.body).toMatchObject({ delegator: id('ann'), delegate: id('bob') });
      expect(forAnn.body.createdBy).not.toBe(id('ann'));
      expect((await end(s.as.ann, forAnn.body.id)).body.state).toBe('ended');
    });

    it('does not cascade: a delegate cannot pass on what they hold only by delegation', async () => {
      const d = await delegate(s.as.ann, { delegate: id('bob'), endsAt: iso(now() + 10 * 24 * HOUR) });
      expect(d.status).toBe(201);
      expect(d.body).toMatchObject({ delegator: id('ann'), roles: ['finance_manager'], state: 'active' });
      const before = await s.t.fingerprint();
      const again = await delegate(s.as.bob, { delegate: id('frank'), roles: ['finance_manager'] });
      expect([again.status, again.body.code]).toEqual([403, 'delegation_cascade']);
      const all = await delegate(s.as.bob, { delegate: id('frank') });
      expect([all.status, all.body.code]).toEqual([400, 'delegation_role_not_held']);
      expect(await s.t.fingerprint()).toBe(before);
      // The delegate may decline it; then it is over for good.
      const ended = await end(s.as.bob, d.body.id);
      expect(ended.body).toMatchObject({ state: 'ended', endedBy: id('bob'), endReason: 'ended' });
      const twice = await end(s.as.ann, d.body.id);
      expect([twice.status, twice.body.code]).toEqual([409, 'delegation_ended']);
      const patch = await s.as.ann.req('PATCH', `/delegations/${d.body.id}`, { endsAt: iso(now() + HOUR) });
      expect([patch.status, patch.body.code]).toEqual([409, 'delegation_ended']);
    });

    it('the window is [start, end): pending requests move to the delegate at the start and back at the end', async () => {
      const t0 = now();
      const g1 = await pay('Pay the first invoice');
      const d = await delegate(s.as.ann, {
        delegate: id('bob'),
        startsAt: iso(t0 + HOUR),
        endsAt: iso(t0 + 2 * HOUR),
        outOfOffice: true,
      });
      expect(d.body.state).toBe('scheduled');
      s.t.clock.t = t0 + HOUR - 1;
      expect((await inbox(s.as.bob)).map((g) => g.id)).not.toContain(g1.gate);
      // Before the window bob holds nothing that shows him the request.
      const early = await s.as.bob.post(`/approvals/${g1.gate}/approve`, {});
      expect([early.status, early.body.code]).toEqual([404, 'not_found']);

      s.t.clock.t = t0 + HOUR;
      expect(await s.t.server.service.delegations.sweep()).toBe(1);
      const mine = (await inbox(s.as.bob)).find((g) => g.id === g1.gate);
      expect(mine?.onBehalfOf).toMatchObject({
        delegator: id('ann'),
        delegationId: d.body.id,
        until: iso(t0 + 2 * HOUR),
      });
      // The delegator keeps them too (not a lock-out); without the marking.
      expect((await inbox(s.as.ann)).find((g) => g.id === g1.gate)?.onBehalfOf).toBeUndefined();
      const ok = await s.as.bob.post(`/approvals/${g1.gate}/approve`, {});
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ status: 'approved', approvedBy: id('bob') });

      // The signed entry names both, the role and the delegation's ledger index.
      const at = ok.body.provenance.ledgerIndex as number;
      const entry = (await s.t.admin.get(`/ledger/entries?start=${at}&end=${at + 1}`)).body.entries[0];
      const record = JSON.parse(entry.entry).data.record;
      expect(record).toMatchObject({
        decidedBy: id('bob'),
        onBehalfOf: id('ann'),
        delegation: d.body.ledgerIndex,
        role: 'finance_manager',
      });
      const view = await s.as.ann.get(`/approvals/${g1.gate}`);
      expect(view.body.decisions[0]).toMatchObject({ principal: id('bob'), onBehalfOf: id('ann') });

      const g2 = await pay('Pay the second invoice');
      s.t.clock.t = t0 + 2 * HOUR - 1;
      expect((await inbox(s.as.bob)).map((g) => g.id)).toContain(g2.gate);
      s.t.clock.t = t0 + 2 * HOUR;
      expect((await inbox(s.as.bob)).map((g) => g.id)).not.toContain(g2.gate);
      const late = await s.as.bob.post(`/approvals/${g2.gate}/approve`, {});
      expect([late.status, late.body.code]).toEqual([404, 'not_found']);
      expect(await s.t.server.service.delegations.sweep()).toBe(1);
      expect((await s.as.ann.get(`/delegations/${d.body.id}`)).body).toMatchObject({
        state: 'ended',
        endReason: 'expired',
      });
      expect((await inbox(s.as.ann)).map((g) => g.id)).toContain(g2.gate);
    });

    it('one seat per person: the delegate cannot fill a seat the delegator holds, nor the delegator one filled for them', async () => {
      const d = await delegate(s.as.ann, { delegate: id('bob') });
      const c1 = await s.as.agent.post('/tasks', { description: 'quorum payout 1', payload: { amount: 1 } });
      const q1 = c1.body.approvalRequest.id as string;
      expect((await s.as.ann.post(`/approvals/${q1}/approve`, {})).body.status).toBe('pending');
      expect((await inbox(s.as.bob)).map((g) => g.id)).not.toContain(q1);
      const before = await s.t.fingerprint();
      const twice = await s.as.bob.post(`/approvals/${q1}/approve`, {});
      expect([twice.status, twice.body.code]).toEqual([409, 'already_seated']);
      expect(await s.t.fingerprint()).toBe(before);

      const c2 = await s.as.agent.post('/tasks', { description: 'quorum payout 2', payload: { amount: 2 } });
      const q2 = c2.body.approvalRequest.id as string;
      expect((await s.as.bob.post(`/approvals/${q2}/approve`, {})).body.status).toBe('pending');
      expect((await inbox(s.as.ann)).map((g) => g.id)).not.toContain(q2);
      const again = await s.as.ann.post(`/approvals/${q2}/approve`, {});
      expect([again.status, again.body.code]).toEqual([409, 'already_seated']);
      expect((await s.as.carl.post(`/approvals/${q2}/approve`, {})).body).toMatchObject({
        status: 'approved',
        taskStatus: 'approved',
      });
      await end(s.as.ann, d.body.id);
    });

    it('a delegate never decides what they or the delegator asked for', async () => {
      const d = await delegate(s.as.ann, { delegate: id('bob') });
      for (const requester of [s.as.bob, s.as.ann]) {
        const c = await requester.post('/tasks', {
          description: 'Pay own expenses',
          payload: { amount: 5 },
          humanInLoop: { approverRole: 'finance_manager' },
        });
        const gate = c.body.approvalRequest.id as string;
        expect((await inbox(s.as.bob)).map((g) => g.id)).not.toContain(gate);
        const r = await s.as.bob.post(`/approvals/${gate}/approve`, {});
        // Their own request: requester_cannot_decide; the delegator's: no delegation covers it (not shown).
        expect([r.status, r.body.code]).toEqual(
          requester === s.as.bob ? [403, 'requester_cannot_decide'] : [404, 'not_found'],
        );
      }
      await end(s.as.ann, d.body.id);
    });

    it('a rule with delegable: false (the CFO step) is not decided by a delegate', async () => {
      const d = await delegate(s.as.dora, { delegate: id('bob'), roles: ['cfo'] });
      const c = await s.as.agent.post('/tasks', { description: 'board approval of the budget', payload: {} });
      const gate = c.body.approvalRequest.id as string;
      expect((await inbox(s.as.bob)).map((g) => g.id)).not.toContain(gate);
      const before = await s.t.fingerprint();
      const r = await s.as.bob.post(`/approvals/${gate}/approve`, {});
      expect([r.status, r.body.code, r.body.rule]).toEqual([403, 'delegation_forbidden', 'board']);
      expect(await s.t.fingerprint()).toBe(before);
      expect((await s.as.dora.post(`/approvals/${gate}/approve`, {})).status).toBe(200);
      await end(s.as.dora, d.body.id);
    });

    it('a scope by action matcher and risk covers only what it names', async () => {
      const d = await delegate(s.as.ann, {
        delegate: id('bob'),
        scope: { match: { capabilities: ['finance.invoice'] }, riskLevels: ['low', 'medium'] },
      });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
      const wire = await pay('Pay by wire', { requiredCapabilities: ['finance.wire'] });
      const inv = await pay('Pay the invoice', { requiredCapabilities: ['finance.invoice'] });
      const ids = (await inbox(s.as.bob)).map((g) => g.id);
      expect(ids).toContain(inv.gate);
      expect(ids).not.toContain(wire.gate);
      expect((await s.as.bob.post(`/approvals/${wire.gate}/approve`, {})).body.code).toBe('not_found');
      expect((await s.as.bob.post(`/approvals/${inv.gate}/approve`, {})).status).toBe(200);
      await end(s.as.ann, d.body.id);
    });

    it('a scoped delegation fills the delegate’s page past the requests out of its scope', async () => {
      const d = await delegate(s.as.ann, {
        delegate: id('bob'),
        scope: { match: { capabilities: ['finance.invoice'] } },
      });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
      const inv = await pay('Pay the older invoice', { requiredCapabilities: ['finance.invoice'] });
      // Newer requests of the same role, out of the scope: the first walk of a page of 2 sees only these.
      for (let i = 0; i < 3; i++) {
        s.t.clock.t = now() + 1000;
        const w = await pay('Pay the supplier', { requiredCapabilities: ['finance.other'] });
        expect((await s.as.ann.get(`/approvals/${w.gate}`)).body.status).toBe('pending');
      }
      const page = await s.as.bob.get('/approvals?status=pending&limit=2');
      expect(page.status).toBe(200);
      expect(page.body.items.map((g: { id: string }) => g.id)).toContain(inv.gate);
      await end(s.as.ann, d.body.id);
    });

    it('escalation still follows the original approver’s ladder', async () => {
      const d = await delegate(s.as.ann, { delegate: id('bob'), endsAt: iso(now() + 9 * 24 * HOUR) });
      const g = await pay('Pay invoice late');
      s.t.clock.advance(8 * HOUR);
      await s.t.server.service.timers.expireDue();
      const after = await s.as.agent.get(`/tasks/${g.taskId}/decision`);
      expect(after.body.approvalRequest.approverRole).toBe('cfo');
      const escalated = after.body.approvalRequest.id as string;
      expect((await s.as.bob.post(`/approvals/${escalated}/approve`, {})).body.code).toBe('not_found');
      expect((await s.as.dora.post(`/approvals/${escalated}/approve`, {})).status).toBe(200);
      await end(s.as.ann, d.body.id);
    });

    it('changes are ledger entries, and the whole log verifies offline', async () => {
      const d = await delegate(s.as.ann, {
        delegate: id('bob'),
        startsAt: iso(now() + HOUR),
        endsAt: iso(now() + 2 * HOUR),
      });
      const changed = await s.as.ann.req('PATCH', `/delegations/${d.body.id}`, { endsAt: iso(now() + 3 * HOUR) });
      expect(changed.body).toMatchObject({ endsAt: iso(now() + 3 * HOUR), state: 'scheduled' });
      const long = await s.as.ann.req('PATCH', `/delegations/${d.body.id}`, { endsAt: iso(now() + 11 * 24 * HOUR) });
      expect(long.body.code).toBe('delegation_too_long');
      await end(s.as.ann, d.body.id);
      const listed = await s.as.bob.get('/delegations?as=delegate&includeEnded=true');
      expect(listed.body.items.map((x: { id: string }) => x.id)).toContain(d.body.id);
      const text = await fetch(`${s.t.url}/v1/humanos/ledger/export`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }).then((r) => r.text());
      const types = text
        .split('\n')
        .filter((l) => l.startsWith('{"type":"entry"'))
        .map((l) => JSON.parse(JSON.parse(l).entry).type as string);
      for (const type of ['delegation.created', 'delegation.updated', 'delegation.started', 'delegation.ended'])
        expect(types).toContain(type);
      const report = verifyLedger(parseLedgerExport(text));
      expect(report).toMatchObject({ ok: true });
    });
  });
}
