import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  backends,
  SEED_CREATE_BODY,
  startTestServer,
  type TestServer,
} from '../../../../test-support/harness.js';

const RUNS = Number(process.env.HUMANOS_FUZZ_RUNS ?? 1500);

/**
 * Property: whatever arrives, the answer is never a 5xx, every 4xx is problem+json with a code, and a
 * 4xx leaves the store byte-for-byte unchanged.
 */
for (const backend of backends()) {
  describe(`bad input [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let approver: Api;
    let pendingTask: string;
    let pendingGate: string;

    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:fuzz-bot', []);
      approver = await t.principal('did:human:fuzz-approver', ['dba_lead']);
      // The principal lifecycle routes change this one only, so the callers above keep working.
      await t.principal('did:human:fuzz-target', ['ops']);
      const c = await agent.post('/tasks', { ...SEED_CREATE_BODY, humanInLoop: { approverRole: 'dba_lead' } });
      pendingTask = c.body.taskId;
      pendingGate = c.body.approvalRequest.id;
    });
    afterAll(async () => t?.close());

    const validBodies: Record<string, () => unknown> = {
      task: () => SEED_CREATE_BODY,
      approve: () => ({
        approvedBy: 'did:human:fuzz-approver',
        approvalReason: 'ok',
        feedback: 'fine',
        edits: { size: '1GB' },
      }),
      reject: () => ({ rejectedBy: 'did:human:fuzz-approver', rejectionReason: 'no' }),
      execute: () => ({ payload: { a: 1 } }),
      complete: () => ({ result: { ok: true } }),
      principal: () => ({ id: 'did:human:someone', roles: ['x'] }),
      webhook: () => ({ url: 'http://127.0.0.1:9/hook', events: ['approval.*'], secret: 'whsec_fuzz_0123456789' }),
      principalUpdate: () => ({ roles: ['ops', 'auditor'], disabled: false }),
      cancel: () => ({ reason: 'withdrawn' }),
    };

    const jsonValue = fc.jsonValue({ maxDepth: 4 });
    const mutate = (base: unknown): fc.Arbitrary<unknown> => {
      const obj = base as Record<string, unknown>;
      const keys = Object.keys(obj);
      return fc.oneof(
        fc.constant(base),
        fc.anything({ maxDepth: 3 }),
        jsonValue,
        // an unknown field, e.g. "status": "approved"
        fc
          .tuple(fc.constantFrom('status', 'approved', 'taskId', '__proto__x', 'id2'), jsonValue)
          .map(([k, v]) => ({ ...obj, [k]: v })),
        // a known field with a value of the wrong type or shape
        fc.tuple(fc.constantFrom(...keys), jsonValue).map(([k, v]) => ({ ...obj, [k]: v })),
        // a missing field
        fc.constantFrom(...keys).map((k) => {
          const { [k]: _drop, ...rest } = obj;
          return rest;
        }),
        // strings that storage engines dislike
        fc
          .tuple(
            fc.constantFrom(...keys),
            fc.constantFrom('\u0000', '\ud800', 'x'.repeat(20_000), '🙂', "'; drop table tasks; --"),
          )
          .map(([k, v]) => ({ ...obj, [k]: v })),
        // deep nesting
        fc
          .integer({ min: 30, max: 400 })
          .map((d) => ({ ...obj, payload: JSON.parse(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`) })),
      );
    };

    const idArb = (valid: () => string, prefix: string) =>
      fc.oneof(
        fc.constant(null).map(() => valid()),
        fc
          .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 24, maxLength: 24 })
          .map((h) => `${prefix}${h}`),
        fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s) || 'x'),
        fc.constantFrom(
          '..%2F..%2Fetc',
          'task:human:',
          'approval:human:ZZZZ',
          '%00',
          'task:human:0123456789abcdef01234567%20',
        ),
      );

    type Req = { method: string; path: string; body: unknown; raw?: string; contentType?: string; who: string };
    const requestArb: fc.Arbitrary<Req> = fc.oneof(
      mutate(validBodies.task?.()).map((body) => ({ method: 'POST', path: '/tasks', body, who: 'agent' })),
      mutate(validBodies.task?.()).map((body) => ({ method: 'POST', path: '/policy/evaluate', body, who: 'agent' })),
      fc
        .tuple(
          idArb(() => pendingGate, 'approval:human:'),
          mutate(validBodies.approve?.()),
        )
        .map(([id, body]) => ({
          method: 'POST',
          path: `/approvals/${id}/approve`,
          body,
          who: 'approver',
        })),
      fc
        .tuple(
          idArb(() => pendingGate, 'approval:human:'),
          mutate(validBodies.reject?.()),
        )
        .map(([id, body]) => ({
          method: 'POST',
          path: `/approvals/${id}/reject`,
          body,
          who: 'approver',
        })),
      fc
        .tuple(
          idArb(() => pendingTask, 'task:human:'),
          fc.constantFrom('execute', 'complete', 'fail'),
          mutate(validBodies.execute?.()),
        )
        .map(([id, action, body]) => ({ method: 'POST', path: `/tasks/${id}/${action}`, body, who: 'agent' })),
      fc
        .tuple(
          idArb(() => pendingTask, 'task:human:'),
          mutate(validBodies.cancel?.()),
        )
        .map(([id, body]) => ({ method: 'POST', path: `/tasks/${id}/cancel`, body, who: 'agent' })),
      mutate(validBodies.principal?.()).map((body) => ({ method: 'POST', path: '/principals', body, who: 'admin' })),
      mutate(validBodies.webhook?.()).map((body) => ({ method: 'POST', path: '/webhooks', body, who: 'admin' })),
      fc
        .tuple(
          fc.oneof(
            fc.constant('did:human:fuzz-target'),
            fc.string({ maxLength: 30 }).map((x) => encodeURIComponent(x) || 'x'),
            fc.constantFrom('did:human:nobody', 'did:agent:', 'did:human:admin', 'did%3Ahuman%3Afuzz-target'),
          ),
          fc.constantFrom('PATCH', 'GET', 'POST /token', 'DELETE'),
          mutate(validBodies.principalUpdate?.()),
        )
        .map(([id, m, body]) => ({
          method: m === 'POST /token' ? 'POST' : m,
          path: `/principals/${id}${m === 'POST /token' ? '/token' : ''}`,
          body: m === 'GET' ? undefined : body,
          who: 'admin',
        })),
      fc
        .tuple(
          idArb(() => 'webhook:0123456789abcdef01234567', 'webhook:'),
          fc.constantFrom('', '/deliveries', '/deliveries/delivery:0123456789abcdef01234567/retry'),
          fc.constantFrom('GET', 'POST', 'DELETE'),
          fc.dictionary(fc.constantFrom('status', 'limit', 'x'), fc.string({ maxLength: 12 }), { maxKeys: 2 }),
        )
        .map(([id, sub, method, q]) => ({
          method,
          path: `/webhooks/${id}${sub}?${new URLSearchParams(q)}`,
          body: method === 'GET' ? undefined : {},
          who: 'admin',
        })),
      fc
        .tuple(
          fc.constantFrom(
            '/tasks',
            '/approvals',
            '/ledger/entries',
            '/ledger/proof/inclusion',
            '/ledger/proof/consistency',
            '/events',
          ),
          fc.dictionary(
            fc.constantFrom('status', 'limit', 'cursor', 'start', 'end', 'index', 'size', 'from', 'to', 'after', 'x'),
            fc.string({ maxLength: 12 }),
            { maxKeys: 3 },
          ),
        )
        .filter(([p]) => p !== '/events')
        .map(([path, q]) => ({
          method: 'GET',
          path: `${path}?${new URLSearchParams(q)}`,
          body: undefined,
          who: 'admin',
        })),
      fc
        .tuple(
          idArb(() => pendingTask, 'task:human:'),
          fc.string({ maxLength: 6 }),
        )
        .map(([id, wait]) => ({
          method: 'GET',
          path: `/tasks/${id}/decision?wait=${encodeURIComponent(wait)}`,
          body: undefined,
          who: 'agent',
        })),
      // Not JSON at all, or JSON with the wrong media type.
      fc
        .tuple(
          fc.string({ maxLength: 200 }),
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=latin1',
          ),
        )
        .map(([raw, contentType]) => ({
          method: 'POST',
          path: '/tasks',
          body: undefined,
          raw,
          contentType,
          who: 'agent',
        })),
    );

    it(`never answers 5xx and never changes state on a 4xx (${RUNS} generated requests)`, async () => {
      const apis: Record<string, Api> = { agent, approver, admin: t.admin };
      await fc.assert(
        fc.asyncProperty(requestArb, async (r) => {
          // A generated-but-valid decision may legitimately end the fixture's gate: keep one open.
          // A generated-but-valid webhook queues deliveries: let their attempts settle first, so the
          // store only changes by what this request does.
          await t.server.service.outbox.deliverDue();
          const before = await t.fingerprint();
          const api = apis[r.who] as Api;
          let res: { status: number; body: { code?: string }; headers: Headers };
          if (r.raw !== undefined) {
            res = await api.req('POST', r.path, r.raw, { 'content-type': r.contentType ?? 'application/json' });
          } else {
            res = await api.req(
              r.method,
              r.path,
              r.method === 'GET' ? undefined : r.body === undefined ? 'null' : JSON.stringify(r.body),
              r.method === 'GET' ? {} : { 'content-type': 'application/json' },
            );
          }
          expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
          // A dry run never writes, whatever it answers.
          if (r.path === '/policy/evaluate') expect(await t.fingerprint()).toBe(before);
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
            expect(typeof res.body.code).toBe('string');
            expect(await t.fingerprint()).toBe(before);
          }
          if (res.status === 200 && /\/approvals\/.*\/(approve|reject)$|\/cancel$/.test(r.path)) {
            const c = await agent.post('/tasks', { ...SEED_CREATE_BODY, humanInLoop: { approverRole: 'dba_lead' } });
            pendingTask = c.body.taskId;
            pendingGate = c.body.approvalRequest.id;
          }
        }),
        { numRuns: RUNS },
      );
    }, 600_000);

    it('an oversized body gets 413 and changes nothing', async () => {
      await t.server.service.outbox.deliverDue(); // the generated webhooks' attempts, settled
      const before = await t.fingerprint();
      const r = await agent.post('/tasks', { description: 'big', payload: { blob: 'x'.repeat(1_100_000) } });
      expect(r.status).toBe(413);
      expect(r.body.code).toBe('payload_too_large');
      expect(await t.fingerprint()).toBe(before);
    });

    it('unknown fields such as "status": "approved" on create are refused', async () => {
      const before = await t.fingerprint();
      const r = await agent.post('/tasks', { ...SEED_CREATE_BODY, status: 'approved' });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      const nested = await agent.post('/tasks', {
        ...SEED_CREATE_BODY,
        humanInLoop: { ...SEED_CREATE_BODY.humanInLoop, autoApprove: true },
      });
      expect(nested.status).toBe(400);
      expect(await t.fingerprint()).toBe(before);
    });

    it('bad ids are 400 invalid_id; well-formed unknown ids are 404', async () => {
      expect((await agent.get('/tasks/not-a-task')).body.code).toBe('invalid_id');
      expect((await agent.get('/tasks/task:human:0123456789abcdef01234567')).status).toBe(404);
      expect((await approver.post('/approvals/approval:human:0123456789abcdef01234567/approve', {})).status).toBe(404);
    });
  });
}
