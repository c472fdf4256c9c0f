/**
 * The approver's console in a real Chromium against a real server over loopback: search, keyboard-only
 * approval with a field edit, the approved payload and receipt, conflicts and expiry told truthfully,
 * chain and quorum views that match the server, bulk approval, live updates, inert agent text.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import {
  ARTIFACTS,
  axe,
  expectClean,
  expectHeading,
  haveChromium,
  launch,
  openPage,
  reportFailure,
  uniq,
  type WatchedPage,
} from './browser.js';

describe.skipIf(!haveChromium)('the approver console in a real Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let wendy: Api;
  let olga: Api;
  let wp: WatchedPage;
  let page: Page;
  const role = `finance_${uniq()}`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:bot-${uniq()}`, []);
    wendy = await t.principal(`did:human:wendy-${uniq()}`, [role]);
    olga = await t.principal(`did:human:olga-${uniq()}`, [role]);
    browser = await launch();
    wp = await openPage(browser, t.url, { token: wendy.token as string });
    page = wp.page;
  });
  afterEach((ctx) => reportFailure(page, ctx.task));
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const create = (body: Record<string, unknown>) =>
    agent.post('/tasks', body).then((r) => {
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      return r.body as { taskId: string; approvalRequest: { id: string }; approvalChain?: { id: string }[] };
    });
  const row = (id: string) => page.locator(`tr[data-approval="${id}"]`);

  it('signs in by token, refuses a bad one, and shows the inbox with the pending count in the title', async () => {
    const fresh = await openPage(browser, t.url);
    await fresh.page.goto(`${t.url}/inbox`);
    await fresh.page.getByLabel('Access token').fill('hos_nope');
    await fresh.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => fresh.page.getByRole('alert').textContent()).toContain('not valid');
    await fresh.page.getByLabel('Access token').fill(wendy.token as string);
    await fresh.page.getByRole('button', { name: 'Sign in' }).click();
    await expectHeading(fresh.page, 'Inbox');
    await expect.poll(() => fresh.page.locator('.empty').textContent()).toContain('Nothing waiting');
    await expectClean(fresh);
    await fresh.context.close();

    await page.goto(`${t.url}/inbox`);
    await expectHeading(page, 'Inbox');
    const c = await create({
      description: 'Renew the Initech support contract',
      humanInLoop: { approverRole: role },
      payload: { vendor: 'Initech', amount: 1200, currency: 'EUR' },
    });
    // Live: it arrives over the event stream, no reload.
    await row(c.approvalRequest.id).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.title()).toMatch(/^\(1\) Inbox/);
    // The amount comes with the task's details, fetched for the row after it appears.
    await expect.poll(() => row(c.approvalRequest.id).textContent()).toContain('1,200 EUR');
  });

  it('finds a request by search and approves it with a field edit by keyboard only; then shows the approved payload and the receipt', async () => {
    const c = await create({
      description: 'Wire transfer to vendor Globex for invoice INV-77',
      humanInLoop: { approverRole: role, approvalTimeout: 3600 },
      aiProposal: { action: 'Pay INV-77 in full', confidence: 0.87, alternatives: ['Pay half now'] },
      payload: { amount: 50000, currency: 'USD', memo: 'pay INV-77 in full', vendor: 'Globex' },
    });
    const id = c.approvalRequest.id;
    await page.goto(`${t.url}/inbox`);
    await row(id).waitFor({ timeout: 10_000 });
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('globex');
    await expect.poll(() => page.locator('table.inbox tbody tr').count()).toBe(1);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/approvals/${encodeURIComponent(id)}`);
    await page.locator('#approve').waitFor();
    // e: edit the amount, value intact (select it to replace it)
    await page.keyboard.press('e');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('edit-amount');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('45000');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#diff [data-path="amount"]').textContent()).toContain('45000');
    expect(await page.locator('#diff [data-path="amount"] del').textContent()).toContain('50000');
    // Saving returns the focus to the field's Edit button.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-field')))
      .toBe('amount');
    // a: approve — the reason gets focus; Enter opens the review of the edits; Tab, Enter confirms.
    await page.keyboard.press('a');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('reason');
    await page.keyboard.type('Credit note for 5k agreed by phone');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('review-title');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#outcome-title').textContent(), { timeout: 10_000 }).toContain('Approved');
    expect(await page.locator('#approved-payload [data-field="amount"]').textContent()).toContain('45000');
    expect(await page.locator('#my-edits').textContent()).toContain('45000');
    const decision = (await agent.get(`/tasks/${c.taskId}/decision`)).body;
    expect(decision.approvedPayload).toEqual({
      amount: 45000,
      currency: 'USD',
      memo: 'pay INV-77 in full',
      vendor: 'Globex',
    });
    const gate = (await t.admin.get(`/approvals/${id}`)).body;
    const mine = gate.decisions[0];
    await expect.poll(() => page.locator('#receipt-index').textContent()).toBe(String(mine.ledgerIndex));
    await expect.poll(() => page.locator('#receipt-verified').textContent()).toBe('verified');
    // A reload (and a link from chat) lands on the same view and still shows what was approved.
    await page.reload();
    await expect.poll(() => page.locator('#approved-payload [data-field="amount"]').textContent()).toContain('45000');
    expect(await axe(page)).toEqual([]);
    await expectClean(wp);
  });

  it('filters live in the URL: a link with filters shows the same rows, also after a reload', async () => {
    const otherId = `did:agent:other-${uniq()}`;
    const other = await t.principal(otherId, []);
    const mineC = await create({
      description: 'Refund order 991',
      humanInLoop: { approverRole: role },
      riskAssessment: { level: 'low' },
    });
    const theirs = (
      await other.post('/tasks', {
        description: 'Refund order 992',
        humanInLoop: { approverRole: role },
        riskAssessment: { level: 'low' },
      })
    ).body;
    const url = `${t.url}/inbox?q=refund&requester=${encodeURIComponent(otherId)}`;
    for (const reload of [false, true]) {
      if (reload) await page.reload();
      else await page.goto(url);
      await row(theirs.approvalRequest.id).waitFor();
      expect(await row(mineC.approvalRequest.id).count()).toBe(0);
      expect(await page.locator('table.inbox tbody tr').count()).toBe(1);
      expect(await page.locator('#search').inputValue()).toBe('refund');
    }
  });

  it('a conflict says who decided, and an expired request says it can no longer be decided', async () => {
    // The server's answer to a late decision is what is tested: without live updates (a dropped stream),
    // else the update of Olga's approval can replace the decision bar before the click (a race).
    const quiet = await openPage(browser, t.url, { token: wendy.token as string });
    await quiet.page.route('**/v1/humanos/events', (route) => route.abort());
    const page = quiet.page;
    onTestFinished(() => quiet.context.close());
    const c = await create({
      description: 'Pay contractor invoice 12',
      humanInLoop: { approverRole: role, approvalTimeout: 600 },
    });
    await page.goto(`${t.url}/approvals/${encodeURIComponent(c.approvalRequest.id)}`);
    await page.locator('#reason').click(); // typing: the open view is not reloaded under the user
    expect(
      (await olga.post(`/approvals/${c.approvalRequest.id}/approve`, { approvalReason: 'done already' })).status,
    ).toBe(200);
    await page.locator('#reason').fill('looks right');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.locator('#outcome-alert').textContent(), { timeout: 10_000 })
      .toContain('Not recorded');
    const alert = (await page.locator('#outcome-alert').textContent()) ?? '';
    expect(alert).toContain('olga');
    expect(alert).toContain('done already');
    expect(alert).toContain('Approved');
    expect(await page.locator('#approve').count()).toBe(0);

    const e = await create({
      description: 'Renew the office lease',
      humanInLoop: { approverRole: role, approvalTimeout: 60 },
    });
    await page.goto(`${t.url}/approvals/${encodeURIComponent(e.approvalRequest.id)}`);
    await page.locator('#reason').click();
    t.clock.advance(61_000);
    await page.locator('#reason').fill('fine');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('#outcome-alert').textContent(), { timeout: 10_000 }).toContain('expired');
    expect(await page.locator('#outcome-alert').textContent()).toContain('can no longer be decided');
    expect(await page.locator('#approve').count()).toBe(0);
    expect((await t.admin.get(`/approvals/${e.approvalRequest.id}`)).body.decisions).toEqual([]);
    await page.reload();
    await expect.poll(() => page.locator('#outcome-alert').textContent()).toContain('expired');
  });

  it('chain and quorum views match the server state', async () => {
    const cfoRole = `cfo_${uniq()}`;
    const carl = await t.principal(`did:human:carl-${uniq()}`, [cfoRole]);
    const c = await create({
      description: 'Wire $20,000 to Hooli',
      approvalChain: [
        { role: cfoRole, reason: 'Budget owner' },
        { role, reason: 'Payment run' },
      ],
    });
    const chain = (await t.admin.get(`/approvals/${c.approvalRequest.id}`)).body.chain as { id: string }[];
    await carl.post(`/approvals/${c.approvalRequest.id}/approve`, { approvalReason: 'Within Q3 budget' });
    const step2 = chain[1]?.id as string;
    await page.goto(`${t.url}/approvals/${encodeURIComponent(step2)}`);
    const s1 = page.locator('#chain > li[data-step="0"]');
    const s2 = page.locator('#chain > li[data-step="1"]');
    await expect.poll(() => s1.textContent()).toContain('Approved');
    expect(await s1.textContent()).toContain('1 of 1 approval');
    expect(await s1.textContent()).toContain('carl');
    expect(await s1.textContent()).toContain('Within Q3 budget');
    expect(await s2.textContent()).toContain('Pending');
    expect(await s2.textContent()).toContain('0 of 1 approval');
    expect(await s2.getAttribute('aria-current')).toBe('step');
    const server = (await t.admin.get(`/approvals/${step2}`)).body;
    expect(server.chain.map((x: { status: string }) => x.status)).toEqual(['approved', 'pending']);

    const q = await create({
      description: 'Quarterly bonus payout',
      approvalPolicy: { type: 'threshold', required: 2, eligible: [role] },
    });
    await olga.post(`/approvals/${q.approvalRequest.id}/approve`, { approvalReason: 'numbers check out' });
    await page.goto(`${t.url}/approvals/${encodeURIComponent(q.approvalRequest.id)}`);
    const gate = (await t.admin.get(`/approvals/${q.approvalRequest.id}`)).body;
    await expect.poll(() => page.locator('#quorum').textContent()).toBe(`${gate.approvals} of ${gate.required}`);
    expect(gate.approvals).toBe(1);
    const text = (await page.locator('#chain').textContent()) ?? '';
    expect(text).toContain('1 of 2 approvals');
    expect(text).toContain('olga');
    expect(text).toContain('Still needed: 1 more approval');
    expect(await page.getByRole('heading', { name: 'Quorum' }).count()).toBe(1);
  });

  it('an approval for an earlier version of the payload is shown as such, with the changes since, and can be given again', async () => {
    const q = await create({
      description: 'Pay the annual audit fee',
      approvalPolicy: { type: 'threshold', required: 2, eligible: [role] },
      payload: { amount: 9000, currency: 'EUR', note: 'audit fee 2025' },
    });
    const id = q.approvalRequest.id;
    expect((await wendy.post(`/approvals/${id}/approve`, { approvalReason: 'fee as agreed' })).status).toBe(200);
    const edit = await olga.post(`/approvals/${id}/approve`, {
      approvalReason: 'discount applied',
      edits: { amount: 8100 },
    });
    expect(edit.status).toBe(200);
    const server = (await t.admin.get(`/approvals/${id}`)).body;
    expect(server.decisions.map((d: { stale: boolean }) => d.stale)).toEqual([true, false]);
    await page.goto(`${t.url}/approvals/${encodeURIComponent(id)}`);
    await expect
      .poll(() => page.locator('#stale-title').textContent())
      .toBe('Your approval was for an earlier version');
    expect(await page.locator('#decide-title').textContent()).toBe('Approve again');
    expect(await page.locator('#quorum').textContent()).toBe(`${server.approvals} of 2`);
    expect(await page.locator('#stale-diff [data-path="amount"] del').textContent()).toContain('9000');
    expect(await page.locator('#stale-diff [data-path="amount"] ins').textContent()).toContain('8100');
    expect(await page.locator('#diff [data-path="amount"] del').textContent()).toContain('9000');
    expect(await page.locator('#diff [data-path="amount"] ins').textContent()).toContain('8100');
    expect(await page.locator('#chain').textContent()).toContain(
      'for an earlier version of the payload; no longer counts',
    );
    expect(await page.locator('#chain').textContent()).toContain('1 of 2 approvals');
    expect(await axe(page)).toEqual([]);
    // Approving again is offered, for the version on screen, and counts.
    expect(await page.locator('#approve').isEnabled()).toBe(true);
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('#outcome-title').textContent(), { timeout: 10_000 }).toContain('Approved');
    const again = (await t.admin.get(`/approvals/${id}`)).body;
    expect(again).toMatchObject({ status: 'approved', approvals: 2 });
    expect(again.decisions.map((d: { stale: boolean }) => d.stale)).toEqual([false, false]);
    expect(again.decisions.every((d: { payloadDigest: string }) => d.payloadDigest === again.currentDigest)).toBe(true);
  });

  it('renders agent-supplied markup as text and flags invisible characters', async () => {
    const c = await create({
      description: '<img src=x onerror="window.__xss=1">Delete <b>everything</b>',
      humanInLoop: { approverRole: role },
      aiProposal: {
        action: '<script>window.__xss=2</script>',
        reasoning: '<iframe src="javascript:window.__xss=3"></iframe>',
        alternatives: ['<svg onload="window.__xss=4">'],
      },
      payload: { note: '</td><script>window.__xss=5</script>', amount: '\u202E00001\u202C' },
    });
    await page.goto(`${t.url}/approvals/${encodeURIComponent(c.approvalRequest.id)}`);
    await expect.poll(() => page.locator('#ai-action').textContent()).toBe('<script>window.__xss=2</script>');
    expect(await page.locator('#request-title .agent-text').textContent()).toBe(
      '<img src=x onerror="window.__xss=1">Delete <b>everything</b>',
    );
    expect(await page.locator('#payload [data-field="note"]').textContent()).toContain(
      '</td><script>window.__xss=5</script>',
    );
    expect(await page.locator('#payload [data-field="amount"]').textContent()).toContain('⟦U+202E⟧00001⟦U+202C⟧');
    expect(await page.locator('#invisible-warning').textContent()).toContain('payload.amount');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('main img, main script, main iframe, main b, main svg:not(.chart svg)').count()).toBe(0);
    // In the inbox too.
    await page.goto(`${t.url}/inbox`);
    await row(c.approvalRequest.id).waitFor({ timeout: 10_000 });
    // The payload's warning comes with the task's details, fetched for the row.
    await expect.poll(() => row(c.approvalRequest.id).textContent()).toContain('hidden characters');
    expect(await page.locator('main img, main script, main b').count()).toBe(0);
    await expectClean(wp);
  });

  it('offers no bulk approval for low-risk requests the policy does not mark bulk-approvable (each row says why)', async () => {
    const low = await create({
      description: 'Order 5 boxes of paper',
      humanInLoop: { approverRole: role },
      riskAssessment: { level: 'low' },
    });
    const strict = await create({
      description: 'Order toner',
      humanInLoop: { approverRole: role, requireExplicitReason: true },
    });
    for (const [q, c] of [
      ['paper', low],
      ['toner', strict],
    ] as const) {
      await page.goto(`${t.url}/inbox?q=${q}`);
      await row(c.approvalRequest.id).waitFor({ timeout: 10_000 });
      await expect.poll(() => row(c.approvalRequest.id).locator('.bulk-why').textContent()).toContain('policy');
      expect(await row(c.approvalRequest.id).locator('input[type="checkbox"]').count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Select all/ }).count()).toBe(0);
    }
    // The positive case (a policy rule with bulkApprovable) is in deliberate.browser.test.ts.
  });

  it('a routing request preselects the proposed executor and assigns another', async () => {
    const a = await t.principal(`did:agent:route-a-${uniq()}`, []);
    const b = await t.principal(`did:agent:route-b-${uniq()}`, []);
    const cap = `ledger_${uniq()}`;
    await a.req('PUT', '/me/capabilities', { capabilities: [cap, 'payments'] });
    await b.req('PUT', '/me/capabilities', { capabilities: [cap] });
    const c = await create({
      description: 'Settle the ledger',
      requiredCapabilities: [cap, 'payments'],
      routing: { approverRole: role },
    });
    await page.goto(`${t.url}/approvals/${encodeURIComponent(c.approvalRequest.id)}`);
    await page.locator('#assign-to').waitFor();
    const ids = (await t.admin.get(`/approvals/${c.approvalRequest.id}`)).body;
    expect(await page.locator('#assign-to').inputValue()).toBe(ids.proposedResource);
    const other = (ids.ranking as { id: string }[]).map((r) => r.id).find((x) => x !== ids.proposedResource) as string;
    await page.getByLabel('Assign the task to').selectOption(other);
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('#outcome-title').textContent()).toContain('Approved');
    expect((await t.admin.get(`/tasks/${c.taskId}`)).body.assignedTo).toBe(other);
  });

  it('a task withdrawn by its requester leaves the inbox live; a rotated token ends the session with a clear message', async () => {
    const c = await create({ description: 'Book a venue', humanInLoop: { approverRole: role } });
    await page.goto(`${t.url}/inbox`);
    await row(c.approvalRequest.id).waitFor();
    expect((await agent.post(`/tasks/${c.taskId}/cancel`, { reason: 'event moved online' })).status).toBe(200);
    await row(c.approvalRequest.id).waitFor({ state: 'detached' });

    const pat = await t.principal(`did:human:pat-${uniq()}`, [role]);
    const other = await openPage(browser, t.url, { token: pat.token as string });
    await other.page.goto(`${t.url}/inbox`);
    await expectHeading(other.page, 'Inbox');
    const id = (
      await (await fetch(`${t.url}/v1/humanos/me`, { headers: { authorization: `Bearer ${pat.token}` } })).json()
    ).id;
    expect((await t.admin.post(`/principals/${id}/token`)).status).toBe(200);
    await expect.poll(() => other.page.getByRole('alert').textContent()).toContain('rotated');
    expect(await other.page.getByLabel('Access token').count()).toBe(1);
    expect(await other.page.evaluate(() => sessionStorage.length)).toBe(0);
    await other.context.close();
  });

  it('j/k move through the queue, ? opens the help, and a phone reaches the decision bar below the payload', async () => {
    const laptops = await create({ description: 'Order 3 laptops', humanInLoop: { approverRole: role } });
    await create({ description: 'Order 2 monitors', humanInLoop: { approverRole: role } });
    await page.goto(`${t.url}/inbox`);
    await page.locator('table.inbox tbody tr').first().waitFor({ timeout: 10_000 });
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.dataset.row)).toBe('1');
    await page.keyboard.press('k');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.dataset.row)).toBe('0');
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('dialog.help').getAttribute('open')).toBe('');
    expect(await axe(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${t.url}/approvals/${encodeURIComponent(laptops.approvalRequest.id)}`);
    await page.locator('#approve').waitFor();
    await page.locator('#approve').scrollIntoViewIfNeeded();
    const box = (await page.locator('#approve').boundingBox()) as { y: number; height: number };
    expect(box.y + box.height).toBeLessThanOrEqual(740);
    expect(box.y).toBeGreaterThan(0);
    const payload = (await page.locator('#payload-section').boundingBox()) as { y: number; height: number };
    expect(payload.y + payload.height).toBeLessThanOrEqual(box.y);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'web-phone.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
    await expectClean(wp);
  });
});
