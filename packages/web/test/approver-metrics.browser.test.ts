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

    /** A row's figures by their `data-` name, as displayed. */
    const figures = (row: string) =>
      panel
        .locator(row)
        .evaluate((tr) =>
          Object.fromEntries(
            Array.from(tr.querySelectorAll('td')).map((td) => [Object.keys(td.dataset)[0], td.textContent?.trim()]),
          ),
        );
    const q = `tr[data-approver="${quickId}"]`;
    await panel.locator(q).waitFor();
    expect(await figures(q)).toEqual({
      decisions: '3',
      approvalRate: '100 %',
      median: '0 s',
      fast: '100 %',
      edited: '0',
      rejected: '0',
      unopened: '0',
      timed: '3',
    });
    expect(await panel.locator(q).getAttribute('class')).toContain('flagged');
    expect(await panel.locator(`${q} [data-flag]`).textContent()).toContain(
      'Possible rubber-stamping: most decisions under 5 s',
    );

    const c = `tr[data-approver="${carefulId}"]`;
    expect(await figures(c)).toEqual({
      decisions: '2',
      approvalRate: '50 %',
      median: '20 s',
      fast: '0 %',
      edited: '1',
      rejected: '1',
      unopened: '0',
      timed: '2',
    });
    expect(await panel.locator(c).getAttribute('class')).toBeNull();
    expect(await panel.locator(`${c} [data-flag]`).count()).toBe(0);

    expect(await figures(`tr[data-role="${role}"]`)).toEqual({
      decisions: '5',
      approvalRate: '80 %',
      median: '0 s',
      fast: '60 %',
      edited: '1',
      rejected: '1',
      unopened: '0',
      timed: '5',
    });

    expect(await axe(page)).toEqual([]);
    await expectClean(open);
  });
});
