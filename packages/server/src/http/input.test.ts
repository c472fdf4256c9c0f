import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

const isProblem = (r: { status: number; headers: Headers; body: unknown }) =>
  r.headers.get('content-type')?.startsWith('application/problem+json') &&
  typeof r.body === 'object' &&
  r.body !== null &&
  (r.body as { status?: unknown }).status === r.status;

/** Raw fetch with a body as given (not re-serialised), returning status, headers and parsed JSON. */
async function raw(url: string, method: string, token: string | undefined, body: BodyInit, type = 'application/json') {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed as Record<string, unknown> };
}

/**
 * Bad input anywhere is a 4xx problem+json that changes nothing: numbers beyond the double range,
 * duplicate keys, integers beyond the exact range in query strings, over-long path parameters,
 * malformed URLs, oversized bodies (a 413 Node's fetch can read).
 */
for (const backend of backends()) {
  describe(`bad input → 4xx problem+json, nothing changes [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let ann: Api;
    let taskId: string;
    let approvalId: string;
    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:input-bot');
      ann = await t.principal('did:human:ann-input', ['finance_manager', 'auditor']);
      const c = await agent.post('/tasks', {
        description: 'Wire $90',
        humanInLoop: { enabled: true, approverRole: 'finance_manager' },
        payload: { amount: 90 },
      });
      taskId = c.body.taskId;
      approvalId = c.body.approvalRequest.id;
    });
    afterAll(async () => t?.close());

    const base = () => `${t.url}/v1/humanos`;

    it('non-finite numbers and duplicate keys in every kind of body', async () => {
      const before = await t.fingerprint();
      const cases: [string, string, string, Api][] = [
        ['POST', '/tasks', '{"description":"x","payload":{"amount":1e400}}', agent],
        ['POST', '/tasks', '{"description":"x","payload":{"amount":-1e400}}', agent],
        ['POST', '/tasks', '{"description":"x","description":"y","payload":{}}', agent],
        ['POST', '/policy/evaluate', '{"description":"x","payload":{"amount":1e400}}', agent],
        ['POST', `/approvals/${approvalId}/approve`, '{"approvalReason":"ok","edits":{"amount":1e400}}', ann],
        [
          'POST',
          `/approvals/${approvalId}/approve`,
          '{"approvedBy":"did:human:eve","approvalReason":"ok","approvedBy":"did:human:ann-input"}',
          ann,
        ],
        ['POST', `/approvals/${approvalId}/reject`, '{"rejectionReason":"no","rejectionReason":"yes"}', ann],
        ['POST', `/tasks/${taskId}/complete`, '{"result":{"n":-1e400}}', agent],
        ['POST', `/tasks/${taskId}/decisions`, '{"payload":{"n":1E+999}}', agent],
        ['POST', '/tasks', '{"description":"x","payload":{"__proto__":{"admin":true}}}', agent],
      ];
      for (const [method, path, body, who] of cases) {
        const r = await raw(`${base()}${path}`, method, who.token, body);
        expect(r.status, `${path} ${body}`).toBe(400);
        expect(isProblem(r), `${path} ${body}`).toBe(true);
        expect(r.body.code).toBe('validation_failed');
      }
      expect(await t.fingerprint()).toBe(before);
    });

    it('integers beyond ±(2^53−1) in a task create and a decision body: 400 unsafe_integer, nothing written', async () => {
      const before = await t.fingerprint();
      const cases: [string, string, Api][] = [
        ['/tasks', '{"description":"Wire","payload":{"amount":9007199254740993}}', agent],
        ['/tasks', '{"description":"Wire","payload":{"ids":[1,-9007199254740992]}}', agent],
        ['/tasks', '{"description":"Wire","payload":{"amount":12345678901234567890.00}}', agent],
        [`/approvals/${approvalId}/approve`, '{"approvalReason":"ok","edits":{"amount":9007199254740993}}', ann],
        [`/tasks/${taskId}/decisions`, '{"payload":{"n":9007199254740993}}', agent],
      ];
      for (const [path, body, who] of cases) {
        const r = await raw(`${base()}${path}`, 'POST', who.token, body);
        expect(r.status, `${path} ${body}`).toBe(400);
        expect(isProblem(r)).toBe(true);
        expect(r.body).toMatchObject({ code: 'validation_failed', reason: 'unsafe_integer' });
        expect(r.body.detail).toMatch(/beyond ±\(2\^53−1\).*send it as a string/);
      }
      expect(await t.fingerprint()).toBe(before);
      // The largest exact integer is accepted and comes back as sent.
      const ok = await raw(
        `${base()}/tasks`,
        'POST',
        agent.token,
        '{"description":"Wire","payload":{"amount":9007199254740991}}',
      );
      expect(ok.status).toBe(201);
      const task = await agent.get(`/tasks/${ok.body.taskId}`);
      expect(task.body.payload.amount).toBe(Number.MAX_SAFE_INTEGER);
    });

    it('integers beyond the exact range in query strings, long path parameters, malformed URLs', async () => {
      const before = await t.fingerprint();
      const paths = [
        '/ledger/entries?start=99999999999999999999',
        '/ledger/entries?start=0&end=9223372036854775808',
        '/ledger/entries?start=1e400',
        '/ledger/proof/inclusion?index=9007199254740993',
        '/ledger/proof/consistency?from=1&to=18446744073709551616',
        '/tasks?limit=1e400',
        `/tasks/task:agent:${'a'.repeat(250)}`,
        `/approvals/${'x'.repeat(201)}`,
        '/tasks/%E0%A4%A',
      ];
      for (const path of paths) {
        const r = await ann.get(path);
        expect(r.status, path).toBeGreaterThanOrEqual(400);
        expect(r.status, path).toBeLessThan(500);
        expect(isProblem(r), `${path}: ${JSON.stringify(r.body)}`).toBe(true);
        expect(typeof r.body.requestId).toBe('string');
      }
      expect(await t.fingerprint()).toBe(before);
    });

    it('a 2 MB body gets a 413 that Node fetch reads, whoever sends it and whatever its type', async () => {
      const big = JSON.stringify({ description: 'big', payload: { blob: 'x'.repeat(2 * 1024 * 1024) } });
      for (let i = 0; i < 5; i++) {
        const r = await raw(`${base()}/tasks`, 'POST', agent.token, big);
        expect(r.status).toBe(413);
        expect(isProblem(r)).toBe(true);
      }
      const anonymous = await raw(`${base()}/tasks`, 'POST', undefined, big);
      expect(anonymous.status).toBe(401);
      const odd = await raw(`${base()}/tasks`, 'POST', agent.token, big, 'application/x-odd');
      expect(odd.status).toBe(415);
      expect(isProblem(odd)).toBe(true);
      // Without a content-length (chunked), the limit is found while reading.
      const chunks = new ReadableStream({
        start(c) {
          for (let k = 0; k < 4; k++) c.enqueue(new TextEncoder().encode('x'.repeat(600 * 1024)));
          c.close();
        },
      });
      const chunked = await fetch(`${base()}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.token}` },
        body: chunks,
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      await chunked.text();
    });

    it('property: corrupted bodies on every body route are 4xx problem+json and change nothing', async () => {
      const before = await t.fingerprint();
      const routes: [string, Api][] = [
        ['/tasks', agent],
        ['/policy/evaluate', agent],
        [`/approvals/${approvalId}/approve`, ann],
        [`/approvals/${approvalId}/reject`, ann],
        [`/tasks/${taskId}/cancel`, agent],
        [`/tasks/${taskId}/complete`, agent],
      ];
      const value = fc.jsonValue({ maxDepth: 3 });
      const bad = fc.oneof(
        fc.constantFrom('1e400', '-1e400', '1E+309', `9${'9'.repeat(400)}`),
        fc.string().map((k) => `{${JSON.stringify(k)}:1,${JSON.stringify(k)}:2}`),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes),
          fc.dictionary(
            fc.constantFrom('description', 'approvalReason', 'rejectionReason', 'payload', 'edits', 'result'),
            value,
          ),
          bad,
          async ([path, who], obj, poison) => {
            const text = `${JSON.stringify({ ...obj, zz: '__POISON__' })}`.replace('"__POISON__"', () => poison);
            const r = await raw(`${base()}${path}`, 'POST', who.token, text);
            expect(r.status).toBe(400);
            expect(isProblem(r)).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
      expect(await t.fingerprint()).toBe(before);
    });
  });
}
