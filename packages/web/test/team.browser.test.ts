/**
 * Issue 26 in a real Chromium against a real server: two approvers of one role, each in their own
 * browser context. Ann claims a request; Bob, opening it, sees that Ann is looking at it (and may
 * still decide). Ann comments with markdown and an injection attempt; Bob sees the markdown rendered
 * and the injection as text (no script element, no javascript: link). A mention of someone who may
 * not see the request is refused on the page, and nothing is posted.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { ARTIFACTS, axe, expectClean, haveChromium, launch, openPage, uniq, type WatchedPage } from './browser.js';

describe.skipIf(!haveChromium)('comments and claims between two approvers (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let ann: Api;
  let bob: Api;
  const annId = `did:human:ann-${uniq()}`;
  const bobId = `did:human:bob-${uniq()}`;
  const role = `finance_${uniq()}`;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:payer-${uniq()}`, []);
    ann = await t.principal(annId, [role]);
    bob = await t.principal(bobId, [role]);
    await t.principal(`did:human:olga-${uniq()}`, ['ops']);
    browser = await launch();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      for (const [i, p] of pages.entries()) {
        await p.page.screenshot({ path: join(ARTIFACTS, `fail-team-${i}.png`), fullPage: true });
      }
    }
    for (const p of pages.splice(0)) await p.context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('Ann claims; Bob sees the claim; comments render markdown and show injections as text', async () => {
    const r = await agent.post('/tasks', {
      description: `Pay supplier invoice ${uniq()}`,
      payload: { amount: 5000, iban: 'DE89370400440532013000' },
      humanInLoop: { approverRole: role },
    });
    expect(r.status).toBe(201);
    const id = r.body.approvalRequest.id as string;
    const url = `${t.url}/approvals/${encodeURIComponent(id)}`;
    const a = await openPage(browser, t.url, { token: ann.token as string });
    const b = await openPage(browser, t.url, { token: bob.token as string });
    pages.push(a, b);

    await a.page.goto(url);
    await a.page.getByRole('button', { name: /Claim/ }).click();
    await expect
      .poll(() => a.page.locator('#claim [role="status"]').textContent())
      .toContain('You are looking at this');

    await b.page.goto(url);
    const claimed = b.page.locator(`#claim [data-claimed-by="${annId}"]`);
    await expect.poll(() => claimed.textContent()).toContain('is looking at this');
    // Not a lock: Bob's decision bar is still there, and he cannot take the claim over.
    expect(await b.page.getByRole('button', { name: /Claim/ }).count()).toBe(0);
    expect(await b.page.locator('#reason').count()).toBe(1);

    const text = `**IBAN** checked <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> [link](javascript:window.__pwned=3) @${bobId}`;
    await a.page.locator('#comment-text').fill(text);
    await a.page.getByRole('button', { name: 'Comment' }).click();
    await expect.poll(() => a.page.locator('#comments li').count()).toBe(1);

    await b.page.reload();
    const body = b.page.locator('#comments .comment-body').first();
    await expect.poll(() => body.textContent()).toContain('<script>window.__pwned=1</script>');
    expect(await body.locator('strong').textContent()).toBe('IBAN');
    expect(await b.page.locator('#comments script, #comments img').count()).toBe(0);
    expect(await b.page.locator('#comments a[href^="javascript"]').count()).toBe(0);
    expect(await b.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // A mention of someone who may not see it: refused on the page, nothing posted.
    await b.page.locator('#comment-text').fill('cc @did:human:nobody-here');
    await b.page.getByRole('button', { name: 'Comment' }).click();
    await expect.poll(() => b.page.locator('#comments [role="alert"]').textContent()).toContain('Not posted');
    expect((await bob.get(`/approvals/${id}/comments`)).body.items).toHaveLength(1);

    // Ann releases; after a reload Bob may claim it.
    await a.page.getByRole('button', { name: 'Release' }).click();
    await expect.poll(() => a.page.getByRole('button', { name: /Claim/ }).count()).toBe(1);
    await b.page.reload();
    await expect.poll(() => b.page.getByRole('button', { name: /Claim/ }).count()).toBe(1);

    expect(await axe(b.page)).toEqual([]);
    await expectClean(a);
    await expectClean(b);
  });
});
