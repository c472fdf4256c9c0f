import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/**
 * Issue 12, attacks 1, 3, 4 and 7: an agent with a valid token tries to get less human approval than
 * the server's policy requires. Each attack is refused or has no effect.
 */
const POLICY = {
  name: 'hostile',
  version: 3,
  escalationLadder: { finance_manager: 'cfo' },
  rules: [
    {
      id: 'large-wire',
      description: 'wires over 10 000 need finance and the CFO',
      match: { descriptionMatches: 'wire', payload: [{ path: 'amount', gt: 10000 }] },
      require: { approvalChain: [{ role: 'finance_manager' }, { role: 'cfo' }] },
    },
    { id: 'cfo-approves-payouts', match: { descriptionMatches: 'payout' }, require: { approverRole: 'cfo' } },
    {
      id: 'sre-quorum',
      match: { capabilities: ['prod_deploy'] },
      require: { quorum: { required: 2, eligible: ['sre'] }, timeout: 2 },
    },
  ],
};

for (const backend of backends()) {
  describe(`a hostile agent cannot get less approval than the policy requires [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    const who: Record<string, Api> = {};
    const roles = {
      intern1: 'intern',
      intern2: 'intern',
      intern3: 'intern',
      fm: 'finance_manager',
      cfo: 'cfo',
      sre: 'sre',
    };

    beforeAll(async () => {
      const file = `/tmp/humanos-hostile-${process.pid}-${backend}.json`;
      writeFileSync(file, JSON.stringify(POLICY));
      t = await startTestServer(backend, { HUMANOS_POLICY: file });
      agent = await t.principal('did:agent:mallory-bot', []);
      for (const [name, role] of Object.entries(roles)) who[name] = await t.principal(`did:human:${name}`, [role]);
    });
    afterAll(() => t?.close());

    const approve = (name: string, approvalId: string, extra: Record<string, unknown> = {}) =>
      (who[name] as Api).post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok', ...extra });
    const pendingFor = async (name: string, taskId: string) =>
      ((await (who[name] as Api).get('/approvals?status=pending')).body.items as { id: string; taskId: string }[]).find(
        (a) => a.taskId === taskId,
      );

    it('a chain of three interns does not replace finance_manager → cfo; the interns alone cannot approve', async () => {
      const c = await agent.post('/tasks', {
        description: 'Wire funds to ACME',
        payload: { amount: 50000, to: 'ACME' },
        approvalChain: [{ role: 'intern' }, { role: 'intern' }, { role: 'intern' }],
      });
      expect(c.status).toBe(201);
      const roleOrder = c.body.approvalChain.map((g: { approverRole: string }) => g.approverRole);
      expect(roleOrder).toEqual(expect.arrayContaining(['finance_manager', 'cfo']));
      expect(roleOrder.indexOf('finance_manager')).toBeLessThan(roleOrder.indexOf('cfo'));
      expect(c.body.policy.requirements.filter((r: { origin: string }) => r.origin === 'policy')).toHaveLength(2);
      for (const name of ['intern1', 'intern2', 'intern3']) {
        const gate = await pendingFor(name, c.body.taskId);
        if (gate) expect((await approve(name, gate.id)).status).toBe(200);
      }
      const task = await agent.get(`/tasks/${c.body.taskId}`);
      expect(task.body.status).toBe('awaiting_approval');
      expect((await agent.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(409);
    });

    it('a 2-intern quorum does not replace a rule requiring the CFO', async () => {
      const c = await agent.post('/tasks', {
        description: 'Vendor payout',
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['intern'] },
      });
      const reqs = c.body.policy.requirements.map((r: { roles: string[]; required: number }) => [
        r.roles.join(),
        r.required,
      ]);
      expect(reqs).toContainEqual(['cfo', 1]);
      expect(reqs).toContainEqual(['intern', 2]);
    });

    it("the agent's escalateTo does not ride on a policy gate: it goes up the server's ladder, not to an intern", async () => {
      const c = await agent.post('/tasks', {
        description: 'Deploy release 42 to production',
        requiredCapabilities: ['prod_deploy'],
        humanInLoop: { escalationPolicy: 'auto', escalateTo: 'intern' },
      });
      // 'auto' on a policy gate follows the server's ladder (which ends at the admins), never the agent's target.
      expect(c.body.approvalRequest).toMatchObject({ eligibleRoles: ['sre'], required: 2, escalateTo: 'admin' });
      t.clock.advance(3000);
      await t.server.service.timers.expireDue();
      const task = await agent.get(`/tasks/${c.body.taskId}`);
      expect(task.body.approvals.map((g: { approverRole: string }) => g.approverRole)).toEqual(['sre', 'admin']);
      expect(task.body.approvals.some((g: { approverRole: string }) => g.approverRole === 'intern')).toBe(false);
      expect(await pendingFor('intern1', c.body.taskId)).toBeUndefined();
    });

    it('an in-run decision goes through the policy: enabled: false + escalateTo intern still gets the wire chain', async () => {
      const executor = await t.principal('did:agent:mallory-runner', []);
      const c = await executor.post('/tasks', {
        description: 'Reconcile vendor accounts',
        humanInLoop: { enabled: false },
        autoEscalation: { escalateTo: 'intern' },
      });
      expect(c.body.status).toBe('approved');
      expect((await executor.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(200);
      const d = await executor.post(`/tasks/${c.body.taskId}/decisions`, {
        action: 'wire funds to vendor',
        payload: { amount: 50000 },
      });
      expect(d.status).toBe(201);
      expect(d.body.status).toBe('pending');
      expect(d.body.approvalChain.map((g: { approverRole: string }) => g.approverRole)).toEqual([
        'finance_manager',
        'cfo',
      ]);
      expect(d.body.policy.rulesApplied).toContain('large-wire');
      // The intern sees nothing to decide; the finance manager, then the CFO, do.
      expect(await pendingFor('intern1', c.body.taskId)).toBeUndefined();
      const first = await pendingFor('fm', c.body.taskId);
      expect(first).toBeDefined();
      expect((await approve('fm', first?.id as string)).status).toBe(200);
      const last = d.body.approvalChain[1].id as string;
      expect((await agent.get(`/approvals/${last}`)).status).toBe(404); // not the agent's task
      const cfoGate = await pendingFor('cfo', c.body.taskId);
      expect(cfoGate?.id).toBe(last);
      expect((await approve('cfo', last)).body.status).toBe('approved');
      const view = await executor.get(`/approvals/${last}`);
      expect(view.body).toMatchObject({ status: 'approved', approvedPayload: { amount: 50000 } });
    });

    it('a large amount deep in the payload is not low risk: enabled: false does not run it unattended', async () => {
      const c = await agent.post('/tasks', {
        description: 'Move funds to account 42',
        humanInLoop: { enabled: false },
        payload: { details: { inner: { amount: 250000 } } },
      });
      expect(c.body.status).toBe('awaiting_approval');
      expect(c.body.approvalRequest.riskAssessment.factors).toEqual(
        expect.arrayContaining(['large_amount', 'financial_transaction']),
      );
    });

    it('onBehalfOf must name an existing, enabled human; nothing is written otherwise', async () => {
      const before = await t.fingerprint();
      for (const onBehalfOf of ['did:human:nobody-here', 'did:agent:mallory-bot']) {
        const r = await agent.post('/tasks', { description: 'Buy chairs', onBehalfOf });
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('validation_failed');
      }
      expect(await t.fingerprint()).toBe(before);
      // An existing human also has to consent to this agent naming them (principals/consents.test.ts).
      const fm = who.fm as Api;
      const until = new Date(t.clock.now() + 86_400_000).toISOString();
      expect((await fm.req('PUT', '/me/consents/did:agent:mallory-bot', { until })).status).toBe(200);
      expect((await agent.post('/tasks', { description: 'Buy chairs', onBehalfOf: 'did:human:fm' })).status).toBe(201);
    });

    it('an agent cannot hold admin, so it cannot mint a human to approve its own task', async () => {
      const refused = await t.admin.post('/principals', { id: 'did:agent:root-bot', roles: ['admin'] });
      expect(refused.status).toBe(400);
      const bot = await t.principal('did:agent:ops-bot-2', []);
      expect((await t.admin.req('PATCH', '/principals/did:agent:ops-bot-2', { roles: ['admin'] })).status).toBe(400);
      const mint = await bot.post('/principals', { id: 'did:human:sockpuppet', roles: ['cfo'] });
      expect(mint.status).toBe(403);
    });

    it('an executor sees and runs only what its capabilities cover', async () => {
      const requester = await t.principal('did:agent:requester-x', []);
      const exec = await t.principal('did:agent:narrow-executor', ['executor']);
      await exec.req('PUT', '/me/capabilities', { capabilities: ['printing'] });
      const c = await requester.post('/tasks', {
        description: 'Rotate the TLS keys',
        requiredCapabilities: ['key_management'],
        humanInLoop: { enabled: false },
      });
      expect((await exec.get(`/tasks/${c.body.taskId}`)).status).toBe(404);
      expect((await exec.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(404);
      expect((await exec.get('/me')).body.capabilities).toEqual(['printing']);
      // Claiming declares the capability, on record in the ledger; only then does it see and run the task.
      const claimed = await exec.post('/executions/claim', { capabilities: ['key_management'] });
      expect(claimed.body.items.map((x: { taskId: string }) => x.taskId)).toEqual([c.body.taskId]);
      expect((await exec.get('/me')).body.capabilities).toEqual(['printing', 'key_management']);
      const log = await t.admin.get('/ledger/entries?start=0');
      const declared = log.body.entries
        .map((e: { entry: string }) => JSON.parse(e.entry))
        .filter(
          (e: { type: string; actor: string }) =>
            e.type === 'principal.capabilities' && e.actor === 'did:agent:narrow-executor',
        );
      expect(declared.at(-1).data.capabilities).toEqual(['printing', 'key_management']);
    });
  });
}
