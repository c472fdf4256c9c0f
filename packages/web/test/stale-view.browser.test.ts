/**
 * Issue 22, the stale view, in a real Chromium against a real server: Ann opens a 2-of-N payment and
 * types her reason; Mal approves it over REST with the IBAN changed. Ann's approval must never count
 * for the IBAN she did not see: the decision bar is blocked with the change (when the live update
 * arrives) or the server refuses her decision as `stale_payload` (when it does not) and the console
 * shows the same block with the server's diff, claiming nothing. Once she has seen the new version
 * she can approve it, and that approval counts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { axe, expectClean, haveChromium, launch, openPage, reportFailure, uniq, type WatchedPage } from './browser.js';

const DE = 'DE89370400440532013000';
const GB = 'GB33BUKB20201555555555';

describe.skipIf(!haveChromium)('a decision counts only for the payload version on screen (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let ann: Api;
  let mal: Api;
  let annId: string;
  let open: WatchedPage | undefined;
  const role = `treasury_${uniq()}`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:payer-${uniq()}`, []);
    annId = `did:human:ann-${uniq()}`;
    ann = await t.principal(annId, [role]);
    mal = await t.principal(`did:human:mal-${uniq()}`, [role]);
    browser = await launch();
  });
  afterEach(async (ctx) => {
    if (open) await reportFailure(open.page, ctx.task);
    await open?.context.close();
    open = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A 2-of-N payment to DE…, opened by Ann with her reason typed (focus in the reason field). */
  const annIsDeciding = async (opts: { liveUpdates: boolean }) => {
    const r = await agent.post('/tasks', {
      description: `Pay supplier invoice ${uniq()}`,
      approvalPolicy: { type: 'threshold', required: 2, eligible: [role] },
      payload: { iban: DE, amount: 5000, currency: 'EUR' },
    });
    expect(r.status).toBe(201);
    const id = r.body.approvalRequest.id as string;
    open = await openPage(browser, t.url, { token: ann.token as string });
    const { page } = open;
    // The late-event case: the event stream never delivers (a dropped connection, a slow proxy).
    if (!opts.liveUpdates) await page.route('**/v1/humanos/events', (route) => route.abort());
    await page.goto(`${t.url}/approvals/${encodeURIComponent(id)}`);
    await expect.poll(() => page.locator('#payload [data-field="iban"]').textContent()).toContain(DE);
    await page.locator('#reason').click();
    await page.keyboard.type('IBAN checked against the invoice');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reason');
    return { id, page };
  };
  /** Mal approves with the IBAN changed (the payload's second version). */
  const malEditsIban = async (id: string) => {
    const seen = (await mal.get(`/approvals/${id}`)).body.currentDigest as string;
    const m = await mal.post(`/approvals/${id}/approve`, {
      approvalReason: 'supplier moved banks',
      edits: { iban: GB },
      payloadDigest: seen,
    });
    expect(m.status).toBe(200);
  };
  const gate = async (id: string) => (await t.admin.get(`/approvals/${id}`)).body;
  const annDecisions = async (id: string) =>
    (await gate(id)).decisions.filter((d: { principal: string }) => d.principal === annId);

  /** After the block: Ann acknowledges, sees GB…, approves it; her approval counts for it. */
  const annApprovesTheNewVersion = async (id: string, page: WatchedPage['page']) => {
    await page.locator('#acknowledge').click();
    await expect.poll(() => page.locator('#payload [data-field="iban"]').textContent()).toContain(GB);
    expect(await page.locator('#changed').count()).toBe(0);
    expect(await page.locator('#approve').isEnabled()).toBe(true);
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('#outcome-title').textContent(), { timeout: 10_000 }).toContain('Approved');
    const g = await gate(id);
    expect(g.status).toBe('approved');
    expect(g.approvals).toBe(2);
    const mine = await annDecisions(id);
    expect(mine).toHaveLength(1);
    expect(mine[0].payloadDigest).toBe(g.currentDigest);
    expect((await agent.get(`/tasks/${g.taskId}/decision`)).body.approvedPayload).toMatchObject({ iban: GB });
  };

  it('a newer version arriving while Ann types blocks the decision bar with the diff; her approval is not counted; after acknowledging she approves the new version', async () => {
    const { id, page } = await annIsDeciding({ liveUpdates: true });
    await malEditsIban(id);
    // The live update arrives while she types: the bar is blocked, the version on screen stays hers.
    await page.locator('#changed-title').waitFor();
    expect(await page.locator('#changed-title').textContent()).toBe('The payload changed while you were deciding');
    expect(await page.locator('#changed-diff [data-path="iban"] del').textContent()).toContain(DE);
    expect(await page.locator('#changed-diff [data-path="iban"] ins').textContent()).toContain(GB);
    expect(await page.locator('#payload [data-field="iban"]').textContent()).toContain(DE);
    expect(await page.locator('#approve').isDisabled()).toBe(true);
    expect(await page.locator('#reason').isDisabled()).toBe(true);
    // The notice takes the focus in an effect, after it is painted: not yet when it first exists.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('changed-title');
    // Ann presses Enter, as she meant to: nothing is decided.
    await page.keyboard.press('Enter');
    await page
      .locator('#approve')
      .click({ force: true, timeout: 2000 })
      .catch(() => undefined);
    const g = await gate(id);
    expect(g.status).toBe('pending');
    expect(g.approvals).toBe(1);
    expect(await annDecisions(id)).toEqual([]);
    expect(await page.locator('#outcome-title').count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    await annApprovesTheNewVersion(id, page);
    await expectClean(open as WatchedPage);
  });

  it('without the live update, the server refuses her approval (409 stale_payload): the same block with the server’s diff, nothing recorded, no success claimed', async () => {
    const { id, page } = await annIsDeciding({ liveUpdates: false });
    await malEditsIban(id);
    const before = await t.fingerprint();
    // No update reached the page: it still offers the version she saw.
    expect(await page.locator('#payload [data-field="iban"]').textContent()).toContain(DE);
    const refused = page.waitForResponse((r) => r.url().endsWith('/approve') && r.request().method() === 'POST');
    await page.keyboard.press('Enter');
    expect((await refused).status()).toBe(409);
    await page.locator('#changed-title').waitFor();
    expect(await page.locator('#changed-summary').textContent()).toContain('Your decision was not recorded');
    expect(await page.locator('#changed-diff [data-path="iban"] del').textContent()).toContain(DE);
    expect(await page.locator('#changed-diff [data-path="iban"] ins').textContent()).toContain(GB);
    expect(await page.locator('#approve').isDisabled()).toBe(true);
    expect(await page.locator('#outcome-title').count()).toBe(0);
    expect(await page.getByText('Approved.').count()).toBe(0);
    expect(await t.fingerprint()).toBe(before);
    expect(await annDecisions(id)).toEqual([]);
    expect((await gate(id)).approvals).toBe(1);
    await annApprovesTheNewVersion(id, page);
    await expectClean(open as WatchedPage);
  });
});
