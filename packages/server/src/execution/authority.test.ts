import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, type TestServer, useTestServer } from '../../../../test-support/harness.js';

/**
 * Issue 12, attack 5: someone with write access to the database but not to the signing key edits
 * state rows. Execution is authorised by the signed decisions in the log, so nothing runs; the
 * refusal is counted in /metrics.
 */
for (const backend of backends()) {
  describe(`an edited database cannot make a task run [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:runner', []],
        a1: ['did:human:ann', ['approver']],
        a2: ['did:human:bob', ['approver']],
      },
    });
    let t: TestServer;
    let agent: Api;
    let a1: Api;
    let a2: Api;
    beforeAll(() => {
      ({ t } = s);
      ({ agent, a1, a2 } = s.as);
    });

    const run = (q: string) => sql.raw(q).execute(t.server.store.db);
    const violations = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return Number(/^humanos_integrity_violations_total (\d+)/m.exec(text)?.[1] ?? 'NaN');
    };
    const create = async (body: Record<string, unknown> = {}) =>
      (await agent.post('/tasks', { description: 'Send the quarterly report', payload: { to: 'board' }, ...body }))
        .body;

    it('a rejected task made "approved" in the rows is refused with integrity_violation; nothing changes', async () => {
      const c = await create();
      await a1.post(`/approvals/${c.approvalRequest.id}/reject`, { rejectionReason: 'not yet' });
      await run(
        `update tasks set status = 'approved', approved_payload = payload, approved_digest = payload_digest where id = '${c.taskId}'`,
      );
      const before = await t.fingerprint();
      const count = await violations();
      const r = await agent.post(`/tasks/${c.taskId}/execute`, {});
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('integrity_violation');
      expect(await t.fingerprint()).toBe(before);
      expect(await violations()).toBe(count + 1);
    });

    it('changing a decision’s verdict row does not help, and the export verifier names it', async () => {
      const c = await create();
      await a1.post(`/approvals/${c.approvalRequest.id}/reject`, { rejectionReason: 'no' });
      await run(`update decisions set verdict = 'approved' where approval_id = '${c.approvalRequest.id}'`);
      await run(`update approvals set status = 'approved' where id = '${c.approvalRequest.id}'`);
      await run(
        `update tasks set status = 'approved', approved_payload = payload, approved_digest = payload_digest where id = '${c.taskId}'`,
      );
      expect((await agent.post(`/tasks/${c.taskId}/execute`, {})).body.code).toBe('integrity_violation');
      const { parseLedgerExport, verifyLedger } = await import('@humanos/core');
      const text = await (
        await fetch(`${t.url}/v1/humanos/ledger/export`, { headers: { authorization: `Bearer ${t.admin.token}` } })
      ).text();
      const report = verifyLedger(parseLedgerExport(text));
      expect(report.ok).toBe(false);
      expect(report.reason).toMatch(/stored decision row/);
      // Put it back, so the other tests' exports verify.
      await run(`update decisions set verdict = 'rejected' where approval_id = '${c.approvalRequest.id}'`);
    });

    it('a quorum whose required count is lowered in the rows still needs both signed approvals', async () => {
      const c = await create({ approvalPolicy: { type: 'threshold', required: 2, eligible: ['approver'] } });
      await a1.post(`/approvals/${c.approvalRequest.id}/approve`, { approvalReason: 'ok' });
      await run(`update approvals set required = 1, status = 'approved' where id = '${c.approvalRequest.id}'`);
      await run(
        `update tasks set status = 'approved', approved_payload = payload, approved_digest = payload_digest where id = '${c.taskId}'`,
      );
      const r = await agent.post(`/tasks/${c.taskId}/execute`, {});
      expect(r.body.code).toBe('integrity_violation');
      expect(r.body.detail).toMatch(/1 of 2 approvals/);
    });

    it('an approved payload swapped in the row is refused; the honest grant names the decisions in the log', async () => {
      const c = await create();
      const ok = await a2.post(`/approvals/${c.approvalRequest.id}/approve`, { approvalReason: 'fine' });
      const index = ok.body.provenance.ledgerIndex as number;
      await run(`update tasks set approved_payload = '{"to":"mallory"}' where id = '${c.taskId}'`);
      expect((await agent.post(`/tasks/${c.taskId}/execute`, {})).body.code).toBe('integrity_violation');
      await run(`update tasks set approved_payload = payload where id = '${c.taskId}'`);
      const r = await agent.post(`/tasks/${c.taskId}/execute`, {});
      expect(r.status).toBe(200);
      expect(r.body.grant).toMatchObject({ decisions: [index], payloadDigest: ok.body.payloadDigest });
      expect(r.body.grant.checkpointSize).toBeGreaterThan(index);
    });
  });
}
