import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { CookieJar, followSignIn, freePort, jarFetch, startIdp, type TestIdp } from '../../../../test-support/oidc.js';

const ACCOUNTS = {
  ann: { email: 'ann@example.com', email_verified: true, name: 'Ann Approver', groups: ['approver', 'finance'] },
  mallory: { email: 'boss@example.com', email_verified: false, name: 'Mallory' },
  stranger: { email: 'stranger@example.com', email_verified: true, name: 'Stranger' },
  newbie: { email: 'newbie@example.com', email_verified: true, name: 'New Person' },
  cfo: { email: 'cfo@example.com', email_verified: true, name: 'Cee Fo', groups: ['approver'] },
};

/** A HumanOS server on a known port (its public URL is the redirect URI's base) using the test IdP. */
async function ssoServer(
  backend: 'sqlite' | 'postgres',
  idp: TestIdp,
  port: number,
  extra: Record<string, string>,
): Promise<TestServer> {
  const url = `http://127.0.0.1:${port}`;
  return startTestServer(backend, { PORT: String(port), ...idp.env(url, extra) });
}

/** Signs `login` in through the IdP with plain HTTP; the HumanOS redirect at the end and the cookie jar. */
async function signIn(t: TestServer, login: string, returnTo = '/') {
  const jar = new CookieJar();
  const start = `${t.url}/v1/humanos/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
  const { res, url } = await followSignIn(jar, start, login, (u) => u.startsWith(t.url) && !u.includes('/auth/'));
  return { jar, res, url, cookie: jar.get(t.url, 'humanos_session') };
}

/** An Api whose requests carry the jar's cookies (and the CSRF token when `csrf`). */
function cookieApi(t: TestServer, jar: CookieJar) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await jarFetch(jar, `${t.url}/v1/humanos${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

async function ledgerOf(t: TestServer, type: string) {
  const size = (await t.admin.get('/ledger/checkpoint')).body.size;
  const all = (await t.admin.get(`/ledger/entries?start=0&end=${size}`)).body.entries.map((e: { entry: string }) =>
    JSON.parse(e.entry),
  );
  return all.filter((e: { type: string }) => e.type === type);
}

for (const backend of backends()) {
  describe(`single sign-on with a real OpenID provider [${backend}]`, () => {
    let idp: TestIdp;
    let t: TestServer;
    beforeAll(async () => {
      const port = await freePort();
      idp = await startIdp([`http://127.0.0.1:${port}/v1/humanos/auth/callback`], ACCOUNTS);
      t = await ssoServer(backend, idp, port, {
        HUMANOS_OIDC_ROLES_CLAIM: 'groups',
        HUMANOS_SESSION_IDLE_SECONDS: '600',
        HUMANOS_SESSION_MAX_SECONDS: '3600',
      });
      // Ann is matched by her verified e-mail; Mallory's unverified address claims the boss's principal.
      expect(
        (await t.admin.post('/principals', { id: 'did:human:ann', roles: [], email: 'Ann@Example.com' })).status,
      ).toBe(201);
      expect(
        (await t.admin.post('/principals', { id: 'did:human:boss', roles: ['admin'], email: 'boss@example.com' }))
          .status,
      ).toBe(201);
      expect(
        (await t.admin.post('/principals', { id: 'did:human:cfo', roles: [], email: 'cfo@example.com' })).status,
      ).toBe(201);
    });
    afterAll(async () => {
      await t?.close();
      await idp?.close();
    });

    it('code + PKCE: matched by verified e-mail, returns to the deep link, roles from the groups claim', async () => {
      const { url, cookie, jar } = await signIn(t, 'ann', '/approvals/approval:human:abc');
      expect(url).toBe(`${t.url}/approvals/approval:human:abc`);
      expect(cookie).toMatch(/^hss_/);
      const api = cookieApi(t, jar);
      const me = await api('GET', '/auth/session');
      expect(me.status).toBe(200);
      expect(me.body.principal).toMatchObject({
        id: 'did:human:ann',
        displayName: 'Ann Approver',
        email: 'ann@example.com',
      });
      expect(me.body.principal.roles.sort()).toEqual(['approver', 'finance']);
      expect(me.body.session).toMatchObject({ method: 'oidc', current: true, issuer: idp.issuer });
      expect(me.body.csrfToken).toEqual(expect.any(String));
      const view = (await t.admin.get('/principals/did:human:ann')).body;
      expect(view.oidc).toEqual({ issuer: idp.issuer, subject: 'ann' });
      const changed = await ledgerOf(t, 'principal.roles_changed');
      expect(changed.at(-1).data).toMatchObject({
        id: 'did:human:ann',
        roles: ['approver', 'finance'],
        source: 'oidc',
      });
    });

    it('the session cookie is HttpOnly, SameSite=Lax, and not Secure on plain http', async () => {
      const jar = new CookieJar();
      const start = `${t.url}/v1/humanos/auth/login`;
      let res = await jarFetch(jar, start);
      expect(res.headers.getSetCookie()[0]).toMatch(/humanos_login=.*HttpOnly.*SameSite=Lax/i);
      const { url } = await followSignIn(jar, res.headers.get('location') as string, 'ann', (u) =>
        u.startsWith(`${t.url}/v1/humanos/auth/callback`),
      );
      res = await jarFetch(jar, url);
      const set = res.headers.getSetCookie().find((c) => c.startsWith('humanos_session='));
      expect(set).toMatch(/HttpOnly/i);
      expect(set).toMatch(/SameSite=Lax/i);
      expect(set).not.toMatch(/Secure/i);
    });

    it('an unverified e-mail never matches, an unknown person is refused, and nothing is written', async () => {
      const before = await t.fingerprint();
      for (const who of ['mallory', 'stranger']) {
        const { url, cookie } = await signIn(t, who, '/inbox');
        expect(cookie).toBeUndefined();
        const u = new URL(url);
        expect(u.pathname).toBe('/');
        expect(u.searchParams.get('signInError')).toBe('sign_in_refused');
      }
      expect(await t.fingerprint()).toBe(before);
    });

    it('a callback from another browser (no login cookie) is refused: the state is bound to the browser', async () => {
      const jar = new CookieJar();
      const login = await jarFetch(jar, `${t.url}/v1/humanos/auth/login`);
      const other = new CookieJar();
      const { url } = await followSignIn(
        other,
        login.headers.get('location') as string,
        'ann',
        (u) => u.startsWith(t.url) && !u.includes('/auth/'),
      );
      expect(new URL(url).searchParams.get('signInError')).toBe('sign_in_refused');
      expect(other.get(t.url, 'humanos_session')).toBeUndefined();
    });

    it('returnTo cannot leave the server (no open redirect)', async () => {
      for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
        const { url } = await signIn(t, 'ann', evil);
        expect(url).toBe(`${t.url}/`);
      }
    });

    it('CSRF: a cookie-authenticated write without the token (or from another origin) is 403 and writes nothing', async () => {
      const agent = await t.principal(`did:agent:bot-${backend}-csrf`, []);
      const task = (
        await agent.post('/tasks', {
          description: 'Pay',
          payload: { amount: 5 },
          approvalChain: [{ role: 'approver' }],
        })
      ).body;
      const gate = task.approvalRequest.id;
      const { jar } = await signIn(t, 'ann');
      const api = cookieApi(t, jar);
      const csrf = (await api('GET', '/auth/session')).body.csrfToken as string;
      const before = await t.fingerprint();
      const noToken = await api('POST', `/approvals/${gate}/approve`, { approvalReason: 'ok' });
      expect([noToken.status, noToken.body.code]).toEqual([403, 'csrf_failed']);
      const wrong = await api(
        'POST',
        `/approvals/${gate}/approve`,
        { approvalReason: 'ok' },
        { 'x-humanos-csrf': 'x'.repeat(43) },
      );
      expect(wrong.body.code).toBe('csrf_failed');
      const foreign = await api(
        'POST',
        `/approvals/${gate}/approve`,
        { approvalReason: 'ok' },
        { 'x-humanos-csrf': csrf, origin: 'https://evil.example' },
      );
      expect(foreign.body.code).toBe('csrf_failed');
      expect(await t.fingerprint()).toBe(before);
      const ok = await api(
        'POST',
        `/approvals/${gate}/approve`,
        { approvalReason: 'ok' },
        { 'x-humanos-csrf': csrf, origin: t.url },
      );
      expect(ok.status).toBe(200);
      const decided = (await ledgerOf(t, 'approval.decided')).at(-1);
      expect(decided).toMatchObject({ actor: 'did:human:ann', data: { auth: 'session', channel: 'api' } });
    });

    it('sessions end when idle, at their absolute end, when revoked (by the person or an admin), and at sign-out', async () => {
      const idle = cookieApi(t, (await signIn(t, 'ann')).jar);
      expect((await idle('GET', '/me')).status).toBe(200);
      t.clock.advance(601_000);
      expect((await idle('GET', '/me')).status).toBe(401);

      const busy = cookieApi(t, (await signIn(t, 'ann')).jar);
      for (let i = 0; i < 6; i++) {
        t.clock.advance(590_000);
        expect((await busy('GET', '/me')).status, `use ${i} within the idle timeout`).toBe(200);
      }
      t.clock.advance(590_000); // 3 540 s + 70 s > the 3 600 s absolute end
      expect((await busy('GET', '/me')).status).toBe(401);

      const a = await signIn(t, 'ann');
      const b = await signIn(t, 'ann');
      const apiA = cookieApi(t, a.jar);
      const apiB = cookieApi(t, b.jar);
      const mine = (await apiA('GET', '/me/sessions')).body.items;
      expect(mine.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      const idB = (await apiB('GET', '/auth/session')).body.session.id;
      const csrfA = (await apiA('GET', '/auth/session')).body.csrfToken;
      expect((await apiA('DELETE', `/me/sessions/${idB}`, undefined, { 'x-humanos-csrf': csrfA })).status).toBe(200);
      expect((await apiB('GET', '/me')).status).toBe(401);
      expect((await apiA('GET', '/me')).status).toBe(200);
      // Another person's session is not yours to end.
      const other = await signIn(t, 'cfo');
      const otherId = (await cookieApi(t, other.jar)('GET', '/auth/session')).body.session.id;
      expect((await apiA('DELETE', `/me/sessions/${otherId}`, undefined, { 'x-humanos-csrf': csrfA })).status).toBe(
        404,
      );

      const revoked = await t.admin.req('DELETE', '/principals/did:human:ann/sessions');
      expect(revoked.body.revoked).toBeGreaterThanOrEqual(1);
      expect((await apiA('GET', '/me')).status).toBe(401);

      const c = await signIn(t, 'ann');
      const apiC = cookieApi(t, c.jar);
      const csrfC = (await apiC('GET', '/auth/session')).body.csrfToken;
      expect((await apiC('POST', '/auth/logout', undefined, {})).status).toBe(403);
      const out = await jarFetch(c.jar, `${t.url}/v1/humanos/auth/logout`, {
        method: 'POST',
        headers: { 'x-humanos-csrf': csrfC },
      });
      expect(out.status).toBe(200);
      expect(out.headers.getSetCookie().join()).toMatch(/humanos_session=;/);
      expect((await apiC('GET', '/me')).status).toBe(401);
      // The cookie as it was, replayed after sign-out: still refused.
      const replay = new Api(t.url).req('GET', '/me', undefined, { cookie: `humanos_session=${c.cookie}` });
      expect((await replay).status).toBe(401);
    });

    it('sign-out ends the sign-in at the identity provider too (RP-Initiated Logout), then asks to log in again', async () => {
      // Whether a sign-in from this browser stops at the IdP's login page (else the IdP's session passes it through).
      const asksToLogIn = async (jar: CookieJar) => {
        let url = `${t.url}/v1/humanos/auth/login`;
        for (let hops = 0; hops < 10; hops++) {
          const res = await jarFetch(jar, url);
          const next = res.headers.get('location');
          if (!next) return /<input[^>]*name="login"/.test(await res.text());
          url = new URL(next, url).href;
          if (url.startsWith(`${t.url}/v1/humanos/auth/callback`)) return false;
        }
        throw new Error('too many redirects');
      };
      const a = await signIn(t, 'ann');
      expect(await asksToLogIn(new CookieJar())).toBe(true);
      expect(await asksToLogIn(a.jar)).toBe(false); // the IdP remembers Ann
      const session = (await cookieApi(t, a.jar)('GET', '/auth/session')).body;
      const stored = () =>
        t.server.store.db
          .selectFrom('sessions')
          .select('id_token')
          .where('id', '=', session.session.id)
          .executeTakeFirst();
      const idToken = (await stored())?.id_token;
      expect(idToken).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);

      const out = await cookieApi(t, a.jar)('POST', '/auth/logout', undefined, { 'x-humanos-csrf': session.csrfToken });
      expect(out.status).toBe(200);
      const end = new URL(out.body.endSessionUrl);
      expect(end.origin).toBe(idp.issuer);
      expect(end.searchParams.get('client_id')).toBe(idp.clientId);
      expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${t.url}/`);
      expect(end.searchParams.get('id_token_hint')).toBe(idToken);
      expect((await stored())?.id_token).toBeNull(); // forgotten with the session

      // The browser goes there; the IdP asks, Ann confirms, and it sends her back to the console.
      const page = await jarFetch(a.jar, end.href);
      const html = await page.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] as string;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] as string;
      const confirmed = await jarFetch(a.jar, new URL(action, end).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
      });
      let back = confirmed.headers.get('location') as string;
      if (!back.startsWith(t.url))
        back = (await jarFetch(a.jar, new URL(back, end).href)).headers.get('location') as string;
      expect(back).toBe(`${t.url}/`);
      expect(await asksToLogIn(a.jar)).toBe(true); // signed out at the IdP too
    });

    it('signing in again in the same browser ends the session its old cookie named', async () => {
      const first = await signIn(t, 'ann');
      const old = first.cookie as string;
      await followSignIn(
        first.jar,
        `${t.url}/v1/humanos/auth/login`,
        'ann',
        (u) => u.startsWith(t.url) && !u.includes('/auth/'),
      );
      const renewed = first.jar.get(t.url, 'humanos_session');
      expect(renewed).toMatch(/^hss_/);
      expect(renewed).not.toBe(old);
      const asOld = await new Api(t.url).req('GET', '/me', undefined, { cookie: `humanos_session=${old}` });
      expect(asOld.status).toBe(401);
      expect((await cookieApi(t, first.jar)('GET', '/me')).status).toBe(200);
    });

    it('the CLI device grant: a session token that works as a bearer token', async () => {
      const started = await new Api(t.url).post('/auth/device');
      expect(started.status).toBe(200);
      expect(started.body.userCode).toEqual(expect.any(String));
      const browser = new CookieJar();
      await followSignIn(browser, started.body.verificationUriComplete, 'cfo');
      const done = await new Api(t.url).post('/auth/device/token', { handle: started.body.handle });
      expect(done.body).toMatchObject({ status: 'complete', principalId: expect.stringMatching(/^did:human:/) });
      const me = await new Api(t.url, done.body.sessionToken).get('/auth/session');
      expect(me.body.session.method).toBe('device');
      // Used up: the same handle is refused now.
      expect((await new Api(t.url).post('/auth/device/token', { handle: started.body.handle })).body.code).toBe(
        'sign_in_refused',
      );
      // Signing out of a device session sends no end-session URL: there is no browser at the IdP to send.
      const out = await new Api(t.url, done.body.sessionToken).post('/auth/logout');
      expect([out.status, out.body]).toEqual([200, { signedOut: true }]);
      expect((await new Api(t.url, done.body.sessionToken).get('/me')).status).toBe(401);
    }, 30_000);

    it('an admin links an identity; a link to a second principal is a conflict; the change is in the ledger', async () => {
      await t.admin.post('/principals', { id: 'did:human:linked', roles: [] });
      const r = await t.admin.req('PATCH', '/principals/did:human:linked', {
        oidc: { issuer: idp.issuer, subject: 'newbie' },
        displayName: 'Linked',
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ displayName: 'Linked', oidc: { issuer: idp.issuer, subject: 'newbie' } });
      const { cookie } = await signIn(t, 'newbie');
      expect(cookie).toMatch(/^hss_/);
      expect((await t.admin.get('/principals/did:human:linked')).body.displayName).toBe('New Person');
      const dup = await t.admin.req('PATCH', '/principals/did:human:ann', {
        oidc: { issuer: idp.issuer, subject: 'newbie' },
      });
      expect([dup.status, dup.body.code]).toEqual([409, 'conflict']);
      expect((await ledgerOf(t, 'principal.identity_changed')).at(-1).data).toMatchObject({ id: 'did:human:linked' });
    });
  });

  describe(`auto-provisioning, HUMANOS_HUMAN_TOKENS=off and maxSessionAge [${backend}]`, () => {
    let idp: TestIdp;
    let t: TestServer;
    beforeAll(async () => {
      const port = await freePort();
      idp = await startIdp([`http://127.0.0.1:${port}/v1/humanos/auth/callback`], ACCOUNTS);
      const policy = join(tmpdir(), `humanos-policy-${backend}-${port}.json`);
      writeFileSync(policy, JSON.stringify({ name: 'fresh', version: 1, maxSessionAge: { seconds: 300 }, rules: [] }));
      t = await ssoServer(backend, idp, port, {
        HUMANOS_OIDC_ROLES_CLAIM: 'groups',
        HUMANOS_OIDC_AUTO_PROVISION: '1',
        HUMANOS_HUMAN_TOKENS: 'off',
        HUMANOS_POLICY: policy,
        // Passkeys on (a domain, not the loopback IP): enrolment needs a fresh sign-in.
        HUMANOS_WEBAUTHN_RP_ID: 'localhost',
        HUMANOS_WEBAUTHN_ORIGINS: `http://localhost:${port}`,
      });
    });
    afterAll(async () => {
      await t?.close();
      await idp?.close();
    });

    it('an unmatched person is created with no roles; the admin’s bearer token is refused, an agent’s works', async () => {
      const { cookie, jar } = await signIn(t, 'newbie');
      expect(cookie).toMatch(/^hss_/);
      const me = (await cookieApi(t, jar)('GET', '/auth/session')).body.principal;
      expect(me).toMatchObject({
        id: expect.stringMatching(/^did:human:newbie-[0-9a-f]{6}$/),
        roles: [],
        displayName: 'New Person',
      });
      // The console hides its token form: the server says tokens are off.
      expect((await new Api(t.url).get('/auth/config')).body).toMatchObject({
        humanTokens: false,
        oidc: { name: 'Test IdP' },
      });
      const refused = await new Api(t.url, ADMIN_TOKEN).get('/me');
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toMatch(/HUMANOS_HUMAN_TOKENS=off/);
      const admin = { id: 'did:human:admin', kind: 'human' as const, roles: ['admin'] };
      const { token } = await t.server.service.principals.create(admin, { id: 'did:agent:bot', roles: [] });
      expect((await new Api(t.url, token).get('/me')).status).toBe(200);
      const created = (await t.server.service.principals.list(admin)).find((p) => p.id === me.id);
      expect(created?.createdBy).toBe(me.id);
    });

    it('enrolling a passkey needs a sign-in from the last 10 minutes; an older session is refused, nothing written', async () => {
      const { jar } = await signIn(t, 'cfo');
      const api = cookieApi(t, jar);
      const csrf = (await api('GET', '/auth/session')).body.csrfToken;
      const ok = await api('POST', '/me/passkeys/registration-options', {}, { 'x-humanos-csrf': csrf });
      expect(ok.status).toBe(200);
      expect(ok.body.challenge).toMatch(/^[A-Za-z0-9_-]+$/);
      t.clock.advance(10 * 60_000 + 1_000);
      expect((await api('GET', '/me')).status).toBe(200); // the session itself is still alive
      const before = await t.fingerprint();
      const old = await api('POST', '/me/passkeys/registration-options', {}, { 'x-humanos-csrf': csrf });
      expect([old.status, old.body.code]).toEqual([401, 'reauthentication_required']);
      expect(old.body.signInUrl).toBe(`/v1/humanos/auth/login?returnTo=${encodeURIComponent('/security')}&fresh=true`);
      expect(await t.fingerprint()).toBe(before);
    });

    it('a high-risk decision from a session older than maxSessionAge is refused with a sign-in URL; nothing written', async () => {
      const admin = { id: 'did:human:admin', kind: 'human' as const, roles: ['admin'] };
      const { token } = await t.server.service.principals.create(admin, { id: 'did:agent:payer', roles: [] });
      const agent = new Api(t.url, token);
      const task = (
        await agent.post('/tasks', {
          description: 'Wire',
          payload: { amount: 50_000 },
          approvalChain: [{ role: 'approver' }],
        })
      ).body;
      expect(task.approvalRequest.riskAssessment.level).toMatch(/high|critical/);
      const gate = task.approvalRequest.id;
      const { jar } = await signIn(t, 'cfo');
      const api = cookieApi(t, jar);
      const csrf = (await api('GET', '/auth/session')).body.csrfToken;
      t.clock.advance(301_000);
      // (A use moves the session's idle deadline: one before the fingerprint, so it compares the decision alone.)
      expect((await api('GET', '/me')).status).toBe(200);
      const before = await t.fingerprint();
      const old = await api(
        'POST',
        `/approvals/${gate}/approve`,
        { approvalReason: 'fine' },
        { 'x-humanos-csrf': csrf },
      );
      expect([old.status, old.body.code]).toEqual([401, 'reauthentication_required']);
      expect(old.body.signInUrl).toBe(
        `/v1/humanos/auth/login?returnTo=${encodeURIComponent(`/approvals/${gate}`)}&fresh=true`,
      );
      expect(await t.fingerprint()).toBe(before);
      // A fresh sign-in (the URL it gave) and the decision goes through.
      const fresh = await signIn(t, 'cfo', `/approvals/${gate}`);
      expect(fresh.url).toBe(`${t.url}/approvals/${gate}`);
      const api2 = cookieApi(t, fresh.jar);
      const csrf2 = (await api2('GET', '/auth/session')).body.csrfToken;
      expect(
        (await api2('POST', `/approvals/${gate}/approve`, { approvalReason: 'fine' }, { 'x-humanos-csrf': csrf2 }))
          .status,
      ).toBe(200);
    });
  });
}
