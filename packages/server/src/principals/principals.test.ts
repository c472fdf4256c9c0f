import { parseLedgerExport, verifyLedger } from '@humanos/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  Api,
  type Backend,
  backends,
  type ChildServer,
  createBackend,
  spawnReplicas,
  startTestServer,
  type TestServer,
} from '../../../../test-support/harness.js';

const ledgerTypes = async (t: TestServer) => {
  const bundle = parseLedgerExport((await t.admin.req('GET', '/ledger/export')).body as string);
  expect(verifyLedger(bundle).ok).toBe(true);
  return bundle.entries.map((e) => JSON.parse(e.entry).type as string);
};

/** Principal lifecycle: token rotation, disabling, role changes; who may do them; and that they bite at once. */
for (const backend of backends()) {
  describe(`principal lifecycle [${backend}]`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(async () => t?.close());

    it('a rotated token stops working at once, even when just used (cached); the new one works', async () => {
      const ann = await t.principal('did:human:ann', ['finance_manager']);
      expect((await ann.get('/me')).body.id).toBe('did:human:ann');
      const r = await t.admin.post('/principals/did:human:ann/token');
      expect(r.status).toBe(200);
      expect(r.body.id).toBe('did:human:ann');
      expect(r.body.token).toMatch(/^hos_/);
      expect(r.body.token).not.toBe(ann.token);
      const old = await ann.get('/me');
      expect(old.status).toBe(401);
      expect(old.body.code).toBe('unauthorized');
      expect((await ann.as(r.body.token).get('/me')).body.id).toBe('did:human:ann');
      const view = (await t.admin.get('/principals/did:human:ann')).body;
      expect(view.tokenRotatedAt).not.toBeNull();
      expect(view).not.toHaveProperty('token');
      expect(view).not.toHaveProperty('tokenHash');
      expect((await ledgerTypes(t)).filter((x) => x === 'principal.token_rotated')).toHaveLength(1);
    });

    it('a principal may rotate its own token, but nobody else’s; refusals change nothing', async () => {
      const bob = await t.principal('did:human:bob', ['ops']);
      const eve = await t.principal('did:agent:eve', []);
      const before = await t.fingerprint();
      for (const [who, path] of [
        [eve, '/principals/did:human:bob/token'],
        [bob, '/principals/did:human:admin/token'],
      ] as const) {
        const r = await who.post(path);
        expect(r.status).toBe(403);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.code).toBe('forbidden');
      }
      expect(await t.fingerprint()).toBe(before);
      const own = await eve.post('/principals/did:agent:eve/token');
      expect(own.status).toBe(200);
      expect((await eve.get('/me')).status).toBe(401);
      expect((await eve.as(own.body.token).get('/me')).body.id).toBe('did:agent:eve');
    });

    it('disabling refuses the token at once and keeps it out of routing; enabling lets the same token in again', async () => {
      const carl = await t.principal('did:agent:carl', []);
      await carl.req('PUT', '/me/capabilities', { capabilities: ['invoice_processing'] });
      const dave = await t.principal('did:agent:dave', []);
      await dave.req('PUT', '/me/capabilities', { capabilities: ['invoice_processing'] });
      const proposal = async () => {
        const created = await t.admin.post('/tasks', {
          description: 'route me',
          requiredCapabilities: ['invoice_processing'],
          routing: { approverRole: 'dispatcher' },
        });
        expect(created.status).toBe(201);
        const gate = created.body.approvalRequest;
        expect(gate.kind).toBe('routing');
        return JSON.stringify([gate.proposedResource, gate.alternatives]);
      };
      expect(await proposal()).toContain('did:agent:carl');

      expect((await carl.get('/me')).status).toBe(200);
      const off = await t.admin.req('PATCH', '/principals/did:agent:carl', { disabled: true });
      expect(off.status).toBe(200);
      expect(off.body.disabledAt).not.toBeNull();
      expect((await carl.get('/me')).status).toBe(401);
      expect(JSON.stringify((await t.admin.get('/principals')).body.items)).toContain('"disabledAt":"');
      const after = await proposal();
      expect(after).not.toContain('did:agent:carl');
      expect(after).toContain('did:agent:dave');

      // Disabling again is a no-op: no second entry.
      const count = (await ledgerTypes(t)).filter((x) => x === 'principal.disabled').length;
      expect((await t.admin.req('PATCH', '/principals/did:agent:carl', { disabled: true })).status).toBe(200);
      expect((await ledgerTypes(t)).filter((x) => x === 'principal.disabled')).toHaveLength(count);

      const on = await t.admin.req('PATCH', '/principals/did:agent:carl', { disabled: false });
      expect(on.body.disabledAt).toBeNull();
      expect((await carl.get('/me')).status).toBe(200);
      expect((await ledgerTypes(t)).slice(-1)).toEqual(['principal.enabled']);
    });

    it('new roles apply at once: the inbox follows them and a dropped role can no longer decide', async () => {
      const agent = await t.principal('did:agent:payer', []);
      const dana = await t.principal('did:human:dana', ['finance_manager']);
      const created = await agent.post('/tasks', {
        description: 'pay',
        humanInLoop: { approverRole: 'finance_manager' },
        payload: { amount: 10 },
      });
      const approvalId = created.body.approvalRequest.id as string;
      const inbox = async () =>
        ((await dana.get('/approvals?status=pending')).body.items as { id: string }[]).map((i) => i.id);
      expect(await inbox()).toContain(approvalId);

      const r = await t.admin.req('PATCH', '/principals/did:human:dana', { roles: ['cfo'] });
      expect(r.status).toBe(200);
      expect(r.body.roles).toEqual(['cfo']);
      expect((await dana.get('/me')).body.roles).toEqual(['cfo']);
      expect(await inbox()).not.toContain(approvalId);
      const before = await t.fingerprint();
      const refused = await dana.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' });
      expect([403, 404]).toContain(refused.status);
      expect(await t.fingerprint()).toBe(before);

      const types = await ledgerTypes(t);
      expect(types.filter((x) => x === 'principal.roles_changed')).toHaveLength(1);
      // The same roles again change nothing and record nothing.
      expect((await t.admin.req('PATCH', '/principals/did:human:dana', { roles: ['cfo'] })).status).toBe(200);
      expect(await ledgerTypes(t)).toEqual(types);
    });

    it('authority is checked at decision time: a principal disabled behind the token cache cannot decide', async () => {
      const agent = await t.principal('did:agent:wirer', []);
      const gail = await t.principal('did:human:gail', ['treasury']);
      const created = await agent.post('/tasks', { description: 'wire', humanInLoop: { approverRole: 'treasury' } });
      const approvalId = created.body.approvalRequest.id as string;
      expect((await gail.get('/me')).status).toBe(200); // now cached on this server
      // As if disabled by another replica whose notification never arrived: the cache still says yes.
      await t.server.store.db
        .updateTable('principals')
        .set({ disabled_at: Date.now() })
        .where('id', '=', 'did:human:gail')
        .execute();
      expect((await gail.get('/me')).status).toBe(200);
      const before = await t.fingerprint();
      const r = await gail.post(`/approvals/${approvalId}/approve`, { approvalReason: 'ok' });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('unauthorized');
      expect(await t.fingerprint()).toBe(before);
    });

    it('an open event stream follows role changes, and ends when its principal is disabled', async () => {
      const hal = await t.principal('did:human:hal', ['desk_a']);
      const agent = await t.principal('did:agent:sse-bot', []);
      const ac = new AbortController();
      const res = await fetch(`${t.url}/v1/humanos/events`, {
        headers: { authorization: `Bearer ${hal.token}` },
        signal: ac.signal,
      });
      expect(res.status).toBe(200);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const dec = new TextDecoder();
      let text = '';
      let ended = false;
      const pump = (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) {
            ended = true;
            return;
          }
          text += dec.decode(value, { stream: true });
        }
      })();
      try {
        await t.admin.req('PATCH', '/principals/did:human:hal', { roles: ['desk_b'] });
        const c = await agent.post('/tasks', { description: 'for desk b', humanInLoop: { approverRole: 'desk_b' } });
        // Opened while hal held only desk_a: the new role's task still reaches the open stream.
        await expect.poll(() => text.includes(c.body.taskId), { timeout: 5_000 }).toBe(true);
        expect(ended).toBe(false);
        await t.admin.req('PATCH', '/principals/did:human:hal', { disabled: true });
        await expect.poll(() => ended, { timeout: 5_000 }).toBe(true);
      } finally {
        ac.abort();
        await pump;
      }
    });

    it('a token issued with an expiry stops working then, even while cached; rotation can issue a new one', async () => {
      const created = await t.admin.post('/principals', { id: 'did:agent:nightly', roles: [], tokenExpiresIn: 600 });
      expect(created.status).toBe(201);
      const expiresAt = Date.parse(created.body.tokenExpiresAt);
      expect(expiresAt).toBe(t.clock.now() + 600_000);
      const bot = t.admin.as(created.body.token);
      expect((await bot.get('/me')).status).toBe(200); // now cached
      t.clock.advance(599_000);
      expect((await bot.get('/me')).status).toBe(200);
      t.clock.advance(1_000);
      const expired = await bot.get('/me');
      expect([expired.status, expired.body.code]).toEqual([401, 'unauthorized']);
      expect((await t.admin.get('/principals/did:agent:nightly')).body.tokenExpiresAt).toBe(
        new Date(expiresAt).toISOString(),
      );
      // A new short-lived token, then one without expiry (no body at all).
      const again = await t.admin.post('/principals/did:agent:nightly/token', { expiresIn: 60 });
      expect(again.body.tokenExpiresAt).toBe(new Date(t.clock.now() + 60_000).toISOString());
      expect((await bot.as(again.body.token).get('/me')).status).toBe(200);
      const forever = await t.admin.req('POST', '/principals/did:agent:nightly/token');
      expect(forever.status).toBe(200);
      expect(forever.body.tokenExpiresAt).toBeNull();
      t.clock.advance(3_600_000);
      expect((await bot.as(forever.body.token).get('/me')).status).toBe(200);
      // Out of range lifetimes are refused and change nothing.
      const before = await t.fingerprint();
      for (const body of [{ expiresIn: 59 }, { expiresIn: 1.5 }, { expiresIn: 400 * 86_400 }, { expires: 60 }]) {
        const r = await t.admin.post('/principals/did:agent:nightly/token', body);
        expect([r.status, r.body.code]).toEqual([400, 'validation_failed']);
      }
      expect(await t.fingerprint()).toBe(before);
    });

    it('refusals: not admin, unknown principal, bad id, unknown field, self-lockout — nothing changed', async () => {
      const frank = await t.principal('did:human:frank', ['ops']);
      const before = await t.fingerprint();
      const cases: [Api, string, string, unknown, number, string][] = [
        [frank, 'PATCH', '/principals/did:human:ann', { disabled: true }, 403, 'forbidden'],
        [frank, 'PATCH', '/principals/did:human:frank', { roles: ['admin'] }, 403, 'forbidden'],
        [frank, 'GET', '/principals/did:human:ann', undefined, 403, 'forbidden'],
        [frank, 'GET', '/principals', undefined, 403, 'forbidden'],
        [t.admin, 'PATCH', '/principals/did:human:nobody', { disabled: true }, 404, 'not_found'],
        [t.admin, 'POST', '/principals/did:human:nobody/token', undefined, 404, 'not_found'],
        [t.admin, 'PATCH', '/principals/not-a-did', { disabled: true }, 400, 'invalid_id'],
        [t.admin, 'PATCH', '/principals/did:human:frank', { disabled: 'yes' }, 400, 'validation_failed'],
        [t.admin, 'PATCH', '/principals/did:human:frank', { token: 'x' }, 400, 'validation_failed'],
        [t.admin, 'PATCH', '/principals/did:human:admin', { disabled: true }, 409, 'self_lockout'],
        [t.admin, 'PATCH', '/principals/did:human:admin', { roles: ['ops'] }, 409, 'self_lockout'],
        [frank.as(undefined), 'POST', '/principals/did:human:frank/token', undefined, 401, 'unauthorized'],
      ];
      for (const [api, method, path, body, status, code] of cases) {
        const r = await api.req(method, path, method === 'POST' ? (body ?? {}) : body);
        expect({ path, body, status: r.status, code: r.body.code }).toEqual({ path, body, status, code });
      }
      expect(await t.fingerprint()).toBe(before);
      // A principal reads itself.
      expect((await frank.get('/principals/did:human:frank')).body.roles).toEqual(['ops']);
      expect((await t.admin.get('/me')).status).toBe(200);
    });
  });
}

describe('principal changes across replicas', () => {
  let backend: Backend | undefined;
  const children: ChildServer[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill();
    await backend?.drop();
  });

  if (backends().includes('postgres')) {
    it('[postgres] a token disabled on one replica is refused by the other long before its cache would expire', async () => {
      backend = await createBackend('postgres');
      const [a, b] = await spawnReplicas(backend);
      children.push(a, b);
      const adminA = new Api(a.url, ADMIN_TOKEN);
      const created = await adminA.post('/principals', { id: 'did:agent:worker', roles: [] });
      const onB = new Api(b.url, created.body.token);
      // B has now looked the principal up and holds it in its 30 s cache.
      expect((await onB.get('/me')).status).toBe(200);
      expect((await onB.get('/me')).status).toBe(200);
      const started = Date.now();
      expect((await adminA.req('PATCH', '/principals/did:agent:worker', { disabled: true })).status).toBe(200);
      await expect.poll(async () => (await onB.get('/me')).status, { timeout: 5_000, interval: 20 }).toBe(401);
      expect(Date.now() - started).toBeLessThan(5_000);
      // And rotation likewise: the re-enabled principal's old token dies on B when rotated on A.
      await adminA.req('PATCH', '/principals/did:agent:worker', { disabled: false });
      await expect.poll(async () => (await onB.get('/me')).status, { timeout: 5_000, interval: 20 }).toBe(200);
      const rotated = await adminA.post('/principals/did:agent:worker/token');
      await expect.poll(async () => (await onB.get('/me')).status, { timeout: 5_000, interval: 20 }).toBe(401);
      expect((await onB.as(rotated.body.token).get('/me')).status).toBe(200);
    }, 40_000);
  }
});
