#!/usr/bin/env node
// Many principals (run by hand): task creation asks who holds each gate's role (the undecidable
// check; notifications ask too). With BENCH_PRINCIPALS (10 000) humans in 200 teams on SQLite,
// measures POST /tasks latency, one request at a time, against GET /healthz in the same run.
// `node bench/principals.mjs` after `npm run build`; BENCH_REQUESTS (300).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from '@humanos/server';
import Database from 'better-sqlite3';
import { ADMIN, benchConfig, callJson, fmt as fmt1, pct } from './common.mjs';

const N = Number(process.env.BENCH_PRINCIPALS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const fmt = (n) => fmt1(n, 2);

const dir = mkdtempSync(join(os.tmpdir(), 'humanos-principals-'));
const config = benchConfig(dir);
// Start once for the schema and the agent, stop, bulk-load the humans, start again.
let server = await startServer(config, { logger: false });
const call = (path, token, method, body) => callJson(server.url, path, token, method, body);
const agent = (await call('/v1/humanos/principals', ADMIN, 'POST', { id: 'did:agent:bench', roles: [] })).token;
await server.close();

const db = new Database(join(dir, 'humanos.db'));
const indexed = db.prepare("select 1 from sqlite_master where name = 'principal_roles'").get() !== undefined;
const insP = db.prepare(
  `insert into principals (id, kind, roles, token_hash, public_key, created_at, created_by, capabilities, disabled_at, token_rotated_at, token_expires_at, display_name, email, oidc_issuer, oidc_subject)
   values (?, 'human', ?, ?, null, ?, 'did:human:admin', '[]', null, null, null, null, null, null, null)`,
);
const insR = indexed ? db.prepare('insert into principal_roles (role, principal_id) values (?, ?)') : undefined;
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const id = `did:human:u${i}`;
    const roles = [`team_${i % 200}`, 'staff'];
    insP.run(id, JSON.stringify(roles), createHash('sha256').update(id).digest('hex'), Date.now());
    for (const r of roles) insR?.run(r, id);
  }
})();
db.close();
server = await startServer(config, { logger: false });

const time = async (fn) => {
  const out = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
};
for (let i = 0; i < 20; i++) await call('/healthz');
const health = await time(() => call('/healthz'));
const create = await time((i) =>
  call('/v1/humanos/tasks', agent, 'POST', {
    description: `Rotate the on-call schedule ${i}`,
    humanInLoop: { approverRole: `team_${i % 200}` },
  }),
);
console.log(`# HumanOS principals benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}`);
console.log(
  `${N} human principals in 200 teams; principal_roles index: ${indexed ? 'yes' : 'no (LIKE over principals)'}`,
);
console.log(`GET /healthz:  p50 ${fmt(pct(health, 50))} ms, p99 ${fmt(pct(health, 99))} ms (n=${REQUESTS})`);
console.log(
  `POST /tasks:   p50 ${fmt(pct(create, 50))} ms, p99 ${fmt(pct(create, 99))} ms (n=${REQUESTS}, one at a time)`,
);
await server.close();
rmSync(dir, { recursive: true, force: true });
