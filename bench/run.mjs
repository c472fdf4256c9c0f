#!/usr/bin/env node
// HumanOS benchmarks. Run by hand (`npm run bench [-- lifecycle|wakeup|ledger]`); never part of the
// test suite. Every figure is printed next to a baseline measured in the same run on the same machine.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { didKeyFromPublicKey, generateSigningKey, parseLedgerExport, verifyLedger } from '@humanos/core';
import { exportLedger, Ledger, openStore } from '@humanos/server';
import { callJson } from './common.mjs';
import { ADMIN, fmt, pct } from './stats.mjs';

const ROOT = join(import.meta.dirname, '..');
// BENCH_PG_SERVER: where PostgreSQL is (a TCP hop with added delay stands in for a database on
// another host: `bench/db-hop.mjs`).
const PG_SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const which = process.argv[2] ?? 'all';

function spawnNode(args, env) {
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/i.exec(out);
      if (m) {
        proc.stdout.off('data', onData);
        proc.stdout.resume();
        resolve({
          url: m[1],
          proc,
          stop: () =>
            new Promise((r) => {
              proc.once('exit', r);
              proc.kill('SIGTERM');
            }),
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => (out += d));
    proc.once('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
}

/** `callJson` (common.mjs) with the method first, as the calls below read. */
const call = (url, method, path, token, body) => callJson(url, path, token, method, body);

async function runConcurrent(concurrency, seconds, fn) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let i = 0;
      while (performance.now() < end) {
        // Not `done += await fn()`: that reads `done` before the await and loses other workers' counts.
        const n = await fn(w, i++);
        done += n;
      }
    }),
  );
  return done;
}

/**
 * The server's SQL statements so far by kind (`humanos_db_statements_total`): under load, how many
 * statements a request costs once group commit shares a batch's begin, lock, seal and commit.
 */
async function statementsOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = {};
  for (const m of text.matchAll(/^humanos_db_statements_total\{kind="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** A process's CPU time so far (user + system, every thread) in seconds, from /proc; undefined elsewhere. */
function cpuSeconds(pid) {
  try {
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th there.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

// One run of bench/langgraph.mjs in its own process (its own checkpoint file): { synchronous, cycles }.
// The caller runs them one after the other, so the two never share the CPU.
async function langgraphCycles(dir, synchronous, seconds, concurrency) {
  const proc = spawn(
    process.execPath,
    [
      join(ROOT, 'bench/langgraph.mjs'),
      join(dir, `langgraph-${synchronous}.sqlite`),
      String(seconds),
      String(concurrency),
      synchronous,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => proc.once('exit', r));
  if (code !== 0) throw new Error(`bench/langgraph.mjs exited ${code}: ${out}`);
  return JSON.parse(out);
}

async function lifecycle(storage) {
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
  const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
  // Baseline: the same framework, an empty route, the same client and concurrency.
  const bare = await spawnNode([join(ROOT, 'bench/bare-server.mjs')], { PORT: '0' });
  const empty = async () => {
    await call(bare.url, 'POST', '/empty', 'x', { a: 1 });
    return 1;
  };
  await runConcurrent(CONCURRENCY, 1, empty); // warm-up
  const bareReqs = await runConcurrent(CONCURRENCY, SECONDS, empty);
  await bare.stop();

  const dir = mkdtempSync(join(os.tmpdir(), 'humanos-bench-'));
  let dbEnv = {};
  let dropDb = async () => {};
  if (storage === 'postgres') {
    const pg = (await import('pg')).default;
    const name = `humanos_bench_${Date.now()}`;
    const c = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    dbEnv = { DATABASE_URL: `${PG_SERVER}/${name}` };
    dropDb = async () => {
      const d = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    };
  }
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = await spawnNode([...nodeArgs, join(ROOT, 'packages/server/dist/main.js')], {
    PORT: '0',
    HUMANOS_DATA_DIR: dir,
    HUMANOS_ADMIN_TOKEN: ADMIN,
    // Throughput benchmarks: one agent far above the default per-principal rate limit.
    HUMANOS_RATE_LIMIT: '0',
    HUMANOS_LOG_LEVEL: 'silent',
    ...dbEnv,
  });
  const agent = (await call(server.url, 'POST', '/v1/humanos/principals', ADMIN, { id: 'did:agent:bench', roles: [] }))
    .token;
  const approvers = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    approvers.push(
      (await call(server.url, 'POST', '/v1/humanos/principals', ADMIN, { id: `did:human:b${i}`, roles: ['ops'] }))
        .token,
    );
  }
  const oneLifecycle = async (w) => {
    const t = await call(server.url, 'POST', '/v1/humanos/tasks', agent, {
      description: 'Restart the billing worker',
      humanInLoop: { approverRole: 'ops' },
      payload: { worker: w },
    });
    await call(server.url, 'POST', `/v1/humanos/approvals/${t.approvalRequest.id}/approve`, approvers[w], {
      approvalReason: 'ok',
    });
    const e = await call(server.url, 'POST', `/v1/humanos/tasks/${t.taskId}/execute`, agent, {});
    await call(server.url, 'POST', `/v1/humanos/tasks/${t.taskId}/complete`, agent, {
      result: { ok: true },
      executionId: e.executionId,
    });
    return 4;
  };
  await runConcurrent(CONCURRENCY, 1, oneLifecycle); // warm-up
  const stmtsBefore = await statementsOf(server.url);
  const cpuBefore = cpuSeconds(server.proc.pid);
  const reqs = await runConcurrent(CONCURRENCY, SECONDS, oneLifecycle);
  const cpuAfter = cpuSeconds(server.proc.pid);
  const stmtsAfter = await statementsOf(server.url);
  const stmts = Object.fromEntries(Object.entries(stmtsAfter).map(([k, v]) => [k, v - (stmtsBefore[k] ?? 0)]));
  const serverCpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  // LangGraph's own pause-and-resume with its SQLite checkpointer, same clients, same seconds, while
  // the HumanOS server idles (it only answers the wake-ups below, after this).
  const langgraph = [];
  if (storage === 'sqlite' && process.env.BENCH_LANGGRAPH !== '0')
    for (const sync of ['NORMAL', 'FULL']) langgraph.push(await langgraphCycles(dir, sync, SECONDS, CONCURRENCY));

  // Wake-up: a long-polling waiter (on `waitUrl`), then a decision (on the first server); latency =
  // waiter's receipt − decision time.
  const wakeups = async (waitUrl) => {
    const out = [];
    // The approve request's own latency (sent → answered): the floor under the wake-up figure.
    const decide = [];
    for (let i = 0; i < Number(process.env.BENCH_WAKEUPS ?? 200); i++) {
      const t = await call(server.url, 'POST', '/v1/humanos/tasks', agent, {
        description: 'Wake test',
        humanInLoop: { approverRole: 'ops' },
      });
      const waiter = call(waitUrl, 'GET', `/v1/humanos/tasks/${t.taskId}/decision?wait=30`, agent).then(
        () => performance.timeOrigin + performance.now(),
      );
      await new Promise((r) => setTimeout(r, 5));
      const sent = performance.now();
      const decided = await call(
        server.url,
        'POST',
        `/v1/humanos/approvals/${t.approvalRequest.id}/approve`,
        approvers[0],
        { approvalReason: 'ok' },
      );
      decide.push(performance.now() - sent);
      const woke = await waiter;
      out.push(Math.max(0, woke - Date.parse(decided.approvedAt)));
    }
    return Object.assign(out, { decide });
  };
  const lat = await wakeups(server.url);
  // Two replicas on PostgreSQL: wait on one, decide on the other; against a raw LISTEN/NOTIFY round
  // trip between two connections, measured here on the same database.
  let replica;
  if (storage === 'postgres') {
    const second = await spawnNode([...nodeArgs, join(ROOT, 'packages/server/dist/main.js')], {
      PORT: '0',
      HUMANOS_DATA_DIR: dir,
      HUMANOS_ADMIN_TOKEN: ADMIN,
      // Throughput benchmarks: one agent far above the default per-principal rate limit.
      HUMANOS_RATE_LIMIT: '0',
      HUMANOS_LOG_LEVEL: 'silent',
      ...dbEnv,
    });
    const crossLat = await wakeups(second.url);
    await second.stop();
    const pg = (await import('pg')).default;
    const listener = new pg.Client({ connectionString: dbEnv.DATABASE_URL });
    const notifier = new pg.Client({ connectionString: dbEnv.DATABASE_URL });
    await listener.connect();
    await notifier.connect();
    await listener.query('listen bench_raw');
    const rawLat = [];
    for (let i = 0; i < Number(process.env.BENCH_WAKEUPS ?? 200); i++) {
      const got = new Promise((r) => listener.once('notification', () => r(performance.now())));
      const sent = performance.now();
      await notifier.query(`select pg_notify('bench_raw', '${i}')`);
      rawLat.push((await got) - sent);
    }
    await listener.end();
    await notifier.end();
    replica = { crossLat, rawLat };
  }
  await server.stop();
  await dropDb();
  rmSync(dir, { recursive: true, force: true });
  const bareRps = bareReqs / SECONDS;
  const rps = reqs / SECONDS;
  console.log(`\n## Lifecycle (${storage}; ${CONCURRENCY} concurrent clients, ${SECONDS} s each)`);
  console.log(`bare fastify empty route:        ${fmt(bareRps, 0)} req/s`);
  console.log(`HumanOS create/approve/execute/complete: ${fmt(rps, 0)} req/s (${fmt(rps / 4, 0)} lifecycles/s)`);
  console.log(`ratio:                           ${fmt((100 * rps) / bareRps)} % of bare (target ≥ 50 %)`);
  if (serverCpu !== undefined)
    console.log(
      `server CPU per request:          ${fmt((serverCpu * 1e6) / reqs, 0)} µs (user + system, all threads; less sensitive than req/s to a noisy neighbour)`,
    );
  const perReq = (k) => fmt((stmts[k] ?? 0) / reqs, 2);
  const total = Object.values(stmts).reduce((a, b) => a + b, 0);
  console.log(
    `statements per request under load: ${fmt(total / reqs, 2)} (select ${perReq('select')}, insert ${perReq('insert')}, update ${perReq('update')}, savepoint ${perReq('savepoint')}, commit ${perReq('commit')}); ${fmt(reqs / Math.max(1, stmts.commit ?? 0), 1)} requests per committed batch`,
  );
  console.log(
    `decision → long-poll wake-up:    p50 ${fmt(pct(lat, 50))} ms, p99 ${fmt(pct(lat, 99))} ms, max ${fmt(Math.max(...lat))} ms (n=${lat.length}; ms clock resolution)`,
  );
  console.log(
    `  the approve itself (sent → answered, one at a time): p50 ${fmt(pct(lat.decide, 50))} ms, p99 ${fmt(pct(lat.decide, 99))} ms`,
  );
  if (langgraph.length > 0) {
    const version = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/@langchain/langgraph/package.json'), 'utf8'),
    ).version;
    console.log(`LangGraph.js ${version} interrupt → resume → execute, SqliteSaver, in-process (no HTTP):`);
    for (const { synchronous, cycles } of langgraph) {
      const lgRate = cycles / SECONDS;
      const label =
        synchronous === 'FULL' ? 'synchronous=FULL (as durable as HumanOS)' : 'as shipped (WAL, synchronous=NORMAL)';
      console.log(
        `  ${label.padEnd(42)} ${fmt(lgRate, 0)} cycles/s → HumanOS ${fmt(rps / 4 / lgRate, 2)}× (target ≥ 3×)`,
      );
    }
  }
  if (replica) {
    const { crossLat, rawLat } = replica;
    console.log(
      `raw LISTEN/NOTIFY round trip:    p50 ${fmt(pct(rawLat, 50), 2)} ms, p99 ${fmt(pct(rawLat, 99), 2)} ms (notify sent → received, two connections)`,
    );
    console.log(
      `two replicas, wait on B, decide on A: p50 ${fmt(pct(crossLat, 50))} ms, p99 ${fmt(pct(crossLat, 99))} ms (decision time → B's waiter; target within 3× of raw: ${fmt(pct(crossLat, 99) / pct(rawLat, 99))}× at p99)`,
    );
  }
}

async function ledgerBench() {
  const N = Number(process.env.BENCH_LEDGER_SIZE ?? 1_000_000);
  const dir = mkdtempSync(join(os.tmpdir(), 'humanos-ledger-bench-'));
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'humanos.db') });
  const key = generateSigningKey();
  const ledger = new Ledger(store.dialect, key, 'bench.ledger/0');
  const entry = (i) => ({
    type: 'task.created',
    at: new Date(0).toISOString(),
    actor: 'did:agent:bench',
    taskId: `task:human:${String(i).padStart(24, '0')}`,
    data: { i },
  });

  // Appends: one entry per durable transaction (each with a signed checkpoint), then batches.
  let t0 = performance.now();
  const SINGLE = 2000;
  const append = (entries) =>
    store.db.transaction().execute(async (trx) => {
      const start = await ledger.size(trx);
      await ledger.append(trx, entries);
      await ledger.seal(trx, start, 0, []);
    });
  for (let i = 0; i < SINGLE; i++) await append([entry(i)]);
  const singleRate = SINGLE / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  const BATCH = 1000;
  for (let i = SINGLE; i < N; i += BATCH) {
    const n = Math.min(BATCH, N - i);
    await store.db.transaction().execute((trx) =>
      ledger.append(
        trx,
        Array.from({ length: n }, (_, k) => entry(i + k)),
        0,
      ),
    );
  }
  const batchRate = (N - SINGLE) / ((performance.now() - t0) / 1000);

  // Inclusion proofs at N entries.
  const size = await ledger.size(store.db);
  const proofMs = [];
  for (let i = 0; i < 2000; i++) {
    const idx = Math.floor(Math.random() * size);
    const s = performance.now();
    await ledger.inclusionProof(store.db, idx, size);
    proofMs.push(performance.now() - s);
  }

  // Offline verification vs raw SHA-256 over the same bytes.
  const text = await exportLedger({
    db: store.db,
    ledger,
    origin: 'bench.ledger/0',
    signerDid: didKeyFromPublicKey(key.publicKeyRaw),
  });
  const bundle = parseLedgerExport(text);
  const bytes = bundle.entries.map((e) => Buffer.from(e.entry));
  t0 = performance.now();
  // Raw: the same number of SHA-256 calls a tree needs (n leaves + n−1 nodes) over the same bytes.
  const leaves = bytes.map((b) => createHash('sha256').update(b).digest());
  for (let i = 0; i + 1 < leaves.length; i++)
    createHash('sha256')
      .update(leaves[i])
      .update(leaves[i + 1])
      .digest();
  const rawMs = performance.now() - t0;
  t0 = performance.now();
  const report = verifyLedger(bundle, undefined);
  const verifyMs = performance.now() - t0;
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`\n## Ledger (SQLite, ${size.toLocaleString()} entries)`);
  console.log(`append, 1 entry per durable tx + signed checkpoint: ${fmt(singleRate, 0)} entries/s`);
  console.log(`append, ${BATCH} entries per tx + signed checkpoint:  ${fmt(batchRate, 0)} entries/s`);
  console.log(
    `inclusion proof at ${size.toLocaleString()}: p50 ${fmt(pct(proofMs, 50), 3)} ms, p99 ${fmt(pct(proofMs, 99), 3)} ms`,
  );
  console.log(`raw SHA-256 (2n−1 hashes over the entry bytes): ${fmt(rawMs, 0)} ms`);
  console.log(
    `full offline verification (${report.ok ? 'ok' : `FAILED: ${report.reason}`}, ${report.checkpointsVerified} checkpoints): ${fmt(verifyMs, 0)} ms = ${fmt(verifyMs / rawMs, 2)}× raw (target ≤ 1.5×)`,
  );
}

console.log(`# HumanOS benchmarks — ${new Date().toISOString()}`);
console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
);
if (which === 'all' || which === 'lifecycle' || which === 'wakeup') {
  if (process.env.BENCH_SQLITE !== '0') await lifecycle('sqlite');
  if (process.env.BENCH_PG !== '0') await lifecycle('postgres');
}
if (which === 'all' || which === 'ledger') await ledgerBench();
