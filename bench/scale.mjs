#!/usr/bin/env node
// Scale benchmark (run by hand): 1,000,000 pending approvals with deadlines on SQLite.
// Measures the inbox page latency for one role over HTTP, server memory, and how late timers fire
// when 100,000 gates expire in the same second. Baseline in the same run: GET /healthz latency.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from '@humanos/server';
import Database from 'better-sqlite3';
import { ADMIN, benchConfig, callJson, fmt, pct } from './common.mjs';

const N = Number(process.env.BENCH_PENDING ?? 1_000_000);
const EXPIRING = Number(process.env.BENCH_EXPIRING ?? 100_000);
const mb = () => fmt(process.memoryUsage().rss / 2 ** 20, 0);

const dir = mkdtempSync(join(os.tmpdir(), 'humanos-scale-'));
const config = benchConfig(dir, { HUMANOS_TIMER_INTERVAL_MS: '50' });
// Start once to create the schema and principals, then stop and bulk-load rows directly.
let server = await startServer(config, { logger: false });
const call = (path, token, method, body) => callJson(server.url, path, token, method, body);
const approver = (
  await call('/v1/humanos/principals', ADMIN, 'POST', { id: 'did:human:bench-approver', roles: ['ops'] })
).token;
await server.close();

console.log(`# HumanOS scale benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, node ${process.version}`,
);
const t0 = performance.now();
const db = new Database(join(dir, 'humanos.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const now = Date.now();
const insTask =
  db.prepare(`insert into tasks (id, requester, on_behalf_of, description, required_capabilities, payload, approved_payload, approved_digest, hitl, policy, risk, ai_proposal, status, execution_id, executor, result, error, created_at, updated_at, created_seq)
  values (?, 'did:agent:bench', null, ?, '[]', '{}', null, null, '{}', '{}', '{"level":"low","factors":[],"mitigations":[]}', '{"action":"x","reasoning":null,"confidence":null,"alternatives":[]}', 'awaiting_approval', null, null, null, null, ?, ?, ?)`);
const insGate =
  db.prepare(`insert into approvals (id, task_id, kind, step, approver_role, required, status, requested_at, expires_at, escalation_policy, escalate_to, decided_at, reason, timeout_ms, remind_at, reminded)
  values (?, ?, 'execution', 0, ?, 1, 'pending', ?, ?, null, null, null, null, ?, null, 1)`);
const insRole = db.prepare(
  "insert into approval_roles (approval_id, role, status, requested_at) values (?, ?, 'pending', ?)",
);
// Parked far ahead while loading and measuring the inbox, then moved to "now + 5 s" all at once.
const PARKED = now + 365 * 86400_000;
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const taskId = `task:human:${randomBytes(12).toString('hex')}`;
    const gateId = `approval:human:${randomBytes(12).toString('hex')}`;
    // 100k expire together; the rest far in the future. Roles spread over 10 roles; "ops" gets 10 %.
    const role = i % 10 === 0 ? 'ops' : `role${i % 10}`;
    const expires = i < EXPIRING ? PARKED : now + 30 * 86400_000 + i;
    insTask.run(taskId, `pending task ${i}`, now - (N - i), now - (N - i), 1_000_000_000 + i);
    insGate.run(gateId, taskId, role, now - (N - i), expires, expires - now);
    insRole.run(gateId, role, now - (N - i));
  }
})();
db.close();
console.log(`loaded ${N.toLocaleString()} pending approvals in ${fmt((performance.now() - t0) / 1000)} s`);

server = await startServer(config, { logger: false });
// Baseline: the cheapest authenticated-free route on the same server.
const health = [];
for (let i = 0; i < 300; i++) {
  const s = performance.now();
  await fetch(`${server.url}/healthz`).then((r) => r.json());
  health.push(performance.now() - s);
}
const inbox = [];
let cursor = null;
for (let i = 0; i < 300; i++) {
  const s = performance.now();
  const page = await call(
    `/v1/humanos/approvals?status=pending&limit=50${cursor && i % 10 ? `&cursor=${cursor}` : ''}`,
    approver,
  );
  inbox.push(performance.now() - s);
  cursor = page.nextCursor;
  if (page.items.length !== 50) throw new Error(`short page: ${page.items.length}`);
}
console.log(`GET /healthz (baseline): p50 ${fmt(pct(health, 50), 2)} ms, p99 ${fmt(pct(health, 99), 2)} ms`);
console.log(
  `inbox page (50 of ${(N / 10).toLocaleString()} for role ops, first and later pages): p50 ${fmt(pct(inbox, 50), 2)} ms, p99 ${fmt(pct(inbox, 99), 2)} ms (target p99 ≤ 10 ms)`,
);
console.log(`server RSS with ${N.toLocaleString()} pending: ${mb()} MiB (in-process benchmark driver included)`);

// Timers: wait for the 100k deadlines, then measure how late each fired (decided_at − expires_at).
const expireAt = Date.now() + 5000;
await server.store.db.updateTable('approvals').set({ expires_at: expireAt }).where('expires_at', '=', PARKED).execute();
const wait = expireAt - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
for (;;) {
  const left = await server.store.db
    .selectFrom('approvals')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'pending')
    .where('expires_at', '<=', expireAt)
    .executeTakeFirst();
  if (Number(left?.n) === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}
const late = (
  await server.store.db
    .selectFrom('approvals')
    .select(['expires_at', 'decided_at'])
    .where('status', '=', 'expired')
    .execute()
).map((r) => Number(r.decided_at) - Number(r.expires_at));
console.log(
  `${late.length.toLocaleString()} timers due in the same second: lateness p50 ${fmt(pct(late, 50) / 1000, 2)} s, p99 ${fmt(pct(late, 99) / 1000, 2)} s, max ${fmt(Math.max(...late) / 1000, 2)} s; RSS ${mb()} MiB`,
);
await server.close();
rmSync(dir, { recursive: true, force: true });
