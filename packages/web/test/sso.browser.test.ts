/**
 * Single sign-on in a real Chromium against a real server and a real OpenID provider (oidc-provider,
 * in-process on loopback): an "Open in HumanOS" deep link lands on the sign-in page, the IdP signs the
 * person in (authorization code + PKCE), and the console returns to the request, showing who is
 * signed in. A session that ends mid-decision loses nothing: the reason typed survives the new
 * sign-in. The security page lists and ends sessions; sign-out revokes the session on the server and
 * then ends the sign-in at the IdP (RP-Initiated Logout).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { freePort, startIdp, type TestIdp } from '../../../test-support/oidc.js';
import { closeAfter, haveChromium, launch, openPage, uniq, type WatchedPage } from './browser.js';

describe.skipIf(!haveChromium)('sign-in with the identity provider (Chromium)', () => {
  let idp: TestIdp;
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let open: WatchedPage | undefined;
  const role = `approver_${uniq()}`;

  beforeAll(async () => {
    const port = await freePort();
    idp = await startIdp([`http://127.0.0.1:${port}/v1/humanos/auth/callback`], {
      ann: { email: 'ann@example.com', email_verified: true, name: 'Ann Approver', groups: [role] },
    });
    // High-risk decisions need a sign-in from the last 5 minutes.
    const policy = join(mkdtempSync(join(tmpdir(), 'humanos-sso-')), 'policy.json');
    writeFileSync(policy, JSON.stringify({ name: 'fresh', version: 1, maxSessionAge: { seconds: 300 }, rules: [] }));
    t = await startTestServer('sqlite', {
      PORT: String(port),
      ...idp.env(`http://127.0.0.1:${port}`, { HUMANOS_OIDC_ROLES_CLAIM: 'groups', HUMANOS_POLICY: policy }),
    });
    await t.admin.post('/principals', { id: 'did:human:ann', roles: [], email: 'ann@example.com' });
    agent = await t.principal(`did:agent:payer-${uniq()}`, []);
    browser = await launch();
  });
  afterEach(async (ctx) => {
    await closeAfter(open, ctx.task, 'fail-sso');
    open = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
  });

  const newGate = async () => {
    const r = await agent.post('/tasks', {
      description: `Pay invoice ${uniq()}`,
      payload: { amount: 120, currency: 'EUR' },
      approvalChain: [{ role }],
    });
    expect(r.status).toBe(201);
    return r.body.approvalRequest.id as string;
  };

  /**
   * From the console's sign-in page: "Sign in with Test IdP", then the provider's login form, unless
   * the provider still has a session of this browser (then it sends the browser straight back).
   */
  const signInAtIdp = async (page: Page, login: string) => {
    await page.locator('#sso').click();
    const form = page.locator('input[name="login"]');
    await Promise.race([form.waitFor(), page.locator('header .who').waitFor()]);
    if ((await form.count()) > 0) {
      await form.fill(login);
      await page.locator('input[name="password"]').fill('any');
      await page.locator('button[type="submit"]').click();
    }
    await page.locator('header .who').waitFor();
  };

  it('a deep link survives the sign-in (code + PKCE); the header and decision bar say who you are; roles from the claim', async () => {
    const id = await newGate();
    open = await openPage(browser, t.url);
    const { page } = open;
    await page.goto(`${t.url}/approvals/${encodeURIComponent(id)}`);
    await expect.poll(() => page.locator('#sso').textContent()).toBe('Sign in with Test IdP');
    expect(await page.locator('#token').count()).toBe(1);
    await signInAtIdp(page, 'ann');
    expect(new URL(page.url()).pathname).toBe(`/approvals/${encodeURIComponent(id)}`);
    await expect.poll(() => page.locator('header .who').textContent()).toContain('Ann Approver');
    expect(await page.locator('header .who').textContent()).toContain('ann@example.com');
    expect(await page.locator('header .who').textContent()).toContain(role);
    expect(await page.locator('#deciding-as').textContent()).toContain(
      'Ann Approver (ann@example.com) · did:human:ann',
    );
    // The session cookie is HttpOnly: the page's script cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('humanos_session');
    await page.locator('#reason').fill('within budget');
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Approved');
    const entries = (await t.admin.get('/ledger/entries?start=0&end=1000')).body.entries.map((e: { entry: string }) =>
      JSON.parse(e.entry),
    );
    const decided = entries.filter((e: { type: string }) => e.type === 'approval.decided').at(-1);
    expect(decided).toMatchObject({ actor: 'did:human:ann', data: { auth: 'session' } });
  });

  it('a session that ends mid-decision keeps the typed reason through the new sign-in', async () => {
    const id = await newGate();
    open = await openPage(browser, t.url);
    const { page } = open;
    // No live stream (it would notice the ended session first): the decision itself meets the 401.
    await page.route('**/v1/humanos/events', (route) => route.abort());
    await page.goto(`${t.url}/approvals/${encodeURIComponent(id)}`);
    await signInAtIdp(page, 'ann');
    await page.locator('#reason').waitFor();
    await page.locator('#reason').fill('checked the invoice twice');
    // An admin ends every session of Ann (say, a lost laptop) while she is typing.
    expect((await t.admin.req('DELETE', '/principals/did:human:ann/sessions')).body.revoked).toBeGreaterThanOrEqual(1);
    const before = await t.fingerprint();
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Your session ended');
    expect(await t.fingerprint()).toBe(before);
    await signInAtIdp(page, 'ann');
    expect(new URL(page.url()).pathname).toBe(`/approvals/${encodeURIComponent(id)}`);
    await expect.poll(() => page.locator('#reason').inputValue()).toBe('checked the invoice twice');
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Approved');
    // Recorded: the draft is gone.
    expect(
      await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('humanos.draft.'))),
    ).toEqual([]);
  });

  it('maxSessionAge: a high-risk decision from an old sign-in asks for a fresh one, keeping the reason', async () => {
    const r = await agent.post('/tasks', {
      description: `Wire ${uniq()}`,
      payload: { amount: 50_000 },
      approvalChain: [{ role }],
    });
    const id = r.body.approvalRequest.id as string;
    expect(r.body.approvalRequest.riskAssessment.level).toMatch(/high|critical/);
    open = await openPage(browser, t.url);
    const { page } = open;
    await page.goto(`${t.url}/approvals/${encodeURIComponent(id)}`);
    await signInAtIdp(page, 'ann');
    await page.locator('#reason').fill('CFO confirmed by phone');
    t.clock.advance(301_000);
    const decided = async () =>
      (await t.admin.get('/ledger/entries?start=0&end=1000')).body.entries.filter(
        (e: { entry: string }) => JSON.parse(e.entry).type === 'approval.decided',
      ).length;
    const before = await decided();
    await page.locator('#approve').click();
    const again = page.getByRole('link', { name: 'Sign in again' });
    await again.waitFor();
    expect(await page.locator('main').textContent()).toContain('Your reason and edits are kept');
    // Still signed in (the session works; only this decision wants a fresher sign-in); nothing written.
    expect(await page.locator('header .who').count()).toBe(1);
    expect(await decided()).toBe(before);
    expect((await t.admin.get(`/approvals/${id}`)).body.status).toBe('pending');
    await again.click();
    // `fresh`: the IdP asks for the login again even though it has a session of this browser.
    await page.locator('input[name="login"]').fill('ann');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.origin === t.url && u.pathname.startsWith('/approvals/'));
    await expect.poll(() => page.locator('#reason').inputValue()).toBe('CFO confirmed by phone');
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Approved');
  });

  it('the security page lists sessions and ends one; sign-out revokes the session, then the IdP’s', async () => {
    open = await openPage(browser, t.url);
    const { page } = open;
    await page.goto(`${t.url}/security`);
    await signInAtIdp(page, 'ann');
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Security');
    // Another session of Ann's (another browser), which she ends from here.
    const other = await openPage(browser, t.url);
    await other.page.goto(`${t.url}/inbox`);
    await signInAtIdp(other.page, 'ann');
    await other.page.locator('header .who').waitFor();
    const otherId = await other.page.evaluate(async () => {
      const r = await fetch('/v1/humanos/auth/session');
      return ((await r.json()) as { session: { id: string } }).session.id;
    });
    await page.reload();
    await page.locator(`tr[data-session="${otherId}"]`).getByRole('button', { name: 'End' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Session ended.');
    await other.page.reload();
    await expect.poll(() => other.page.locator('#sso').count()).toBe(1);
    await other.context.close();
    const cookie = (await open.context.cookies()).find((c) => c.name === 'humanos_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    // Then the IdP's own sign-out (RP-Initiated Logout), which returns to the console's sign-in page.
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${t.url}/`);
    await expect.poll(() => page.locator('#sso').count()).toBe(1);
    // The old cookie value is refused by the server now, not only forgotten by the browser.
    const me = await fetch(`${t.url}/v1/humanos/me`, { headers: { cookie: `humanos_session=${cookie?.value}` } });
    expect(me.status).toBe(401);
    // Signed out at the IdP too: signing in asks for the login again instead of passing straight through.
    await page.locator('#sso').click();
    await page.locator('input[name="login"]').waitFor();
  });
});
