import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  type Backend,
  backends,
  type ChildServer,
  createBackend,
  spawnServer,
} from '../../../../test-support/harness.js';

type LogLine = { level: number; msg: string; reqId?: string; route?: string; status?: number; ms?: number } & Record<
  string,
  unknown
>;

/** The JSON log lines a child server has written so far. */
const lines = (s: ChildServer): LogLine[] =>
  s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

const get = (s: ChildServer, path: string, id: string, token?: string) =>
  fetch(`${s.url}${path}`, {
    headers: { 'x-request-id': id, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

/** Waits until the server has written the line for the request `id` (it is written after the reply). */
async function lineOf(s: ChildServer, id: string): Promise<LogLine[]> {
  for (let i = 0; i < 200 && !lines(s).some((l) => l.reqId === id); i++) await new Promise((r) => setTimeout(r, 10));
  return lines(s).filter((l) => l.reqId === id);
}

/**
 * Quiet, useful logs (issue 27): one access-log line per request at info (fastify wrote two), health
 * checks and metrics scrapes at debug, slow requests at warn except long-polls, which wait by design.
 */
for (const backend of backends()) {
  describe(`access log [${backend}]`, () => {
    let b: Backend | undefined;
    const children: ChildServer[] = [];
    afterEach(async () => {
      for (const c of children.splice(0)) await c.kill();
      await b?.drop();
    });

    it('N requests make N lines: one each, with route, status, ms, request id and principal; probes at debug', async () => {
      b = await createBackend(backend);
      const s = await spawnServer({ ...b.env, HUMANOS_LOG_LEVEL: 'debug', HUMANOS_LOG_SLOW_MS: '60000' });
      children.push(s);
      const N = 25;
      for (let i = 0; i < N; i++) expect(await get(s, '/v1/humanos/ledger/public-key', `pk-${i}`)).toBe(200);
      for (let i = 0; i < 5; i++) {
        expect(await get(s, '/healthz', `health-${i}`)).toBe(200);
        expect(await get(s, '/metrics', `metrics-${i}`)).toBe(200);
      }
      expect(await get(s, '/v1/humanos/principals', 'admin-read', ADMIN_TOKEN)).toBe(200);
      expect(await get(s, '/v1/humanos/nowhere', 'missing')).toBe(404);
      for (let i = 0; i < N; i++) {
        const mine = await lineOf(s, `pk-${i}`);
        expect(mine, JSON.stringify(mine)).toHaveLength(1);
        expect(mine[0]).toMatchObject({
          level: 30,
          msg: 'request',
          method: 'GET',
          route: '/v1/humanos/ledger/public-key',
          status: 200,
        });
        expect(typeof mine[0]?.ms).toBe('number');
      }
      for (let i = 0; i < 5; i++) {
        for (const id of [`health-${i}`, `metrics-${i}`]) {
          const mine = await lineOf(s, id);
          expect(mine).toHaveLength(1);
          expect(mine[0]?.level).toBe(20);
        }
      }
      expect(await lineOf(s, 'admin-read')).toEqual([
        expect.objectContaining({ level: 30, status: 200, principal: 'did:human:admin' }),
      ]);
      expect(await lineOf(s, 'missing')).toEqual([expect.objectContaining({ level: 30, status: 404 })]);
      // At info, the N + 2 requests are N + 2 lines; the 10 probes are none.
      const info = lines(s).filter((l) => l.level >= 30 && typeof l.reqId === 'string');
      expect(info).toHaveLength(N + 2);
    }, 60_000);

    it('a slow request is logged at warn; a long-poll that waits as asked is not', async () => {
      b = await createBackend(backend);
      const s = await spawnServer({ ...b.env, HUMANOS_LOG_LEVEL: 'warn', HUMANOS_LOG_SLOW_MS: '1' });
      children.push(s);
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
      // 400 KB of payload to parse, canonicalise, hash and store: always more than a millisecond.
      const bigCreate = (id: string) =>
        fetch(`${s.url}/v1/humanos/tasks`, {
          method: 'POST',
          headers: { ...auth, 'x-request-id': id },
          body: JSON.stringify({
            description: 'Archive the logs',
            payload: { blob: 'x'.repeat(400_000) },
            humanInLoop: { approverRole: 'nobody' },
          }),
        });
      const created = await bigCreate('big-create');
      expect(created.status).toBe(201);
      const { taskId } = (await created.json()) as { taskId: string };
      expect(await lineOf(s, 'big-create')).toEqual([
        expect.objectContaining({ level: 40, msg: 'slow request', route: '/v1/humanos/tasks', status: 201 }),
      ]);
      const started = Date.now();
      expect(await get(s, `/v1/humanos/tasks/${taskId}/decision?wait=1`, 'long-poll', ADMIN_TOKEN)).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      // Lines are written in the order replies go out: the next slow request's line comes after.
      await bigCreate('marker');
      expect(await lineOf(s, 'marker')).toHaveLength(1);
      expect(lines(s).filter((l) => l.reqId === 'long-poll')).toEqual([]);
    }, 60_000);
  });
}
