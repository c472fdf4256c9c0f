import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, type TestServer, useTestServer } from '../../../../test-support/harness.js';

/**
 * The authorisation matrix: every refusal is a 401/403/404 problem+json with a stable code, and the
 * task, its gate and the whole store are unchanged afterwards.
 */
for (const backend of backends()) {
  describe(`authorisation matrix [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:invoice-bot', []],
        otherAgent: ['did:agent:other-bot', []],
        finance: ['did:human:fran', ['finance_manager']],
        financeAgent: ['did:agent:finance-ai', ['finance_manager']],
        clerk: ['did:human:clerk', ['clerk']],
        requesterHuman: ['did:human:rita', ['finance_manager']],
      },
    });
    let t: TestServer;
    let agent: Api;
    let otherAgent: Api;
    let finance: Api;
    let financeAgent: Api;
    let clerk: Api;
    let requesterHuman: Api;
    let taskId: string;
    let approvalId: string;

    beforeAll(async () => {
      ({ agent, otherAgent, finance, financeAgent, clerk, requesterHuman } = s.as);
      t = s.t;
      const created = await requesterHuman.post('/tasks', {
        description: 'Process invoice INV-2026-001 for $5000',
        requiredCapabilities: ['accounting', 'invoice_processing'],
        humanInLoop: { approverRole: 'finance_manager', approvalTimeout: 3600 },
        payload: { invoiceId: 'INV-2026-001', amount: 5000 },
      });
      expect(created.status).toBe(201);
      taskId = created.body.taskId;
      approvalId = created.body.approvalRequest.id;
    });

    const approve = (api: Api, body: Record<string, unknown> = { approvalReason: 'ok' }) =>
      api.post(`/approvals/${approvalId}/approve`, body);

    const cases: [string, () => Api, () => Promise<{ status: number; body: { code: string } }>, number, string][] = [
      ['no token', () => agent.as(undefined), () => approve(agent.as(undefined)), 401, 'unauthorized'],
      [
        'a bad token',
        () => agent.as('hos_not-a-real-token'),
        () => approve(agent.as('hos_not-a-real-token')),
        401,
        'unauthorized',
      ],
      ['a human without the role', () => clerk, () => approve(clerk), 404, 'not_found'],
      ['an agent holding the role', () => financeAgent, () => approve(financeAgent), 403, 'agent_cannot_decide'],
      [
        'the requester approving its own task',
        () => requesterHuman,
        () => approve(requesterHuman),
        403,
        'requester_cannot_decide',
      ],
      [
        'approvedBy naming someone else',
        () => finance,
        () => approve(finance, { approvedBy: 'did:human:someone-else', approvalReason: 'ok' }),
        403,
        'approved_by_mismatch',
      ],
      [
        'rejectedBy naming someone else',
        () => finance,
        () => finance.post(`/approvals/${approvalId}/reject`, { rejectedBy: 'did:human:x', rejectionReason: 'no' }),
        403,
        'approved_by_mismatch',
      ],
      [
        'an agent rejecting',
        () => financeAgent,
        () => financeAgent.post(`/approvals/${approvalId}/reject`, { rejectionReason: 'no' }),
        403,
        'agent_cannot_decide',
      ],
      ['a stranger reading the task', () => otherAgent, () => otherAgent.get(`/tasks/${taskId}`), 404, 'not_found'],
      [
        'a stranger reading the approval',
        () => otherAgent,
        () => otherAgent.get(`/approvals/${approvalId}`),
        404,
        'not_found',
      ],
      [
        'a stranger long-polling the decision',
        () => otherAgent,
        () => otherAgent.get(`/tasks/${taskId}/decision`),
        404,
        'not_found',
      ],
      [
        'a stranger executing',
        () => otherAgent,
        () => otherAgent.post(`/tasks/${taskId}/execute`, {}),
        404,
        'not_found',
      ],
      [
        'the requester executing before approval',
        () => requesterHuman,
        () => requesterHuman.post(`/tasks/${taskId}/execute`, {}),
        409,
        'invalid_state',
      ],
      [
        'an approver completing a task it does not execute',
        () => finance,
        () => finance.post(`/tasks/${taskId}/complete`, {}),
        403,
        'forbidden',
      ],
      [
        'a non-admin creating a principal',
        () => finance,
        () => finance.post('/principals', { id: 'did:human:mallory', roles: ['admin'] }),
        403,
        'forbidden',
      ],
      ['a non-admin reading the ledger', () => finance, () => finance.get('/ledger/entries?start=0'), 403, 'forbidden'],
      ['a non-admin listing principals', () => agent, () => agent.get('/principals'), 403, 'forbidden'],
    ];

    for (const [name, , call, status, code] of cases) {
      it(`refuses ${name} (${status} ${code}) and changes nothing`, async () => {
        const before = await t.fingerprint();
        const r = await call();
        expect(r.status).toBe(status);
        expect(r.body.code).toBe(code);
        expect(await t.fingerprint()).toBe(before);
      });
    }

    it('the approver with the role can still approve after all those refusals', async () => {
      const task = await requesterHuman.get(`/tasks/${taskId}`);
      expect(task.body.status).toBe('awaiting_approval');
      expect(task.body.approvals[0].decisions).toEqual([]);
      const r = await approve(finance, { approvedBy: 'did:human:fran', approvalReason: 'invoice matches PO' });
      expect(r.status).toBe(200);
      expect(r.body.approvedBy).toBe('did:human:fran');
    });

    it('authority is checked at decision time: a role revoked after the gate opened does not count', async () => {
      const created = await agent.post('/tasks', {
        description: 'Refund order 77',
        humanInLoop: { approverRole: 'finance_manager' },
      });
      const gate = created.body.approvalRequest.id as string;
      // Demote fran in the store directly (there is no role-editing route yet); her token stays valid.
      await t.server.store.db
        .updateTable('principals')
        .set({ roles: JSON.stringify(['clerk']) })
        .where('id', '=', 'did:human:fran')
        .execute();
      const before = await t.fingerprint();
      const r = await finance.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' });
      expect([403, 404]).toContain(r.status);
      expect(await t.fingerprint()).toBe(before);
      await t.server.store.db
        .updateTable('principals')
        .set({ roles: JSON.stringify(['finance_manager']) })
        .where('id', '=', 'did:human:fran')
        .execute();
    });

    it('the inbox shows a gate to role holders only, never to its requester', async () => {
      const created = await requesterHuman.post('/tasks', {
        description: 'Pay vendor Acme $900',
        humanInLoop: { approverRole: 'finance_manager' },
      });
      const gate = created.body.approvalRequest.id;
      const ids = async (api: Api) =>
        ((await api.get('/approvals?status=pending')).body.items as { id: string }[]).map((i) => i.id);
      expect(await ids(finance)).toContain(gate);
      expect(await ids(requesterHuman)).not.toContain(gate);
      expect(await ids(clerk)).not.toContain(gate);
      expect(await ids(otherAgent)).not.toContain(gate);
    });

    it('agents cannot create principals, and the admin can', async () => {
      const r = await t.admin.post('/principals', { id: 'did:human:new-approver', roles: ['finance_manager'] });
      expect(r.status).toBe(201);
      expect(r.body.token).toMatch(/^hos_/);
      const dup = await t.admin.post('/principals', { id: 'did:human:new-approver', roles: [] });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('principal_exists');
      const wrongKind = await t.admin.post('/principals', { id: 'did:agent:x', kind: 'human', roles: [] });
      expect(wrongKind.status).toBe(400);
    });
  });
}
