import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Clock,
  type HumanOSServer,
  loadConfig,
  openStore,
  type Store,
  startServer,
  type WebhookSettings,
} from '@humanos/server';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export type BackendName = 'sqlite' | 'postgres';

export const PG_ADMIN_URL = process.env.HUMANOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REPO_ROOT = join(import.meta.dirname, '..');
export const SERVER_MAIN = join(REPO_ROOT, 'packages/server/dist/main.js');

/** The backends a storage suite runs against: both, unless PostgreSQL is missing outside CI. */
export function backends(): BackendName[] {
  return process.env.HUMANOS_TEST_PG === '0' ? ['sqlite'] : ['sqlite', 'postgres'];
}

/** A fresh, isolated place to keep data: a temp dir with a SQLite file, or a new PostgreSQL database. */
export interface Backend {
  name: BackendName;
  dataDir: string;
  databaseUrl: string | undefined;
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function createBackend(name: BackendName): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'humanos-test-'));
  if (name === 'sqlite') {
    return {
      name,
      dataDir,
      databaseUrl: undefined,
      env: { HUMANOS_DATA_DIR: dataDir },
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const db = `humanos_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${db}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${db}`);
  return {
    name,
    dataDir,
    databaseUrl: url,
    env: { HUMANOS_DATA_DIR: dataDir, DATABASE_URL: url },
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${db} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated store on a fresh backend for the `describe` block it is called in, opened before its
 * tests and closed and dropped after them (store-level tests, below the HTTP server).
 *
 * @example
 * const s = useStore('postgres');
 * it('…', async () => { await s.store.db.selectFrom('tasks').selectAll().execute(); });
 */
export function useStore(name: BackendName, poolSize = 8): { readonly store: Store; readonly backend: Backend } {
  const held = {} as { store: Store; backend: Backend };
  beforeAll(async () => {
    held.backend = await createBackend(name);
    held.store = await openStore(
      held.backend.databaseUrl
        ? { kind: 'postgres', url: held.backend.databaseUrl, poolSize }
        : { kind: 'sqlite', file: `${held.backend.dataDir}/humanos.db` },
    );
  });
  afterAll(async () => {
    await held.store?.close();
    await held.backend?.drop();
  });
  return held;
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A clock tests can move: a 1-hour timeout is tested in milliseconds. */
export class TestClock implements Clock {
  constructor(public t = Date.parse('2026-01-10T15:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export class Api {
  constructor(
    readonly url: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Api {
    return new Api(this.url, token);
  }

  // biome-ignore lint/suspicious/noExplicitAny: test replies are inspected freely
  async req<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const res = await fetch(`${this.url}/v1/humanos${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  // biome-ignore lint/suspicious/noExplicitAny: see above
  get<T = any>(path: string) {
    return this.req<T>('GET', path);
  }
  // biome-ignore lint/suspicious/noExplicitAny: see above
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.req<T>('POST', path, body ?? {}, headers);
  }
}

export interface TestServer {
  backend: Backend;
  server: HumanOSServer;
  clock: TestClock;
  url: string;
  admin: Api;
  /** Creates a principal and returns an Api acting as it. */
  principal(id: string, roles?: string[]): Promise<Api>;
  /** A digest of every table: equal before and after means the store did not change. */
  fingerprint(): Promise<string>;
  close(): Promise<void>;
}

/** An in-process server on a loopback port over a fresh backend, with an injectable clock. */
export async function startTestServer(
  name: BackendName,
  env: Record<string, string> = {},
  opts: { webhooks?: Partial<WebhookSettings> } = {},
): Promise<TestServer> {
  const backend = await createBackend(name);
  const clock = new TestClock();
  const config = loadConfig({
    ...backend.env,
    HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN,
    PORT: '0',
    ...env,
  });
  // The clock is frozen: a test runs the sweeps it means (`server.service.timers.expireDue()`, …).
  // A background sweep on the wall clock would land at random between a clock step and a check.
  // A test that wants the background loop asks for it by its interval.
  const sweep = env.HUMANOS_TIMER_INTERVAL_MS !== undefined;
  const server = await startServer(config, {
    clock,
    logger: false,
    webhooks: opts.webhooks,
    validateResponses: true, // every response of the suite is checked against the OpenAPI schemas
    sweep,
  });
  const admin = new Api(server.url, ADMIN_TOKEN);
  return {
    backend,
    server,
    clock,
    url: server.url,
    admin,
    async principal(id, roles = []) {
      const r = await admin.post('/principals', { id, roles });
      if (r.status !== 201) throw new Error(`cannot create ${id}: ${JSON.stringify(r.body)}`);
      return admin.as(r.body.token);
    },
    fingerprint: () => fingerprint(server),
    async close() {
      await server.close();
      await backend.drop();
    },
  };
}

const TABLES = [
  ['principals', 'id'],
  ['principal_roles', 'role, principal_id'],
  ['tasks', 'id'],
  ['approvals', 'id'],
  ['approval_roles', 'approval_id, role'],
  ['decisions', 'approval_id, principal_id'],
  ['idempotency_keys', 'principal_id, key'],
  ['ledger_head', 'id'],
  ['ledger_entries', 'seq'],
  ['ledger_nodes', 'level, idx'],
  ['checkpoints', 'size'],
  ['feedback', 'task_id, principal_id'],
  ['webhooks', 'id'],
  ['deliveries', 'id'],
  ['audit_reviews', 'id'],
  ['consents', 'grantor, grantee, kind'],
  ['passkeys', 'credential_id'],
  ['passkey_challenges', 'nonce'],
  ['task_heads', 'task_id'],
  ['task_head_nodes', 'level, idx'],
  ['sessions', 'id'],
  ['delegations', 'id'],
  ['task_versions', 'task_id, version'],
  ['approval_comments', 'id'],
  ['attention_checks', 'id'],
] as const;

/**
 * The stored state, a line per table (`table rows=N sha256=…`): two fingerprints compare equal when
 * nothing was written, and when they differ the test's diff names the table that changed.
 */
export async function fingerprint(server: HumanOSServer): Promise<string> {
  const { sql } = await import('kysely');
  const lines: string[] = [];
  for (const [table, order] of TABLES) {
    const rows = await sql.raw(`select * from ${table} order by ${order}`).execute(server.store.db);
    const digest = createHash('sha256').update(JSON.stringify(rows.rows)).digest('hex').slice(0, 16);
    lines.push(`${table} rows=${rows.rows.length} sha256=${digest}`);
  }
  return lines.join('\n');
}

/** A server in its own process, for kill -9 and multi-replica tests. */
export interface ChildServer {
  url: string;
  proc: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const LIFELINE = pathToFileURL(join(REPO_ROOT, 'test-support/lifeline.mjs')).href;

/**
 * Starts `node …args` so that it dies with the test process (see `lifeline.mjs`): its stdin is a
 * pipe from this process, and it exits when that pipe closes. Use it for every process a test starts
 * (`spawnNode(['--import', 'tsx', 'examples/worker.ts'])` runs a TypeScript script as one process, so
 * killing it kills the script, unlike the `tsx` wrapper, which leaves its child running).
 */
export function spawnNode(args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', LIFELINE, ...args], {
    ...opts,
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...(opts.env ?? process.env), HUMANOS_TEST_LIFELINE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Starts `node …args` (as `spawnNode`) and waits until its stdout or stderr matches `pattern`;
 * resolves with the first group (e.g. the URL of a "listening on …" line) and the output so far.
 *
 * @example
 * const { match: url } = await spawnUntil([SERVER_MAIN], { env }, /HumanOS listening on (http:\/\/\S+)/);
 */
export async function spawnUntil(
  args: string[],
  opts: SpawnOptions,
  pattern: RegExp,
  // A guard against a start that hangs, not a deadline for a slow one: on a loaded machine a start
  // took over 30 s (node loading modules on a shared CPU). Just under the default test timeout, so
  // the failure still shows the output; the process is killed rather than left behind.
  timeoutMs = 55_000,
): Promise<{ proc: ChildProcess; match: string; output: () => string }> {
  const proc = spawnNode(args, opts);
  let out = '';
  const match = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start:\n${out}`));
    }, timeoutMs);
    const collect = (d: Buffer) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
  return { proc, match, output: () => out };
}

export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const env_ = {
    ...process.env,
    PORT: '0',
    HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN,
    HUMANOS_LOG_LEVEL: 'warn',
    HUMANOS_VALIDATE_RESPONSES: '1',
    ...env,
  };
  const {
    proc,
    match: url,
    output,
  } = await spawnUntil([SERVER_MAIN], { env: env_ }, /HumanOS listening on (http:\/\/\S+)/);
  return {
    url,
    proc,
    output,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      });
    },
  };
}

/**
 * Two server processes on one PostgreSQL backend, sharing the signing key (as replicas must), each
 * with its own data directory.
 */
export async function spawnReplicas(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<[ChildServer, ChildServer]> {
  const shared = { ...backend.env, HUMANOS_SIGNING_KEY_FILE: `${backend.dataDir}/shared-key.pem`, ...env };
  // One after the other: the first creates the shared key file.
  const a = await spawnServer({ ...shared, HUMANOS_DATA_DIR: `${backend.dataDir}/a` });
  try {
    return [a, await spawnServer({ ...shared, HUMANOS_DATA_DIR: `${backend.dataDir}/b` })];
  } catch (e) {
    await a.kill();
    throw e;
  }
}

/** The seed's REST example body, verbatim. */
export const SEED_CREATE_BODY = {
  description: 'Delete production database backup older than 90 days',
  requiredCapabilities: ['database_administration', 'backup_management'],
  humanInLoop: {
    enabled: true,
    approvalRequired: 'before_execution',
    approverRole: 'dba_lead',
    approvalTimeout: 1800,
    escalationPolicy: 'auto',
    showAIReasoning: true,
    requireExplicitFeedback: true,
  },
  payload: {
    backupId: 'backup-2025-10-01',
    size: '250GB',
    lastAccessed: '2025-10-15',
  },
};

/** The principals a suite needs: a name → `[did, roles]`. */
export type PrincipalSpecs = Record<string, readonly [string, readonly string[]]>;

/** A started test server and an Api acting as each named principal (filled in by `beforeAll`). */
export interface TestServerFixture<P extends PrincipalSpecs> {
  t: TestServer;
  as: { [K in keyof P]: Api };
}

/**
 * One server per suite, with its principals: `beforeAll` starts it (on `backend`, with `env`) and
 * creates every principal; `afterAll` closes it. Replaces the "start a server, create principals"
 * block each suite used to paste.
 *
 * @example
 * const s = useTestServer(backend, { principals: { agent: ['did:agent:bot', []], cfo: ['did:human:cfo', ['cfo']] } });
 * it('…', async () => { await s.as.agent.post('/tasks', { description: 'Wire funds' }); });
 */
export function useTestServer<P extends PrincipalSpecs>(
  backend: BackendName,
  opts: { env?: Record<string, string>; principals?: P } = {},
): TestServerFixture<P> {
  const fixture = { as: {} } as TestServerFixture<P>;
  beforeAll(async () => {
    fixture.t = await startTestServer(backend, opts.env);
    for (const [name, [id, roles]] of Object.entries(opts.principals ?? {})) {
      (fixture.as as Record<string, Api>)[name] = await fixture.t.principal(id, [...roles]);
    }
  });
  afterAll(async () => fixture.t?.close());
  return fixture;
}

/**
 * How many requests the server is answering now on `route` (its `humanos_http_requests_in_flight`
 * gauge at `/metrics`): lets a test wait until the server *holds* its long-polls or event streams
 * instead of sleeping and hoping they arrived.
 *
 * @example
 * await expect.poll(() => requestsInFlight(url, '/v1/humanos/events'), { timeout: 50_000 }).toBe(1);
 */
export async function requestsInFlight(url: string, route: string, method = 'GET'): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const prefix = `humanos_http_requests_in_flight{method="${method}",route="${route}"} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}
