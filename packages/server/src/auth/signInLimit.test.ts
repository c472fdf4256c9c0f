import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { freePort, startIdp, type TestIdp } from '../../../../test-support/oidc.js';

/**
 * The public sign-in routes are limited per client address (HUMANOS_SIGNIN_RATE_LIMIT per minute):
 * each `/auth/login` or `/auth/device` writes a pending login and asks the identity provider, before
 * anyone is authenticated. Past the limit: `429 rate_limited` with Retry-After, and nothing written.
 */
for (const backend of backends()) {
  describe(`sign-in rate limit per address [${backend}]`, () => {
    let idp: TestIdp;
    let t: TestServer;
    beforeAll(async () => {
      const port = await freePort();
      idp = await startIdp([`http://127.0.0.1:${port}/v1/humanos/auth/callback`]);
      t = await startTestServer(backend, {
        PORT: String(port),
        ...idp.env(`http://127.0.0.1:${port}`, { HUMANOS_SIGNIN_RATE_LIMIT: '3' }),
      });
    });
    afterAll(async () => {
      await t?.close();
      await idp?.close();
    });

    const pendingLogins = async () =>
      (await t.server.service.store.db.selectFrom('oidc_logins').select('id').execute()).length;

    it('counts logins and device starts together, refuses the fourth and writes nothing for it', async () => {
      const anon = new Api(t.url);
      // The console reads how to sign in on every load: never counted.
      for (let i = 0; i < 5; i++) expect((await anon.get('/auth/config')).status).toBe(200);
      expect((await anon.post('/auth/device')).status).toBe(200);
      expect((await anon.post('/auth/device')).status).toBe(200);
      const login = await fetch(`${t.url}/v1/humanos/auth/login?returnTo=%2F`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(await pendingLogins()).toBe(3);
      const before = await t.fingerprint();

      const refused = await anon.post('/auth/device');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const poll = await anon.post('/auth/device/token', { handle: 'x'.repeat(32) });
      expect([poll.status, poll.body.code]).toEqual([429, 'rate_limited']);
      expect(await t.fingerprint()).toBe(before);
      expect(await pendingLogins()).toBe(3);

      // Authenticated requests are limited per principal, not by this.
      expect((await t.admin.get('/me')).status).toBe(200);
      expect((await anon.get('/auth/config')).status).toBe(200);
    });
  });
}
