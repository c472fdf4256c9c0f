import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  Api,
  type Backend,
  backends,
  type ChildServer,
  createBackend,
  PG_ADMIN_URL,
  spawnServer,
} from '../../../../../test-support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Terminates every connection to `db` but the caller's; returns how many it killed. */
async function terminateAll(admin: pg.Client, db: string): Promise<number> {
  const r = await admin.query(
    'select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [db],
  );
  return Number(r.rows[0].n);
}

async function listening(admin: pg.Client, db: string): Promise<boolean> {
  const r = await admin.query(
    `select count(*) as n from pg_stat_activity where datname = $1 and query ilike 'LISTEN %'`,
    [db],
  );
  return Number(r.rows[0].n) > 0;
}

/**
 * PostgreSQL connections die under load (`pg_terminate_backend`, as a restart or failover would do):
 * the server must not crash, every request in flight must get an HTTP answer (2xx, or a 503
 * `database_unavailable` problem), every acknowledged write must be there afterwards, and the
 * server — including its LISTEN connection — must recover by itself within seconds.
 */
describe.runIf(backends().includes('postgres'))('PostgreSQL connection loss [postgres]', () => {
  let backend: Backend;
  let server: ChildServer;
  let admin: pg.Client;
  let db: string;
  beforeAll(async () => {
    backend = await createBackend('postgres');
    db = new URL(backend.databaseUrl as string).pathname.slice(1);
    // No rate limit: this is a load test of connection loss, not of the limiter.
    server = await spawnServer({ ...backend.env, HUMANOS_RATE_LIMIT: '0' });
    admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await server?.kill();
    await admin?.end();
    await backend?.drop();
  });

  it('survives repeated terminations under load and recovers within seconds', async () => {
    const api = new Api(server.url, ADMIN_TOKEN);
    const agentToken = (await api.post('/principals', { id: 'did:agent:chaos', roles: [], kind: 'agent' })).body.token;
    const agent = api.as(agentToken);
    const statuses = new Map<number, number>();
    const acknowledged: string[] = [];
    const badProblems: unknown[] = [];
    let stop = false;
    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const r =
          i % 2 === 0
            ? await agent.post('/tasks', { description: `chaos ${n}.${i}`, payload: { n, i } })
            : await agent.get(`/tasks?limit=5`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 201) acknowledged.push(r.body.taskId);
        if (r.status >= 500 && (r.status !== 503 || r.body.code !== 'database_unavailable')) badProblems.push(r.body);
        if (r.status === 503 && !r.headers.get('content-type')?.startsWith('application/problem+json')) {
          badProblems.push(r.headers.get('content-type'));
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, n) => worker(n));
    let killed = 0;
    for (let round = 0; round < 12; round++) {
      await sleep(250);
      killed += await terminateAll(admin, db);
    }
    stop = true;
    await Promise.all(workers);
    expect(killed).toBeGreaterThan(0);
    expect(server.proc.exitCode).toBeNull();
    expect(badProblems).toEqual([]);

    // Recovers by itself: requests succeed again within seconds, and replica notices are back.
    const t0 = Date.now();
    let health = 0;
    while (Date.now() - t0 < 10_000) {
      health = (await fetch(`${server.url}/healthz`)).status;
      if (health === 200) break;
      await sleep(100);
    }
    expect(health).toBe(200);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const created = await agent.post('/tasks', { description: 'after the storm', payload: {} });
    expect(created.status).toBe(201);
    while (!(await listening(admin, db)) && Date.now() - t0 < 15_000) await sleep(200);
    expect(await listening(admin, db)).toBe(true);

    // No acknowledged write was lost.
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const id of acknowledged) expect((await agent.get(`/tasks/${id}`)).status).toBe(200);
    expect(server.proc.exitCode).toBeNull();
  });
});
