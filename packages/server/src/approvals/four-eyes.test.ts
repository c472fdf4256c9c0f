import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/**
 * Issue 12, attack 2: every approval that counts was given for the exact payload that executes. An
 * edit by one approver sends the others back to approve the new version.
 */
for (const backend of backends()) {
  describe(`four eyes survive edits [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    const p: Record<string, Api> = {};
    beforeAll(async () => {
      const file = `/tmp/humanos-four-eyes-${process.pid}-${backend}.json`;
      writeFileSync(
        file,
        JSON.stringify({
          name: 'four-eyes',
          version: 1,
          rules: [
            {
              id: 'quorum',
              match: { descriptionMatches: 'quorum' },
              require: { quorum: { required: 2, eligible: ['treasury'] } },
            },
            {
              id: 'chain',
              match: { descriptionMatches: 'chain' },
              require: { approvalChain: [{ role: 'cfo' }, { role: 'finance_manager' }] },
            },
          ],
        }),
      );
      t = await startTestServer(backend, { HUMANOS_POLICY: file });
      agent = await t.principal('did:agent:payer', []);
      for (const [n, r] of [
        ['t1', 'treasury'],
        ['t2', 'treasury'],
        ['t3', 'treasury'],
        ['cfo', 'cfo'],
        ['fm', 'finance_manager'],
      ] as const)
        p[n] = await t.principal(`did:human:${n}-${backend}`, [r]);
    });
    afterAll(() => t?.close());

    /** Approves the version `who` is shown now (the gate's `currentDigest`), as a client does. */
    const approveShown = async (who: Api | undefined, gate: string, body: Record<string, unknown>) => {
      const shown = (await who?.get(`/approvals/${gate}`))?.body.currentDigest;
      return who?.post(`/approvals/${gate}/approve`, { ...body, payloadDigest: shown });
    };

    it('2-of-N: seat 2 edits the payload; seat 1 must approve again; only the edited payload executes', async () => {
      const c = await agent.post('/tasks', {
        description: 'Pay invoice (quorum)',
        payload: { amount: 100, to: 'ACME' },
      });
      const gate = c.body.approvalRequest.id as string;
      expect((await p.t1?.post(`/approvals/${gate}/approve`, { approvalReason: 'fine' }))?.body.status).toBe('pending');
      const edited = await p.t2?.post(`/approvals/${gate}/approve`, {
        approvalReason: 'fixed the payee',
        edits: { amount: 1_000_000, to: 'MALLORY' },
      });
      expect(edited?.body).toMatchObject({ status: 'pending', taskStatus: 'awaiting_approval' });
      expect((await agent.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(409);
      // Seat 1's approval no longer counts; it is asked again and sees why.
      const view = await p.t1?.get(`/approvals/${gate}`);
      expect(view?.body.approvals).toBe(1);
      const mine = view?.body.decisions.find((d: { principal: string }) => d.principal === `did:human:t1-${backend}`);
      expect(mine.stale).toBe(true);
      const inbox = await p.t1?.get('/approvals?status=pending');
      expect(inbox?.body.items.map((a: { id: string }) => a.id)).toContain(gate);
      // Seat 1 refuses the new version: the task never runs with the edited payload.
      const again = await p.t1?.post(`/approvals/${gate}/reject`, { rejectionReason: 'that is not our payee' });
      expect(again?.body).toMatchObject({ status: 'rejected', taskStatus: 'rejected' });
      expect((await agent.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(409);
    });

    it('2-of-N: when seat 1 approves the edited version, that version executes', async () => {
      const c = await agent.post('/tasks', { description: 'Pay invoice (quorum) 2', payload: { amount: 100 } });
      const gate = c.body.approvalRequest.id as string;
      await p.t1?.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' });
      await p.t2?.post(`/approvals/${gate}/approve`, { approvalReason: 'round up', edits: { amount: 120 } });
      const second = await approveShown(p.t1, gate, { approvalReason: 'ok at 120' });
      expect(second?.body).toMatchObject({ status: 'approved', taskStatus: 'approved' });
      // The version only one person approved is refused.
      const original = await agent.post(`/tasks/${c.body.taskId}/execute`, { payload: { amount: 100 } });
      expect(original.body.code).toBe('payload_mismatch');
      const run = await agent.post(`/tasks/${c.body.taskId}/execute`, {});
      expect(run.status).toBe(200);
      expect(run.body.payload).toEqual({ amount: 120 });
      // The grant names the two signed approvals of that version.
      expect(run.body.grant.decisions).toHaveLength(2);
    });

    it('a chain: the junior step’s edit reopens the CFO’s step; the task runs only once the CFO approves it', async () => {
      const c = await agent.post('/tasks', { description: 'Wire (chain)', payload: { amount: 5000 } });
      const [cfoStep, fmStep] = c.body.approvalChain.map((g: { id: string }) => g.id) as [string, string];
      await p.cfo?.post(`/approvals/${cfoStep}/approve`, { approvalReason: 'budgeted' });
      const edit = await p.fm?.post(`/approvals/${fmStep}/approve`, {
        approvalReason: 'add fee',
        edits: { amount: 9000 },
      });
      expect(edit?.body).toMatchObject({ status: 'approved', taskStatus: 'awaiting_approval' });
      const reopened = await p.cfo?.get(`/approvals/${cfoStep}`);
      expect(reopened?.body.status).toBe('pending');
      // Every view of the path says the CFO's approval was for the earlier version: the step's own
      // decisions and the chain as any step shows it; the junior's approval of 9000 stands.
      const stale = (d: { principal: string; stale: boolean }) => [d.principal, d.stale];
      expect(reopened?.body.decisions.map(stale)).toEqual([[`did:human:cfo-${backend}`, true]]);
      const chain = (await p.fm?.get(`/approvals/${fmStep}`))?.body.chain;
      expect(chain.map((x: { decisions: { principal: string; stale: boolean }[] }) => x.decisions.map(stale))).toEqual([
        [[`did:human:cfo-${backend}`, true]],
        [[`did:human:fm-${backend}`, false]],
      ]);
      expect((await p.cfo?.get('/approvals?status=pending'))?.body.items.map((a: { id: string }) => a.id)).toContain(
        cfoStep,
      );
      expect((await agent.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(409);
      const ok = await approveShown(p.cfo, cfoStep, { approvalReason: 'fine at 9000' });
      expect(ok?.body).toMatchObject({ status: 'approved', taskStatus: 'approved' });
      const run = await agent.post(`/tasks/${c.body.taskId}/execute`, {});
      expect(run.body.payload).toEqual({ amount: 9000 });
      const history = await t.admin.get(`/tasks/${c.body.taskId}/history`);
      // Both steps at creation, the second step opening, and the CFO's step reopened for the new version.
      expect(history.body.events.filter((e: { type: string }) => e.type === 'approval.requested').length).toBe(4);
    });
  });
}
