#!/usr/bin/env node
// Operations benchmark (issue #13), run by hand: `npm run build && node bench/ops.mjs`. Never a test.
// For each server build — "before" (BENCH_BEFORE_MAIN, e.g. the base commit built in a temp worktree)
// and "after" (this tree) — measured in the same run on the same machine:
//   1. /healthz latency while one decision wakes BENCH_WAITERS (2 000) long-polls on its task;
//   2. /healthz latency and server CPU while BENCH_STREAMS (2 000) SSE streams are open (idle, then a
//      burst of 20 new tasks every stream must hear of);
//   3. server RSS (sampled every 50 ms, and the kernel's peak) during GET /ledger/export of a
//      BENCH_LEDGER_SIZE (10^6) entry SQLite ledger, and the export's time and size.
// /healthz is probed from a separate process, back to back, so the load generator's own event loop
// does not inflate the figures. SQLite; HUMANOS_RATE_LIMIT=0 (the old build has no limit either).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADMIN, fmt as f, pct } from './stats.mjs';

const ROOT = join(import.meta.dirname, '..');
const WAITERS = Number(process.env.BENCH_WAITERS ?? 2000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 2000);
const LEDGER = Number(process.env.BENCH_LEDGER_SIZE ?? 1_000_000);
/** Runs of the wake-up and stream scenarios per build (the machine is shared: figures vary). */
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- prober: `node bench/ops.mjs --probe URL` prints {latencies} when it receives SIGTERM -------------
// Open loop: one /healthz every PROBE_EVERY_MS whatever the answers, each timed from when it was due.
// A closed loop (next request after the previous answer) would record a 2 s stall as one slow sample
// (coordinated omission); here it is 2 s / 5 ms = 400 slow samples, as users would see it.
const PROBE_EVERY_MS = 5;
if (process.argv[2] === '--probe') {
  const url = process.argv[3];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const lat = [];
  let inFlight = 0;
  const t0 = performance.now();
  let n = 0;
  const tick = () => {
    const due = t0 + n * PROBE_EVERY_MS;
    n++;
    inFlight++;
    http
      .get(`${url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          // The parent starts its scenario once the prober has been answered (see startProbe).
          if (lat.length === 0) process.stdout.write('ready\n');
          lat.push(performance.now() - due);
          inFlight--;
        });
      })
      .on('error', () => {
        inFlight--;
      });
    setTimeout(tick, Math.max(0, t0 + n * PROBE_EVERY_MS - performance.now()));
  };
  tick();
  process.on('SIGTERM', async () => {
    // Requests still unanswered count as late as they are now.
    const now = performance.now();
    for (let k = 0; k < inFlight; k++) lat.push(now - (t0 + (n - 1 - k) * PROBE_EVERY_MS));
    process.stdout.write(JSON.stringify(lat), () => process.exit(0));
  });
  await new Promise(() => {}); // the benchmark below is for the parent process only
}

/** Starts the prober; resolves once it has been answered, so a scenario never runs unobserved. */
async function startProbe(url) {
  const p = spawn(process.execPath, [import.meta.filename, '--probe', url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => {
      out += d;
      if (out.startsWith('ready\n')) resolve(undefined);
    });
    p.once('exit', (code) => reject(new Error(`the /healthz prober exited (${code}) before its first answer`)));
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        // 'close', not 'exit': stdout may still hold data when the process has exited.
        p.once('close', () => resolve(JSON.parse(out.slice('ready\n'.length) || '[]')));
        p.kill('SIGTERM');
      }),
  };
}

const summary = (lat) =>
  `p50 ${f(pct(lat, 50))} ms, p99 ${f(pct(lat, 99))} ms, max ${f(Math.max(...lat))} ms (${lat.length} probes)`;

// BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers (stopped with SIGTERM then).
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

function startServer(main, env) {
  const proc = spawn(process.execPath, [...NODE_ARGS, main], {
    env: {
      ...process.env,
      PORT: '0',
      HUMANOS_ADMIN_TOKEN: ADMIN,
      HUMANOS_LOG_LEVEL: 'silent',
      HUMANOS_RATE_LIMIT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      const stop = () =>
        new Promise((r) => {
          proc.once('exit', r);
          proc.kill(NODE_ARGS.length > 0 ? 'SIGTERM' : 'SIGKILL');
        });
      if (m) resolve({ url: m[1], proc, stop });
    });
    proc.once('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
function request(url, method, path, token, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${url}${path}`,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
const api = (url, token) => ({
  post: async (path, body) => (await request(url, 'POST', `/v1/humanos${path}`, token, body ?? {})).body,
  get: (path) => request(url, 'GET', `/v1/humanos${path}`, token),
});

/** utime+stime of a process, in seconds (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const rssMiB = (pid, field = 'VmRSS') =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

async function wakeup(main) {
  const dir = mkdtempSync(join(os.tmpdir(), 'humanos-ops-bench-'));
  const s = await startServer(main, { HUMANOS_DATA_DIR: dir });
  const admin = api(s.url, ADMIN);
  const agentToken = (await admin.post('/principals', { id: 'did:agent:bench', roles: [] })).token;
  const approver = api(s.url, (await admin.post('/principals', { id: 'did:human:ops', roles: ['ops'] })).token);
  const task = await api(s.url, agentToken).post('/tasks', {
    description: 'one decision, many waiters',
    humanInLoop: { approverRole: 'ops' },
  });
  const t0 = performance.now();
  const resolved = [];
  const polls = Array.from({ length: WAITERS }, () =>
    request(s.url, 'GET', `/v1/humanos/tasks/${task.taskId}/decision?wait=60`, agentToken).then((r) => {
      resolved.push(performance.now());
      return r.status;
    }),
  );
  await sleep(3000); // every long-poll is registered and idle
  const probe = await startProbe(s.url);
  await sleep(500);
  const decidedAt = performance.now();
  await approver.post(`/approvals/${task.approvalRequest.id}/approve`, { approvalReason: 'go' });
  const statuses = await Promise.all(polls);
  const allAt = performance.now();
  await sleep(300);
  const lat = await probe.stop();
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
  const ok = statuses.filter((x) => x === 200).length;
  return {
    lat,
    text: `${ok}/${WAITERS} long-polls answered 200; all answered ${f(allAt - decidedAt, 0)} ms after the approve was sent (opened in ${f(decidedAt - t0 - 3500, 0)} ms)`,
  };
}

async function streams(main) {
  const dir = mkdtempSync(join(os.tmpdir(), 'humanos-ops-bench-'));
  const s = await startServer(main, { HUMANOS_DATA_DIR: dir });
  const admin = api(s.url, ADMIN);
  const agentApi = api(s.url, (await admin.post('/principals', { id: 'did:agent:bench', roles: [] })).token);
  const PER = 20;
  const tokens = [];
  for (let i = 0; i < Math.ceil(STREAMS / PER); i++) {
    tokens.push((await admin.post('/principals', { id: `did:human:watch${i}`, roles: ['ops'] })).token);
  }
  let events = 0;
  const reqs = [];
  let opened = 0;
  await Promise.all(
    Array.from(
      { length: STREAMS },
      (_, i) =>
        new Promise((resolve) => {
          const req = http.get(
            `${s.url}/v1/humanos/events`,
            { agent, headers: { authorization: `Bearer ${tokens[Math.floor(i / PER)]}` } },
            (res) => {
              if (res.statusCode === 200) opened++;
              res.setEncoding('utf8');
              res.on('data', (c) => {
                events += (c.match(/\nevent: task\.created/g) ?? []).length;
                resolve();
              });
              res.on('end', resolve);
            },
          );
          req.on('error', resolve);
          reqs.push(req);
        }),
    ),
  );
  await sleep(2000);
  // CPU of the idle streams alone (no probe traffic), then /healthz latency with them open.
  const cpu0 = cpuSeconds(s.proc.pid);
  const w0 = performance.now();
  await sleep(10_000);
  const cpuIdle = (cpuSeconds(s.proc.pid) - cpu0) / ((performance.now() - w0) / 1000);
  const probe = await startProbe(s.url);
  await sleep(10_000);
  const idleLat = await probe.stop();
  const probe2 = await startProbe(s.url);
  const before = events;
  for (let i = 0; i < 20; i++) {
    await agentApi.post('/tasks', { description: `burst ${i}`, humanInLoop: { approverRole: 'ops' } });
    await sleep(100);
  }
  await sleep(1000);
  const burstLat = await probe2.stop();
  const delivered = events - before;
  for (const r of reqs) r.destroy();
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    idleLat,
    burstLat,
    text: `${opened}/${STREAMS} streams open; idle server CPU ${f(cpuIdle * 100, 0)} % of a core; burst: ${delivered}/${20 * opened} task.created events delivered`,
  };
}

/** A SQLite store with `n` ledger entries written directly (as `bench/run.mjs ledger` does). */
async function buildLedger(n) {
  const { generateSigningKey, signingKeyToPem } = await import('@humanos/core');
  const { Ledger, openStore } = await import('@humanos/server');
  const dir = mkdtempSync(join(os.tmpdir(), 'humanos-ops-ledger-'));
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'humanos.db') });
  const key = generateSigningKey();
  writeFileSync(join(dir, 'signing-key.pem'), signingKeyToPem(key), { mode: 0o600 });
  const ledger = new Ledger(store.dialect, key, 'bench.ledger/0');
  const entry = (i) => ({
    type: 'task.created',
    at: new Date(0).toISOString(),
    actor: 'did:agent:bench',
    taskId: `task:human:${String(i).padStart(24, '0')}`,
    data: { i, description: 'Restart the billing worker on host db-7', payload: { worker: i % 16 } },
  });
  for (let i = 0; i < n; i += 1000) {
    const k = Math.min(1000, n - i);
    await store.db.transaction().execute(async (trx) => {
      const start = await ledger.size(trx);
      await ledger.append(
        trx,
        Array.from({ length: k }, (_, j) => entry(i + j)),
      );
      await ledger.seal(trx, start, 0, []);
    });
  }
  await store.close();
  return dir;
}

async function exportRss(main, dir) {
  const s = await startServer(main, { HUMANOS_DATA_DIR: dir, HUMANOS_LEDGER_ORIGIN: 'bench.ledger/0' });
  await sleep(1000);
  const pid = s.proc.pid;
  const startRss = rssMiB(pid);
  let maxRss = startRss;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, rssMiB(pid));
  }, 50);
  const probe = await startProbe(s.url);
  const t0 = performance.now();
  const result = await new Promise((resolve) => {
    http.get(`${s.url}/v1/humanos/ledger/export`, { headers: { authorization: `Bearer ${ADMIN}` } }, (res) => {
      let bytes = 0;
      let lines = 0;
      res.on('data', (c) => {
        bytes += c.length;
        for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes, lines }));
      res.on('error', (e) => resolve({ status: res.statusCode, bytes, lines, error: e.message }));
    });
  });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  const lat = await probe.stop();
  const peak = rssMiB(pid, 'VmHWM');
  await s.stop();
  return {
    lat,
    text: `HTTP ${result.status}, ${f(result.bytes / 2 ** 20, 0)} MiB, ${result.lines.toLocaleString()} lines in ${f(ms / 1000, 1)} s; RSS ${f(startRss, 0)} → max ${f(maxRss, 0)} MiB sampled (kernel peak ${f(peak, 0)} MiB)${result.error ? `; ${result.error}` : ''}`,
  };
}

const builds = [
  ['before', process.env.BENCH_BEFORE_MAIN],
  ['after', join(ROOT, 'packages/server/dist/main.js')],
].filter(([, main]) => main);
console.log(`# HumanOS operations benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}; builds: ${builds.map(([n, m]) => `${n}=${m}`).join(', ')}`,
);
const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'wakeup') {
  console.log(`\n## /healthz while one decision wakes ${WAITERS} long-polls (target p99 ≤ 50 ms)`);
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, main] of builds) {
      const r = await wakeup(main);
      console.log(`${name} (run ${run}): ${summary(r.lat)}; ${r.text}`);
    }
  }
}
if (which === 'all' || which === 'streams') {
  console.log(`\n## /healthz with ${STREAMS} SSE streams open (target p99 ≤ 50 ms)`);
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, main] of builds) {
      const r = await streams(main);
      console.log(
        `${name} (run ${run}): idle ${summary(r.idleLat)}; burst of 20 tasks ${summary(r.burstLat)}; ${r.text}`,
      );
    }
  }
}
if (which === 'all' || which === 'export') {
  console.log(`\n## GET /ledger/export of ${LEDGER.toLocaleString()} entries (SQLite)`);
  const t0 = performance.now();
  const dir = await buildLedger(LEDGER);
  console.log(`(ledger written in ${f((performance.now() - t0) / 1000, 0)} s)`);
  for (const [name, main] of builds) {
    const r = await exportRss(main, dir);
    console.log(`${name}: ${r.text}; /healthz during it ${summary(r.lat)}`);
  }
  rmSync(dir, { recursive: true, force: true });
}
