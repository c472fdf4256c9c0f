/**
 * Approver habits (issue 26, against rubber-stamping) in a real Chromium: decisions made through the
 * real API — one approver approves everything the moment it opens, another reads for 20 s and
 * rejects one — then the auditor's reviews page shows both with the server's figures, highlights only
 * the quick one as "possible rubber-stamping", lists the role, and passes axe.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { axe, closeAfter, expectClean, haveChromium, launch, openPage, uniq, type WatchedPage } from './browser.js';

describe.skipIf(!haveChromium)('approver habits in the audit console', () => {
  let t: TestServer;
  let browser: Browser;
  let open: WatchedPage | undefined;
  const role = `payments_${uniq()}`;
  const quickId = `did:human:quinn-${uniq()}`;
  const carefulId = `did:human:cara-${uniq()}`;
  let agent: Api;
  let quick: Api;
  let careful: Api;
  let auditor: Api;

  async function gate(n: number): Promise<string> {
    const c = await agent.post('/tasks', {
      description: `Pay supplier invoice ${n}`,
      humanInLoop: { approverRole: role },
      payload: { invoice: `INV-${n}`, amount: 100 + n },
    });
    expect(c.status).toBe(201);
    return c.body.approvalRequest.id as string;
  }

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:payer-${uniq()}`, ['executor']);
    quick = await t.principal(quickId, [role]);
    careful = await t.principal(carefulId, [role]);
    auditor = await t.principal(`did:human:audrey-${uniq()}`, ['auditor']);
    // Quick: opens and approves at once, three times (fast share 100 %, approval rate 100 %).
    for (const n of [1, 2, 3]) {
      const id = await gate(n);
      expect((await quick.get(`/approvals/${id}`)).status).toBe(200);
      expect((await quick.post(`/approvals/${id}/approve`, {})).status).toBe(200);
    }
    // Careful: opens, reads 20 s (test clock), approves with an edit; opens, reads 20 s, rejects.
    const a = await gate(4);
    await careful.get(`/approvals/${a}`);
    t.clock.advance(20_000);
    expect((await careful.post(`/approvals/${a}/approve`, { edits: { amount: 99 } })).status).toBe(200);
    const b = await gate(5);
    await careful.get(`/approvals/${b}`);
    t.clock.advance(20_000);
    expect((await careful.post(`/approvals/${b}/reject`, { rejectionReason: 'duplicate invoice' })).status).toBe(200);
    browser = await launch();
  });
  afterEach(async (ctx) => {
    await closeAfter(open, ctx.task);
    open = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows per approver and per role figures, highlights the rubber-stamper only, and passes axe', async () => {
    open = await openPage(browser, t.url, { token: auditor.token as string });
    const { page } = open;
    await page.goto(`${t.url}/audit/reviews`);
    const panel = page.locator('#approver-habits');
    await panel.getByRole('heading', { name: 'Approver habits' }).waitFor();
    await panel.getByText('possible rubber-stamping').first().waitFor();

    const q = panel.locator(`tr[data-approver="${quickId}"]`);
    await q.waitFor();
    const cell = async (row: typeof q, name: string) => (await row.locator(`[data-${name}]`).textContent())?.trim();
    expect(await cell(q, 'decisions')).toBe('3');
    expect(await cell(q, 'approval-rate')).toBe('100 %');
    expect(await cell(q, 'median')).toBe('0 s');
    expect(await cell(q, 'fast')).toBe('100 %');
    expect(await cell(q, 'edited')).toBe('0');
    expect(await cell(q, 'rejected')).toBe('0');
    expect(await cell(q, 'unopened')).toBe('0');
    expect(await cell(q, 'timed')).toBe('3');
    expect(await q.getAttribute('class')).toContain('flagged');
    expect(await q.locator('[data-flag]').textContent()).toContain(
      'Possible rubber-stamping: most decisions under 5 s',
    );

    const c = panel.locator(`tr[data-approver="${carefulId}"]`);
    expect(await cell(c, 'decisions')).toBe('2');
    expect(await cell(c, 'approval-rate')).toBe('50 %');
    expect(await cell(c, 'median')).toBe('20 s');
    expect(await cell(c, 'fast')).toBe('0 %');
    expect(await cell(c, 'edited')).toBe('1');
    expect(await cell(c, 'rejected')).toBe('1');
    expect(await c.getAttribute('class')).toBeNull();
    expect(await c.locator('[data-flag]').count()).toBe(0);

    const r = panel.locator(`tr[data-role="${role}"]`);
    expect(await cell(r, 'decisions')).toBe('5');
    expect(await cell(r, 'approval-rate')).toBe('80 %');
    expect(await cell(r, 'fast')).toBe('60 %');
    expect(await cell(r, 'rejected')).toBe('1');

    expect(await axe(page)).toEqual([]);
    await expectClean(open);
  });
});
