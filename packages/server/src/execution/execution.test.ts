import { join } from 'node:path';
import { configureHumanOS, HumanOS, HumanOSApiError, HumanOSClient, Worker } from '@human/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  backends,
  REPO_ROOT,
  spawnNode,
  startTestServer,
  type TestServer,
} from '../../../../test-support/harness.js';

/** A promise with its resolve: a handler signals the test that it reached a point. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Waits for the task to reach `status`, as long as the test may take: under load a change can take
 * seconds to show, and `expect.poll`'s default (1 s) made this suite fail now and then.
 */
async function statusOf(api: Api, taskId: string, status: string): Promise<void> {
  await expect.poll(async () => (await api.get(`/tasks/${taskId}`)).body.status, { timeout: 50_000 }).toBe(status);
}

for (const backend of backends()) {
  describe(`HITL during execution [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let agentClient: HumanOSClient;
    let alice: Api;
    let lead: Api;
    let worker1: HumanOSClient;
    let worker2: HumanOSClient;

    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:sentiment-bot', []);
      agentClient = new HumanOSClient({ baseUrl: t.url, apiKey: agent.token as string });
      alice = await t.principal('did:human:alice', ['ops', 'customer_success_lead']);
      lead = await t.principal('did:human:cs-lead', ['customer_success_lead']);
      worker1 = new HumanOSClient({
        baseUrl: t.url,
        apiKey: (await t.principal('did:agent:worker-1', ['executor'])).token as string,
      });
      worker2 = new HumanOSClient({
        baseUrl: t.url,
        apiKey: (await t.principal('did:agent:worker-2', ['executor'])).token as string,
      });
    });
    afterAll(async () => t?.close());

    const approvedTask = async (body: Record<string, unknown> = {}) => {
      const c = await agent.post('/tasks', {
        description: 'Reconcile the ledger export',
        humanInLoop: { approverRole: 'ops' },
        ...body,
      });
      await alice.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'go' });
      return c.body.taskId as string;
    };

    it("runs the seed's override example verbatim: the AI is stopped, the human completes", async () => {
      const taskId = await approvedTask({ requiredCapabilities: ['accounting'] });
      // The agent executes, reporting low confidence, and keeps working until it is stopped.
      let aborted = false;
      const reported = deferred();
      const running = agentClient
        .executeTask(taskId, {
          leaseSeconds: 5,
          handler: async (_payload, ctx) => {
            await ctx.report({ confidence: 0.55, progress: 'matching rows' });
            reported.resolve();
            await new Promise((stopped) => ctx.signal.addEventListener('abort', stopped, { once: true }));
            aborted = true;
            throw new Error('stopped');
          },
        })
        .catch((e) => e);
      // The report is acknowledged (its heartbeat answered) before the human looks: no timed poll.
      await reported.promise;
      expect((await agent.get(`/tasks/${taskId}`)).body.confidence).toBe(0.55);

      configureHumanOS({ baseUrl: t.url, apiKey: alice.token as string });
      const completeTaskManually = async (task: { description: string }) => ({
        doneBy: 'alice',
        note: `finished ${task.description} by hand`,
      });
      // --- the seed, verbatim ---
      // Agent is executing a task
      const task = await HumanOS.getTask(taskId);
      if (task.status === 'executing' && (task.confidence as number) < 0.6) {
        // Human decides to take over
        await HumanOS.overrideTask(taskId, {
          overriddenBy: 'did:human:alice',
          reason: 'AI confidence too low, switching to manual execution',
          continueExecution: false, // Stop AI, human will finish manually
        });
        // Human completes the task manually
        const result = await completeTaskManually(task);
        await HumanOS.completeTask(taskId, result);
      }
      // --- end of the seed ---
      const outcome = await running;
      expect(outcome).toBeInstanceOf(HumanOSApiError);
      expect((outcome as HumanOSApiError).code).toBe('task_overridden');
      expect(aborted).toBe(true);
      const final = (await agent.get(`/tasks/${taskId}`)).body;
      expect(final).toMatchObject({
        status: 'completed',
        overriddenBy: 'did:human:alice',
        result: { doneBy: 'alice' },
      });
    });

    it('a revoked executor can neither heartbeat nor complete; nothing changes', async () => {
      const taskId = await approvedTask();
      const exec = (await agent.post(`/tasks/${taskId}/execute`, {})).body;
      await alice.post(`/tasks/${taskId}/override`, { reason: 'I will do it', continueExecution: false });
      const before = await t.fingerprint();
      const hb = await agent.post(`/tasks/${taskId}/heartbeat`, { leaseId: exec.leaseId });
      expect(hb.status).toBe(409);
      expect(hb.body.code).toBe('task_overridden');
      const done = await agent.post(`/tasks/${taskId}/complete`, { leaseId: exec.leaseId, result: { sneaky: true } });
      expect(done.status).toBe(409);
      expect(done.body.code).toBe('task_overridden');
      expect(await t.fingerprint()).toBe(before);
      // Agents and the requester cannot override.
      const t2 = await approvedTask();
      await agent.post(`/tasks/${t2}/execute`, {});
      expect((await agent.post(`/tasks/${t2}/override`, { reason: 'x', continueExecution: false })).status).toBe(403);
    });

    it("runs the seed's confidence example verbatim: 0.65 < 0.7 pauses, a human reviews, execution resumes", async () => {
      configureHumanOS({ baseUrl: t.url, apiKey: agent.token as string });
      // --- the seed, verbatim ---
      const task = await HumanOS.createTask({
        description: 'Analyze customer sentiment from support tickets',
        autoEscalation: {
          enabled: true,
          confidenceThreshold: 0.7, // Escalate if confidence < 70%
          escalateTo: 'customer_success_lead',
          escalationMessage: 'AI confidence dropped below threshold - human review needed',
        },
      } as Parameters<typeof HumanOS.createTask>[0]);
      // --- end of the seed ---
      // No confidence was stated at creation, so the lead approves the start.
      await lead.post(`/approvals/${task.approvalRequest?.id}/approve`, { approvalReason: 'start' });
      const reviewed: string[] = [];
      const run = HumanOS.executeTask(task.id, {
        handler: async (_payload, ctx) => {
          await ctx.report({ confidence: 0.65 }); // waits here while paused
          reviewed.push('resumed');
          return { sentiment: 'mixed' };
        },
      });
      // → Task automatically pauses → Human is notified (a review gate in the lead's inbox)
      await statusOf(agent, task.id, 'paused');
      const review = (
        (await lead.get('/approvals?status=pending')).body.items as {
          id: string;
          kind: string;
          taskId: string;
          reason: string;
        }[]
      ).find((g) => g.taskId === task.id && g.kind === 'review');
      expect(review?.reason).toBe('AI confidence dropped below threshold - human review needed');
      expect(reviewed).toEqual([]);
      // → Human reviews and decides to continue
      await lead.post(`/approvals/${review?.id}/approve`, { approvalReason: 'sample looks fine, continue' });
      const done = (await run) as { status: string; result: unknown };
      expect(reviewed).toEqual(['resumed']);
      expect(done).toMatchObject({ status: 'completed', result: { sentiment: 'mixed' } });
    });

    it('an override while a review is open answers the review: cancelled, out of the inbox, recorded', async () => {
      const c = await agent.post('/tasks', {
        description: 'Merge duplicate accounts',
        humanInLoop: { approverRole: 'customer_success_lead' },
        autoEscalation: { enabled: true, confidenceThreshold: 0.7, escalateTo: 'customer_success_lead' },
      });
      await lead.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' });
      const exec = (await agent.post(`/tasks/${c.body.taskId}/execute`, {})).body;
      const hb = await agent.post(`/tasks/${c.body.taskId}/heartbeat`, { leaseId: exec.leaseId, confidence: 0.3 });
      const reviewId = hb.body.approvalRequest.id as string;
      const r = await alice.post(`/tasks/${c.body.taskId}/override`, { reason: 'mine now', continueExecution: false });
      expect(r.status).toBe(200);
      const gates = (await agent.get(`/tasks/${c.body.taskId}`)).body.approvals as { id: string; status: string }[];
      expect(gates.find((g) => g.id === reviewId)?.status).toBe('cancelled');
      const inbox = (await lead.get('/approvals?status=pending')).body.items as { id: string }[];
      expect(inbox.map((g) => g.id)).not.toContain(reviewId);
      const history = (await agent.get(`/tasks/${c.body.taskId}/history`)).body.events as {
        type: string;
        approvalId: string | null;
      }[];
      expect(history.slice(-2).map((e) => [e.type, e.approvalId])).toEqual([
        ['task.overridden', null],
        ['approval.cancelled', reviewId],
      ]);
    });

    it('a reviewer who says stop takes the task over', async () => {
      const c = await agent.post('/tasks', {
        description: 'Classify refunds',
        humanInLoop: { approverRole: 'customer_success_lead' },
        autoEscalation: { enabled: true, confidenceThreshold: 0.7, escalateTo: 'customer_success_lead' },
      });
      await lead.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' });
      const exec = (await agent.post(`/tasks/${c.body.taskId}/execute`, {})).body;
      const hb = await agent.post(`/tasks/${c.body.taskId}/heartbeat`, { leaseId: exec.leaseId, confidence: 0.4 });
      expect(hb.body).toMatchObject({ status: 'paused', action: 'wait' });
      await lead.post(`/approvals/${hb.body.approvalRequest.id}/reject`, { rejectionReason: 'taking over' });
      expect((await agent.get(`/tasks/${c.body.taskId}`)).body).toMatchObject({
        status: 'overridden',
        overriddenBy: 'did:human:cs-lead',
      });
      expect((await agent.post(`/tasks/${c.body.taskId}/heartbeat`, { leaseId: exec.leaseId })).body.code).toBe(
        'task_overridden',
      );
      expect((await lead.post(`/tasks/${c.body.taskId}/complete`, { result: { by: 'lead' } })).body.status).toBe(
        'completed',
      );
    });

    it('an expired lease is reclaimed: the task runs again under the same execution id, once', async () => {
      const taskId = await approvedTask({ requiredCapabilities: ['reconcile'] });
      const [first] = await worker1.claim(['reconcile', 'other'], { leaseSeconds: 5 });
      expect(first?.taskId).toBe(taskId);
      expect(await worker2.claim(['reconcile'])).toEqual([]); // held
      t.clock.advance(6_000);
      // The server's own timer may reclaim it first (it runs on its interval, whatever the test does):
      // what matters is that it was reclaimed, once (the history below).
      await t.server.service.execution.reclaimExpiredLeases();
      const [second] = await worker2.claim(['reconcile']);
      expect(second).toMatchObject({ taskId, executionId: first?.executionId, attempt: 2 });
      const late = await worker1.completeTask(taskId, { dup: true }, { leaseId: first?.leaseId }).catch((e) => e);
      expect((late as HumanOSApiError).code).toBe('lease_lost'); // the task now runs under worker-2's lease
      const ok = await worker2.completeTask(taskId, { once: true }, { leaseId: second?.leaseId });
      expect(ok.status).toBe('completed');
      const events = (await agent.get(`/tasks/${taskId}/history`)).body.events.map((e: { type: string }) => e.type);
      expect(events.filter((e: string) => e === 'task.execution_started')).toHaveLength(2);
      expect(events.filter((e: string) => e === 'task.lease_expired')).toHaveLength(1);
      expect(events.filter((e: string) => e === 'task.completed')).toHaveLength(1);
    });

    it('a worker killed with -9 mid-run does not lose the task', async () => {
      const taskId = await approvedTask({ requiredCapabilities: ['billing'], payload: { invoice: 7 } });
      const token = (await t.principal(`did:agent:crashy-${backend}`, ['executor'])).token as string;
      // A lease long enough that no heartbeat is in flight when the worker dies (the SDK beats every
      // lease/3): a late heartbeat would extend it past the clock's advance below.
      const proc = spawnNode(['--import', 'tsx', join(REPO_ROOT, 'examples/worker.ts'), 'billing'], {
        env: {
          ...process.env,
          HUMANOS_URL: t.url,
          HUMANOS_API_KEY: token,
          WORKER_HANG: '1',
          WORKER_LEASE_SECONDS: '600',
        },
      });
      // The worker says when its handler runs (the task is executing under its lease).
      await new Promise<void>((running, failed) => {
        let out = '';
        proc.stdout?.on('data', (d) => {
          out += d;
          if (out.includes(`running ${taskId}`)) running();
        });
        proc.once('exit', (code) => failed(new Error(`the worker exited with ${code}: ${out}`)));
      });
      expect((await agent.get(`/tasks/${taskId}`)).body.status).toBe('executing');
      await new Promise((exited) => {
        proc.once('exit', exited);
        proc.kill('SIGKILL');
      });
      t.clock.advance(601_000);
      await t.server.service.execution.reclaimExpiredLeases();
      expect((await agent.get(`/tasks/${taskId}`)).body.status).toBe('approved');
      const handled = deferred();
      const w = new Worker(worker1, {
        capabilities: ['billing'],
        pollMs: 50,
        handler: (payload) => {
          handled.resolve();
          return { paid: payload };
        },
      });
      w.start();
      await handled.promise;
      await w.stop(); // resolves once the running execution has completed
      expect((await agent.get(`/tasks/${taskId}`)).body).toMatchObject({
        status: 'completed',
        result: { paid: { invoice: 7 } },
      });
    });

    it('routing approval: the best-matching resource is proposed, the approver may pick another, only it executes', async () => {
      const a = await t.principal(`did:agent:dba-a`, []);
      const b = await t.principal(`did:agent:dba-b`, []);
      expect(
        (await a.req('PUT', '/me/capabilities', { capabilities: ['database_administration', 'backup_management'] }))
          .status,
      ).toBe(200);
      await b.req('PUT', '/me/capabilities', { capabilities: ['database_administration'] });
      const c = await agent.post('/tasks', {
        description: 'Delete old backups',
        requiredCapabilities: ['database_administration', 'backup_management'],
        routing: { approverRole: 'ops' },
        humanInLoop: { approverRole: 'ops' },
      });
      const gate = c.body.approvalRequest;
      expect(gate).toMatchObject({
        kind: 'routing',
        proposedResource: 'did:agent:dba-a',
        alternatives: ['Assign to did:agent:dba-b'],
      });
      expect(gate.aiProposal.action).toBe('Assign to did:agent:dba-a');
      expect(c.body.approvalChain.map((g: { kind: string; status: string }) => `${g.kind}:${g.status}`)).toEqual([
        'routing:pending',
        'execution:waiting',
      ]);
      // The execution gate cannot be decided before routing.
      expect(
        (await alice.post(`/approvals/${c.body.approvalChain[1].id}/approve`, { approvalReason: 'x' })).body.code,
      ).toBe('out_of_turn');
      const routed = await alice.post(`/approvals/${gate.id}/approve`, {
        approvalReason: 'b is on call',
        assignTo: 'did:agent:dba-b',
      });
      expect(routed.body).toMatchObject({ status: 'approved', taskStatus: 'awaiting_approval' });
      await alice.post(`/approvals/${c.body.approvalChain[1].id}/approve`, { approvalReason: 'go' });
      expect((await agent.get(`/tasks/${c.body.taskId}`)).body.status).toBe('approved');
      const wrong = await a.post(`/tasks/${c.body.taskId}/execute`, {});
      expect(wrong.status).toBe(404); // not routed to it: it cannot even see the task
      expect((await agent.post(`/tasks/${c.body.taskId}/execute`, {})).body.code).toBe('forbidden');
      const right = await b.post(`/tasks/${c.body.taskId}/execute`, {});
      expect(right.status).toBe(200);
      // The signed decision record names the assignee.
      const entries = (await agent.get(`/tasks/${c.body.taskId}/history`)).body.events;
      expect(entries.filter((e: { type: string }) => e.type === 'approval.decided')).toHaveLength(2);
    });

    it("takes the seed's feedback verbatim, and calibration matches a hand computation", async () => {
      const rater = new HumanOSClient({ baseUrl: t.url, apiKey: alice.token as string });
      const bot = await t.principal('did:agent:calib-bot', []);
      const botClient = new HumanOSClient({ baseUrl: t.url, apiKey: bot.token as string });
      const history: [number, boolean, boolean][] = [
        [0.9, true, false],
        [0.8, false, true],
        [0.6, true, false],
      ];
      const ids: string[] = [];
      for (const [confidence, , edit] of history) {
        const c = await bot.post('/tasks', {
          description: 'Draft a reply',
          humanInLoop: { approverRole: 'ops' },
          aiProposal: { confidence },
        });
        await alice.post(`/approvals/${c.body.approvalRequest.id}/approve`, {
          approvalReason: 'ok',
          ...(edit ? { edits: { tone: 'formal' } } : {}),
        });
        await botClient.executeTask(c.body.taskId, { handler: () => ({ sent: true }) });
        ids.push(c.body.taskId);
      }
      const rejected = await bot.post('/tasks', {
        description: 'Draft a reply',
        humanInLoop: { approverRole: 'ops' },
        aiProposal: { confidence: 0.7 },
      });
      await alice.post(`/approvals/${rejected.body.approvalRequest.id}/reject`, { rejectionReason: 'wrong customer' });

      configureHumanOS({ baseUrl: t.url, apiKey: alice.token as string });
      const taskId = ids[0] as string;
      // --- the seed, verbatim ---
      // After task completion, human provides feedback
      await HumanOS.provideFeedback(taskId, {
        quality: 'excellent', // 'poor', 'fair', 'good', 'excellent'
        correctness: true,
        comments: 'AI correctly identified the issue and proposed a good solution',
        improvements: ['Could have provided more context about the business impact'],
      });
      // --- end of the seed ---
      await rater.provideFeedback(ids[1] as string, { quality: 'poor', correctness: false });
      await rater.provideFeedback(ids[2] as string, { quality: 'good', correctness: true });
      const again = await rater.provideFeedback(taskId, { quality: 'good' }).catch((e) => e);
      expect((again as HumanOSApiError).status).toBe(409);
      expect((await bot.post(`/tasks/${taskId}/feedback`, { quality: 'excellent' })).status).toBe(403);

      const report = await t.admin.get('/calibration?agent=did:agent:calib-bot');
      // Hand computation: Brier = ((0.9−1)² + (0.8−0)² + (0.6−1)²) / 3 = (0.01 + 0.64 + 0.16) / 3 = 0.27
      expect(report.body.brierScore).toBeCloseTo(0.27, 10);
      expect(report.body).toMatchObject({
        samples: 3,
        approvalRate: 0.75,
        editRate: 1 / 3,
        rejectionRate: 0.25,
        overrideRate: 0,
      });
      expect(report.body.recommendedAutonomy).toBe('all_decisions'); // 25 % rejected
      expect(report.body.evidence.length).toBeGreaterThan(1);
      expect((await rater.calibration('did:agent:calib-bot').catch((e) => e)).status).toBe(403);
      expect((await botClient.calibration('did:agent:calib-bot')).brierScore).toBeCloseTo(0.27, 10);
    });
  });
}
