/**
 * The transport against a fake `fetch`: what is retried and what is not, idempotency keys, 429 and
 * Retry-After, error mapping (codes, requestId, cause). Flows are tested against the real server in
 * flows.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HumanOSApiError, HumanOSClient, parseRetryAfter } from '../src/index.js';
import { fakeFetch, json, problem, type Step } from './fakeFetch.js';

const created = { taskId: 'task:human:0123456789abcdef01234567', status: 'awaiting_approval', policy: {} };

function client(steps: Step[], opts: { retries?: number; maxRetryAfterMs?: number } = {}) {
  const f = fakeFetch(steps);
  return {
    sdk: new HumanOSClient({ baseUrl: 'http://h.test/', apiKey: 'k', fetch: f.fetch, ...opts }),
    calls: f.calls,
  };
}

describe('transport: retries and idempotency keys', () => {
  it('a create retried after a network error and a 503 sends the same Idempotency-Key each time', async () => {
    const { sdk, calls } = client([new TypeError('fetch failed'), problem(503, 'unavailable'), json(201, created)]);
    const task = await sdk.createTask({ description: 'x' });
    expect(task.id).toBe(created.taskId);
    expect(calls).toHaveLength(3);
    const keys = calls.map((c) => c.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    expect(calls[0]?.url).toBe('http://h.test/v1/humanos/tasks');
    expect(calls[0]?.headers.authorization).toBe('Bearer k');
  });

  it('two calls get two keys; a given key is sent as is', async () => {
    const { sdk, calls } = client([json(201, created), json(201, created), json(201, created)]);
    await sdk.createTask({ description: 'a' });
    await sdk.createTask({ description: 'b' });
    await sdk.createTask({ description: 'c' }, { idempotencyKey: 'mine-1' });
    expect(calls[0]?.headers['idempotency-key']).not.toBe(calls[1]?.headers['idempotency-key']);
    expect(calls[2]?.headers['idempotency-key']).toBe('mine-1');
  });

  it('retries are bounded: retries + 1 attempts, then the last error', async () => {
    const { sdk, calls } = client(
      [problem(502, 'unavailable'), problem(502, 'unavailable'), problem(502, 'unavailable')],
      { retries: 2 },
    );
    const e = await sdk.getTask('task:human:0123456789abcdef01234567').catch((x) => x);
    expect(e).toBeInstanceOf(HumanOSApiError);
    expect(e.status).toBe(502);
    expect(calls).toHaveLength(3);
  });

  it('a write without a key is not retried after a network error, and the error keeps its cause', async () => {
    const cause = new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
    const { sdk, calls } = client([cause]);
    const e = await sdk.completeTask('task:human:0123456789abcdef01234567', { ok: true }).catch((x) => x);
    expect(e).toBeInstanceOf(HumanOSApiError);
    expect(e.code).toBe('network_error');
    expect(e.status).toBe(0);
    expect(e.cause).toBe(cause);
    expect(e.message).toContain('POST /v1/humanos/tasks/task%3Ahuman%3A0123456789abcdef01234567/complete');
    expect(calls).toHaveLength(1);
  });

  it('approve and reject are retried after a lost answer with the same Idempotency-Key', async () => {
    const approvalId = 'approval:human:0123456789abcdef01234567';
    const answer = { approvalId, status: 'approved' };
    const { sdk, calls } = client([
      new TypeError('fetch failed'),
      json(200, answer),
      problem(503, 'unavailable'),
      json(200, { approvalId, status: 'rejected' }),
    ]);
    expect(await sdk.approve(approvalId, { approvalReason: 'ok' })).toEqual(answer);
    expect((await sdk.reject(approvalId, { rejectionReason: 'no' }, { idempotencyKey: 'mine' })).status).toBe(
      'rejected',
    );
    expect(calls).toHaveLength(4);
    expect(calls[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    // One key per call, reused by its retry, so the server can answer the retry with the first answer.
    expect(calls[1]?.headers['idempotency-key']).toBe(calls[0]?.headers['idempotency-key']);
    expect(calls[2]?.headers['idempotency-key']).toBe('mine');
    expect(calls[3]?.headers['idempotency-key']).toBe('mine');
    expect(calls[3]?.body).toEqual({ rejectionReason: 'no' });
  });

  it('4xx other than 429 is never retried', async () => {
    const { sdk, calls } = client([problem(409, 'already_decided')]);
    const e = await sdk.getTask('task:human:0123456789abcdef01234567').catch((x) => x);
    expect(e.code).toBe('already_decided');
    expect(calls).toHaveLength(1);
  });

  it('a caller abort is rethrown as is, not turned into a network error or retried', async () => {
    const ac = new AbortController();
    const reason = new Error('user gave up');
    const { sdk, calls } = client([
      () => {
        ac.abort(reason);
        throw new DOMException('aborted', 'AbortError');
      },
    ]);
    await expect(sdk.tasks.get('task:human:0123456789abcdef01234567', { signal: ac.signal })).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
  });
});

describe('transport: 429 and Retry-After', () => {
  it('a 429 is retried after the Retry-After the server asked for, for a call that is safe to repeat', async () => {
    const { sdk, calls } = client([problem(429, 'rate_limited', { 'retry-after': '1' }), json(200, { ok: true })]);
    const t0 = Date.now();
    await sdk.getTask('task:human:0123456789abcdef01234567');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(calls).toHaveLength(2);
  });

  it('a 429 on a write without an idempotency key is not retried: the caller gets retryAfterMs', async () => {
    const { sdk, calls } = client([problem(429, 'rate_limited', { 'retry-after': '1' }), json(200, { ok: true })]);
    const e = await sdk.completeTask('task:human:0123456789abcdef01234567').catch((x) => x);
    expect(e).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 1000 });
    expect(calls).toHaveLength(1);
  });

  it('a Retry-After longer than maxRetryAfterMs fails at once with rate_limited and retryAfterMs', async () => {
    const { sdk, calls } = client([problem(429, 'rate_limited', { 'retry-after': '120' })], { maxRetryAfterMs: 5000 });
    const t0 = Date.now();
    const e = await sdk.listTasks().catch((x) => x);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(e.code).toBe('rate_limited');
    expect(e.status).toBe(429);
    expect(e.retryAfterMs).toBe(120_000);
    expect(calls).toHaveLength(1);
  });

  it('429s are bounded by retries too', async () => {
    const { sdk, calls } = client(
      [problem(429, 'rate_limited', { 'retry-after': '0' }), problem(429, 'rate_limited', { 'retry-after': '0' })],
      { retries: 1 },
    );
    expect((await sdk.listTasks().catch((x) => x)).code).toBe('rate_limited');
    expect(calls).toHaveLength(2);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-10T15:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sat, 10 Jan 2026 15:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 10 Jan 2026 14:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('transport: errors', () => {
  it('maps problem+json to code, status, detail and problem; requestId from the x-request-id header', async () => {
    const { sdk } = client([problem(403, 'agent_cannot_decide', { 'x-request-id': 'req-42' })]);
    const e = await sdk.approve('approval:human:0123456789abcdef01234567').catch((x) => x);
    expect(e).toBeInstanceOf(HumanOSApiError);
    expect(e).toMatchObject({ code: 'agent_cannot_decide', status: 403, requestId: 'req-42', fromServer: true });
    expect(e.message).toBe('agent_cannot_decide detail');
    expect(e.problem.type).toBe('urn:humanos:problem:agent_cannot_decide');
  });

  it('takes requestId from the problem body when there is no header', async () => {
    const { sdk } = client([problem(404, 'not_found', {}, { requestId: 'req-body-7' })]);
    const e = await sdk.getTask('task:human:0123456789abcdef01234567').catch((x) => x);
    expect(e.requestId).toBe('req-body-7');
  });

  it('an error answer that is not problem+json becomes http_<status>', async () => {
    const { sdk } = client([new Response('<html>bad gateway</html>', { status: 502 })], { retries: 0 });
    const e = await sdk.listTasks().catch((x) => x);
    expect(e).toMatchObject({ code: 'http_502', status: 502, problem: undefined, fromServer: false });
  });

  it('the old four-argument constructor (problem last) still works', () => {
    const p = { type: 't', title: 't', status: 409, code: 'conflict' as const, detail: 'd' };
    const e = new HumanOSApiError('conflict', 409, 'd', p);
    expect(e.problem).toBe(p);
    expect(e.cause).toBeUndefined();
  });
});
