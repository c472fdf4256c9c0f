import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/** Reads one sample of a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * Operating the server: request ids end to end, problems that keep the RFC 9457 `status`, domain
 * metrics derived from the ledger, per-principal rate limits (admins exempt) and stream caps.
 */
for (const backend of backends()) {
  describe(`operations [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let other: Api;
    let ops: Api;
    beforeAll(async () => {
      t = await startTestServer(backend, {
        HUMANOS_RATE_LIMIT: '40',
        HUMANOS_RATE_LIMIT_WINDOW_MS: '60000',
        HUMANOS_MAX_STREAMS_PER_PRINCIPAL: '2',
      });
      agent = await t.principal('did:agent:ops-bot');
      other = await t.principal('did:agent:ops-other');
      ops = await t.principal('did:human:olga-ops', ['ops']);
    });
    afterAll(async () => t?.close());

    it('request ids: honoured when sane, generated otherwise, returned and in problem bodies', async () => {
      const given = await agent.req('GET', '/tasks/task:human:000000000000000000000000', undefined, {
        'x-request-id': 'trace-42.a:b',
      });
      expect(given.headers.get('x-request-id')).toBe('trace-42.a:b');
      expect(given.status).toBe(404);
      expect(given.body).toMatchObject({ status: 404, code: 'not_found', requestId: 'trace-42.a:b' });
      const generated = await fetch(`${t.url}/healthz`);
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const insane = await agent.req('GET', '/me', undefined, { 'x-request-id': 'has spaces and "quotes"' });
      expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('409 already_decided keeps the HTTP status member; the gate status is approvalStatus', async () => {
      const c = await agent.post('/tasks', {
        description: 'restart the cache',
        humanInLoop: { enabled: true, approverRole: 'ops' },
      });
      const id = c.body.approvalRequest.id;
      expect((await ops.post(`/approvals/${id}/approve`, { approvalReason: 'fine' })).status).toBe(200);
      const again = await ops.post(`/approvals/${id}/approve`, { approvalReason: 'again' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ status: 409, code: 'already_decided', approvalStatus: 'approved' });
    });

    it('domain metrics: pending per role, time to decision, expiries, executions, floor refusals', async () => {
      const scrape = async () => (await fetch(`${t.url}/metrics`)).text();
      const m0 = await scrape();
      const c = await agent.post('/tasks', {
        description: 'rotate keys',
        humanInLoop: { enabled: true, approverRole: 'ops' },
      });
      const floor = await agent.post('/tasks', {
        description: 'Wire transfer $50,000 to vendor',
        humanInLoop: { enabled: false, approverRole: 'ops' },
      });
      expect(floor.body.policy.floorApplied).toBe(true);
      const m1 = await scrape();
      // The floor gate goes to the policy's default role, not the one the opted-out agent named (issue 12).
      expect(sample(m1, 'humanos_approvals_pending', '{role="ops"}')).toBe(
        sample(m0, 'humanos_approvals_pending', '{role="ops"}') + 1,
      );
      expect(sample(m1, 'humanos_approvals_pending', '{role="approver"}')).toBe(
        sample(m0, 'humanos_approvals_pending', '{role="approver"}') + 1,
      );
      expect(sample(m1, 'humanos_policy_floor_applied_total')).toBe(
        sample(m0, 'humanos_policy_floor_applied_total') + 1,
      );
      expect(sample(m1, 'humanos_tasks_created_total')).toBe(sample(m0, 'humanos_tasks_created_total') + 2);
      t.clock.advance(90_000);
      expect((await ops.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' })).status).toBe(
        200,
      );
      const exec = await agent.post(`/tasks/${c.body.taskId}/execute`, {});
      expect(exec.status).toBe(200);
      const done = await agent.post(`/tasks/${c.body.taskId}/complete`, {
        result: { ok: true },
        leaseId: exec.body.leaseId,
      });
      expect(done.status).toBe(200);
      await expect
        .poll(async () => sample(await scrape(), 'humanos_approval_decision_seconds_count', '{verdict="approved"}'))
        .toBe(sample(m0, 'humanos_approval_decision_seconds_count', '{verdict="approved"}') + 1);
      const m2 = await scrape();
      const sum = sample(m2, 'humanos_approval_decision_seconds_sum', '{verdict="approved"}');
      expect(sum - sample(m0, 'humanos_approval_decision_seconds_sum', '{verdict="approved"}')).toBe(90);
      expect(sample(m2, 'humanos_executions_total', '{outcome="completed"}')).toBe(
        sample(m0, 'humanos_executions_total', '{outcome="completed"}') + 1,
      );
      expect(sample(m2, 'humanos_approvals_pending', '{role="ops"}')).toBe(
        sample(m1, 'humanos_approvals_pending', '{role="ops"}') - 1,
      );
    });

    it('rate limit per principal: 429 problem with Retry-After; others and admins unaffected', async () => {
      const limited = await t.principal('did:agent:ops-chatty');
      const statuses: number[] = [];
      let last: Awaited<ReturnType<Api['get']>> | undefined;
      for (let i = 0; i < 45; i++) {
        last = await limited.get('/me');
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(40).every((s) => s === 429)).toBe(true);
      expect(last?.body).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await other.get('/me')).status).toBe(200);
      for (let i = 0; i < 60; i++) expect((await t.admin.get('/me')).status).toBe(200);
    });

    it('concurrent event streams per principal are capped (admins exempt)', async () => {
      const open = (token: string) =>
        fetch(`${t.url}/v1/humanos/events`, { headers: { authorization: `Bearer ${token}` } });
      const s1 = await open(other.token as string);
      const s2 = await open(other.token as string);
      expect([s1.status, s2.status]).toEqual([200, 200]);
      const s3 = await open(other.token as string);
      expect(s3.status).toBe(429);
      expect(await s3.json()).toMatchObject({ status: 429, code: 'too_many_streams' });
      await s1.body?.cancel();
      await expect
        .poll(async () => {
          const s = await open(other.token as string);
          await s.body?.cancel();
          return s.status;
        })
        .toBe(200);
      const admins = await Promise.all([1, 2, 3].map(() => open(t.admin.token as string)));
      expect(admins.map((s) => s.status)).toEqual([200, 200, 200]);
      for (const s of [s2, ...admins]) await s.body?.cancel();
    });
  });
}
