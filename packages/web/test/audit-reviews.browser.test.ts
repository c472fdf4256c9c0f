/**
 * The periodic audit reviews in the console, in a real Chromium against a real server: unattended
 * daily and weekly runs, the clock moved past their periods and the sweeper's `openDue()`; then the
 * auditor's list (open first, filters), a review's sample and covered runs, flagging runs (by
 * keyboard too), completing with findings and seeing the signed result; a completion that lost the
 * race to another auditor (409); a non-auditor's forbidden state. axe (WCAG 2.2 AA) on every state,
 * no CSP violation or foreign request. Writes docs/images/web-audit-review.png.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { axe, expectClean, expectHeading, haveChromium, IMAGES, launch, openPage, uniq } from './browser.js';

const DAY = 86_400_000;

interface ReviewJson {
  id: string;
  frequency: string;
  periodStart: string;
  status: string;
  taskCount: number;
  sample: { taskId: string; reason: string; description: string }[];
  completedBy: string | null;
  completedLedgerIndex: number | null;
  flaggedTaskIds: string[];
  outcome: string | null;
}

describe.skipIf(!haveChromium)('audit reviews in a real Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let auditor: Api;
  let otherAuditor: Api;
  let ops: Api;
  const auditorName = `audra-${uniq()}`;
  const otherName = `bo-${uniq()}`;
  const reviews: Record<'jan10' | 'jan11' | 'weekly', ReviewJson> = {} as never;

  async function unattended(description: string, auditFrequency = 'daily'): Promise<string> {
    const r = await agent.post('/tasks', {
      description,
      humanInLoop: { enabled: false },
      auditFrequency,
      payload: { job: description },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.taskId as string;
  }

  async function run(taskId: string, outcome: 'complete' | 'fail'): Promise<void> {
    const ex = await agent.post(`/tasks/${taskId}/execute`, {});
    expect(ex.status).toBe(200);
    const body =
      outcome === 'complete'
        ? { result: { ok: true }, executionId: ex.body.executionId }
        : { error: { message: 'disk full' }, executionId: ex.body.executionId };
    expect((await agent.post(`/tasks/${taskId}/${outcome}`, body)).status).toBe(200);
  }

  const review = async (id: string): Promise<ReviewJson> =>
    (await auditor.get(`/audit/reviews/${encodeURIComponent(id)}`)).body;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:nightly-${uniq()}`, []);
    auditor = await t.principal(`did:human:${auditorName}`, ['auditor']);
    otherAuditor = await t.principal(`did:human:${otherName}`, ['auditor']);
    ops = await t.principal(`did:human:opal-${uniq()}`, ['ops']);
    // Saturday 2026-01-10: 30 unattended daily runs (5 completed, 2 failed, the rest not run yet) and a weekly one.
    for (let n = 0; n < 30; n++) {
      const id = await unattended(`Rotate the logs of host ${String(n).padStart(2, '0')}`);
      if (n < 5) await run(id, 'complete');
      else if (n < 7) await run(id, 'fail');
    }
    await run(await unattended('Reindex the search cluster', 'weekly'), 'complete');
    // A day later the 10th has ended: the sweeper opens its daily review.
    t.clock.advance(DAY);
    expect(await t.server.service.auditReviews.openDue()).toBe(1);
    for (let n = 0; n < 3; n++) await unattended(`Back up database ${n}`);
    // Monday the 12th: the 11th and the ISO week of the 5th have ended.
    t.clock.advance(DAY);
    expect(await t.server.service.auditReviews.openDue()).toBe(2);
    const items: ReviewJson[] = (await auditor.get('/audit/reviews')).body.items;
    const find = (frequency: string, day: string) =>
      items.find((r) => r.frequency === frequency && r.periodStart.startsWith(day)) as ReviewJson;
    reviews.jan10 = find('daily', '2026-01-10');
    reviews.jan11 = find('daily', '2026-01-11');
    reviews.weekly = find('weekly', '2026-01-05');
    expect(reviews.jan10).toMatchObject({ status: 'open', taskCount: 30 });
    expect(reviews.jan10.sample.length).toBe(10);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a completion that another auditor beat is reported as theirs (409), never as this one', async () => {
    const p = await openPage(browser, t.url, { token: auditor.token as string });
    const { page } = p;
    await page.goto(`${t.url}/audit/reviews/${encodeURIComponent(reviews.jan11.id)}`);
    await expectHeading(page, 'Audit: Review');
    await page.locator('#complete-form').waitFor();
    await page.getByLabel(/^No issues/).check();
    await page.locator('#findings').fill('Checked the three backups: all present.');
    const theirs = await otherAuditor.post(`/audit/reviews/${encodeURIComponent(reviews.jan11.id)}/complete`, {
      outcome: 'issues_found',
      findings: 'Backup 2 is smaller than usual; ticket OPS-31.',
    });
    expect(theirs.status).toBe(200);
    await page.getByRole('button', { name: 'Complete review' }).click();
    const notice = page.locator('#review-notice');
    await expect.poll(() => notice.getAttribute('data-kind')).toBe('conflict');
    expect(await notice.textContent()).toContain(`already completed by ${otherName}`);
    expect(await page.locator('#result-by').textContent()).toContain(otherName);
    expect(await page.locator('#result-outcome').getAttribute('data-outcome')).toBe('issues_found');
    expect(await page.locator('#result-findings').textContent()).toBe('Backup 2 is smaller than usual; ticket OPS-31.');
    expect(await page.locator('#complete-form').count()).toBe(0);
    expect(await review(reviews.jan11.id)).toMatchObject({
      completedBy: `did:human:${otherName}`,
      outcome: 'issues_found',
    });
    expect(await axe(page)).toEqual([]);
    await expectClean(p);
    await p.context.close();
  });

  it('the list shows open reviews first, filters by status and frequency, and counts the open ones in the nav', async () => {
    const p = await openPage(browser, t.url, { token: auditor.token as string });
    const { page } = p;
    await page.goto(`${t.url}/audit/reviews`);
    await expectHeading(page, 'Audit: Reviews');
    const rows = page.locator('#reviews tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    // Open first (newest period first among them), then the completed one, although its period is the newest.
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-review')))).toEqual([
      reviews.jan10.id,
      reviews.weekly.id,
      reviews.jan11.id,
    ]);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual([
      'open',
      'open',
      'completed',
    ]);
    expect(await rows.nth(2).textContent()).toContain(otherName);
    // Two open reviews: in the main nav (Audit) and in the section's tabs (Reviews).
    await expect
      .poll(() => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Audit/ }).textContent())
      .toBe('Audit2 open reviews');
    expect(
      await page
        .getByRole('navigation', { name: 'Audit' })
        .getByRole('link', { name: /Reviews/ })
        .textContent(),
    ).toBe('Reviews2 open');
    expect(await axe(page)).toEqual([]);
    await page.getByLabel('Status').selectOption('completed');
    await expect.poll(() => page.url()).toContain('status=completed');
    // Polled on the ids, not the count: a count can match a list the page has not replaced yet.
    const ids = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-review')));
    await expect.poll(ids).toEqual([reviews.jan11.id]);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Frequency').selectOption('weekly');
    await expect.poll(() => page.url()).toContain('frequency=weekly');
    // The completed-only list also has one row: wait for the weekly one.
    await expect.poll(ids).toEqual([reviews.weekly.id]);
    // A reload keeps the filter (it is in the URL).
    await page.reload();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByLabel('Frequency').inputValue()).toBe('weekly');
    await expectClean(p);
    await p.context.close();
  });

  it('the auditor opens a review, inspects the sample and the runs, flags runs, completes it and sees the signed result', async () => {
    const p = await openPage(browser, t.url, { token: auditor.token as string });
    const { page } = p;
    await page.goto(`${t.url}/audit/reviews`);
    await page.locator(`tr[data-review="${reviews.jan10.id}"] a`).click();
    await expect.poll(() => page.url()).toContain(`/audit/reviews/${encodeURIComponent(reviews.jan10.id)}`);
    expect(await page.locator('#review-title').textContent()).toMatch(/^Daily review of /);
    // The sample: the server's runs, in its order, each with its reason and a link to its timeline.
    const sample = page.locator('#sample-runs tbody tr');
    await expect.poll(() => sample.count()).toBe(10);
    expect(await sample.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')))).toEqual(
      reviews.jan10.sample.map((s) => s.taskId),
    );
    expect(
      await page
        .locator('#sample-runs [data-reason]')
        .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-reason'))),
    ).toEqual(reviews.jan10.sample.map((s) => s.reason));
    expect(reviews.jan10.sample.filter((s) => s.reason === 'failed').length).toBe(2);
    expect(await sample.first().textContent()).toContain('Failed');
    const failed = reviews.jan10.sample[0] as ReviewJson['sample'][number];
    expect(await sample.first().locator('a').getAttribute('href')).toBe(
      `/audit/ledger?task=${encodeURIComponent(failed.taskId)}`,
    );
    // Counts by status, and the opening ledger entry.
    expect(await page.locator('#review-counts [data-status="failed"] dd').textContent()).toBe('2');
    expect(await page.locator('#review-counts [data-status="completed"] dd').textContent()).toBe('5');
    expect(await page.locator('#review-counts [data-status="approved"] dd').textContent()).toBe('23');
    // Every covered run, paged: 25, then the other 5.
    const all = page.locator('#all-runs tbody tr');
    await expect.poll(() => all.count()).toBe(25);
    expect(await page.locator('#runs-shown').textContent()).toContain('25 of 30');
    await page.getByRole('button', { name: 'Load more runs' }).click();
    await expect.poll(() => all.count()).toBe(30);
    const covered = (await auditor.get(`/audit/reviews/${encodeURIComponent(reviews.jan10.id)}/tasks?limit=100`)).body
      .items as { taskId: string }[];
    expect(await all.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')))).toEqual(
      covered.map((c) => c.taskId),
    );
    // Flag the failed run from the sample with the keyboard, and one run outside the sample from the list.
    await page.locator(`#sample-runs [data-flag="${failed.taskId}"]`).focus();
    await page.keyboard.press('Space');
    expect(await page.locator(`#all-runs [data-flag="${failed.taskId}"]`).isChecked()).toBe(true);
    const outside = covered.find((c) => !reviews.jan10.sample.some((s) => s.taskId === c.taskId)) as { taskId: string };
    await page.locator(`#all-runs [data-flag="${outside.taskId}"]`).check();
    await expect.poll(() => page.locator('#flagged-list li').count()).toBe(2);
    // Findings are required: an empty submit is refused by the form, nothing is sent.
    await page.getByLabel(/^Issues found/).check();
    await page.getByRole('button', { name: 'Complete review' }).click();
    expect(await page.locator('#findings').evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(
      true,
    );
    expect((await review(reviews.jan10.id)).status).toBe('open');
    await page.locator('#findings').fill('Two rotations failed with a full disk on their hosts; ticket OPS-44.');
    expect(await axe(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(IMAGES, 'web-audit-review.png') });

    await page.getByRole('button', { name: 'Complete review' }).click();
    const notice = page.locator('#review-notice');
    await expect.poll(() => notice.getAttribute('data-kind')).toBe('done');
    const server = await review(reviews.jan10.id);
    expect(server).toMatchObject({
      status: 'completed',
      completedBy: `did:human:${auditorName}`,
      outcome: 'issues_found',
      findings: 'Two rotations failed with a full disk on their hosts; ticket OPS-44.',
    });
    expect([...server.flaggedTaskIds].sort()).toEqual([failed.taskId, outside.taskId].sort());
    expect(await notice.textContent()).toContain(`#${server.completedLedgerIndex}`);
    expect(await page.locator('#result-by').textContent()).toContain(auditorName);
    expect(await page.locator('#result-ledger').getAttribute('data-index')).toBe(String(server.completedLedgerIndex));
    expect(await page.locator('#result-flagged li').count()).toBe(2);
    expect(await page.locator('#complete-form').count()).toBe(0);
    expect(await page.locator('#sample-runs .badge.flagged').count()).toBe(1);
    // The signed entry checks out in this browser against the published key.
    await page
      .locator('#result-ledger')
      .getByRole('button', { name: /Verify/ })
      .click();
    await expect.poll(() => page.locator('#result-ledger [data-check]').getAttribute('data-check')).toBe('ok');
    // One open review is left.
    await expect
      .poll(() =>
        page
          .getByRole('navigation', { name: 'Audit' })
          .getByRole('link', { name: /Reviews/ })
          .textContent(),
      )
      .toBe('Reviews1 open');
    expect(await axe(page)).toEqual([]);
    await expectClean(p);
    await p.context.close();
  });

  it('a sampled run links to its timeline from the ledger; the review passes axe in dark mode', async () => {
    const p = await openPage(browser, t.url, { token: auditor.token as string, dark: true });
    const { page } = p;
    await page.goto(`${t.url}/audit/reviews/${encodeURIComponent(reviews.weekly.id)}`);
    await page.locator('#complete-form').waitFor();
    expect(await axe(page)).toEqual([]);
    const run = reviews.weekly.sample[0] as ReviewJson['sample'][number];
    await page.locator(`#sample-runs tr[data-task="${run.taskId}"] a`).click();
    await expectHeading(page, 'Audit: Ledger');
    expect(await page.locator('#task-filter').inputValue()).toBe(run.taskId);
    await expect.poll(() => page.locator('#entries tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#entries').textContent()).toContain('Task proposed');
    await expectClean(p);
    await p.context.close();
  });

  it("a human without the auditor role gets the console's forbidden state, and the server refuses", async () => {
    const p = await openPage(browser, t.url, { token: ops.token as string });
    const { page } = p;
    await page.goto(`${t.url}/audit/reviews/${encodeURIComponent(reviews.weekly.id)}`);
    await expectHeading(page, 'Audit: Review');
    await page.locator('#forbidden').waitFor();
    expect(await page.locator('#forbidden').textContent()).toContain('need the auditor or admin role');
    await expect.poll(() => page.locator('main').textContent()).toContain('You may not see the audit review');
    expect(await page.locator('#complete-form, #sample-runs').count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Audit/ }).count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    expect((await ops.get(`/audit/reviews/${encodeURIComponent(reviews.weekly.id)}`)).status).toBe(403);
    await expectClean(p);
    await p.context.close();
  });
});
