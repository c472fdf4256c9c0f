/**
 * No polling (issue 27): an idle Worker waits on the claim long-poll (one request per 30 s, however
 * long it idles, and picks up new work at once), and `executeTask` without a handler waits on the
 * task long-poll (two reads — the check and one long-poll — however long the workers take).
 * Requests are counted by a proxy in front of the server, as they start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, countingProxy } from '../../../test-support/countingProxy.js';
import { backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { HumanOSClient, Worker } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLAIM = '/v1/humanos/executions/claim';

for (const backend of backends()) {
  describe(`SDK long-polls [${backend}]`, () => {
    let t: TestServer;
    let proxy: CountingProxy;
    let admin: HumanOSClient;
    const as = async (roles: string[], via: 'proxy' | 'direct' = 'direct') => {
      const kind = roles.includes('ops') ? 'human' : 'agent';
      const id = `did:${kind}:lp-${Math.random().toString(36).slice(2, 10)}`;
      const p = await admin.createPrincipal({ id, roles });
      return new HumanOSClient({ baseUrl: via === 'proxy' ? proxy.url : t.url, apiKey: p.token });
    };

    beforeAll(async () => {
      t = await startTestServer(backend);
      proxy = await countingProxy(t.url);
      admin = new HumanOSClient({ baseUrl: t.url, apiKey: t.admin.token as string });
    });
    afterAll(async () => {
      await proxy?.close();
      await t?.close();
    });

    it('an idle Worker makes one claim request in 26 s, and runs work approved after that at once', async () => {
      const cap = `lp_idle_${backend}`;
      const ran: unknown[] = [];
      const worker = new Worker(await as(['executor'], 'proxy'), {
        capabilities: [cap],
        handler: async (payload) => {
          ran.push(payload);
          return { ok: true };
        },
      });
      const before = proxy.count('POST', CLAIM);
      worker.start();
      try {
        await sleep(26_000);
        expect(proxy.count('POST', CLAIM) - before).toBe(1);
        expect(proxy.seen.filter((s) => s.startsWith(`POST ${CLAIM}`)).at(-1)).toContain('?wait=30');
        // The claim waiting since then answers the approval (no second request needed to see it).
        const agent = await as([]);
        const ops = await as(['ops']);
        const task = await agent.createTask({
          description: 'Reconcile',
          requiredCapabilities: [cap],
          payload: { n: 1 },
          humanInLoop: { approverRole: 'ops' },
        });
        await ops.approve(task.approvalRequest?.id as string, { approvalReason: 'go' });
        const done = await agent.executeTask(task.id, { timeoutMs: 20_000 });
        expect(done.status).toBe('completed');
        expect(ran).toEqual([{ n: 1 }]);
        // The answered claim, and the next one once the handler's slot is free again.
        await expect.poll(() => proxy.count('POST', CLAIM) - before).toBe(2);
      } finally {
        await worker.stop();
      }
    }, 60_000);

    it('executeTask without a handler: two reads of the task however long the worker takes, back within moments of the completion', async () => {
      const cap = `lp_exec_${backend}`;
      const agent = await as([], 'proxy');
      const ops = await as(['ops']);
      const worker = await as(['executor']);
      const task = await agent.createTask({
        description: 'Reconcile',
        requiredCapabilities: [cap],
        humanInLoop: { approverRole: 'ops' },
      });
      await ops.approve(task.approvalRequest?.id as string, { approvalReason: 'go' });
      const path = `/v1/humanos/tasks/${encodeURIComponent(task.id)}`;
      let returnedAt = 0;
      const waiting = agent.executeTask(task.id, { timeoutMs: 30_000 }).then((v) => {
        returnedAt = Date.now();
        return v;
      });
      const [execution] = await worker.claim([cap]);
      // Longer than the old SDK's whole backoff ladder up to its 1 s pause: it would have read ~8 times.
      await sleep(3000);
      await worker.heartbeat(task.id, { leaseId: execution?.leaseId as string, progress: 'half way' });
      await sleep(500);
      await worker.completeTask(task.id, { rows: 7 }, { leaseId: execution?.leaseId as string });
      const completedAt = Date.now();
      const done = await waiting;
      console.log(`[${backend}] completion → executeTask returned: ${returnedAt - completedAt} ms`);
      expect(done.status).toBe('completed');
      expect(done.result).toEqual({ rows: 7 });
      expect(proxy.count('GET', path)).toBe(2);
      const [check, longPoll] = proxy.seen.filter((s) => s.startsWith(`GET ${path}`));
      expect(check).toBe(`GET ${path}`);
      expect(longPoll).toMatch(/\?wait=(29(\.\d)?|30)$/);
      // Woken by the completion, not by the server's own look (every 4–6 s): a generous bound that
      // still tells the two apart on a loaded machine (measured: printed above).
      expect(returnedAt - completedAt).toBeLessThan(4000);
    });
  });
}
