/**
 * Group commit over HTTP when one request of a batch fails after it has written (PostgreSQL): the
 * batch runs again with a savepoint per request (`kernel/committer.ts`), the failed request leaves
 * nothing behind — no decision, no ledger entry, its gate still open — and its batch-mates commit
 * once each, in a ledger that verifies. The failure is a database trigger refusing one decision's
 * insert (standing in for a constraint or a check lost to another replica); the batch is made
 * deterministic by holding the ledger's append lock from outside until the requests have queued.
 */
import { parseLedgerExport, verifyLedger } from '@humanos/core';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/** A value of one unlabelled metric in the server's `/metrics`. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

describe.runIf(backends().includes('postgres'))('a batch with a request that fails after writing [postgres]', () => {
  let t: TestServer;
  let agent: Api;
  let ann: Api;
  beforeAll(async () => {
    t = await startTestServer('postgres');
    agent = await t.principal('did:agent:batcher', []);
    ann = await t.principal('did:human:ann', ['ops']);
    const run = (q: string) => sql.raw(q).execute(t.server.store.db);
    await run(`create function refuse_poison() returns trigger language plpgsql as $$
      begin if new.reason = 'poison' then raise exception 'this decision is refused by the store'; end if; return new; end $$`);
    await run(`create trigger refuse_poison before insert on decisions for each row execute function refuse_poison()`);
  });
  afterAll(async () => t?.close());

  it('the failed request leaves nothing; the others commit once, in a ledger that verifies', async () => {
    const gates: { taskId: string; approvalId: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await agent.post('/tasks', { description: `Rotate key ${i}`, humanInLoop: { approverRole: 'ops' } });
      expect(r.status).toBe(201);
      gates.push({ taskId: r.body.taskId, approvalId: r.body.approvalRequest.id });
    }
    const approve = (i: number, reason: string) =>
      ann.post(`/approvals/${gates[i]?.approvalId}/approve`, { approvalReason: reason });
    const entries = async (taskId: string) =>
      (
        await t.server.store.db
          .selectFrom('ledger_entries')
          .select('entry')
          .where('task_id', '=', taskId)
          .orderBy('seq')
          .execute()
      ).map((e) => JSON.parse(e.entry).type as string);
    const poisoned = gates[3] as { taskId: string; approvalId: string };
    const poisonedEntries = await entries(poisoned.taskId);
    const rerunsBefore = await metric(t.url, 'humanos_write_batch_reruns_total');
    const entriesBefore = (await t.admin.get('/ledger/checkpoint')).body.size as number;

    // Hold the append lock every write batch takes first, so that the next requests queue up.
    const blocker = new pg.Client({ connectionString: t.backend.databaseUrl });
    await blocker.connect();
    let answers: Awaited<ReturnType<typeof approve>>[];
    try {
      await blocker.query('begin');
      await blocker.query('select 1 from ledger_head where id = 1 for update');
      const first = approve(0, 'fine'); // its batch (alone) waits on the lock
      await expect.poll(() => metric(t.url, 'humanos_write_queue_operations')).toBe(0);
      await expect
        .poll(async () => (await blocker.query(`select count(*)::int as n from pg_locks where not granted`)).rows[0].n)
        .toBeGreaterThan(0);
      const rest = [1, 2, 3, 4, 5].map((i) => approve(i, i === 3 ? 'poison' : 'fine'));
      // All five wait for the next batch: one batch of five, the poisoned one in the middle of it.
      await expect.poll(() => metric(t.url, 'humanos_write_queue_operations')).toBe(5);
      await blocker.query('rollback');
      answers = await Promise.all([first, ...rest]);
    } finally {
      await blocker.end();
    }

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 500, 200, 200]);
    expect(answers[3]?.body.code).toBe('internal');
    expect(await metric(t.url, 'humanos_write_batch_reruns_total')).toBe(rerunsBefore + 1);

    // The poisoned request left nothing: its gate is open, its task waits, no decision, no entry.
    expect((await t.admin.get(`/approvals/${poisoned.approvalId}`)).body.status).toBe('pending');
    const task = (await agent.get(`/tasks/${poisoned.taskId}`)).body;
    expect(task.status).toBe('awaiting_approval');
    expect(task.approvals[0].decisions).toEqual([]);
    expect(await entries(poisoned.taskId)).toEqual(poisonedEntries);
    // Each of the others is decided once, with one decision entry.
    for (const i of [0, 1, 2, 4, 5]) {
      const g = gates[i] as { taskId: string; approvalId: string };
      expect((await agent.get(`/tasks/${g.taskId}`)).body.status).toBe('approved');
      expect((await entries(g.taskId)).filter((e) => e === 'approval.decided')).toHaveLength(1);
    }
    const perDecision = (await entries((gates[0] as { taskId: string }).taskId)).length - poisonedEntries.length;
    expect((await t.admin.get('/ledger/checkpoint')).body.size).toBe(entriesBefore + 5 * perDecision);

    // The gate can still be decided, and the whole ledger verifies.
    expect((await approve(3, 'fine after all')).status).toBe(200);
    const exported = await fetch(`${t.url}/v1/humanos/ledger/export`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const report = verifyLedger(parseLedgerExport(await exported.text()));
    expect(report, JSON.stringify(report)).toMatchObject({ ok: true });
  });
});
