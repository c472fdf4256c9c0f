import { type HumanOSServer, loadConfig, startServer } from '@humanos/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { RECHECK_MS } from '../kernel/notifier.js';

/**
 * Long-polls without polling (issues 27 and 29): `POST /executions/claim?wait=` answers as soon as
 * work it can claim appears, `GET /tasks/{id}?wait=` as soon as the task finishes. Both are woken by
 * the commit (or, on another replica, its NOTIFY); their own look at the store comes only every
 * `RECHECK_MS` (±20 %), so an answer well inside `0.8 × RECHECK_MS` of the change can only have come
 * from the wake-up. That bound (4 s) is the assertion's margin, generous on a loaded machine; the
 * measured delay is printed.
 */
const BEFORE_ANY_LOOK_MS = RECHECK_MS * 0.8;

for (const backend of backends()) {
  describe(`long-polls woken by the change [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let ops: Api;
    let worker: Api;
    let n = 0;

    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:longpoll-bot', []);
      ops = await t.principal('did:human:longpoll-ops', ['ops']);
      worker = await t.principal('did:agent:longpoll-worker', ['executor']);
    });
    afterAll(async () => t?.close());

    /** A task needing `cap`, waiting on one `ops` approval. */
    const gatedTask = async (cap: string) => {
      const c = await agent.post('/tasks', {
        description: `Reconcile batch ${++n}`,
        requiredCapabilities: [cap],
        humanInLoop: { approverRole: 'ops' },
      });
      expect(c.status).toBe(201);
      return { taskId: c.body.taskId as string, gateId: c.body.approvalRequest.id as string };
    };
    /** Resolves once `server` holds `count` more waiters than `base` (the long-poll is parked). */
    const parked = (server: HumanOSServer, base: number, count = 1) =>
      expect.poll(() => server.service.deps.notifier.waiting, { timeout: 10_000, interval: 10 }).toBe(base + count);
    const timed = <T>(p: Promise<T>) => p.then((v) => ({ v, at: Date.now() }));

    it('a claim long-poll answers as soon as an approval makes work claimable', async () => {
      const cap = `recon_${backend}_a`;
      const { taskId, gateId } = await gatedTask(cap);
      const base = t.server.service.deps.notifier.waiting;
      const claim = timed(worker.post('/executions/claim?wait=30', { capabilities: [cap] }));
      await parked(t.server, base);
      // Work another worker cannot claim (another capability) does not answer this one.
      const other = await gatedTask(`recon_${backend}_other`);
      await ops.post(`/approvals/${other.gateId}/approve`, { approvalReason: 'go' });
      const approved = await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
      const approvedAt = Date.now();
      expect(approved.status).toBe(200);
      const { v: got, at } = await claim;
      console.log(`[${backend}] approval → claim answered: ${at - approvedAt} ms`);
      expect(got.status).toBe(200);
      expect(got.body.items.map((i: { taskId: string }) => i.taskId)).toEqual([taskId]);
      expect(at - approvedAt).toBeLessThan(BEFORE_ANY_LOOK_MS);
      expect((await agent.get(`/tasks/${taskId}`)).body.status).toBe('executing');
      expect((await agent.get(`/tasks/${other.taskId}`)).body.status).toBe('approved');
      expect(t.server.service.deps.notifier.waiting).toBe(base);
    });

    it('a worker with many capabilities (hundreds of claim keys) waits on one key and is woken too', async () => {
      const caps = Array.from({ length: 12 }, (_, i) => `recon_${backend}_many_${i}`);
      const { taskId, gateId } = await gatedTask(caps[7] as string);
      const base = t.server.service.deps.notifier.waiting;
      const claim = timed(worker.post('/executions/claim?wait=30', { capabilities: caps }));
      await parked(t.server, base);
      await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
      const approvedAt = Date.now();
      const { v: got, at } = await claim;
      expect(got.body.items.map((i: { taskId: string }) => i.taskId)).toEqual([taskId]);
      expect(at - approvedAt).toBeLessThan(BEFORE_ANY_LOOK_MS);
    });

    it('with nothing to claim, answers no items at its deadline', async () => {
      const base = t.server.service.deps.notifier.waiting;
      const started = Date.now();
      const r = await worker.post('/executions/claim?wait=1', { capabilities: [`recon_${backend}_idle`] });
      expect(r.status).toBe(200);
      expect(r.body.items).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(t.server.service.deps.notifier.waiting).toBe(base);
    });

    it('a client that leaves frees its waiter, and claims nothing afterwards', async () => {
      const cap = `recon_${backend}_gone`;
      const base = t.server.service.deps.notifier.waiting;
      const ac = new AbortController();
      const leaving = fetch(`${t.url}/v1/humanos/executions/claim?wait=30`, {
        method: 'POST',
        headers: { authorization: `Bearer ${worker.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ capabilities: [cap] }),
        signal: ac.signal,
      }).catch((e: Error) => e.name);
      await parked(t.server, base);
      ac.abort();
      expect(await leaving).toBe('AbortError');
      await expect.poll(() => t.server.service.deps.notifier.waiting, { timeout: 5000, interval: 10 }).toBe(base);
      const { taskId, gateId } = await gatedTask(cap);
      await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
      // Nobody holds it: the next worker gets it.
      expect((await agent.get(`/tasks/${taskId}`)).body.status).toBe('approved');
      const next = await worker.post('/executions/claim', { capabilities: [cap] });
      expect(next.body.items.map((i: { taskId: string }) => i.taskId)).toEqual([taskId]);
    });

    it('refuses a wait beyond 60 s (400) and claims nothing', async () => {
      const cap = `recon_${backend}_bounds`;
      const { taskId, gateId } = await gatedTask(cap);
      await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
      const r = await worker.post('/executions/claim?wait=61', { capabilities: [cap] });
      expect(r.status).toBe(400);
      expect((await agent.get(`/tasks/${taskId}`)).body.status).toBe('approved');
      expect((await agent.get(`/tasks/${taskId}?wait=61`)).status).toBe(400);
    });

    it('GET /tasks/{id}?wait= answers as soon as the task completes', async () => {
      const cap = `recon_${backend}_done`;
      const { taskId, gateId } = await gatedTask(cap);
      await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
      const [grant] = (await worker.post('/executions/claim', { capabilities: [cap] })).body.items;
      const base = t.server.service.deps.notifier.waiting;
      const waiting = timed(agent.get(`/tasks/${taskId}?wait=30`));
      await parked(t.server, base);
      // A heartbeat changes the task but does not finish it: the wait goes on.
      await worker.post(`/tasks/${taskId}/heartbeat`, { leaseId: grant.leaseId, progress: 'half way' });
      const done = await worker.post(`/tasks/${taskId}/complete`, { leaseId: grant.leaseId, result: { rows: 3 } });
      const doneAt = Date.now();
      expect(done.status).toBe(200);
      const { v: got, at } = await waiting;
      console.log(`[${backend}] completion → task wait answered: ${at - doneAt} ms`);
      expect(got.status).toBe(200);
      expect(got.body.status).toBe('completed');
      expect(got.body.result).toEqual({ rows: 3 });
      expect(at - doneAt).toBeLessThan(BEFORE_ANY_LOOK_MS);
    });

    it('GET /tasks/{id}?wait= answers a finished task at once, an unfinished one at its deadline, 404 to others', async () => {
      const cap = `recon_${backend}_deadline`;
      const { taskId, gateId } = await gatedTask(cap);
      const started = Date.now();
      const pending = await agent.get(`/tasks/${taskId}?wait=1`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(pending.body.status).toBe('awaiting_approval');
      const stranger = await t.principal(`did:agent:stranger-${backend}`, []);
      expect((await stranger.get(`/tasks/${taskId}?wait=5`)).status).toBe(404);
      await ops.post(`/approvals/${gateId}/reject`, { rejectionReason: 'no' });
      const before = Date.now();
      const rejected = await agent.get(`/tasks/${taskId}?wait=30`);
      expect(rejected.body.status).toBe('rejected');
      expect(Date.now() - before).toBeLessThan(BEFORE_ANY_LOOK_MS);
    });

    /**
     * Makes `change` happen inside the long-poll's first read of the store: after the read, before
     * it returns, so the change commits (and wakes) while the long-poll has not waited yet. Returns
     * when the change was acknowledged.
     */
    const duringFirstRead = (target: object, method: string, change: () => Promise<void>) => {
      const own = target as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const original = own[method]?.bind(target) as (...args: unknown[]) => Promise<unknown>;
      let changedAt: number | undefined;
      own[method] = async (...args: unknown[]) => {
        const result = await original(...args);
        if (changedAt === undefined) {
          await change();
          changedAt = Date.now();
        }
        return result;
      };
      return {
        changedAt: () => changedAt ?? Number.NaN,
        restore: () => delete own[method],
      };
    };

    it('a decision committed while the decision long-poll makes its first read wakes it (not its next look)', async () => {
      const { taskId, gateId } = await gatedTask(`recon_${backend}_race_decision`);
      const hook = duringFirstRead(t.server.service.decisions, 'state', async () => {
        expect((await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' })).status).toBe(200);
      });
      try {
        const { v: got, at } = await timed(agent.get(`/tasks/${taskId}/decision?wait=30`));
        console.log(`[${backend}] decision during the first read → answered: ${at - hook.changedAt()} ms`);
        expect(got.status).toBe(200);
        expect(got.body.status).toBe('approved');
        expect(at - hook.changedAt()).toBeLessThan(BEFORE_ANY_LOOK_MS);
      } finally {
        hook.restore();
      }
    });

    it('a completion committed while GET /tasks/{id}?wait= makes its first read wakes it (not its next look)', async () => {
      const cap = `recon_${backend}_race_done`;
      const { taskId, gateId } = await gatedTask(cap);
      await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
      const [grant] = (await worker.post('/executions/claim', { capabilities: [cap] })).body.items;
      const hook = duringFirstRead(t.server.service.tasks, 'get', async () => {
        const done = await worker.post(`/tasks/${taskId}/complete`, { leaseId: grant.leaseId, result: { rows: 1 } });
        expect(done.status).toBe(200);
      });
      try {
        const { v: got, at } = await timed(agent.get(`/tasks/${taskId}?wait=30`));
        console.log(`[${backend}] completion during the first read → answered: ${at - hook.changedAt()} ms`);
        expect(got.body.status).toBe('completed');
        expect(at - hook.changedAt()).toBeLessThan(BEFORE_ANY_LOOK_MS);
      } finally {
        hook.restore();
      }
    });

    if (backend === 'postgres') {
      describe('two replicas', () => {
        let b: HumanOSServer;
        let workerB: Api;
        let agentB: Api;
        beforeAll(async () => {
          const config = loadConfig({ ...t.backend.env, HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN, PORT: '0' });
          b = await startServer(config, { clock: t.clock, logger: false, validateResponses: true });
          workerB = new Api(b.url, worker.token);
          agentB = new Api(b.url, agent.token);
        });
        afterAll(async () => b?.close());

        it('a claim waiting on one replica is answered by an approval on the other (NOTIFY)', async () => {
          const cap = `recon_${backend}_replica`;
          const { taskId, gateId } = await gatedTask(cap);
          const base = b.service.deps.notifier.waiting;
          const claim = timed(workerB.post('/executions/claim?wait=30', { capabilities: [cap] }));
          await parked(b, base);
          await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
          const approvedAt = Date.now();
          const { v: got, at } = await claim;
          console.log(`[replicas] approval on A → claim on B answered: ${at - approvedAt} ms`);
          expect(got.body.items.map((i: { taskId: string }) => i.taskId)).toEqual([taskId]);
          expect(at - approvedAt).toBeLessThan(BEFORE_ANY_LOOK_MS);
        });

        it('a task wait on one replica is answered by the completion on the other', async () => {
          const cap = `recon_${backend}_replica_done`;
          const { taskId, gateId } = await gatedTask(cap);
          await ops.post(`/approvals/${gateId}/approve`, { approvalReason: 'go' });
          const [grant] = (await worker.post('/executions/claim', { capabilities: [cap] })).body.items;
          const base = b.service.deps.notifier.waiting;
          const waiting = timed(agentB.get(`/tasks/${taskId}?wait=30`));
          await parked(b, base);
          await worker.post(`/tasks/${taskId}/complete`, { leaseId: grant.leaseId, result: { ok: true } });
          const doneAt = Date.now();
          const { v: got, at } = await waiting;
          console.log(`[replicas] completion on A → task wait on B answered: ${at - doneAt} ms`);
          expect(got.body.status).toBe('completed');
          expect(at - doneAt).toBeLessThan(BEFORE_ANY_LOOK_MS);
        });
      });
    }
  });
}
