/**
 * Delegation in a real Chromium (issue 26): Ann goes out of office on the Delegation page; the banner
 * says so; Bob's console says "Ann is delegating to you until …" and his inbox holds her request; a
 * refused delegation shows the server's reason; ending it takes the banners away. The page passes axe.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { axe, closeAfter, expectClean, haveChromium, launch, openPage, type WatchedPage } from './browser.js';

/** A `datetime-local` value for `ms` in this machine's time zone (Chromium's too). */
function local(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

describe.skipIf(!haveChromium)('delegation in the console (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let ann: Api;
  let bob: Api;
  let open: WatchedPage[] = [];

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    // The browser's clock is the real one: so is the server's here.
    t.clock.t = Date.now();
    agent = await t.principal('did:agent:web-deleg-bot', []);
    ann = await t.principal('did:human:web-ann', ['finance']);
    bob = await t.principal('did:human:web-bob', []);
    browser = await launch();
  });
  afterEach(async (ctx) => {
    for (const p of open) await closeAfter(p, ctx.task, 'delegation');
    open = [];
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('goes out of office, both banners show it, the delegate’s inbox has the request, ending it clears them', async () => {
    const c = await agent.post('/tasks', {
      description: 'Pay invoice 31 to ACME',
      humanInLoop: { approverRole: 'finance' },
    });
    const gate = c.body.approvalRequest.id as string;
    const a = await openPage(browser, t.url, { token: ann.token as string });
    open.push(a);
    await a.page.goto(`${t.url}/delegation`);
    await a.page.getByRole('heading', { level: 1, name: 'Delegation and out of office' }).waitFor();
    expect(await axe(a.page)).toEqual([]);

    // A refusal is shown with the server's reason, and nothing is created.
    await a.page.getByLabel('Delegate (their DID)').fill('did:human:web-ann');
    await a.page.getByLabel('Until (not included)').fill(local(Date.now() + 2 * 3_600_000));
    await a.page.getByRole('button', { name: 'Delegate', exact: true }).click();
    await a.page.getByText(/Not delegated: .*someone else/).waitFor();

    await a.page.getByLabel('Delegate (their DID)').fill('did:human:web-bob');
    await a.page.getByLabel('Until (not included)').fill(local(Date.now() + 2 * 3_600_000));
    await a.page.getByLabel(/I am out of office/).check();
    await a.page.getByLabel('Note').fill('On holiday');
    await a.page.getByRole('button', { name: 'Delegate', exact: true }).click();
    await a.page.getByText(/Delegated to .*web-bob/).waitFor();
    await a.page
      .getByTestId('delegation-banner')
      .getByText(/You are out of office until/)
      .waitFor();
    // The list reloads by its own fetch: the status line and the banner can come first.
    await expect.poll(() => a.page.locator('table.delegations tbody tr').count()).toBe(1);

    const b = await openPage(browser, t.url, { token: bob.token as string });
    open.push(b);
    await b.page.goto(`${t.url}/inbox`);
    await b.page
      .getByTestId('delegation-banner')
      .getByText(/is delegating to you until/)
      .waitFor();
    expect(await b.page.getByTestId('delegation-banner').textContent()).toContain('web-ann');
    const inbox = (await bob.get('/approvals?status=pending')).body.items as { id: string; onBehalfOf?: unknown }[];
    expect(inbox.find((g) => g.id === gate)?.onBehalfOf).toBeDefined();
    await b.page.getByText('Pay invoice 31 to ACME').first().waitFor();

    await a.page.getByRole('button', { name: 'End' }).click();
    await a.page.getByText('None in force or scheduled.').waitFor();
    await a.page.getByTestId('delegation-banner').waitFor({ state: 'detached' });
    // The banner renders from its own `GET /delegations`: once that answer (read on reload) holds no
    // delegation, no banner can follow; checking the page before it came could pass too early.
    const answered = b.page.waitForResponse(
      (r) =>
        r.request().method() === 'GET' &&
        new URL(r.url()).pathname.endsWith('/delegations') &&
        !new URL(r.url()).searchParams.has('includeEnded'),
    );
    await b.page.reload();
    const delegations = await answered;
    expect(delegations.status()).toBe(200);
    expect((await delegations.json()).items).toEqual([]);
    await b.page.getByRole('heading', { level: 1 }).first().waitFor();
    expect(await b.page.getByTestId('delegation-banner').count()).toBe(0);
    await expectClean(a);
    await expectClean(b);
  });
});
