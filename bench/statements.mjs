#!/usr/bin/env node
// Statements, transactions and server CPU per request of the lifecycle (create → approve → execute →
// complete), per backend: where the lifecycle's time goes, before changing it (issue 29). One client,
// one request at a time, so group commit batches nothing and each request's statements are its own;
// counts are exact and do not depend on the machine's load (CPU per request does, a little). Counted
// at the driver (store/statements.ts): on PostgreSQL each statement is a round trip, on SQLite each
// `commit` of a write is an fsync. `node bench/statements.mjs` after `npm run build`;
// BENCH_LIFECYCLES (50), BENCH_PG=0 / BENCH_SQLITE=0, BENCH_SQL=1 (print each statement of the last lifecycle).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startServer } from '@humanos/server';
import { ADMIN, benchConfig, callJson, fmt } from './common.mjs';

const N = Number(process.env.BENCH_LIFECYCLES ?? 50);

/** `callJson` (common.mjs) with the method first, as the calls below read. */
const call = (url, method, path, token, body) => callJson(url, path, token, method, body);

async function database(storage) {
  if (storage !== 'postgres') return { env: {}, drop: async () => {} };
  const pg = (await import('pg')).default;
  const name = `humanos_stmts_${Date.now()}`;
  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await admin(`create database ${name}`);
  return {
    env: { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${name}` },
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

const diff = (after, before) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => v),
  );

async function measure(storage) {
  const dir = mkdtempSync(join(os.tmpdir(), 'humanos-stmts-'));
  const db = await database(storage);
  const config = benchConfig(dir, db.env);
  const server = await startServer(config, { logger: false });
  const counts = server.service.store.statements;
  try {
    const agent = (await call(server.url, 'POST', '/v1/humanos/principals', ADMIN, { id: 'did:agent:s', roles: [] }))
      .token;
    const human = (
      await call(server.url, 'POST', '/v1/humanos/principals', ADMIN, { id: 'did:human:s', roles: ['ops'] })
    ).token;
    const steps = {
      create: async (ctx) => {
        const t = await call(server.url, 'POST', '/v1/humanos/tasks', agent, {
          description: 'Restart the billing worker',
          humanInLoop: { approverRole: 'ops' },
          payload: { worker: ctx.i },
        });
        ctx.task = t;
      },
      approve: (ctx) =>
        call(server.url, 'POST', `/v1/humanos/approvals/${ctx.task.approvalRequest.id}/approve`, human, {
          approvalReason: 'ok',
        }),
      execute: async (ctx) => {
        ctx.exec = await call(server.url, 'POST', `/v1/humanos/tasks/${ctx.task.taskId}/execute`, agent, {});
      },
      complete: (ctx) =>
        call(server.url, 'POST', `/v1/humanos/tasks/${ctx.task.taskId}/complete`, agent, {
          result: { ok: true },
          executionId: ctx.exec.executionId,
        }),
    };
    // Warm-up (prepared statements, caches), then measured lifecycles with a pause so that timers
    // and the group committer's flush of the previous request are not counted in the next.
    for (let i = 0; i < 3; i++) {
      const ctx = { i: -1 - i };
      for (const step of Object.values(steps)) await step(ctx);
    }
    const totals = Object.fromEntries(Object.keys(steps).map((k) => [k, { stmts: {}, cpu: 0 }]));
    for (let i = 0; i < N; i++) {
      const ctx = { i };
      for (const [name, step] of Object.entries(steps)) {
        await new Promise((r) => setTimeout(r, 20));
        const trace = process.env.BENCH_SQL === '1' && i === N - 1;
        if (trace) counts.traceTexts();
        const before = counts.snapshot();
        const cpu0 = process.cpuUsage();
        await step(ctx);
        const cpu = process.cpuUsage(cpu0);
        if (trace) {
          console.log(`\n### ${storage} ${name}: the statements of one request\n`);
          for (const [sql, n] of counts.takeTexts()) console.log(`${n} × ${sql.replace(/\s+/g, ' ').slice(0, 220)}`);
        }
        const d = diff(counts.snapshot(), before);
        for (const [k, v] of Object.entries(d)) totals[name].stmts[k] = (totals[name].stmts[k] ?? 0) + v;
        totals[name].cpu += (cpu.user + cpu.system) / 1000;
      }
    }
    return totals;
  } finally {
    await server.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const KINDS = ['select', 'insert', 'update', 'delete', 'begin', 'savepoint', 'commit', 'other'];
console.log(`# Statements per request — ${new Date().toISOString()}, ${N} lifecycles, one client`);
console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}`);
for (const storage of ['sqlite', 'postgres']) {
  if (storage === 'sqlite' && process.env.BENCH_SQLITE === '0') continue;
  if (storage === 'postgres' && process.env.BENCH_PG === '0') continue;
  const totals = await measure(storage);
  console.log(`\n## ${storage}\n`);
  console.log(`| request | ${KINDS.join(' | ')} | statements | CPU ms (server + client, one process) |`);
  console.log(`|---|${KINDS.map(() => '---').join('|')}|---|---|`);
  const sum = { stmts: {}, cpu: 0 };
  for (const [name, t] of Object.entries(totals)) {
    const all = Object.values(t.stmts).reduce((a, b) => a + b, 0);
    for (const [k, v] of Object.entries(t.stmts)) sum.stmts[k] = (sum.stmts[k] ?? 0) + v;
    sum.cpu += t.cpu;
    console.log(
      `| ${name} | ${KINDS.map((k) => fmt((t.stmts[k] ?? 0) / N)).join(' | ')} | **${fmt(all / N)}** | ${fmt(t.cpu / N, 2)} |`,
    );
  }
  const all = Object.values(sum.stmts).reduce((a, b) => a + b, 0);
  console.log(
    `| lifecycle | ${KINDS.map((k) => fmt((sum.stmts[k] ?? 0) / N)).join(' | ')} | **${fmt(all / N)}** | ${fmt(sum.cpu / N, 2)} |`,
  );
}
