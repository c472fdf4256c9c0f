/**
 * A human's takeover reaches the executor over the event stream within about a second, while the
 * lease (and so the heartbeat interval) is long: the handler's AbortSignal fires, on both backends,
 * for a caller-run handler and for a Worker's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, requestsInFlight, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { type ExecutionContext, HumanOSApiError, HumanOSClient, Worker } from '../src/index.js';
import { isTakeover, parseEvents } from '../src/takeover.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EVENTS = '/v1/humanos/events';

describe('parseEvents / isTakeover', () => {
  it('frames events, keeps the incomplete rest, skips comments, and matches only a stopping takeover', () => {
    const text =
      ': keep-alive\n\nid: 7\nevent: task.overridden\ndata: {"taskId":"t1","actor":"did:human:a","data":{"continueExecution":false}}\n\nid: 8\nevent: x';
    const { events, rest } = parseEvents(text);
    expect(events).toHaveLength(1);
    expect(rest).toBe('id: 8\nevent: x');
    expect(isTakeover(events[0] as never, 't1')).toEqual({ overriddenBy: 'did:human:a' });
    expect(isTakeover(events[0] as never, 't2')).toBeUndefined();
    const goOn = parseEvents('event: task.overridden\ndata: {"taskId":"t1","data":{"continueExecution":true}}\n\n');
    expect(isTakeover(goOn.events[0] as never, 't1')).toBeUndefined();
  });
});

for (const backend of backends()) {
  describe(`takeover over the event stream [${backend}]`, () => {
    let t: TestServer;
    let admin: HumanOSClient;
    const as = async (kind: 'human' | 'agent', roles: string[], capabilities: string[] = []) => {
      const id = `did:${kind}:to-${Math.random().toString(36).slice(2, 10)}`;
      const p = await admin.createPrincipal({ id, roles, capabilities });
      return { id, client: new HumanOSClient({ baseUrl: t.url, apiKey: p.token, retries: 1 }) };
    };
    /**
     * The executor's event stream is open at the server (one more than `before`): only then can the
     * takeover reach it in time. A fixed 300 ms pause was a guess that a loaded machine can miss.
     */
    const streamOpened = (before: number) =>
      expect.poll(() => requestsInFlight(t.url, EVENTS), { timeout: 50_000 }).toBe(before + 1);
    /** A handler that reports it runs, then waits for its signal; records when it fired. */
    const blocking =
      (state: { running: boolean; abortedAt?: number; reason?: unknown }) =>
      async (_payload: unknown, ctx: ExecutionContext) => {
        state.running = true;
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => {
            state.abortedAt = Date.now();
            state.reason = ctx.signal.reason;
            resolve();
          }),
        );
      };

    beforeAll(async () => {
      t = await startTestServer(backend);
      admin = new HumanOSClient({ baseUrl: t.url, apiKey: t.admin.token as string });
    });
    afterAll(async () => t?.close());

    it('the caller-run handler’s signal fires within ~1 s of the override (lease 120 s)', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['ops']);
      const task = await agent.client.createTask({ description: 'Rotate keys', humanInLoop: { approverRole: 'ops' } });
      await lead.client.approve(task.approvalRequest?.id as string, { approvalReason: 'go' });
      const state: { running: boolean; abortedAt?: number; reason?: unknown } = { running: false };
      const streams = await requestsInFlight(t.url, EVENTS);
      const run = agent.client
        .executeTask(task.id, { leaseSeconds: 120, handler: blocking(state) })
        .catch((e: unknown) => e);
      while (!state.running) await sleep(20);
      await streamOpened(streams);
      const at = Date.now();
      await lead.client.overrideTask(task.id, { reason: 'I will do it', continueExecution: false });
      const outcome = await run;
      expect(state.abortedAt).toBeDefined();
      expect((state.abortedAt as number) - at).toBeLessThan(1500);
      expect(state.reason).toBeInstanceOf(HumanOSApiError);
      expect((state.reason as HumanOSApiError).code).toBe('task_overridden');
      expect((outcome as HumanOSApiError).code).toBe('task_overridden');
      expect((await agent.client.getTask(task.id)).status).toBe('overridden');
    });

    it('continueExecution: true does not stop the handler; a Worker’s handler is stopped too', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['ops']);
      const w = await as('agent', ['executor'], ['keys']);
      const task = await agent.client.createTask({
        description: 'Rotate more keys',
        requiredCapabilities: ['keys'],
        humanInLoop: { approverRole: 'ops' },
      });
      await lead.client.approve(task.approvalRequest?.id as string, { approvalReason: 'go' });
      const state: { running: boolean; abortedAt?: number } = { running: false };
      const streams = await requestsInFlight(t.url, EVENTS);
      const worker = new Worker(w.client, {
        capabilities: ['keys'],
        pollMs: 50,
        leaseSeconds: 120,
        handler: blocking(state),
      });
      worker.start();
      try {
        while (!state.running) await sleep(20);
        await streamOpened(streams);
        await lead.client.overrideTask(task.id, { reason: 'looks fine, go on', continueExecution: true });
        await sleep(1200);
        expect(state.abortedAt).toBeUndefined();
        const at = Date.now();
        await lead.client.overrideTask(task.id, { reason: 'stop now', continueExecution: false });
        for (let i = 0; i < 40 && state.abortedAt === undefined; i++) await sleep(50);
        expect((state.abortedAt as number) - at).toBeLessThan(1500);
      } finally {
        await worker.stop();
      }
    });
  });
}
