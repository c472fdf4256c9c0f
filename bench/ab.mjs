#!/usr/bin/env node
// Interleaved A/B latency: two builds of the server (two checkouts, A and B) on two fresh databases,
// one lifecycle (create → approve → execute → complete) on each in turn, one request at a time, so
// both see the same machine noise. For changes too small to see across separate runs on a noisy VM.
//   git worktree add /tmp/base <sha> && (cd /tmp/base && npm run build)   # or link node_modules
//   BENCH_A=/tmp/base BENCH_B=. node bench/ab.mjs
// BENCH_LIFECYCLES (600; the first 50 of each, or a quarter of fewer, are warm-up), BENCH_SQLITE=1 (SQLite instead of
// PostgreSQL), BENCH_PG_SERVER (postgres://postgres@127.0.0.1:5432). Prints p50 and mean per request
// and each server's CPU per lifecycle (from /proc: Linux).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ADMIN, callJson } from './common.mjs';

const N = Number(process.env.BENCH_LIFECYCLES ?? 600);
// Warm-up lifecycles left out of the figures: 50, or a quarter of a shorter run.
const WARM = Math.min(50, Math.floor(N / 4));
const sqlite = process.env.BENCH_SQLITE === '1';
const PG_SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const admin = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
if (!sqlite) await admin.connect();

async function start(root, tag) {
  const name = `humanos_ab_${tag}_${Date.now()}`;
  if (!sqlite) await admin.query(`create database ${name}`);
  const env = {
    ...process.env,
    PORT: '0',
    HUMANOS_DATA_DIR: mkdtempSync(join(os.tmpdir(), 'humanos-ab-')),
    HUMANOS_ADMIN_TOKEN: ADMIN,
    HUMANOS_RATE_LIMIT: '0',
    HUMANOS_LOG_LEVEL: 'silent',
    ...(sqlite ? {} : { DATABASE_URL: `${PG_SERVER}/${name}` }),
  };
  const proc = spawn(process.execPath, [join(resolve(root), 'packages/server/dist/main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/i.exec(out);
      if (m) ok(m[1]);
    });
  });
  const call = (method, path, token, body) => callJson(url, path, token, method, body);
  const agent = (await call('POST', '/v1/humanos/principals', ADMIN, { id: 'did:agent:ab', roles: [] })).token;
  const human = (await call('POST', '/v1/humanos/principals', ADMIN, { id: 'did:human:ab', roles: ['ops'] })).token;
  const times = { create: [], approve: [], execute: [], complete: [] };
  return { proc, call, agent, human, name, times };
}

async function lifecycle(s, i) {
  const { call, agent, human, times } = s;
  let t0 = performance.now();
  const lap = (k) => {
    times[k].push(performance.now() - t0);
    t0 = performance.now();
  };
  const task = await call('POST', '/v1/humanos/tasks', agent, {
    description: 'ab',
    humanInLoop: { approverRole: 'ops' },
    payload: { i },
  });
  lap('create');
  await call('POST', `/v1/humanos/approvals/${task.approvalRequest.id}/approve`, human, { approvalReason: 'ok' });
  lap('approve');
  const e = await call('POST', `/v1/humanos/tasks/${task.taskId}/execute`, agent, {});
  lap('execute');
  await call('POST', `/v1/humanos/tasks/${task.taskId}/complete`, agent, { result: {}, executionId: e.executionId });
  lap('complete');
}

/** CPU time (user + system) of a child process so far, in ms (Linux /proc, clock ticks of 10 ms). */
const cpuMs = (s) => {
  const f = readFileSync(`/proc/${s.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

const A = await start(process.env.BENCH_A ?? '.', 'a');
const B = await start(process.env.BENCH_B ?? '.', 'b');
const before = [cpuMs(A), cpuMs(B)];
for (let i = 0; i < N; i++) {
  // Alternate which goes first, so neither always follows the other.
  const [x, y] = i % 2 ? [A, B] : [B, A];
  await lifecycle(x, i);
  await lifecycle(y, i);
}
const after = [cpuMs(A), cpuMs(B)];
const kept = (v) => v.slice(WARM).sort((a, b) => a - b);
const p50 = (v) => kept(v)[Math.floor((kept(v).length - 1) / 2)].toFixed(2);
const mean = (v) => (kept(v).reduce((a, b) => a + b, 0) / kept(v).length).toFixed(2);
console.log(
  `A = ${process.env.BENCH_A ?? '.'}, B = ${process.env.BENCH_B ?? '.'} (${sqlite ? 'SQLite' : 'PostgreSQL'}, ${N} lifecycles each, interleaved)`,
);
console.log(
  `server CPU per lifecycle: A ${((after[0] - before[0]) / N).toFixed(2)} ms, B ${((after[1] - before[1]) / N).toFixed(2)} ms`,
);
for (const k of Object.keys(A.times)) {
  console.log(
    `${k.padEnd(9)} A p50 ${p50(A.times[k])} mean ${mean(A.times[k])}   B p50 ${p50(B.times[k])} mean ${mean(B.times[k])}`,
  );
}
for (const s of [A, B]) {
  s.proc.kill();
  await new Promise((r) => s.proc.once('exit', r));
  if (!sqlite) await admin.query(`drop database if exists ${s.name} with (force)`);
}
if (!sqlite) await admin.end();
