import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  backends,
  requestsInFlight,
  startTestServer,
  type TestServer,
} from '../../../../test-support/harness.js';

const POLICY = {
  name: 'acme-prod',
  version: 7,
  escalationLadder: { finance_manager: 'cfo', dba_lead: 'cto' },
  rules: [
    {
      id: 'large-wire',
      description: 'wires above 10k need finance and the CFO',
      match: { descriptionMatches: 'wire|transfer', payload: [{ path: 'amount', gt: 10000 }] },
      require: { approvalChain: [{ role: 'finance_manager' }, { role: 'cfo' }], timeout: 3600 },
    },
    {
      id: 'prod-db',
      match: { capabilities: ['database_administration'] },
      require: { quorum: { required: 2, eligible: ['dba_lead', 'sre'] }, riskLevel: 'high' },
    },
  ],
};

for (const backend of backends()) {
  describe(`approval policies [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    const people: Record<string, Api> = {};

    beforeAll(async () => {
      const dir = `/tmp/humanos-policy-${process.pid}-${backend}.json`;
      writeFileSync(dir, JSON.stringify(POLICY));
      t = await startTestServer(backend, { HUMANOS_POLICY: dir });
      agent = await t.principal('did:agent:ops-bot', []);
      const roles: Record<string, string[]> = {
        analyst: ['finance_analyst'],
        manager: ['finance_manager'],
        cfo: ['cfo'],
        both: ['finance_analyst', 'finance_manager'],
        senior: ['senior_engineer'],
        lead: ['tech_lead'],
        architect: ['architect'],
        multi: ['senior_engineer', 'tech_lead'],
        dba: ['dba_lead'],
        sre: ['sre'],
        cto: ['cto'],
        auditor: ['auditor'],
        approver: ['approver'],
        clerk: ['clerk'],
      };
      for (const [name, r] of Object.entries(roles)) people[name] = await t.principal(`did:human:${name}`, r);
    });
    afterAll(async () => t?.close());

    const p = (name: string) => people[name] as Api;
    const gatesOf = async (taskId: string) =>
      (await agent.get(`/tasks/${taskId}`)).body.approvals as {
        id: string;
        status: string;
        step: number;
        approverRole: string;
        approvals: number;
        required: number;
      }[];

    it("runs the seed's sequential wire-transfer chain verbatim", async () => {
      const created = await agent.post('/tasks', {
        description: 'Wire transfer $50,000 to vendor',
        approvalChain: [
          { role: 'finance_analyst', reason: 'Verify invoice and payment details' },
          { role: 'finance_manager', reason: 'Approve budget allocation' },
          { role: 'cfo', reason: 'Final authorization for large transfers' },
        ],
      });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('awaiting_approval');
      expect(created.body.approvalChain.map((g: { status: string }) => g.status)).toEqual([
        'pending',
        'waiting',
        'waiting',
      ]);
      const [s1, s2, s3] = created.body.approvalChain.map((g: { id: string }) => g.id) as string[];

      // Out of turn: the manager tries step 2 while step 1 is open.
      const before = await t.fingerprint();
      const early = await p('manager').post(`/approvals/${s2}/approve`, { approvalReason: 'ok' });
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('out_of_turn');
      expect(await t.fingerprint()).toBe(before);

      expect(
        (await p('analyst').post(`/approvals/${s1}/approve`, { approvalReason: 'Invoice matches PO' })).body.taskStatus,
      ).toBe('awaiting_approval');
      expect((await gatesOf(created.body.taskId)).map((g) => g.status)).toEqual(['approved', 'pending', 'waiting']);
      // The waiter sees the next step as the open request.
      const d = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(d.body.approvalRequest.id).toBe(s2);
      expect(
        (await p('manager').post(`/approvals/${s2}/approve`, { approvalReason: 'Budget OK' })).body.taskStatus,
      ).toBe('awaiting_approval');
      const last = await p('cfo').post(`/approvals/${s3}/approve`, { approvalReason: 'Authorised' });
      expect(last.body.taskStatus).toBe('approved');
      const final = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(final.body).toMatchObject({
        approved: true,
        approvers: ['did:human:analyst', 'did:human:manager', 'did:human:cfo'],
      });
    });

    it('one person cannot fill two steps of a chain; a reject at any step ends it', async () => {
      const created = await agent.post('/tasks', {
        description: 'Wire transfer $9,000 to vendor',
        approvalChain: [{ role: 'finance_analyst' }, { role: 'finance_manager' }, { role: 'cfo' }],
      });
      const [s1, s2, s3] = created.body.approvalChain.map((g: { id: string }) => g.id) as string[];
      await p('both').post(`/approvals/${s1}/approve`, { approvalReason: 'checked' });
      const before = await t.fingerprint();
      const twice = await p('both').post(`/approvals/${s2}/approve`, { approvalReason: 'also me' });
      expect(twice.status).toBe(409);
      expect(twice.body.code).toBe('already_seated');
      expect(await t.fingerprint()).toBe(before);
      const no = await p('manager').post(`/approvals/${s2}/reject`, { rejectionReason: 'Over budget' });
      expect(no.body.taskStatus).toBe('rejected');
      expect((await gatesOf(created.body.taskId)).map((g) => g.status)).toEqual(['approved', 'rejected', 'cancelled']);
      // The step that will never open is recorded as cancelled, by the rejecting human, with why.
      const history = (await agent.get(`/tasks/${created.body.taskId}/history`)).body.events as {
        type: string;
        approvalId: string | null;
        actor: string;
      }[];
      expect(history.slice(-2).map((e) => [e.type, e.approvalId, e.actor])).toEqual([
        ['approval.decided', s2, 'did:human:manager'],
        ['approval.cancelled', s3, 'did:human:manager'],
      ]);
      expect((await p('cfo').post(`/approvals/${s3}/approve`, { approvalReason: 'x' })).status).toBe(409);
      expect((await agent.post(`/tasks/${created.body.taskId}/execute`, {})).status).toBe(409);
    });

    it("runs the seed's 2-of-3 merge example verbatim; one seat per person; ineligible roles refused", async () => {
      const created = await agent.post('/tasks', {
        description: 'Merge PR to production branch',
        approvalPolicy: {
          type: 'threshold',
          required: 2,
          eligible: ['senior_engineer', 'tech_lead', 'architect'],
          timeout: 7200,
        },
      });
      const gate = created.body.approvalRequest;
      expect(gate).toMatchObject({
        required: 2,
        approvals: 0,
        eligibleRoles: ['senior_engineer', 'tech_lead', 'architect'],
      });
      expect(Date.parse(gate.expiresAt) - Date.parse(gate.requestedAt)).toBe(7200_000);

      const before = await t.fingerprint();
      expect((await p('clerk').post(`/approvals/${gate.id}/approve`, { approvalReason: 'x' })).status).toBe(404);
      expect(await t.fingerprint()).toBe(before);

      const one = await p('multi').post(`/approvals/${gate.id}/approve`, { approvalReason: 'code reviewed' });
      expect(one.body).toMatchObject({ status: 'pending', taskStatus: 'awaiting_approval' });
      const progress = await p('lead').get(`/approvals/${gate.id}`);
      expect(progress.body).toMatchObject({ approvals: 1, required: 2 });
      expect(progress.body.decisions[0]).toMatchObject({ principal: 'did:human:multi', reason: 'code reviewed' });
      const again = await p('multi').post(`/approvals/${gate.id}/approve`, { approvalReason: 'me again, other role' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('already_seated');
      const two = await p('architect').post(`/approvals/${gate.id}/approve`, { approvalReason: 'design fine' });
      expect(two.body).toMatchObject({ status: 'approved', taskStatus: 'approved' });
    });

    it('any reject vetoes a quorum', async () => {
      const created = await agent.post('/tasks', {
        description: 'Merge PR 88',
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['senior_engineer', 'tech_lead', 'architect'] },
      });
      const id = created.body.approvalRequest.id;
      await p('senior').post(`/approvals/${id}/approve`, { approvalReason: 'ok' });
      const veto = await p('lead').post(`/approvals/${id}/reject`, { rejectionReason: 'breaks the API' });
      expect(veto.body).toMatchObject({ status: 'rejected', taskStatus: 'rejected' });
      expect((await p('architect').post(`/approvals/${id}/approve`, { approvalReason: 'ok' })).status).toBe(409);
    });

    it('the policy floor: enabled: false on a large wire still gets the policy chain, named with its version', async () => {
      const created = await agent.post('/tasks', {
        description: 'Wire transfer to supplier',
        humanInLoop: { enabled: false },
        payload: { amount: 25000, currency: 'EUR' },
      });
      expect(created.body.status).toBe('awaiting_approval');
      expect(created.body.policy).toMatchObject({
        id: 'acme-prod',
        version: 7,
        source: 'file',
        floorApplied: true,
        rulesApplied: ['large-wire'],
      });
      expect(created.body.approvalChain.map((g: { approverRole: string }) => g.approverRole)).toEqual([
        'finance_manager',
        'cfo',
      ]);
      // Policy timeout applies to each step once it opens.
      expect(
        Date.parse(created.body.approvalChain[0].expiresAt) - Date.parse(created.body.approvalChain[0].requestedAt),
      ).toBe(3600_000);
      // A small wire is not matched by the rule.
      const small = await agent.post('/tasks', {
        description: 'Wire transfer to supplier',
        humanInLoop: { enabled: false, approverRole: 'finance_manager' },
        payload: { amount: 500 },
      });
      expect(small.body.policy.rulesApplied).toEqual([]);
      // A client asking for more than the policy keeps its stricter requirement.
      const stricter = await agent.post('/tasks', {
        description: 'Wire transfer, triple-checked',
        payload: { amount: 20000 },
        approvalChain: [{ role: 'finance_analyst' }, { role: 'finance_manager' }, { role: 'cfo' }],
      });
      expect(stricter.body.approvalChain).toHaveLength(3);
      expect(stricter.body.policy.floorApplied).toBe(false);
    });

    it('policy rules raise risk and turn a single DBA approval into a 2-of-N quorum', async () => {
      const created = await agent.post('/tasks', {
        description: 'Delete production database backup older than 90 days',
        requiredCapabilities: ['database_administration', 'backup_management'],
        humanInLoop: { approverRole: 'dba_lead' },
      });
      expect(created.body.approvalRequest).toMatchObject({ required: 2, eligibleRoles: ['dba_lead', 'sre'] });
      expect(created.body.approvalRequest.riskAssessment.level).toBe('high');
    });

    it('timeout → escalation along the ladder → decision by the target; no target → the admins, then expired', async () => {
      const created = await agent.post('/tasks', {
        description: 'Pay the cloud bill',
        humanInLoop: { approverRole: 'finance_manager', approvalTimeout: 600, escalationPolicy: 'auto' },
      });
      const first = created.body.approvalRequest.id;
      t.clock.advance(600_000);
      await t.server.service.timers.expireDue();
      const d = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(d.body.approvalRequest.approverRole).toBe('cfo');
      expect((await p('manager').post(`/approvals/${first}/approve`, { approvalReason: 'late' })).status).toBe(409);
      const ok = await p('cfo').post(`/approvals/${d.body.approvalRequest.id}/approve`, { approvalReason: 'paid' });
      expect(ok.body.taskStatus).toBe('approved');
      const gates = await gatesOf(created.body.taskId);
      expect(gates.map((g) => g.status)).toEqual(['escalated', 'approved']);

      const lonely = await agent.post('/tasks', {
        description: 'Order toner',
        humanInLoop: { approverRole: 'clerk', approvalTimeout: 60, escalationPolicy: 'auto' },
      });
      // No ladder entry for clerk: the ladder ends at the admins, who get a gate; theirs expires for good.
      expect(lonely.body.approvalRequest.escalateTo).toBe('admin');
      t.clock.advance(60_000);
      await t.server.service.timers.expireDue();
      const toAdmins = await agent.get(`/tasks/${lonely.body.taskId}/decision`);
      expect(toAdmins.body.approvalRequest.approverRole).toBe('admin');
      t.clock.advance(60_000);
      await t.server.service.timers.expireDue();
      expect((await agent.get(`/tasks/${lonely.body.taskId}`)).body.status).toBe('expired');
      expect((await agent.post(`/tasks/${lonely.body.taskId}/execute`, {})).status).toBe(410);
      // The clerk's gate was escalated (409); the admins' gate expired (410).
      expect(
        (await p('clerk').post(`/approvals/${lonely.body.approvalRequest.id}/approve`, { approvalReason: 'x' })).status,
      ).toBe(409);
    });

    it('one sweep over many due gates: plain ones expire with their chains, ladder ones escalate, open ones stay', async () => {
      const mk = (description: string, humanInLoop: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        agent.post('/tasks', { description, humanInLoop, ...extra });
      const plain = await Promise.all(
        Array.from({ length: 7 }, (_, i) => mk(`Archive log ${i}`, { approverRole: 'clerk', approvalTimeout: 30 })),
      );
      // A chain whose first step times out: the waiting second step must be cancelled with it.
      const chain = await mk(
        'Rotate the vault',
        { approvalTimeout: 30 },
        { approvalChain: [{ role: 'clerk' }, { role: 'cfo' }] },
      );
      expect(chain.status).toBe(201);
      const ladder = await mk('Pay the rent', {
        approverRole: 'finance_manager',
        approvalTimeout: 30,
        escalationPolicy: 'auto',
      });
      const later = await mk('Order chairs', { approverRole: 'clerk', approvalTimeout: 3600 });
      const before = (await t.admin.get('/ledger/checkpoint')).body.size as number;
      t.clock.advance(30_000);
      const fired = await t.server.service.timers.expireDue();
      expect(fired).toBe(9);

      for (const c of plain) {
        expect((await agent.get(`/tasks/${c.body.taskId}`)).body.status).toBe('expired');
      }
      expect((await agent.get(`/tasks/${chain.body.taskId}`)).body.status).toBe('expired');
      expect((await gatesOf(chain.body.taskId)).map((g) => g.status)).toEqual(['expired', 'cancelled']);
      expect((await agent.get(`/tasks/${ladder.body.taskId}`)).body.status).toBe('awaiting_approval');
      expect((await gatesOf(ladder.body.taskId)).map((g) => [g.status, g.approverRole])).toEqual([
        ['escalated', 'finance_manager'],
        ['pending', 'cfo'],
      ]);
      expect((await agent.get(`/tasks/${later.body.taskId}`)).body.status).toBe('awaiting_approval');
      // Inboxes follow: the clerk sees only the gate still open; the CFO sees the escalation, not the
      // cancelled chain step.
      const clerkInbox = (await p('clerk').get('/approvals?status=pending')).body.items as { taskId: string }[];
      expect(clerkInbox.map((i) => i.taskId)).toContain(later.body.taskId);
      for (const c of [...plain, chain]) expect(clerkInbox.map((i) => i.taskId)).not.toContain(c.body.taskId);
      const cfoInbox = (await p('cfo').get('/approvals?status=pending')).body.items as { taskId: string }[];
      expect(cfoInbox.map((i) => i.taskId)).toContain(ladder.body.taskId);
      expect(cfoInbox.map((i) => i.taskId)).not.toContain(chain.body.taskId);
      // One ledger entry per expiry, two per escalation (escalated + the new gate opened), and one
      // for the chain's second step, cancelled because its first expired.
      const after = (await t.admin.get('/ledger/checkpoint')).body.size as number;
      expect(after - before).toBe(8 + 2 + 1);
      const chainHistory = (await agent.get(`/tasks/${chain.body.taskId}/history`)).body.events as {
        type: string;
        verified: boolean;
      }[];
      expect(chainHistory.map((e) => e.type).slice(-2)).toEqual(['approval.expired', 'approval.cancelled']);
      expect(chainHistory.every((e) => e.verified)).toBe(true);
      // A second sweep finds nothing: each deadline fires once.
      expect(await t.server.service.timers.expireDue()).toBe(0);
      // Leave no open gate behind for the tests that follow (their reminder sweeps).
      const escalated = (await gatesOf(ladder.body.taskId))[1]?.id as string;
      expect((await p('cfo').post(`/approvals/${escalated}/approve`, { approvalReason: 'rent' })).status).toBe(200);
      const chairs = later.body.approvalRequest.id as string;
      expect((await p('clerk').post(`/approvals/${chairs}/reject`, { rejectionReason: 'no budget' })).status).toBe(200);
    });

    it('sends one durable reminder at 80 % of the deadline', async () => {
      const created = await agent.post('/tasks', {
        description: 'Renew domain',
        humanInLoop: { approverRole: 'clerk', approvalTimeout: 1000 },
      });
      t.clock.advance(799_000);
      expect(await t.server.service.timers.remindDue()).toBe(0);
      t.clock.advance(2_000);
      expect(await t.server.service.timers.remindDue()).toBeGreaterThanOrEqual(1);
      expect(await t.server.service.timers.remindDue()).toBe(0);
      const history = await agent.get(`/tasks/${created.body.taskId}/history`);
      expect(history.body.events.filter((e: { type: string }) => e.type === 'approval.reminder')).toHaveLength(1);
    });

    it("runs the seed's four gradual-autonomy stages as written", async () => {
      // Stage 1: all decisions require approval.
      const task1 = await agent.post('/tasks', {
        description: 'Tag support tickets',
        humanInLoop: { approvalRequired: 'all_decisions' },
      });
      expect(task1.body.status).toBe('awaiting_approval');
      expect(task1.body.approvalRequest.approverRole).toBe('approver');
      // Stage 2: only critical decisions; a low-risk task is auto-approved and recorded as such.
      const task2 = await agent.post('/tasks', {
        description: 'Tag support tickets',
        humanInLoop: { approvalRequired: 'critical_only' },
      });
      expect(task2.body.status).toBe('approved');
      expect((await agent.get(`/tasks/${task2.body.taskId}/decision`)).body).toMatchObject({
        approved: true,
        autoApproved: true,
      });
      const critical = await agent.post('/tasks', {
        description: 'Delete the staging cluster',
        humanInLoop: { approvalRequired: 'critical_only' },
      });
      expect(critical.body.status).toBe('awaiting_approval');
      // Stage 3: only low-confidence decisions.
      const task3 = await agent.post('/tasks', {
        description: 'Tag support tickets',
        autoEscalation: { confidenceThreshold: 0.75 },
      });
      expect(task3.body.status).toBe('awaiting_approval'); // no confidence given: a human decides
      const sure = await agent.post('/tasks', {
        description: 'Tag support tickets',
        autoEscalation: { confidenceThreshold: 0.75 },
        aiProposal: { confidence: 0.9 },
      });
      expect(sure.body.status).toBe('approved');
      const unsure = await agent.post('/tasks', {
        description: 'Tag support tickets',
        autoEscalation: { confidenceThreshold: 0.75, escalateTo: 'clerk' },
        aiProposal: { confidence: 0.6 },
      });
      expect(unsure.body.approvalRequest.approverRole).toBe('clerk');
      // Stage 4: autonomous with spot-checks.
      const task4 = await agent.post('/tasks', {
        humanInLoop: { enabled: false },
        auditFrequency: 'weekly',
        description: 'Tag support tickets',
      });
      expect(task4.body.status).toBe('approved');
      // With 'always' the sample is certain: a non-blocking spot-check lands in the auditor's inbox.
      const audited = await agent.post('/tasks', {
        humanInLoop: { enabled: false },
        auditFrequency: 'always',
        description: 'Tag support tickets',
      });
      expect(audited.body.status).toBe('approved');
      const inbox = await p('auditor').get('/approvals?status=pending');
      const spot = inbox.body.items.find((i: { taskId: string }) => i.taskId === audited.body.taskId);
      expect(spot).toMatchObject({ kind: 'audit' });
      const exec = await agent.post(`/tasks/${audited.body.taskId}/execute`, {});
      expect(exec.status).toBe(200);
      const check = await p('auditor').post(`/approvals/${spot.id}/approve`, {
        approvalReason: 'sampled output looks right',
      });
      expect(check.body).toMatchObject({ status: 'approved', taskStatus: 'executing' });
    });

    it('all_decisions: every in-run decision the agent submits gets its own gate; edits reach the agent', async () => {
      const created = await agent.post('/tasks', {
        description: 'Clean up the mailing list',
        humanInLoop: { approvalRequired: 'all_decisions', approverRole: 'clerk' },
      });
      await p('clerk').post(`/approvals/${created.body.approvalRequest.id}/approve`, { approvalReason: 'go' });
      await agent.post(`/tasks/${created.body.taskId}/execute`, {});
      const d1 = await agent.post(`/tasks/${created.body.taskId}/decisions`, {
        action: 'Unsubscribe 3 bouncing addresses',
        confidence: 0.8,
        payload: { addresses: ['a@x', 'b@x', 'c@x'] },
      });
      expect(d1.status).toBe(201);
      expect(d1.body).toMatchObject({ status: 'pending', autoApproved: false });
      const gate = d1.body.approvalRequest;
      expect(gate).toMatchObject({
        kind: 'decision',
        approverRole: 'clerk',
        aiProposal: { action: 'Unsubscribe 3 bouncing addresses', confidence: 0.8 },
      });
      expect((await p('clerk').get('/approvals?status=pending')).body.items.map((i: { id: string }) => i.id)).toContain(
        gate.id,
      );
      // The agent long-polls its decision gate while the clerk edits and approves it.
      const waiting = agent.get(`/approvals/${gate.id}?wait=20`);
      // The clerk decides once the server holds the long-poll: the decision is what answers it.
      await expect
        .poll(() => requestsInFlight(t.url, '/v1/humanos/approvals/:approvalId'), { timeout: 20_000 })
        .toBe(1);
      const ok = await p('clerk').post(`/approvals/${gate.id}/approve`, {
        approvalReason: 'keep c',
        edits: { addresses: ['a@x', 'b@x'] },
      });
      expect(ok.body).toMatchObject({ status: 'approved', taskStatus: 'executing' });
      const done = await waiting;
      expect(done.body, JSON.stringify(done.body)).toMatchObject({
        status: 'approved',
        approvedPayload: { addresses: ['a@x', 'b@x'] },
      });
      // A rejected in-run decision leaves the task running; the agent must not do it.
      const d2 = await agent.post(`/tasks/${created.body.taskId}/decisions`, { action: 'Delete the list archive' });
      const no = await p('clerk').post(`/approvals/${d2.body.approvalRequest.id}/reject`, {
        rejectionReason: 'archive is needed',
      });
      expect(no.body).toMatchObject({ status: 'rejected', taskStatus: 'executing' });
      expect((await agent.get(`/tasks/${created.body.taskId}`)).body.status).toBe('executing');
    });

    it('outside all_decisions an ordinary in-run decision is auto-approved and recorded; a low-confidence one is not', async () => {
      const created = await agent.post('/tasks', { description: 'Tag tickets', humanInLoop: { enabled: false } });
      await agent.post(`/tasks/${created.body.taskId}/execute`, {});
      const auto = await agent.post(`/tasks/${created.body.taskId}/decisions`, {
        action: 'Tag ticket 7 as billing',
        payload: { ticket: 7 },
      });
      expect(auto.body).toMatchObject({ status: 'approved', autoApproved: true });
      const history = await agent.get(`/tasks/${created.body.taskId}/history`);
      expect(history.body.events.map((e: { type: string }) => e.type)).toContain('task.decision_auto_approved');
      // Not the executor: refused, nothing written.
      const before = await t.fingerprint();
      expect((await p('clerk').post(`/tasks/${created.body.taskId}/decisions`, { action: 'x' })).status).toBe(404);
      expect(await t.fingerprint()).toBe(before);

      const unsure = await agent.post('/tasks', {
        description: 'Tag tickets',
        autoEscalation: { confidenceThreshold: 0.7, escalateTo: 'clerk' },
        aiProposal: { confidence: 0.9 },
      });
      expect(unsure.body.status).toBe('approved');
      await agent.post(`/tasks/${unsure.body.taskId}/execute`, {});
      const low = await agent.post(`/tasks/${unsure.body.taskId}/decisions`, {
        action: 'Merge two customer records',
        confidence: 0.65,
      });
      expect(low.body.status).toBe('pending');
      expect(low.body.approvalRequest.approverRole).toBe('clerk');
    });

    it('a dry run names the policy, risk and gates a create would get, and writes nothing', async () => {
      const wire = {
        description: 'Wire transfer to supplier',
        payload: { amount: 250000, currency: 'USD' },
        humanInLoop: { enabled: false },
      };
      const before = await t.fingerprint();
      const dry = await agent.post('/policy/evaluate', wire);
      expect(dry.status).toBe(200);
      expect(await t.fingerprint()).toBe(before);
      expect(dry.body.policy).toMatchObject({ id: 'acme-prod', version: 7, rulesApplied: ['large-wire'] });
      expect(dry.body.gates).toEqual([
        expect.objectContaining({ step: 1, approverRoles: ['finance_manager'], required: 1, timeout: 3600 }),
        expect.objectContaining({ step: 2, approverRoles: ['cfo'], required: 1, timeout: 3600 }),
      ]);
      // The create that follows gets exactly what the dry run said.
      const created = await agent.post('/tasks', wire);
      expect(created.body.policy).toEqual(dry.body.policy);
      expect(created.body.approvalChain.map((g: { approverRole: string }) => g.approverRole)).toEqual([
        'finance_manager',
        'cfo',
      ]);

      const db = await agent.post('/policy/evaluate', {
        description: 'Vacuum the orders table',
        requiredCapabilities: ['database_administration'],
      });
      expect(db.body.riskAssessment.level).toBe('high');
      expect(db.body.gates).toEqual([expect.objectContaining({ approverRoles: ['dba_lead', 'sre'], required: 2 })]);
      const unattended = await agent.post('/policy/evaluate', {
        description: 'Tag support tickets',
        humanInLoop: { enabled: false },
        auditFrequency: 'weekly',
      });
      expect(unattended.body.gates).toEqual([]);
      expect(unattended.body.audit).toEqual({ frequency: 'weekly', sampleRate: 0.2 });

      const bad = await agent.post('/policy/evaluate', { ...wire, status: 'approved' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation_failed');
      expect((await agent.as(undefined).post('/policy/evaluate', wire)).status).toBe(401);
    });

    it('the policy document is readable by admins and auditors only', async () => {
      const r = await p('auditor').get('/policy');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ source: 'file', policy: { name: 'acme-prod', version: 7 } });
      expect(r.body.policy.rules.map((x: { id: string }) => x.id)).toEqual(['large-wire', 'prod-db']);
      expect((await t.admin.get('/policy')).status).toBe(200);
      for (const who of [agent, p('cfo')]) {
        const refused = await who.get('/policy');
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('forbidden');
      }
    });

    it('a broken policy file stops start-up naming HUMANOS_POLICY', async () => {
      const bad = join(t.backend.dataDir, 'bad-policy.json');
      writeFileSync(
        bad,
        JSON.stringify({ name: 'x', version: 1, rules: [{ id: 'r', match: {}, require: { approvalChain: [] } }] }),
      );
      await expect(startTestServer('sqlite', { HUMANOS_POLICY: bad })).rejects.toThrow(/HUMANOS_POLICY/);
      writeFileSync(bad, JSON.stringify({ name: 'x', version: 1, escalationLadder: { a: 'b', b: 'a' }, rules: [] }));
      await expect(startTestServer('sqlite', { HUMANOS_POLICY: bad })).rejects.toThrow(/cycle/);
    });
  });
}
