/**
 * Team cues in a real Chromium (issue 26): a delegate's inbox row says "on behalf of" the delegator
 * and shows a colleague's claim; a request under a policy with `minReviewSeconds` keeps its decision
 * controls disabled with a countdown, unlocks when the time is over, and a decision the server still
 * finds too early says how many seconds are left. Both states pass axe.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { axe, closeAfter, expectClean, haveChromium, launch, openPage, type WatchedPage } from './browser.js';

const POLICY = {
  name: 'review-wait-test',
  version: 1,
  rules: [
    {
      id: 'prod-db',
      match: { descriptionMatches: 'database' },
      require: { approverRole: 'dba', minReviewSeconds: 2 },
    },
    {
      // Long enough that the locked state is checked (and axe runs) without racing the timer.
      id: 'warehouse',
      match: { descriptionMatches: 'warehouse' },
      require: { approverRole: 'dba', minReviewSeconds: 600 },
    },
  ],
};

describe.skipIf(!haveChromium)('on behalf of and the minimum review time in the console (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let open: WatchedPage[] = [];

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'humanos-review-wait-')), 'policy.json');
    writeFileSync(file, JSON.stringify(POLICY));
    t = await startTestServer('sqlite', { HUMANOS_POLICY: file });
    // The browser's clock is the real one: the server's starts there (and moves only when told).
    t.clock.t = Date.now();
    agent = await t.principal('did:agent:web-wait-bot', []);
    browser = await launch();
  });
  afterEach(async (ctx) => {
    for (const p of open) await closeAfter(p, ctx.task, 'review-wait');
    open = [];
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a delegate’s inbox row says on behalf of whom, and who of the role is looking at it', async () => {
    const ann = await t.principal('did:human:wait-ann', ['finance']);
    const bob = await t.principal('did:human:wait-bob', []);
    const cat = await t.principal('did:human:wait-cat', ['finance']);
    const c = await agent.post('/tasks', {
      description: 'Pay invoice 77 to ACME',
      humanInLoop: { approverRole: 'finance' },
    });
    const gate = c.body.approvalRequest.id as string;
    const d = await ann.post('/delegations', {
      delegate: 'did:human:wait-bob',
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(d.status).toBe(201);
    expect((await cat.post(`/approvals/${gate}/claim`, {})).status).toBe(200);

    const b = await openPage(browser, t.url, { token: bob.token as string });
    open.push(b);
    await b.page.goto(`${t.url}/inbox`);
    const row = b.page.locator(`tr[data-approval="${gate}"]`);
    await row.locator('[data-on-behalf-of="did:human:wait-ann"]').waitFor();
    expect(await row.textContent()).toMatch(/on behalf of .*wait-ann/);
    expect(await row.locator('[data-claimed-by="did:human:wait-cat"]').textContent()).toMatch(
      /wait-cat.* is looking at it/,
    );
    // Ann's own inbox row is hers: no "on behalf of".
    const a = await openPage(browser, t.url, { token: ann.token as string });
    open.push(a);
    await a.page.goto(`${t.url}/inbox`);
    await a.page.locator(`tr[data-approval="${gate}"]`).waitFor();
    expect(await a.page.locator(`tr[data-approval="${gate}"] [data-on-behalf-of]`).count()).toBe(0);
    expect(await axe(b.page)).toEqual([]);
    await expectClean(a);
    await expectClean(b);
  });

  it('keeps the decision disabled with a countdown for minReviewSeconds, then unlocks; an early refusal says the seconds left', async () => {
    const dora = await t.principal('did:human:wait-dora', ['dba']);
    const p = await openPage(browser, t.url, { token: dora.token as string });
    open.push(p);
    const create = async (description: string) => {
      const c = await agent.post('/tasks', { description });
      expect(c.status).toBe(201);
      return c.body.approvalRequest.id as string;
    };
    const long = await create('Truncate the warehouse tables');
    await p.page.goto(`${t.url}/approvals/${long}`);
    const wait = p.page.locator('#review-wait');
    await wait.waitFor();
    expect(await wait.textContent()).toMatch(
      /You can decide in (599|600) s — the policy asks for a minimum review time/,
    );
    const approve = p.page.locator('#approve');
    expect(await approve.isDisabled()).toBe(true);
    expect(await p.page.locator('#reject').isDisabled()).toBe(true);
    expect(await p.page.locator('#send-changes').isDisabled()).toBe(true);
    expect(await approve.getAttribute('aria-describedby')).toBe('review-wait');
    // The reason can be written meanwhile; Enter does not decide.
    await p.page.locator('#reason').fill('backup checked');
    await p.page.locator('#reason').press('Enter');
    expect(await axe(p.page)).toEqual([]);
    expect((await dora.get(`/approvals/${long}`)).body.status).toBe('pending');

    // A two-second minimum unlocks by itself (real time in the browser), and the notice goes.
    const gate = await create('Drop the staging database');
    await p.page.goto(`${t.url}/approvals/${gate}`);
    await p.page.getByRole('heading', { name: 'Your decision' }).waitFor();
    await p.page.waitForFunction(() => !(document.getElementById('approve') as HTMLButtonElement).disabled, null, {
      timeout: 10_000,
    });
    expect(await wait.count()).toBe(0);
    // The server's clock has not moved: it still finds it too early and says how long is left.
    await approve.click();
    await p.page
      .getByText('Not recorded: the policy asks for a minimum review time — you can decide in 2 s.')
      .waitFor();
    expect((await dora.get(`/approvals/${gate}`)).body.status).toBe('pending');
    t.clock.advance(2_000);
    await approve.click();
    await p.page.getByText('Approved.').first().waitFor();
    expect((await dora.get(`/approvals/${gate}`)).body.status).toBe('approved');
    await expectClean(p);
  });
});
