/**
 * The auto-paging iterators against a real server (SQLite and PostgreSQL): `tasks.listAll` and
 * `approvals.inboxAll` yield every item across pages, fetch a page only when the loop reaches it,
 * and stop fetching when the loop breaks. (`audit.reviewsAll` / `reviewTasksAll`: test/audit.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import { HumanOSClient } from '../src/index.js';

for (const backend of backends()) {
  describe(`auto-paging iterators [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: { agent: ['did:agent:sdk-pager', []], approver: ['did:human:sdk-pat', ['pager_role']] },
    });
    /** A client that counts the GETs of `path`. */
    const counting = (token: string | undefined, p: string) => {
      const seen = { gets: 0 };
      const f: typeof fetch = (input, init) => {
        if ((init?.method ?? 'GET') === 'GET' && new URL(String(input)).pathname === p) seen.gets++;
        return fetch(input, init);
      };
      return { seen, client: new HumanOSClient({ baseUrl: s.t.url, apiKey: token, fetch: f }) };
    };

    it('tasks.listAll and approvals.inboxAll yield every item, one page at a time', async () => {
      const agent = counting(s.as.agent.token, '/v1/humanos/tasks');
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const t = await agent.client.createTask({
          description: `Page ${n}`,
          humanInLoop: { approverRole: 'pager_role' },
        });
        ids.push(t.id);
      }
      const all: string[] = [];
      for await (const t of agent.client.tasks.listAll({ limit: 2 })) all.push(t.id);
      expect([...all].sort()).toEqual([...ids].sort()); // each once
      expect(agent.seen.gets).toBe(3);

      agent.seen.gets = 0;
      const firstThree: string[] = [];
      for await (const t of agent.client.tasks.listAll({ limit: 2 })) {
        firstThree.push(t.id);
        if (firstThree.length === 3) break;
      }
      expect(firstThree).toEqual(all.slice(0, 3));
      expect(agent.seen.gets).toBe(2);

      const approver = counting(s.as.approver.token, '/v1/humanos/approvals');
      const gates: string[] = [];
      for await (const g of approver.client.approvals.inboxAll({ limit: 2 })) gates.push(g.taskId);
      expect(gates.sort()).toEqual([...ids].sort());
      expect(approver.seen.gets).toBe(3);
    });
  });
}
