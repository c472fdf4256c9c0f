import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, type TestServer, useTestServer } from '../../../../test-support/harness.js';

/**
 * Issue 29: statements per request, the regression guard of the cuts in docs/benchmarks.md. Counted
 * by the store's counter behind `humanos_db_statements_total{kind}` (every statement the driver
 * sends, `begin` and `commit` included), for one approve, execute and complete of a one-gate task, after a
 * warm-up lifecycle. Counts are exact, whatever the machine's load: this is not a timed test.
 */
const LIMITS = {
  sqlite: { approve: 20, execute: 16, complete: 16 },
  postgres: { approve: 15, execute: 11, complete: 11 },
} as const;

for (const backend of backends()) {
  describe(`statements per request [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: { agent: ['did:agent:stmts', []], ann: ['did:human:stmts', ['ops']] },
    });
    let t: TestServer;
    let agent: Api;
    let ann: Api;
    beforeAll(() => {
      ({ t } = s);
      ({ agent, ann } = s.as);
    });

    const total = () => Object.values(t.server.service.store.statements.snapshot()).reduce((a, b) => a + b, 0);
    /**
     * The statements one request sent (after whatever the previous request left running has settled).
     * Not counted: the webhook subscriptions' refresh, which a write batch makes at most once a second
     * of wall time (`webhooks.ts`): it lands in whichever request comes first after that second, so on
     * a loaded machine it made this count depend on how long the previous request took.
     */
    const counted = async <T>(request: () => Promise<T>): Promise<{ n: number; value: T }> => {
      await new Promise((r) => setTimeout(r, 50));
      const statements = t.server.service.store.statements;
      const before = total();
      statements.traceTexts();
      const value = await request();
      const refreshes = [...statements.takeTexts()]
        .filter(([text]) => text.startsWith('select * from "webhooks"'))
        .reduce((a, [, n]) => a + n, 0);
      return { n: total() - before - refreshes, value };
    };
    const lifecycle = async () => {
      const c = await agent.post('/tasks', {
        description: 'Restart the billing worker',
        humanInLoop: { approverRole: 'ops' },
        payload: { worker: 1 },
      });
      expect(c.status).toBe(201);
      const approve = await counted(() =>
        ann.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' }),
      );
      expect(approve.value.status).toBe(200);
      const execute = await counted(() => agent.post(`/tasks/${c.body.taskId}/execute`, {}));
      expect(execute.value.status).toBe(200);
      const complete = await counted(() =>
        agent.post(`/tasks/${c.body.taskId}/complete`, { executionId: execute.value.body.executionId, result: {} }),
      );
      expect(complete.value.status).toBe(200);
      return { approve: approve.n, execute: execute.n, complete: complete.n };
    };

    it('an approve, an execute and a complete send no more statements than after the cuts', async () => {
      await lifecycle(); // warm-up: caches and the ledger frontier of this process
      const n = await lifecycle();
      expect(n.approve).toBeLessThanOrEqual(LIMITS[backend].approve);
      expect(n.execute).toBeLessThanOrEqual(LIMITS[backend].execute);
      expect(n.complete).toBeLessThanOrEqual(LIMITS[backend].complete);
    });
  });
}
