/**
 * Upgrading from a released version, on both backends, with real processes: each folder of
 * testdata/upgrade/ holds the store a release's server left behind after a realistic scenario
 * (written by scripts/make-upgrade-fixture.mjs from that release's commit). A copy of it is opened by
 * today's server: the migrations run, the server starts, the release's ledger verifies offline
 * (`humanos ledger verify` with the release's key), every task, decision, comment and delegation of
 * the scenario reads back through the API with the release's tokens, a pending approval is decided
 * and executed, an edited approval executes its edited payload, and the ledger still verifies with
 * the new entries. A store older than the release's rollback pin refuses to start and changes nothing.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  Api,
  type Backend,
  type BackendName,
  backends,
  createBackend,
  REPO_ROOT,
  spawnServer,
} from '../../../../test-support/harness.js';
import { humanos } from '../../../cli/test/run.js';
import { migrationProvider } from '../../src/store/migrations/index.js';

const exec = promisify(execFile);
const FIXTURES = join(REPO_ROOT, 'testdata/upgrade');

interface ExpectedTask {
  taskId: string;
  approvalId: string;
  status: string;
  verdicts: string[];
  payload?: Record<string, unknown>;
  gates?: string[];
  comments?: string[];
}

/** What scripts/make-upgrade-fixture.mjs recorded for one backend. */
interface Expected {
  principals: Record<string, { id: string; roles: string[]; token: string }>;
  tasks: Record<string, ExpectedTask>;
  delegation: { id: string; delegator: string; delegate: string; endsAt: string };
  ledger: { size: number; publicKey: string };
  early: { ledgerSize: number };
}

/** The fixture's store copied into a fresh backend, with the data dir's key and pin. */
async function openFixture(dir: string, name: BackendName, early = false): Promise<Backend> {
  const backend = await createBackend(name);
  const from = join(dir, name);
  for (const f of ['signing-key.pem', 'ledger-checkpoint.json']) {
    copyFileSync(join(from, f), join(backend.dataDir, f));
    chmodSync(join(backend.dataDir, f), 0o600);
  }
  if (name === 'sqlite')
    copyFileSync(join(from, early ? 'humanos-early.db' : 'humanos.db'), join(backend.dataDir, 'humanos.db'));
  else
    await exec('psql', [
      '--quiet',
      '--no-psqlrc',
      '-v',
      'ON_ERROR_STOP=1',
      `--file=${join(from, early ? 'dump-early.sql' : 'dump.sql')}`,
      backend.databaseUrl as string,
    ]);
  return backend;
}

interface StoreState {
  migrations: string[];
  ledgerSize: number;
  /** `role principal` for every role of every principal, from `principals.roles` (the record). */
  held: string[];
  /** The same from `principal_roles` (migration 0029), or null before it. */
  indexed: string[] | null;
}

/** The store read directly (no server): the migrations applied, the ledger's length, who holds what. */
async function storeState(backend: Backend): Promise<StoreState> {
  const q = {
    migrations: 'select name from kysely_migration order by name',
    size: 'select count(*) as n from ledger_entries',
    principals: 'select id, roles from principals',
    indexed: 'select role, principal_id from principal_roles',
  };
  const state = (
    migrations: { name: string }[],
    n: number | string | undefined,
    principals: { id: string; roles: string }[],
    indexed: { role: string; principal_id: string }[] | null,
  ): StoreState => ({
    migrations: migrations.map((r) => r.name),
    ledgerSize: Number(n),
    held: principals.flatMap((p) => (JSON.parse(p.roles) as string[]).map((r) => `${r} ${p.id}`)).sort(),
    indexed: indexed?.map((r) => `${r.role} ${r.principal_id}`).sort() ?? null,
  });
  if (backend.name === 'sqlite') {
    const db = new Database(join(backend.dataDir, 'humanos.db'), { readonly: true });
    try {
      const all = <T>(sql: string) => db.prepare(sql).all() as T[];
      const migrations = all<{ name: string }>(q.migrations);
      const indexed = migrations.some((m) => m.name === '0029_principal_roles') ? all<never>(q.indexed) : null;
      return state(migrations, (db.prepare(q.size).get() as { n: number }).n, all(q.principals), indexed);
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: backend.databaseUrl });
  await c.connect();
  try {
    const all = async <T extends pg.QueryResultRow>(sql: string) => (await c.query<T>(sql)).rows;
    const migrations = await all<{ name: string }>(q.migrations);
    const indexed = migrations.some((m) => m.name === '0029_principal_roles') ? await all<never>(q.indexed) : null;
    return state(migrations, (await all<{ n: string }>(q.size))[0]?.n, await all(q.principals), indexed);
  } finally {
    await c.end();
  }
}

/** `humanos ledger export` then `humanos ledger verify` with the release's key; the verified size. */
async function verifyLedger(url: string, token: string, publicKey: string, work: string): Promise<string> {
  const out = join(work, `export-${Date.now()}.jsonl`);
  const exported = await humanos(['ledger', 'export', '--out', out], { HUMANOS_URL: url, HUMANOS_API_KEY: token });
  expect(exported.code, exported.stderr).toBe(0);
  const verified = await humanos(['ledger', 'verify', '--file', out, '--public-key', publicKey], {});
  expect(verified.code, verified.stderr + verified.stdout).toBe(0);
  return verified.stdout;
}

/** Every task of the scenario, as the release left it, through today's API. */
async function expectTasks(admin: Api, approver: Api, want: Expected): Promise<void> {
  for (const [label, t] of Object.entries(want.tasks)) {
    const task = await admin.get(`/tasks/${t.taskId}`);
    expect(task.status, label).toBe(200);
    expect(task.body.status, label).toBe(t.status);
    const gates = task.body.approvals as {
      id: string;
      approverRole: string;
      status: string;
      decisions: { verdict: string }[];
    }[];
    expect(
      gates.flatMap((g) => g.decisions.map((d) => d.verdict)),
      label,
    ).toEqual(t.verdicts);
    if (t.gates)
      expect(
        gates.map((g) => `${g.approverRole}:${g.status}`),
        label,
      ).toEqual(t.gates);
    if (t.payload) expect(task.body.approvedPayload, label).toEqual(t.payload);
    expect((await admin.get(`/tasks/${t.taskId}/history`)).body.events.length, label).toBeGreaterThan(0);
    const gate = await approver.get(`/approvals/${t.approvalId}`);
    expect(gate.status, label).toBe(200);
    if (t.comments) {
      const comments = await approver.get(`/approvals/${t.approvalId}/comments`);
      expect(
        comments.body.items.map((c: { body: string }) => c.body),
        label,
      ).toEqual(t.comments);
    }
  }
  const d = await approver.get(`/delegations/${want.delegation.id}`);
  expect(d.status).toBe(200);
  expect(d.body).toMatchObject({
    delegator: want.delegation.delegator,
    delegate: want.delegation.delegate,
    endsAt: want.delegation.endsAt,
  });
}

/** Work that was open at the release goes on: the pending gate decided and run, the edited one run. */
async function finishOpenWork(agent: Api, approver: Api, want: Expected): Promise<void> {
  const pending = want.tasks.pending as ExpectedTask;
  const gate = await approver.get(`/approvals/${pending.approvalId}`);
  const approved = await approver.post(`/approvals/${pending.approvalId}/approve`, {
    approvalReason: 'after the upgrade',
    payloadDigest: gate.body.currentDigest,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const edited = want.tasks.edited as ExpectedTask;
  for (const t of [pending, edited]) {
    const run = await agent.post(`/tasks/${t.taskId}/execute`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    if (t.payload) expect(run.body.payload).toEqual(t.payload);
    const done = await agent.post(`/tasks/${t.taskId}/complete`, { leaseId: run.body.leaseId, result: { ok: true } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await agent.get(`/tasks/${t.taskId}`)).body.status).toBe('completed');
  }
}

const versions = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory());

describe('upgrade fixtures', () => {
  it('there is one for the previous release at least', () => {
    expect(versions.map((v) => v.name)).toContain('0.1.0');
  });
});

for (const { name: version } of versions) {
  const dir = join(FIXTURES, version);
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as {
    adminToken: string;
    backends: Record<BackendName, Expected>;
  };
  // The release's admin was made with the release's token: HUMANOS_ADMIN_TOKEN cannot replace it.
  const adminToken = scenario.adminToken;
  const env = { HUMANOS_POLICY: join(dir, 'policy.json'), HUMANOS_ADMIN_TOKEN: adminToken };
  const current = (await migrationProvider.getMigrations()) as Record<string, unknown>;

  for (const name of backends()) {
    const want = scenario.backends[name];
    describe(`upgrade from ${version} [${name}]`, () => {
      it("the release's store migrates, verifies, reads back, and its open work can be finished", async () => {
        const backend = await openFixture(dir, name);
        const work = mkdtempSync(join(tmpdir(), 'humanos-upgrade-'));
        try {
          const before = await storeState(backend);
          expect(before.ledgerSize).toBe(want.ledger.size);
          expect(Object.keys(current).slice(0, before.migrations.length)).toEqual(before.migrations);
          const server = await spawnServer({ ...backend.env, ...env });
          try {
            const admin = new Api(server.url, adminToken);
            const as = (who: string) => admin.as(want.principals[who]?.token);
            expect((await as('approver').get('/me')).body.id).toBe('did:human:approver'); // the release's tokens work
            expect((await admin.get('/ledger/public-key')).body.publicKey).toBe(want.ledger.publicKey);
            expect(await verifyLedger(server.url, adminToken, want.ledger.publicKey, work)).toContain(
              String(want.ledger.size),
            );
            await expectTasks(admin, as('approver'), want);
            await finishOpenWork(as('agent'), as('approver'), want);
            await verifyLedger(server.url, adminToken, want.ledger.publicKey, work);
          } finally {
            await server.kill('SIGTERM');
          }
          const after = await storeState(backend);
          expect(after.migrations).toEqual(Object.keys(current));
          expect(after.ledgerSize).toBeGreaterThan(want.ledger.size);
          // Who holds which role is indexed for every principal the release had (migration 0029).
          expect(after.held.length).toBeGreaterThan(0);
          expect(after.indexed).toEqual(after.held);
        } finally {
          rmSync(work, { recursive: true, force: true });
          await backend.drop();
        }
      }, 120_000);

      it("a store older than the release's rollback pin refuses to start and changes nothing", async () => {
        const backend = await openFixture(dir, name, true);
        try {
          const pin = readFileSync(join(backend.dataDir, 'ledger-checkpoint.json'), 'utf8');
          const refusal = await spawnServer({ ...backend.env, ...env }).then(
            async (s) => {
              await s.kill();
              return 'started';
            },
            (e: Error) => e.message,
          );
          expect(refusal).toMatch(
            new RegExp(`has ${want.early.ledgerSize} entries, fewer than the checkpoint of size ${want.ledger.size}`),
          );
          expect(readFileSync(join(backend.dataDir, 'ledger-checkpoint.json'), 'utf8')).toBe(pin);
          expect((await storeState(backend)).ledgerSize).toBe(want.early.ledgerSize);
        } finally {
          await backend.drop();
        }
      }, 60_000);
    });
  }
}
