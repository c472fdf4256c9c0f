/**
 * Who sweeps: a server started with `sweep: false` (the test harness) never expires anything by itself,
 * so a test's clock step and its "nothing changed" check cannot be split by a background sweep; with
 * the loop on (`HUMANOS_TIMER_INTERVAL_MS`), the same due gate expires without anyone asking.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of backends()) {
  describe(`the background sweeper [${backend}]`, () => {
    let t: TestServer | undefined;
    afterEach(async () => t?.close());

    const dueGate = async (server: TestServer) => {
      const agent = await server.principal('did:agent:sweeper-bot', []);
      await server.principal('did:human:sweeper-ann', ['ops']);
      const created = await agent.post('/tasks', {
        description: 'Rotate the logs',
        humanInLoop: { approverRole: 'ops', approvalTimeout: 60 },
      });
      expect(created.status).toBe(201);
      server.clock.advance(61_000);
      return { agent, taskId: created.body.taskId as string };
    };

    it('off (sweep: false): a due gate stays pending through several intervals until a sweep is run', async () => {
      t = await startTestServer(backend);
      const { agent, taskId } = await dueGate(t);
      const before = await t.fingerprint();
      await wait(1_500); // more than the default interval (1 000 ms)
      expect(await t.fingerprint()).toBe(before);
      expect((await agent.get(`/tasks/${taskId}`)).body.status).toBe('awaiting_approval');
      await t.server.service.timers.expireDue();
      expect((await agent.get(`/tasks/${taskId}`)).body.status).toBe('expired');
    });

    it('on (HUMANOS_TIMER_INTERVAL_MS): the same due gate expires by itself', async () => {
      t = await startTestServer(backend, { HUMANOS_TIMER_INTERVAL_MS: '20' });
      const { agent, taskId } = await dueGate(t);
      await expect
        .poll(async () => (await agent.get(`/tasks/${taskId}`)).body.status, { timeout: 5_000 })
        .toBe('expired');
    });
  });
}
