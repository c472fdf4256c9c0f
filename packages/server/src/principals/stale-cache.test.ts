import { type HumanOSServer, loadConfig, startServer } from '@humanos/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/**
 * Issue 22 (low): a disabled principal rotated its own token on another replica during a LISTEN
 * reconnect gap (that replica's cached principal still said enabled). Every write that acts on the
 * caller's own authority re-reads the principal in its transaction. Two servers share one store;
 * the second one's cache never hears of the first one's changes (as in the gap).
 */
for (const backend of backends()) {
  describe(`principal writes re-read the caller, whatever the token cache says [${backend}]`, () => {
    let a: TestServer;
    let b: HumanOSServer;
    const onB = (token: string) => new Api(b.url, token);

    beforeAll(async () => {
      a = await startTestServer(backend);
      const config = loadConfig({ ...a.backend.env, HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN, PORT: '0' });
      b = await startServer(config, { clock: a.clock, logger: false, validateResponses: true });
      // The gap: B misses the replicas' notices, so its cache keeps what it read for 30 s.
      b.service.principals.invalidate = () => {};
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    async function tokenHash(id: string) {
      const row = await a.server.store.db
        .selectFrom('principals')
        .select('token_hash')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return row.token_hash;
    }

    it('a principal disabled on one server cannot rotate its own token (or declare capabilities) through the other', async () => {
      const worker = await a.principal('did:agent:worker', []);
      const cached = onB(worker.token as string);
      expect((await cached.get('/me')).status).toBe(200); // B now caches it as enabled
      expect((await a.admin.req('PATCH', '/principals/did:agent:worker', { disabled: true })).status).toBe(200);
      expect((await cached.get('/me')).status).toBe(200); // B's cache still says enabled
      const hash = await tokenHash('did:agent:worker');
      const before = await a.fingerprint();
      const rotated = await cached.post('/principals/did:agent:worker/token');
      expect([rotated.status, rotated.body.code]).toEqual([401, 'unauthorized']);
      const caps = await cached.req('PUT', '/me/capabilities', { capabilities: ['payments'] });
      expect([caps.status, caps.body.code]).toEqual([401, 'unauthorized']);
      expect(await a.fingerprint()).toBe(before);
      expect(await tokenHash('did:agent:worker')).toBe(hash);
    });

    it('a token rotated away on one server cannot mint another one through the other', async () => {
      const bot = await a.principal('did:agent:rotor', []);
      const stolen = onB(bot.token as string);
      expect((await stolen.get('/me')).status).toBe(200);
      const fresh = await a.admin.post('/principals/did:agent:rotor/token');
      expect(fresh.status).toBe(200);
      const hash = await tokenHash('did:agent:rotor');
      const before = await a.fingerprint();
      const r = await stolen.post('/principals/did:agent:rotor/token');
      expect([r.status, r.body.code]).toEqual([401, 'unauthorized']);
      expect(await a.fingerprint()).toBe(before);
      expect(await tokenHash('did:agent:rotor')).toBe(hash);
      // The current token still rotates, through either server.
      expect((await onB(fresh.body.token).post('/principals/did:agent:rotor/token')).status).toBe(200);
    });

    it('an admin whose admin role was dropped on one server cannot administer through the other', async () => {
      const ops = await a.principal('did:human:ops-admin', ['admin']);
      const cached = onB(ops.token as string);
      expect((await cached.get('/me')).body.roles).toEqual(['admin']);
      expect((await a.admin.req('PATCH', '/principals/did:human:ops-admin', { roles: ['ops'] })).status).toBe(200);
      await a.principal('did:agent:target', []);
      const before = await a.fingerprint();
      for (const r of [
        await cached.post('/principals', { id: 'did:human:sockpuppet', roles: ['cfo'] }),
        await cached.req('PATCH', '/principals/did:agent:target', { roles: ['cfo'] }),
        await cached.post('/principals/did:agent:target/token'),
      ]) {
        expect([r.status, r.body.code]).toEqual([403, 'forbidden']);
      }
      expect(await a.fingerprint()).toBe(before);
    });
  });
}
