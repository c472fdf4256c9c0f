#!/usr/bin/env node
// Writes the upgrade fixture of a release: the databases that release's server leaves behind after a
// realistic scenario, which packages/server/test/system/upgrade.test.ts opens with the current server.
//
//   node scripts/make-upgrade-fixture.mjs <git ref> [--version X.Y.Z] [--keep | --reuse DIR]
//
// It checks the ref out into a temporary git worktree, builds it (reusing this checkout's
// node_modules when the lockfiles are equal, else `npm ci`), starts that release's server on SQLite
// and on PostgreSQL, runs the scenario below against each over HTTP, stops it (SIGTERM) and writes
// testdata/upgrade/<version>/:
//
//   policy.json                         the policy file the scenario ran under
//   scenario.json                       what the test must find: the admin's token; per backend, the
//                                       principals (with their tokens), tasks, gates, decisions, ledger size and key
//   sqlite/humanos.db                   the SQLite store (WAL checkpointed into the file)
//   sqlite/humanos-early.db             the store as it was midway, older than the pin file
//   postgres/dump.sql, dump-early.sql   plain-SQL `pg_dump`s, final and midway
//   <backend>/signing-key.pem           the data directory's ledger signing key (a throwaway test key)
//   <backend>/ledger-checkpoint.json    the data directory's rollback pin, at the final ledger size
//
// --keep leaves the built worktree; --reuse DIR runs from it again. Run it once per release, from the release's commit (`git tag` exists from 0.2.0 on), and commit the
// output; see docs/operations.md, "Upgrading".
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..');
const PG_ADMIN_URL = process.env.HUMANOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ADMIN_TOKEN = `fixture-admin-${randomBytes(12).toString('hex')}`;

const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const ref = args.find((a, i) => !a.startsWith('--') && !['--version', '--reuse'].includes(args[i - 1] ?? ''));
const keep = args.includes('--keep');
// --reuse DIR: a worktree kept by an earlier --keep run, already built (saves the build while iterating).
const reuse = flag('--reuse');
if (!ref) {
  console.error('usage: node scripts/make-upgrade-fixture.mjs <git ref> [--version X.Y.Z] [--keep | --reuse DIR]');
  process.exit(2);
}

const git = (...a) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The release's tree, checked out and built in a temporary worktree. */
function checkout(commit) {
  const dir = mkdtempSync(join(tmpdir(), 'humanos-release-'));
  git('worktree', 'add', '--detach', dir, commit);
  const same =
    git('show', `${commit}:package-lock.json`) === readFileSync(join(ROOT, 'package-lock.json'), 'utf8').trim();
  if (same) linkModules(dir);
  else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'inherit' });
  return dir;
}

/**
 * The same dependencies without copying them: each third-party package is a link to this
 * checkout's, while the workspace links (relative, e.g. `@humanos/core -> ../../packages/core`) are
 * recreated so they point into the release's tree, not this one's.
 */
function linkModules(dir) {
  const link = (from, to) => {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) {
      const src = join(from, name);
      const st = lstatSync(src);
      if (st.isSymbolicLink() && !readlinkSync(src).startsWith('/')) symlinkSync(readlinkSync(src), join(to, name));
      else if (name.startsWith('@') && st.isDirectory()) link(src, join(to, name));
      else symlinkSync(src, join(to, name));
    }
  };
  link(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const nm = join(ROOT, 'packages', pkg, 'node_modules');
    if (existsSync(nm) && existsSync(join(dir, 'packages', pkg))) link(nm, join(dir, 'packages', pkg, 'node_modules'));
  }
}

/** The release's server as a child process; resolves once it listens. */
async function startServer(dir, env) {
  const proc = spawn(process.execPath, [join(dir, 'packages/server/dist/main.js')], {
    env: { ...process.env, PORT: '0', HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN, HUMANOS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((ok, fail) => {
    const seen = (d) => {
      out += d;
      const m = /HumanOS listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    };
    proc.stdout.on('data', seen);
    proc.stderr.on('data', seen);
    proc.on('exit', (code) => fail(new Error(`the release's server exited with ${code}:\n${out}`)));
  });
  const stop = () =>
    new Promise((ok) => {
      proc.once('exit', ok);
      proc.kill('SIGTERM');
    });
  return { url, stop };
}

/** One HTTP call as a principal; anything but the expected status stops the run. */
function client(url, token) {
  return async (method, path, body, expect = [200, 201]) => {
    const r = await fetch(`${url}/v1/humanos${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const parsed = await r.json();
    if (!expect.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
}

const POLICY = {
  name: 'upgrade-fixture',
  version: 1,
  defaultApproverRole: 'approver',
  rules: [
    {
      id: 'wires',
      description: 'wires go to finance',
      match: { descriptionMatches: 'wire' },
      require: { approverRole: 'finance' },
    },
  ],
};

const PRINCIPALS = {
  agent: ['did:agent:fixture-bot', []],
  approver: ['did:human:approver', ['approver', 'finance']],
  deputy: ['did:human:deputy', []],
  lead: ['did:human:lead', ['ops_lead']],
};

async function until(what, probe) {
  for (let i = 0; i < 200; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The first half: principals and decided tasks in every finished state. Returns what to expect. */
async function scenarioFirstHalf(url) {
  const admin = client(url, ADMIN_TOKEN);
  const principals = {};
  for (const [name, [id, roles]] of Object.entries(PRINCIPALS)) {
    const p = await admin('POST', '/principals', { id, roles, displayName: `Fixture ${name}` });
    principals[name] = { id, roles, token: p.token };
  }
  const as = Object.fromEntries(Object.entries(principals).map(([n, p]) => [n, client(url, p.token)]));
  const create = (description, payload, humanInLoop = {}) =>
    as.agent('POST', '/tasks', { description, payload, humanInLoop: { approverRole: 'approver', ...humanInLoop } });
  const tasks = {};
  // As the console decides: for the version it showed (the gate's current payload digest).
  const decide = async (who, approvalId, verb, body) => {
    const gate = await as[who]('GET', `/approvals/${approvalId}`);
    return as[who]('POST', `/approvals/${approvalId}/${verb}`, { ...body, payloadDigest: gate.currentDigest });
  };

  const done = await create('Rotate the TLS certificate of api.example.com', { host: 'api.example.com' });
  await decide('approver', done.approvalRequest.id, 'approve', { approvalReason: 'scheduled rotation' });
  const lease = await as.agent('POST', `/tasks/${done.taskId}/execute`, {});
  await as.agent('POST', `/tasks/${done.taskId}/complete`, { leaseId: lease.leaseId, result: { rotated: true } });
  await as.approver('POST', `/tasks/${done.taskId}/feedback`, { quality: 'good', comments: 'clean' });
  tasks.completed = {
    taskId: done.taskId,
    approvalId: done.approvalRequest.id,
    status: 'completed',
    verdicts: ['approved'],
  };

  const no = await create('Wire 9000 EUR to a new payee', { amount: 9000, iban: 'DE89370400440532013000' });
  await decide('approver', no.approvalRequest.id, 'reject', { rejectionReason: 'unknown payee' });
  tasks.rejected = { taskId: no.taskId, approvalId: no.approvalRequest.id, status: 'rejected', verdicts: ['rejected'] };

  const ed = await create('Scale the worker pool', { replicas: 40 });
  await decide('approver', ed.approvalRequest.id, 'approve', { approvalReason: 'fewer', edits: { replicas: 12 } });
  tasks.edited = {
    taskId: ed.taskId,
    approvalId: ed.approvalRequest.id,
    status: 'approved',
    verdicts: ['approved'],
    payload: { replicas: 12 },
  };

  const ch = await create('Drop the staging cache', { cache: 'staging' });
  await decide('approver', ch.approvalRequest.id, 'request-changes', { feedback: 'name the keys' });
  tasks.changesRequested = {
    taskId: ch.taskId,
    approvalId: ch.approvalRequest.id,
    status: 'changes_requested',
    verdicts: [],
  };

  const cx = await create('Restart the mail relay', { host: 'mx1' });
  await as.agent('POST', `/tasks/${cx.taskId}/cancel`, { reason: 'not needed' });
  tasks.cancelled = { taskId: cx.taskId, approvalId: cx.approvalRequest.id, status: 'cancelled', verdicts: [] };
  return { principals, tasks, as };
}

/** The second half: deadlines that pass, open gates, a delegation and a comment. */
async function scenarioSecondHalf(first) {
  const { as, tasks } = first;
  const create = (description, payload, humanInLoop) =>
    as.agent('POST', '/tasks', { description, payload, humanInLoop });
  const ex = await create(
    'Purge the old audit bucket',
    { bucket: 'audit-2019' },
    { approverRole: 'approver', approvalTimeout: 1, escalationPolicy: 'reject' },
  );
  const es = await create(
    'Fail over the primary database',
    { cluster: 'db-1' },
    { approverRole: 'approver', approvalTimeout: 1, escalationPolicy: 'auto', escalateTo: 'ops_lead' },
  );
  const read = (t) => as.approver('GET', `/tasks/${t.taskId}`);
  // Both run out while the release runs (the escalated gate too), so nothing is left due for the
  // upgraded server to fire: the test finds the store exactly as the release left it.
  const settled = async (t) => (await read(t)).status === 'expired';
  await until('the deadlines', async () => (await settled(ex)) && (await settled(es)));
  const gates = (await read(es)).approvals.map((g) => `${g.approverRole}:${g.status}`);
  tasks.expired = { taskId: ex.taskId, approvalId: ex.approvalRequest.id, status: 'expired', verdicts: [] };
  tasks.escalated = { taskId: es.taskId, approvalId: es.approvalRequest.id, status: 'expired', verdicts: [], gates };

  const pe = await create(
    'Delete the backup of 2025-10-01',
    { backupId: 'backup-2025-10-01' },
    { approverRole: 'approver' },
  );
  await as.approver('POST', `/approvals/${pe.approvalRequest.id}/comments`, {
    body: 'Checking the retention rules first.',
  });
  tasks.pending = {
    taskId: pe.taskId,
    approvalId: pe.approvalRequest.id,
    status: 'awaiting_approval',
    verdicts: [],
    comments: ['Checking the retention rules first.'],
  };

  // A delegation lasts at most 30 days: by the time the test runs it has usually ended, which the
  // current server must read the same way (the test checks its terms, not whether it is live).
  const endsAt = new Date(Date.now() + 29 * 86_400_000).toISOString();
  const d = await as.approver('POST', '/delegations', {
    delegate: 'did:human:deputy',
    roles: ['approver'],
    endsAt,
    outOfOffice: true,
    message: 'Away',
  });
  return { delegation: { id: d.id, delegator: 'did:human:approver', delegate: 'did:human:deputy', endsAt } };
}

async function ledgerFacts(url) {
  const admin = client(url, ADMIN_TOKEN);
  const health = await (await fetch(`${url}/healthz`)).json();
  return { size: health.ledgerSize, publicKey: (await admin('GET', '/ledger/public-key')).publicKey };
}

function sqliteCopy(from, to) {
  // An online backup: consistent while the server writes, one file (no -wal beside it).
  const db = new Database(from, { readonly: true });
  return db.backup(to).finally(() => db.close());
}

async function withDatabase(fn) {
  const name = `humanos_fixture_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    return await fn(PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`));
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const pgDump = (url, file) =>
  execFileSync('pg_dump', ['--format=plain', '--no-owner', '--no-privileges', `--file=${file}`, url]);

/** One backend: a fresh data dir (and database), the scenario, the files. */
async function runBackend(dir, backend, out, policyFile) {
  const dataDir = mkdtempSync(join(tmpdir(), 'humanos-fixture-data-'));
  const target = join(out, backend);
  mkdirSync(target, { recursive: true });
  const go = async (databaseUrl) => {
    const env = { HUMANOS_DATA_DIR: dataDir, HUMANOS_POLICY: policyFile, HUMANOS_TIMER_INTERVAL_MS: '100' };
    if (databaseUrl) env.DATABASE_URL = databaseUrl;
    const server = await startServer(dir, env);
    try {
      const first = await scenarioFirstHalf(server.url);
      const early = await ledgerFacts(server.url);
      if (databaseUrl) pgDump(databaseUrl, join(target, 'dump-early.sql'));
      else await sqliteCopy(join(dataDir, 'humanos.db'), join(target, 'humanos-early.db'));
      const second = await scenarioSecondHalf(first);
      const ledger = await ledgerFacts(server.url);
      await server.stop();
      if (databaseUrl) pgDump(databaseUrl, join(target, 'dump.sql'));
      else await sqliteCopy(join(dataDir, 'humanos.db'), join(target, 'humanos.db'));
      return { principals: first.principals, tasks: first.tasks, ...second, ledger, early: { ledgerSize: early.size } };
    } catch (e) {
      await server.stop();
      throw e;
    }
  };
  try {
    const result = backend === 'postgres' ? await withDatabase(go) : await go(undefined);
    for (const f of ['signing-key.pem', 'ledger-checkpoint.json']) copyFileSync(join(dataDir, f), join(target, f));
    const pin = JSON.parse(readFileSync(join(target, 'ledger-checkpoint.json'), 'utf8'));
    if (pin.size !== result.ledger.size) throw new Error(`pin at ${pin.size}, ledger at ${result.ledger.size}`);
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = reuse ?? checkout(commit);
  try {
    const version =
      flag('--version') ?? JSON.parse(readFileSync(join(dir, 'packages/server/package.json'), 'utf8')).version;
    const out = resolve(ROOT, 'testdata/upgrade', version);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const policyFile = join(out, 'policy.json');
    writeFileSync(policyFile, `${JSON.stringify(POLICY, null, 2)}\n`);
    // The admin exists from the first start with this token (a later HUMANOS_ADMIN_TOKEN is ignored).
    const scenario = { version, commit, adminToken: ADMIN_TOKEN, backends: {} };
    for (const backend of ['sqlite', 'postgres'])
      scenario.backends[backend] = await runBackend(dir, backend, out, policyFile);
    writeFileSync(join(out, 'scenario.json'), `${JSON.stringify(scenario, null, 2)}\n`);
    console.log(`wrote ${out} (release ${version} at ${commit.slice(0, 12)})`);
  } finally {
    if (keep || reuse) console.log(`kept the worktree ${dir}`);
    else git('worktree', 'remove', '--force', dir);
  }
}

await main();
