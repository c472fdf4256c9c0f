import { writeFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import type { Database } from '../store/schema.js';
import { lockTaskWithGates, taskGatesAndDecisions } from './gates.js';
import { subjectOf } from './subject.js';

/**
 * Rows read as JSON columns (one statement where there were several, issue 29) must be the rows a
 * plain select gives, value for value and type for type, on both databases: the gates and
 * decisions of a task's view, and the gates of a decision's path read with its subject.
 */
for (const backend of backends()) {
  describe(`rows folded into one statement equal the rows read alone [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    const p: Record<string, Api> = {};
    let db: Kysely<Database>;
    beforeAll(async () => {
      const file = `/tmp/humanos-reads-${process.pid}-${backend}.json`;
      writeFileSync(
        file,
        JSON.stringify({
          name: 'reads',
          version: 1,
          rules: [
            {
              id: 'quorum',
              match: { descriptionMatches: 'quorum' },
              require: { quorum: { required: 2, eligible: ['treasury'] } },
            },
            {
              id: 'chain',
              match: { descriptionMatches: 'chain' },
              require: { approvalChain: [{ role: 'cfo' }, { role: 'fm' }] },
            },
          ],
        }),
      );
      t = await startTestServer(backend, { HUMANOS_POLICY: file });
      db = t.server.service.store.db as unknown as Kysely<Database>;
      agent = await t.principal('did:agent:reads', []);
      for (const [n, r] of [
        ['t1', 'treasury'],
        ['cfo', 'cfo'],
        ['fm', 'fm'],
      ] as const) {
        p[n] = await t.principal(`did:human:${n}-${backend}`, [r]);
      }
    });
    afterAll(() => t?.close());

    const alone = async (taskId: string) => ({
      gates: await db
        .selectFrom('approvals')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('kind', 'desc')
        .orderBy('step')
        .orderBy('requested_at')
        .orderBy('id')
        .execute(),
      decisions: await db
        .selectFrom('decisions')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('decided_at')
        .orderBy('ledger_index')
        .execute(),
    });

    it('a task’s gates and decisions: the same rows, values and types, in the view’s order', async () => {
      const q = await agent.post('/tasks', { description: 'quorum wire', payload: { amount: 5, note: null } });
      const c = await agent.post('/tasks', { description: 'chain wire', payload: { amount: 7 } });
      const [cfoStep, fmStep] = c.body.approvalChain.map((g: { id: string }) => g.id) as [string, string];
      const decide = async (who: Api | undefined, gate: string, body: Record<string, unknown>) =>
        expect((await who?.post(`/approvals/${gate}/approve`, body))?.status).toBe(200);
      await decide(p.cfo, cfoStep, { approvalReason: 'fine' });
      await decide(p.fm, fmStep, { approvalReason: 'fine too' });
      await decide(p.t1, q.body.approvalRequest.id, { approvalReason: 'ok' });
      // The test clock stands still: the chain's two decisions have one time, and come in the order made.
      const chain = await taskGatesAndDecisions(db, c.body.taskId);
      expect(chain.decisions.map((d) => d.principal_id)).toEqual([
        `did:human:cfo-${backend}`,
        `did:human:fm-${backend}`,
      ]);
      expect(chain.decisions[0]?.decided_at).toBe(chain.decisions[1]?.decided_at);
      for (const taskId of [q.body.taskId, c.body.taskId]) {
        const folded = await taskGatesAndDecisions(db, taskId);
        const plain = await alone(taskId);
        expect(folded.gates.length).toBeGreaterThan(0);
        expect(folded.decisions.length).toBe(taskId === c.body.taskId ? 2 : 1);
        // toStrictEqual: a number that came back as a string, or 0 as false, fails here.
        expect(folded).toStrictEqual(plain);
        // The same with the task's locked row (finishing a task): the row as a plain read gives it.
        const locked = await db.transaction().execute((trx) => lockTaskWithGates(trx, taskId));
        const row = await db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
        expect(locked).toStrictEqual({ task: row, ...plain });
      }
      expect(await db.transaction().execute((trx) => lockTaskWithGates(trx, 'task:none'))).toBeUndefined();
    });

    it('a decision’s path read with its subject: the live gates a separate read finds', async () => {
      const c = await agent.post('/tasks', { description: 'chain two', payload: { amount: 9 } });
      const [cfoStep, fmStep] = c.body.approvalChain.map((g: { id: string }) => g.id) as [string, string];
      for (const gate of [cfoStep, fmStep]) {
        const s = await db.transaction().execute((trx) => subjectOf(trx, gate, Date.now(), 'did:human:nobody'));
        const plain = await db
          .selectFrom('approvals')
          .selectAll()
          .where('task_id', '=', c.body.taskId)
          .where('kind', '=', 'execution')
          .where('status', 'in', ['pending', 'waiting', 'approved'])
          .orderBy('step')
          .execute();
        expect(s.pathGates.sort((a, b) => a.step - b.step)).toStrictEqual(plain);
        expect(s.decider).toBeUndefined();
      }
    });
  });
}
