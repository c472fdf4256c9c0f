/**
 * Issue 25, "console decisions are deliberate, and the console shows what executes", in a real Chromium
 * against a real server: approving an edited payload takes a review step (and nothing is decided
 * before its confirm: checked on the server), `e` opens the right field visibly without changing it,
 * bulk approval only for what the policy marks bulk-approvable without warnings or edits, the outcome
 * in place of the countdown once decided, the server's warnings above the decision, and a 390 px phone
 * where the decision bar covers nothing and the inbox's first screen shows requests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import {
  axe,
  closeAfter,
  expectClean,
  haveChromium,
  IMAGES,
  launch,
  openPage,
  uniq,
  type WatchedPage,
} from './browser.js';

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const box = async (l: Locator): Promise<Box> => {
  const b = await l.boundingBox();
  if (!b) throw new Error('not rendered');
  return b;
};
const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id);

describe.skipIf(!haveChromium)('deliberate decisions in the console (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let wendy: Api;
  let wendyId: string;
  let open: WatchedPage | undefined;
  const role = `payments_${uniq()}`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:refunds-${uniq()}`, []);
    wendyId = `did:human:wendy-${uniq()}`;
    wendy = await t.principal(wendyId, [role]);
    browser = await launch();
  });
  afterEach(async (ctx) => {
    await closeAfter(open, ctx.task, 'deliberate');
    open = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const r = await agent.post('/tasks', body);
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return r.body as { taskId: string; approvalRequest: { id: string } };
  };
  /** A refund whose first field is an order id, not the amount (the issue's `e` trap). */
  const refund = (extra: Record<string, unknown> = {}) =>
    create({
      description: `Refund order ORD-${uniq()}`,
      humanInLoop: { approverRole: role, approvalTimeout: 7200 },
      payload: { orderId: 'ORD-1042', amount: 2499, currency: 'EUR', iban: 'DE89370400440532013000' },
      ...extra,
    });
  const gate = async (id: string) => (await t.admin.get(`/approvals/${id}`)).body;
  const visit = async (id: string, opts: { width?: number; height?: number; dark?: boolean } = {}) => {
    open = await openPage(browser, t.url, { token: wendy.token as string, ...opts });
    await open.page.goto(`${t.url}/approvals/${encodeURIComponent(id)}`);
    await open.page.locator('#approve').waitFor();
    return open.page;
  };

  it('e opens the amount (not the first field) visibly, with its value intact; typing goes only there', async () => {
    const c = await refund();
    const page = await visit(c.approvalRequest.id);
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('e');
    await expect.poll(() => activeId(page)).toBe('edit-amount');
    const input = page.locator('#edit-amount');
    expect(await input.inputValue()).toBe('2499');
    // Nothing selected: a keystroke extends the value, it cannot silently replace it.
    expect(await input.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([4, 4]);
    // Visibly focused: a ring and a label on screen, the field in view.
    const ring = await input.evaluate((el) => getComputedStyle(el));
    expect(ring.outlineStyle).not.toBe('none');
    expect(Number.parseFloat(ring.outlineWidth)).toBeGreaterThanOrEqual(2);
    const label = page.locator('label[for="edit-amount"]');
    expect(await label.isVisible()).toBe(true);
    expect(await label.textContent()).toMatch(/amount/i);
    expect(await input.isVisible()).toBe(true);
    expect(await page.locator('#diff').textContent()).toContain('None');
    expect(await axe(page)).toEqual([]);
    await page.keyboard.type('0');
    expect(await input.inputValue()).toBe('24990');
    expect(await page.locator('#payload [data-field="orderId"]').textContent()).toContain('ORD-1042');
    await page.keyboard.press('Escape');
    expect(await page.locator('#diff').textContent()).toContain('None');
    expect(await page.locator('#payload [data-field="amount"]').textContent()).toContain('2499');
    await expectClean(open as WatchedPage);
  });

  it('an edited payload is approved only after "Review your changes" and an explicit confirm; Enter never approves it', async () => {
    const c = await refund();
    const id = c.approvalRequest.id;
    const page = await visit(id);
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('e');
    await expect.poll(() => activeId(page)).toBe('edit-amount');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2400');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#diff [data-path="amount"] ins').textContent()).toContain('2400');
    await page.keyboard.press('a');
    await expect.poll(() => activeId(page)).toBe('reason');
    await page.keyboard.type('Partial refund: one item kept');
    await page.keyboard.press('Enter');
    // The review step, not a decision: its heading has the focus, the diff says what changes.
    await page.locator('#review-changes').waitFor();
    await expect.poll(() => activeId(page)).toBe('review-title');
    expect(await page.locator('#review-diff [data-path="amount"] del').textContent()).toContain('2499');
    expect(await page.locator('#review-diff [data-path="amount"] ins').textContent()).toContain('2400');
    expect(await axe(page)).toEqual([]);
    // A repeated Enter (in the reason, or on the heading) neither confirms nor skips it.
    await page.keyboard.press('Enter');
    await page.locator('#reason').press('Enter');
    await page.locator('#feedback').press('Enter');
    await page.waitForTimeout(400);
    const before = await gate(id);
    expect(before).toMatchObject({ status: 'pending', decisions: [] });
    expect((await agent.get(`/tasks/${c.taskId}`)).body.status).toBe('awaiting_approval');
    expect(await page.locator('#outcome').count()).toBe(0);
    // Back returns to the buttons, nothing sent; then confirm for real, by keyboard.
    await page.locator('#review-back').click();
    expect(await page.locator('#review-changes').count()).toBe(0);
    expect((await gate(id)).decisions).toEqual([]);
    await page.locator('#approve').click();
    await expect.poll(() => activeId(page)).toBe('review-title');
    await page.keyboard.press('Tab');
    expect(await activeId(page)).toBe('confirm-approve');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#outcome-title').textContent(), { timeout: 10_000 }).toContain('Approved');
    const after = await gate(id);
    expect(after.status).toBe('approved');
    expect(after.decisions).toHaveLength(1);
    expect(after.decisions[0]).toMatchObject({ principal: wendyId, edits: { amount: 2400 } });
    expect((await agent.get(`/tasks/${c.taskId}/decision`)).body.approvedPayload).toMatchObject({ amount: 2400 });
    await expectClean(open as WatchedPage);
  });

  it('Enter in the reason or feedback field never approves an edited payload', async () => {
    const c = await refund();
    const id = c.approvalRequest.id;
    const page = await visit(id, { dark: true });
    await page.getByRole('button', { name: /^Edit amount$/i }).click();
    await page.locator('#edit-amount').fill('1999');
    await page.locator('#edit-amount').press('Enter');
    await page.locator('#diff [data-path="amount"]').waitFor();
    await page.locator('#reason').fill('customer kept one item');
    await page.locator('#reason').press('Enter');
    await page.locator('#feedback').press('Enter');
    await page.waitForTimeout(500);
    expect(await gate(id)).toMatchObject({ status: 'pending', decisions: [] });
    expect(await page.locator('#review-title').textContent()).toBe('Review your changes');
    expect(await axe(page), 'review step, dark').toEqual([]);
    // Editing again closes the review: what is confirmed is always what is on screen.
    await page.getByRole('button', { name: /^Edit amount$/i }).click();
    await page.locator('#edit-amount').fill('1899');
    await page.locator('#edit-amount').press('Enter');
    expect(await page.locator('#review-changes').count()).toBe(0);
    // …for good: editing back to the reviewed value does not reopen it without a new Approve.
    for (const v of ['1999', '1899']) {
      await page.getByRole('button', { name: /^Edit amount$/i }).click();
      await page.locator('#edit-amount').fill(v);
      await page.locator('#edit-amount').press('Enter');
      await page.waitForTimeout(100);
      expect(await page.locator('#review-changes').count()).toBe(0);
    }
    await page.locator('#approve').click();
    expect(await page.locator('#review-diff [data-path="amount"] ins').textContent()).toContain('1899');
    await page.locator('#confirm-approve').click();
    await expect.poll(() => page.locator('#outcome-title').textContent(), { timeout: 10_000 }).toContain('Approved');
    expect((await gate(id)).decisions[0].edits).toEqual({ amount: 1899 });
  });

  it('without edits, Approve records at once (no review step)', async () => {
    const c = await refund();
    const page = await visit(c.approvalRequest.id);
    await page.locator('#reason').fill('as asked');
    await page.locator('#reason').press('Enter');
    await expect.poll(() => page.locator('#outcome-title').textContent(), { timeout: 10_000 }).toContain('Approved');
    expect((await gate(c.approvalRequest.id)).status).toBe('approved');
  });

  it('a decided request shows its outcome in place of the countdown, also after a reload', async () => {
    const c = await refund();
    const r = await refund();
    const page = await visit(c.approvalRequest.id);
    expect(await page.locator('#gate-deadline').textContent()).toMatch(/\dh \d\dm left/);
    // A payment: the policy asks for a reason.
    await page.locator('#reason').fill('as asked');
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('#gate-outcome').textContent(), { timeout: 10_000 }).toContain('Approved by');
    const check = async (verdict: RegExp) => {
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).toMatch(verdict);
      expect(text).not.toMatch(/\d+[hms] (\d+[ms] )?left|expires/);
      expect(await page.locator('main .countdown').count()).toBe(0);
    };
    await check(/Approved by wendy-\w+ at .*; the task is (approved|executing|completed)/);
    await page.reload();
    await page.locator('#gate-outcome').waitFor();
    await check(/Approved by wendy/);

    await page.goto(`${t.url}/approvals/${encodeURIComponent(r.approvalRequest.id)}`);
    await page.locator('#reason').fill('wrong customer');
    await page.locator('#reject').click();
    await expect.poll(() => page.locator('#gate-outcome').textContent(), { timeout: 10_000 }).toContain('Rejected by');
    await check(/Rejected by wendy-\w+ at .* — “wrong customer”/);
    expect(await axe(page)).toEqual([]);
  });

  it("shows the server's warnings above the decision buttons and the agent's words apart from the payload", async () => {
    const c = await create({
      description: 'Refund EUR 24.99 to customer C-1042',
      humanInLoop: { approverRole: role },
      aiProposal: { action: 'Refund EUR 24.99', reasoning: 'The customer returned one item' },
      payload: { amount: 2499, currency: 'EUR', iban: 'DE89370400440532013000' },
    });
    const server = await gate(c.approvalRequest.id);
    const warnings = (server.warnings ?? []) as { message: string }[];
    const page = await visit(c.approvalRequest.id);
    // What the server says is what the page shows (none on a server without the detector).
    expect(await page.locator('#warnings li').count()).toBe(warnings.length);
    if (warnings.length) {
      expect(await page.locator('#warnings').getAttribute('role')).toBe('alert');
      expect((await box(page.locator('#warnings'))).y).toBeLessThan((await box(page.locator('#approve'))).y);
      for (const w of warnings) expect(await page.locator('#warnings').textContent()).toContain(w.message);
    }
    expect(await page.locator('#ai-title').textContent()).toBe('The agent says');
    expect(await page.locator('#agent-says').textContent()).toContain('its claim, not what executes');
    expect(await page.locator('#agent-says #payload').count()).toBe(0);
    expect(await page.locator('#payload-title').textContent()).toBe('What executes');
    expect(await page.locator('#payload [data-field="amount"]').textContent()).toContain('2499');
    expect(await axe(page)).toEqual([]);
  });

  it('bulk approval is not offered for requests the policy does not mark bulk-approvable, and each row says why', async () => {
    const low = await Promise.all(
      [1, 2].map((n) =>
        create({
          description: `Order ${n} reams of paper ${uniq()}`,
          humanInLoop: { approverRole: role },
          riskAssessment: { level: 'low' },
        }),
      ),
    );
    for (const c of low) expect((await gate(c.approvalRequest.id)).bulkApprovable ?? false).toBe(false);
    open = await openPage(browser, t.url, { token: wendy.token as string });
    const { page } = open;
    await page.goto(`${t.url}/inbox?q=reams`);
    for (const c of low) {
      const row = page.locator(`tr[data-approval="${c.approvalRequest.id}"]`);
      await expect.poll(() => row.locator('.bulk-why').textContent()).toContain('does not mark it bulk-approvable');
      expect(await row.locator('input[type="checkbox"]').count()).toBe(0);
    }
    expect(await page.locator('#bulk-title').count()).toBe(0);
    await page.keyboard.press('x');
    expect(await page.locator('#bulk-title').count()).toBe(0);
    expect(await axe(page)).toEqual([]);
  });

  it('the policy dry run shows what the server warns (gates nobody can decide)', async () => {
    const body = { description: 'Pay invoice 7', humanInLoop: { approverRole: `nobody_${uniq()}` } };
    const server = (await t.admin.post('/policy/evaluate', body)).body;
    open = await openPage(browser, t.url, { token: ADMIN_TOKEN });
    const { page } = open;
    await page.goto(`${t.url}/admin/policy`);
    await page.locator('#dry-body').fill(JSON.stringify(body));
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.locator('#dry-gates').waitFor();
    const warnings = (server.warnings ?? []) as { message: string }[];
    expect(await page.locator('#dry-warnings li').count()).toBe(warnings.length);
    for (const w of warnings) expect(await page.locator('#dry-warnings').textContent()).toContain(w.message);
    expect(await axe(page)).toEqual([]);
  });

  describe('at 390 × 844', () => {
    it('the inbox shows requests first (filters folded), and the amount never overlaps the requester', async () => {
      const long = await t.principal(`did:agent:accounts-payable-reconciliation-${uniq()}-${uniq()}`, []);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await long.post('/tasks', {
          description: `Pay supplier invoice INV-${uniq()} for consulting services`,
          humanInLoop: { approverRole: role },
          payload: { amount: 123456789.5, currency: 'EUR' },
        });
        ids.push(r.body.approvalRequest.id);
      }
      open = await openPage(browser, t.url, { token: wendy.token as string, width: 390, height: 844 });
      const { page } = open;
      await page.goto(`${t.url}/inbox`);
      const first = page.locator('table.inbox tbody tr').first();
      await first.waitFor();
      await expect.poll(() => first.locator('td.num').textContent()).toContain('EUR');
      // Each row's requester and amount come with its task's details, fetched after the rows appear
      // (one row's can be shown before another's): all of them, before anything is measured.
      const cellsOf = (id: string) => page.locator(`tr[data-approval="${id}"] td`);
      for (const id of ids) {
        await expect.poll(() => cellsOf(id).nth(2).textContent()).toContain('accounts-payable');
        await expect.poll(() => cellsOf(id).nth(3).textContent()).toContain('EUR');
      }
      const r = await box(first);
      expect(r.y).toBeGreaterThanOrEqual(0);
      expect(r.y + r.height).toBeLessThanOrEqual(844);
      expect(await page.locator('#f-role').isVisible()).toBe(false);
      for (const id of ids) {
        const [requester, amount] = [cellsOf(id).nth(2), cellsOf(id).nth(3)];
        expect(overlap(await box(requester), await box(amount)), 'requester vs amount').toBe(false);
        // Readable: the requester gets a real column (not a letter per line beside the checkbox).
        expect((await box(requester)).width).toBeGreaterThan(120);
        expect((await box(amount)).width).toBeGreaterThan(120);
        // The amount's text stays inside its cell (no overflow into the neighbour).
        const spill = await amount.evaluate((el) => el.scrollWidth - el.clientWidth);
        expect(spill).toBeLessThanOrEqual(0);
      }
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(IMAGES, 'web-phone-inbox.png') });
      expect(await axe(page)).toEqual([]);
      await page.locator('#filters-toggle').click();
      expect(await page.locator('#filters-toggle').getAttribute('aria-expanded')).toBe('true');
      expect(await page.locator('#f-role').isVisible()).toBe(true);
      expect(await axe(page)).toEqual([]);
      await expectClean(open);
    });

    it('the decision bar covers no part of the payload, wherever the page is scrolled', async () => {
      const c = await refund();
      const page = await visit(c.approvalRequest.id, { width: 390, height: 844 });
      const payload = page.locator('#payload');
      const bar = page.locator('#decide');
      expect(overlap(await box(payload), await box(bar)), 'payload vs decision bar').toBe(false);
      // Nothing fixed or sticky over the content: at every scroll position what is on top of the
      // payload's rows is the payload itself.
      const positions = await page.evaluate(() =>
        Array.from(document.querySelectorAll('*'), (el) => getComputedStyle(el).position).filter(
          (p) => p === 'fixed' || p === 'sticky',
        ),
      );
      expect(positions).toEqual([]);
      for (const field of ['orderId', 'amount', 'iban']) {
        const row = page.locator(`#payload [data-field="${field}"]`);
        await row.scrollIntoViewIfNeeded();
        const b = await box(row);
        const top = await page.evaluate(
          ([x, y]) => document.elementFromPoint(x as number, y as number)?.closest('#payload') !== null,
          [b.x + b.width / 2, b.y + b.height / 2],
        );
        expect(top, field).toBe(true);
      }
      // The glance: no fact runs into another (the requester and the amount-like facts).
      const facts = await page.locator('.glance > div').all();
      const boxes = await Promise.all(facts.map(box));
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i] as Box, boxes[j] as Box)).toBe(false);
      // The bar is reachable: after the payload, before the agent's words.
      expect((await box(bar)).y).toBeGreaterThan((await box(payload)).y);
      expect((await box(bar)).y).toBeLessThan((await box(page.locator('#agent-says'))).y);
      await page.screenshot({ path: join(IMAGES, 'web-phone-approval.png'), fullPage: true });
      expect(await axe(page)).toEqual([]);
    });
  });
});

/**
 * The positive side of bulk approval needs a server whose policy file takes `bulkApprovable` (helper
 * `gates`); on a server without it this suite is skipped, and the negative side above still runs.
 */
describe.skipIf(!haveChromium)('bulk approval of what the policy marks bulk-approvable (Chromium)', () => {
  let t: TestServer | undefined;
  let browser: Browser;
  let open: WatchedPage | undefined;
  const role = `office_${uniq()}`;
  let supported = false;

  beforeAll(async () => {
    const probe = await startTestServer('sqlite');
    const doc = await fetch(`${probe.url}/v1/humanos/openapi.json`).then((r) => r.text());
    await probe.close();
    supported = doc.includes('"bulkApprovable"');
    if (!supported) return;
    const dir = mkdtempSync(join(tmpdir(), 'humanos-bulk-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({
        name: 'bulk-test',
        version: 1,
        rules: [
          {
            id: 'office-supplies',
            bulkApprovable: true,
            match: { descriptionMatches: 'paper' },
            require: { quorum: { required: 2, eligible: [role] } },
          },
        ],
      }),
    );
    t = await startTestServer('sqlite', { HUMANOS_POLICY: policy });
    browser = await launch();
  });
  afterEach(async (ctx) => {
    await closeAfter(open, ctx.task, 'bulk');
    open = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('offers only marked items without warnings or edits; each is approved on its own, for its own digest', async (ctx) => {
    if (!supported || !t) return ctx.skip();
    const server = t;
    const agent = await server.principal(`did:agent:buyer-${uniq()}`, []);
    const wendy = await server.principal(`did:human:wendy-${uniq()}`, [role]);
    const olga = await server.principal(`did:human:olga-${uniq()}`, [role]);
    const make = async (description: string, payload: Record<string, unknown>) => {
      const r = await agent.post('/tasks', { description, payload });
      expect(r.status).toBe(201);
      return r.body.approvalRequest.id as string;
    };
    const plain = [
      await make('Order 2 reams of paper', { sku: 'PAPER-A4', quantity: 2 }),
      await make('Order 3 reams of paper', { sku: 'PAPER-A4', quantity: 3 }),
    ];
    const edited = await make('Order 4 reams of paper', { sku: 'PAPER-A4', quantity: 4 });
    const warned = await make('Order paper: refund EUR 24.99 to customer C-1042', { amount: 2499, currency: 'EUR' });
    const seen = (await olga.get(`/approvals/${edited}`)).body.currentDigest;
    expect(
      (await olga.post(`/approvals/${edited}/approve`, { edits: { quantity: 1 }, payloadDigest: seen })).status,
    ).toBe(200);
    const view = async (id: string) => (await server.admin.get(`/approvals/${id}`)).body;
    for (const id of [...plain, edited]) expect((await view(id)).bulkApprovable).toBe(true);
    const warnedView = await view(warned);

    open = await openPage(browser, server.url, { token: wendy.token as string });
    const { page } = open;
    await page.goto(`${server.url}/inbox?q=paper`);
    const row = (id: string) => page.locator(`tr[data-approval="${id}"]`);
    for (const id of plain) await row(id).locator('input[type="checkbox"]').waitFor();
    await expect.poll(() => row(edited).locator('.bulk-why').textContent()).toContain('edited');
    expect(await row(edited).locator('input[type="checkbox"]').count()).toBe(0);
    // The text/payload mismatch detector (helper `warnings`) flags the 24.99 vs 2499 request; on a
    // server without it the request has no warnings and is offered like the others.
    const isWarned = (warnedView.warnings ?? []).length > 0;
    const offered = isWarned ? plain : [...plain, warned];
    if (isWarned) {
      expect(await row(warned).locator('.bulk-why').textContent()).toContain('warnings');
      expect(await row(warned).locator('input[type="checkbox"]').count()).toBe(0);
    }
    await row(warned).waitFor();
    // Unwarned, its checkbox comes with its task's details, which can arrive after the others'.
    await expect.poll(() => page.locator('table.inbox input[type="checkbox"]').count()).toBe(offered.length);
    expect(await axe(page)).toEqual([]);
    const digests = await Promise.all(offered.map(async (id) => (await view(id)).currentDigest));
    await page.getByRole('button', { name: /^Select all/ }).click();
    await page.getByRole('button', { name: `Approve ${offered.length} selected` }).click();
    await expect
      .poll(() => page.locator('#bulk-result').textContent(), { timeout: 10_000 })
      .toContain(`Approved ${offered.length} of ${offered.length}`);
    for (const [i, id] of offered.entries()) {
      const v = await view(id);
      expect(v.decisions).toHaveLength(1);
      expect(v.decisions[0]).toMatchObject({ verdict: 'approved', payloadDigest: digests[i] });
    }
    // The edited one keeps only Olga's decision; a warned one none.
    expect((await view(edited)).decisions).toHaveLength(1);
    if (isWarned) expect((await view(warned)).decisions).toHaveLength(0);
    await expectClean(open);
  });
});
