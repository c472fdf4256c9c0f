import { executionAuthority, type IndexedEntry, type LedgerEntry } from '@humanos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/** Issue 26: opt-in attention checks — planted flaws that reach approvers, never execute, and are reported. */
for (const backend of backends()) {
  describe(`attention checks [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let ann: Api;
    let bob: Api;
    let auditor: Api;
    const ANN = `did:human:ann-${backend}`;
    const BOB = `did:human:bob-${backend}`;
    const settle = () => t.server.service.outbox.idle();
    const ledger = async (): Promise<IndexedEntry[]> => {
      const all = (await t.admin.get('/ledger/entries?start=0')).body.entries as { index: number; entry: string }[];
      return all.map((e) => ({ index: e.index, entry: JSON.parse(e.entry) as LedgerEntry }));
    };
    const authorityOf = async (taskId: string) =>
      executionAuthority(
        (await ledger()).filter((e) => e.entry.taskId === taskId),
        t.server.service.deps.key.publicKeyRaw,
      );
    const create = async (payload: Record<string, unknown>) => {
      const c = await agent.post('/tasks', {
        description: 'Pay invoice 77 to ACME',
        payload,
        aiProposal: { action: 'Pay ACME', reasoning: 'Matches the PO', confidence: 0.9 },
        humanInLoop: { approverRole: 'finance' },
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      return { taskId: c.body.taskId as string, approvalId: c.body.approvalRequest.id as string };
    };

    beforeAll(async () => {
      t = await startTestServer(backend, {
        HUMANOS_ATTENTION_CHECKS: 'on',
        HUMANOS_ATTENTION_CHECK_PER_THOUSAND: '0',
      });
      agent = await t.principal(`did:agent:payer-${backend}`, []);
      ann = await t.principal(ANN, ['finance']);
      bob = await t.principal(BOB, ['finance']);
      auditor = await t.principal(`did:human:audrey-${backend}`, ['auditor']);
    });
    afterAll(() => t?.close());

    it('a planted check reaches the approvers looking like the real request, never executes, and tells after the decision', async () => {
      const source = await create({ amount: 900, iban: 'DE89370400440532013000' });
      const planted = await t.admin.post('/audit/attention-checks', { sourceTaskId: source.taskId });
      expect(planted.status, JSON.stringify(planted.body)).toBe(201);
      expect(planted.body.flaw).toMatchObject({
        kind: 'iban',
        field: '/iban',
        shown: 'DE89370400440532013000',
        planted: 'DE89370400440532010300',
        caught: null,
      });
      const check = planted.body.approvalId as string;
      // In the inbox with the real one, its text the real request's; nothing says it is a check yet.
      const inbox = await ann.get('/approvals?status=pending');
      expect(inbox.body.items.map((g: { id: string }) => g.id)).toEqual(
        expect.arrayContaining([check, source.approvalId]),
      );
      const open = await ann.get(`/approvals/${check}`);
      expect(open.body).toMatchObject({ status: 'pending', attentionCheck: null });
      expect(open.body.task.description).toBe('Pay invoice 77 to ACME');
      expect(open.body.task.payload).toEqual({ amount: 900, iban: 'DE89370400440532010300' });
      expect(open.body.aiProposal.reasoning).toContain('iban: DE89370400440532013000');
      // Ann approves it without noticing. Even approved, the log gives it no authority to execute.
      const approved = await ann.post(`/approvals/${check}/approve`, {
        payloadDigest: open.body.currentDigest,
        approvalReason: 'looks right',
      });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      expect(await authorityOf(planted.body.taskId)).toEqual({
        ok: false,
        reason: 'an attention check never executes',
      });
      await settle();
      const after = await ann.get(`/approvals/${check}`);
      expect(after.body.attentionCheck).toMatchObject({ kind: 'iban', caught: false });
      expect(after.body.attentionCheck.message).toMatch(/attention check/);
      expect((await t.admin.get(`/tasks/${planted.body.taskId}`)).body.status).toBe('cancelled');
      // The real request is untouched.
      expect((await ann.get(`/approvals/${source.approvalId}`)).body).toMatchObject({
        status: 'pending',
        attentionCheck: null,
      });
    });

    it('an amount flaw, caught by a rejection; the results per approver are in the audit view (auditors only)', async () => {
      const source = await create({ amount: 1250 });
      t.clock.advance(1000); // the newest check
      const planted = await t.admin.post('/audit/attention-checks', { sourceTaskId: source.taskId });
      expect(planted.body.flaw).toMatchObject({ kind: 'amount', field: '/amount', shown: '1250', planted: '12500' });
      const r = await bob.post(`/approvals/${planted.body.approvalId}/reject`, {
        rejectionReason: 'the amount is 10x',
      });
      expect(r.status).toBe(200);
      await settle();
      expect((await bob.get(`/approvals/${planted.body.approvalId}`)).body.attentionCheck.caught).toBe(true);
      const report = await auditor.get('/audit/attention-checks');
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ enabled: true, perThousand: 0 });
      expect(report.body.approvers).toEqual([
        expect.objectContaining({ principal: ANN, decided: 1, caught: 0, missed: 1 }),
        expect.objectContaining({ principal: BOB, decided: 1, caught: 1, missed: 0 }),
      ]);
      expect(report.body.checks[0]).toMatchObject({ id: planted.body.id, decidedBy: BOB, verdict: 'rejected' });
      expect((await ann.get('/audit/attention-checks')).body.code).toBe('forbidden');
      expect((await auditor.post('/audit/attention-checks', {})).body.code).toBe('forbidden');
      // A payload with no amount or IBAN cannot carry a flaw: refused, nothing written.
      const plain = await create({ note: 'hello' });
      await settle();
      const before = await t.fingerprint();
      expect((await t.admin.post('/audit/attention-checks', { sourceTaskId: plain.taskId })).body.code).toBe(
        'invalid_state',
      );
      expect(await t.fingerprint()).toBe(before);
    });

    it('a real request that is decided normally still executes (the mark alone refuses)', async () => {
      const real = await create({ amount: 10 });
      const v = await ann.get(`/approvals/${real.approvalId}`);
      await ann.post(`/approvals/${real.approvalId}/approve`, {
        payloadDigest: v.body.currentDigest,
        approvalReason: 'checked',
      });
      expect((await authorityOf(real.taskId)).ok).toBe(true);
    });
  });

  describe(`attention checks: the rate, and off by default [${backend}]`, () => {
    it('at 1000 per thousand every real request gets one check (never a check of a check); off, nothing is planted', async () => {
      const on = await startTestServer(backend, {
        HUMANOS_ATTENTION_CHECKS: 'on',
        HUMANOS_ATTENTION_CHECK_PER_THOUSAND: '1000',
      });
      try {
        const agent = await on.principal(`did:agent:payer-${backend}`, []);
        await on.principal(`did:human:ann-${backend}`, ['finance']);
        const c = await agent.post('/tasks', {
          description: 'Pay 5',
          payload: { amount: 5 },
          humanInLoop: { approverRole: 'finance' },
        });
        await on.server.service.outbox.idle();
        await on.server.service.outbox.idle();
        const report = (await on.admin.get('/audit/attention-checks')).body;
        expect(report.checks).toHaveLength(1);
        expect(report.checks[0]).toMatchObject({ sourceTaskId: c.body.taskId, flaw: { kind: 'amount' } });
      } finally {
        await on.close();
      }
      const off = await startTestServer(backend);
      try {
        const agent = await off.principal(`did:agent:payer-${backend}`, []);
        const c = await agent.post('/tasks', { description: 'Pay 5', payload: { amount: 5 } });
        await off.server.service.outbox.idle();
        const plant = await off.admin.post('/audit/attention-checks', { sourceTaskId: c.body.taskId });
        expect(plant.body.code).toBe('invalid_state');
        expect((await off.admin.get('/audit/attention-checks')).body).toMatchObject({ enabled: false, checks: [] });
      } finally {
        await off.close();
      }
    });
  });
}
