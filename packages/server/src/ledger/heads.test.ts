import { openCheckpoint, parseLedgerExport, signCheckpoint, verifyLedger } from '@humanos/core';
import { loadConfig, startServer } from '@humanos/server';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Api, backends, createBackend } from '../../../../test-support/harness.js';

/**
 * Migration 0017: a store from before task heads (no heads tables filled, checkpoints without the
 * heads line) gets its map built at start from the signed entries, its latest checkpoint signed again
 * with the line; the grant then works and still catches a hidden entry, and the export verifies
 * (older checkpoints stay legacy). A store whose entries do not match the signed root is not built on.
 */
for (const backend of backends()) {
  describe(`task heads of a log from before them [${backend}]`, () => {
    it('are built at start from the signed log; grants and offline verification work on top', async () => {
      const b = await createBackend(backend);
      const config = loadConfig({
        ...b.env,
        HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN,
        PORT: '0',
        HUMANOS_TIMER_INTERVAL_MS: '60000',
      });
      const openRaw = async () =>
        (await import('@humanos/server')).openStore(
          b.databaseUrl
            ? { kind: 'postgres', url: b.databaseUrl }
            : { kind: 'sqlite', file: `${b.dataDir}/humanos.db` },
        );
      try {
        let server = await startServer(config, { logger: false });
        const key = server.service.deps.key;
        const origin = server.service.origin;
        const admin = new Api(server.url, ADMIN_TOKEN);
        const agentToken = (await admin.post('/principals', { id: 'did:agent:old-bot', roles: [] })).body
          .token as string;
        const annToken = (await admin.post('/principals', { id: 'did:human:old-ann', roles: ['approver'] })).body
          .token as string;
        const agent = admin.as(agentToken);
        const ann = admin.as(annToken);
        const tasks: { taskId: string; gate: string }[] = [];
        for (let i = 0; i < 3; i++) {
          const c = await agent.post('/tasks', {
            description: `Old task ${i}`,
            payload: { i },
            humanInLoop: { approverRole: 'approver' },
          });
          tasks.push({ taskId: c.body.taskId, gate: c.body.approvalRequest.id });
        }
        for (const t of tasks) await ann.post(`/approvals/${t.gate}/approve`, { approvalReason: 'ok' });
        await agent.post(`/tasks/${tasks[1]?.taskId}/cancel`, { reason: 'changed my mind' });
        await server.close();

        // Make it a store from before migration 0017: heads tables empty, checkpoints signed without the line.
        let store = await openRaw();
        await sql.raw('delete from task_heads').execute(store.db);
        await sql.raw('delete from task_head_nodes').execute(store.db);
        const cps = (
          await sql.raw<{ size: number; note: string }>('select size, note from checkpoints').execute(store.db)
        ).rows;
        for (const cp of cps) {
          const opened = openCheckpoint(cp.note, origin, key.publicKeyRaw);
          const legacy = signCheckpoint({ origin, size: opened.size, rootHash: opened.rootHash }, key);
          await sql`update checkpoints set note = ${legacy} where size = ${cp.size}`.execute(store.db);
        }
        await store.close();

        server = await startServer(config, { logger: false });
        const heads = await sql.raw<{ n: number }>('select count(*) as n from task_heads').execute(server.store.db);
        expect(Number(heads.rows[0]?.n)).toBe(3);
        const latest = await server.service.ledger.latestCheckpoint(server.store.db);
        expect(openCheckpoint(latest?.note as string, origin, key.publicKeyRaw).extensions?.[0]).toMatch(
          /^humanos-task-heads 3 /,
        );
        const exported = async () =>
          parseLedgerExport(
            await (
              await fetch(`${server.url}/v1/humanos/ledger/export`, {
                headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
              })
            ).text(),
          );
        expect(verifyLedger(await exported())).toMatchObject({ ok: true });

        const a2 = new Api(server.url, agentToken);
        expect((await a2.post(`/tasks/${tasks[0]?.taskId}/execute`, {})).status).toBe(200);
        // The cancelled one, its cancellation moved to another task: refused.
        const cancelled = tasks[1]?.taskId as string;
        const rows = (
          await sql
            .raw<{ seq: number; entry: string }>(`select seq, entry from ledger_entries where task_id = '${cancelled}'`)
            .execute(server.store.db)
        ).rows;
        const cancel = rows.find((r) => JSON.parse(r.entry).type === 'task.cancelled')?.seq as number;
        await sql
          .raw(`update ledger_entries set task_id = '${tasks[2]?.taskId}' where seq = ${cancel}`)
          .execute(server.store.db);
        await sql.raw(`update tasks set status = 'approved' where id = '${cancelled}'`).execute(server.store.db);
        const r = await a2.post(`/tasks/${cancelled}/execute`, {});
        expect(r.body.code).toBe('integrity_violation');
        // Its export names the edited column, and after more appends the log still verifies once put back.
        expect(verifyLedger(await exported())).toMatchObject({ ok: false, firstBadIndex: cancel });
        await sql
          .raw(`update ledger_entries set task_id = '${cancelled}' where seq = ${cancel}`)
          .execute(server.store.db);
        expect(verifyLedger(await exported())).toMatchObject({ ok: true });
        await server.close();

        // A legacy store whose entries were rewritten is not built on: the start fails.
        store = await openRaw();
        await sql.raw('delete from task_heads').execute(store.db);
        const last = (
          await sql
            .raw<{ size: number; note: string }>('select size, note from checkpoints order by size desc limit 1')
            .execute(store.db)
        ).rows[0];
        const opened = openCheckpoint(last?.note as string, origin, key.publicKeyRaw);
        await sql`update checkpoints set note = ${signCheckpoint({ origin, size: opened.size, rootHash: opened.rootHash }, key)} where size = ${opened.size}`.execute(
          store.db,
        );
        await sql.raw(`update ledger_entries set entry = replace(entry, 'Old task 0', 'Old task 9')`).execute(store.db);
        await store.close();
        await expect(startServer(config, { logger: false })).rejects.toThrow(
          /does not have the root of its latest signed checkpoint/,
        );
      } finally {
        await b.drop();
      }
    });
  });
}
