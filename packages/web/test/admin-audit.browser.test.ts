/**
 * Every route of the console by URL (and after a reload) with axe-core's WCAG 2.2 AA rules, no CSP
 * violation and no foreign request; the admin's principals, webhooks and policy dry run; the
 * auditor's in-browser ledger verification (a real log passes, a tampered export fails) and the
 * calibration chart from real feedback. Screenshots of the main screens, light and dark, go to docs/images.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import {
  axe,
  expectClean,
  expectHeading,
  haveChromium,
  IMAGES,
  launch,
  openPage,
  uniq,
  type WatchedPage,
} from './browser.js';

describe.skipIf(!haveChromium)('admin and auditor consoles in a real Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let agentId: string;
  let approver: Api;
  let auditor: Api;
  let admin: WatchedPage;
  const role = `ops_${uniq()}`;
  const ids: { approval: string; task: string; chainStep: string } = { approval: '', task: '', chainStep: '' };

  /** Real feedback data: tasks with stated confidence, approved, executed, completed and rated. */
  async function seed(): Promise<void> {
    const rater = await t.principal(`did:human:rita-${uniq()}`, [role]);
    const outcomes: [number, boolean][] = [
      [0.95, true],
      [0.9, true],
      [0.85, false],
      [0.6, true],
      [0.3, false],
      [0.2, false],
    ];
    for (const [n, [confidence, correct]] of outcomes.entries()) {
      const c = (
        await agent.post('/tasks', {
          description: `Rotate the API keys of service ${n}`,
          requiredCapabilities: ['key_rotation'],
          humanInLoop: { approverRole: role },
          aiProposal: { action: `rotate keys of service ${n}`, confidence },
          payload: { service: `svc-${n}`, keep: n },
        })
      ).body;
      const edits = n === 2 ? { keep: 99 } : undefined;
      expect(
        (
          await approver.post(`/approvals/${c.approvalRequest.id}/approve`, {
            approvalReason: 'ok',
            ...(edits ? { edits } : {}),
          })
        ).status,
      ).toBe(200);
      const ex = (await agent.post(`/tasks/${c.taskId}/execute`, {})).body;
      expect(
        (
          await agent.post(`/tasks/${c.taskId}/complete`, {
            executionId: ex.executionId,
            leaseId: ex.leaseId,
            result: { ok: true },
          })
        ).status,
      ).toBe(200);
      expect(
        (await rater.post(`/tasks/${c.taskId}/feedback`, { quality: correct ? 'good' : 'poor', correctness: correct }))
          .status,
      ).toBe(201);
    }
    const open = (
      await agent.post('/tasks', {
        description: 'Pay the Q3 cloud invoice',
        humanInLoop: { approverRole: role, approvalTimeout: 7200 },
        aiProposal: {
          action: 'Pay in full',
          reasoning: 'Matches the usage report',
          confidence: 0.8,
          alternatives: ['Dispute line 4'],
        },
        payload: { vendor: 'Nimbus Cloud', amount: 18250.5, currency: 'EUR', invoice: 'NC-2291' },
      })
    ).body;
    ids.approval = open.approvalRequest.id;
    ids.task = open.taskId;
    const chain = (
      await agent.post('/tasks', {
        description: 'Grant production database access to the on-call engineer',
        approvalChain: [
          { role, reason: 'Team lead' },
          { role: `sec_${uniq()}`, reason: 'Security' },
        ],
        payload: { user: 'sam', database: 'orders', hours: 4 },
      })
    ).body;
    ids.chainStep = chain.approvalRequest.id;
  }

  beforeAll(async () => {
    // One attempt per delivery, so a refused endpoint gives a failed delivery at once.
    // The receiver is on this machine: the SSRF guard needs loopback allowed for the test.
    t = await startTestServer(
      'sqlite',
      { HUMANOS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1,localhost' },
      { webhooks: { maxAttempts: 1, timeoutMs: 2000 } },
    );
    agentId = `did:agent:keybot-${uniq()}`;
    agent = await t.principal(agentId, ['executor']);
    approver = await t.principal(`did:human:ada-${uniq()}`, [role]);
    auditor = await t.principal(`did:human:audrey-${uniq()}`, ['auditor']);
    await seed();
    browser = await launch();
    admin = await openPage(browser, t.url, { token: ADMIN_TOKEN });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('every route loads by URL, survives a reload, passes axe (WCAG 2.2 AA), with no CSP violation or foreign request', async () => {
    const routes: [string, RegExp][] = [
      ['/', /^Inbox$/],
      ['/inbox', /^Inbox$/],
      ['/history', /^History$/],
      [`/approvals/${encodeURIComponent(ids.approval)}`, /Pay the Q3 cloud invoice/],
      [`/approvals/${encodeURIComponent(ids.chainStep)}`, /Grant production database access/],
      [`/tasks/${encodeURIComponent(ids.task)}`, /Pay the Q3 cloud invoice/],
      ['/admin/principals', /^Admin: Principals$/],
      ['/admin/webhooks', /^Admin: Webhooks$/],
      ['/admin/policy', /^Admin: Policy$/],
      ['/audit/ledger', /^Audit: Ledger$/],
      ['/admin', /^Admin: Principals$/],
      ['/audit', /^Audit: Ledger$/],
      [`/audit/calibration?agent=${encodeURIComponent(agentId)}`, /^Audit: Calibration$/],
      ['/audit/reviews', /^Audit: Reviews$/],
      ['/audit/reviews/review:human:000000000000000000000000', /^Audit: Review$/],
      ['/admin/no-such-page', /^Nothing here$/],
    ];
    for (const [url, want] of routes) {
      const res = await fetch(`${t.url}${url}`);
      expect(res.headers.get('content-security-policy'), url).toContain("script-src 'self'");
      await admin.page.goto(`${t.url}${url}`);
      await expectHeading(admin.page, want, url).catch(async (e) => {
        throw new Error(`${url}: ${e} — ${await admin.page.locator('body').textContent()}`);
      });
      await admin.page.waitForFunction(() => !document.body.textContent?.includes('Loading…'));
      expect(await axe(admin.page), `axe on ${url}`).toEqual([]);
      await admin.page.reload();
      await expectHeading(admin.page, want, `${url} after reload`);
    }
    await expectClean(admin);
  });

  it('serves hashed assets with long cache headers and nothing else of the web package', async () => {
    const html = await (await fetch(`${t.url}/inbox`)).text();
    const js = /src="(\/assets\/index-[\w-]+\.js)"/.exec(html)?.[1] as string;
    const res = await fetch(`${t.url}${js}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-type')).toContain('text/javascript');
    for (const path of [
      '/no/such/page',
      '/assets/nope.js',
      '/package.json',
      '/src/main.tsx',
      '/index.html',
      '/vite.config.ts',
      '/app/main.js',
    ])
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(404);
    expect((await fetch(`${t.url}/inbox`)).headers.get('cache-control')).toBe('no-cache');
  });

  it('the admin creates a principal and sees its token once', async () => {
    const { page } = admin;
    const id = `did:human:newbie-${uniq()}`;
    await page.goto(`${t.url}/admin/principals`);
    await page.locator('#p-id').fill(id);
    await page.locator('#p-roles').fill(`${role}, reviewer`);
    await page.getByRole('button', { name: 'Create principal' }).click();
    const token = await page.locator('#once-value').inputValue();
    expect(token.length).toBeGreaterThan(20);
    expect((await new (approver.constructor as typeof Api)(t.url, token).get('/me')).body).toMatchObject({
      id,
      roles: [role, 'reviewer'],
    });
    await expect.poll(() => page.locator(`tr[data-principal="${id}"]`).count()).toBe(1);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(IMAGES, 'web-admin-principals.png'), fullPage: true });
    await page.getByRole('button', { name: /I have stored it/ }).click();
    expect(await page.content()).not.toContain(token);
    await page.reload();
    await page.locator(`tr[data-principal="${id}"]`).waitFor();
    expect(await page.content()).not.toContain(token);
    // Roles are edited in place; rotation shows the new token once, and the old one stops working.
    await page
      .getByRole('row', { name: new RegExp(id) })
      .getByRole('button', { name: 'Rotate token' })
      .click();
    const rotated = await page.locator('#once-value').inputValue();
    expect(rotated).not.toBe(token);
    expect((await new (approver.constructor as typeof Api)(t.url, token).get('/me')).status).toBe(401);
    await expectClean(admin);
  });

  it('the admin subscribes a webhook (secret once), sees its deliveries, and dry-runs the policy', async () => {
    const { page } = admin;
    await page.goto(`${t.url}/admin/webhooks`);
    // A receiver that refuses until told otherwise.
    let accept = false;
    const receiver = createServer((_req, res) => {
      res.statusCode = accept ? 204 : 503;
      res.end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await page.getByLabel(/^URL/).fill(hookUrl);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect((await page.locator('#once-value').inputValue()).length).toBeGreaterThan(15);
    await page.locator('[data-webhook]').first().waitFor();
    const hooks = (await t.admin.get('/webhooks')).body.items;
    const hook = hooks.find((h: { url: string }) => h.url === hookUrl);
    expect(hook).toBeDefined();
    // An event the receiver refuses: with one attempt allowed the delivery fails; the admin retries it.
    await agent.post('/tasks', { description: 'Rotate the TLS certificate', humanInLoop: { approverRole: role } });
    await t.server.service.outbox.deliverDue();
    const card = page.locator(`[data-webhook="${hook.id}"]`);
    await card.getByLabel('Deliveries').selectOption('failed');
    const failed = card.locator('tr[data-status="failed"]').first();
    await failed.waitFor();
    const deliveryId = await failed.getAttribute('data-delivery');
    const one = async () =>
      (
        (await t.admin.get(`/webhooks/${hook.id}/deliveries`)).body.items as {
          id: string;
          status: string;
          attempts: number;
        }[]
      ).find((d) => d.id === deliveryId);
    const before = await one();
    expect(before?.status).toBe('failed');
    accept = true;
    // Pinned to that delivery: `failed` is a lazy locator, and the list (several failed deliveries
    // created at the same instant of the test clock) may re-render in another order before the click.
    await card.locator(`tr[data-delivery="${deliveryId}"]`).getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => card.locator('[role="status"]').textContent()).toContain('queued again');
    await t.server.service.outbox.deliverDue();
    // The delivery's last error is in the failure message if it does not go through.
    await expect
      .poll(async () => {
        const d = await one();
        return d?.status === 'delivered' ? 'delivered' : JSON.stringify(d);
      })
      .toBe('delivered');
    receiver.close();
    await page.goto(`${t.url}/admin/policy`);
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.locator('#dry-gates').waitFor();
    const sample = JSON.parse(await page.locator('#dry-body').inputValue());
    const server = (await t.admin.post('/policy/evaluate', sample)).body;
    const text = (await page.locator('#dry-result').textContent()) ?? '';
    expect(text).toContain(`${server.gates[0].required} of`);
    expect(text.toLowerCase()).toContain(server.riskAssessment.level);
    expect(await page.locator('#dry-gates li').count()).toBe(server.gates.length);
    expect(await axe(page)).toEqual([]);
  });

  it("the auditor's in-browser verification passes on the real log and fails on a tampered export", async () => {
    const a = await openPage(browser, t.url, { token: auditor.token as string });
    await a.page.goto(`${t.url}/audit/ledger`);
    await expect.poll(() => a.page.locator('#cp-verified').textContent()).toBe('signature verified here');
    await a.page.getByRole('button', { name: /Verify the whole log/ }).click();
    await expect.poll(() => a.page.locator('#log-report').getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    const size = (await t.admin.get('/ledger/checkpoint')).body.size;
    expect(await a.page.locator('#log-report').textContent()).toContain(`${size} entries`);
    await a.page.evaluate(() => window.scrollTo(0, 0));
    await a.page.screenshot({ path: join(IMAGES, 'web-audit-ledger.png') });
    // One entry checked on its own: inclusion proof, checkpoint and (for a decision) its signature.
    const decided = a.page.locator('#entries tr', { hasText: 'Decision recorded' }).first();
    await decided.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => decided.locator('[data-check]').getAttribute('data-check')).toBe('ok');
    expect(await decided.locator('[data-check]').textContent()).toContain('signed');
    // The export as a file, from a blob URL (allowed by the CSP: a download, not a fetch).
    await a.page.getByRole('button', { name: 'Prepare export' }).click();
    const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.locator('#export-link').click()]);
    expect(download.suggestedFilename()).toBe('humanos-ledger.jsonl');
    const file = await download.path();
    const { readFileSync } = await import('node:fs');
    const first = JSON.parse(readFileSync(file, 'utf8').split('\n')[0] as string);
    expect(first).toMatchObject({ type: 'header', format: 'humanos-ledger/1' });

    // A tampered export, served through the route: the in-browser check names the entry.
    let tampered = -1;
    await a.page.route('**/v1/humanos/ledger/export', async (route) => {
      const res = await route.fetch();
      const lines = (await res.text()).split('\n');
      const i = lines.findIndex((l) => l.includes('"type":"entry"') && l.includes('approval.decided'));
      const rec = JSON.parse(lines[i] as string);
      tampered = rec.index;
      rec.entry = rec.entry.replace('"reason":"ok"', '"reason":"OK"');
      lines[i] = JSON.stringify(rec);
      await route.fulfill({ response: res, body: lines.join('\n') });
    });
    await a.page.getByRole('button', { name: /Verify the whole log/ }).click();
    await expect.poll(() => a.page.locator('#log-report').getAttribute('data-ok'), { timeout: 20_000 }).toBe('false');
    expect(tampered).toBeGreaterThanOrEqual(0);
    expect(await a.page.locator('#log-report').textContent()).toContain(`FAILED at entry #${tampered}`);
    await a.page.unroute('**/v1/humanos/ledger/export');
    await expectClean(a);
    await a.context.close();
  });

  it('the calibration chart renders from real feedback data and matches the server', async () => {
    const a = await openPage(browser, t.url, { token: auditor.token as string });
    await a.page.goto(`${t.url}/audit/calibration?agent=${encodeURIComponent(agentId)}&capability=key_rotation`);
    await a.page.locator('#reliability-chart').waitFor();
    const server = (await auditor.get(`/calibration?agent=${encodeURIComponent(agentId)}&capability=key_rotation`))
      .body;
    expect(server.samples).toBe(6);
    expect(await a.page.locator('#cal-samples').textContent()).toBe('6');
    expect(await a.page.locator('#cal-brier').textContent()).toBe(server.brierScore.toFixed(3));
    const bins = server.reliability.filter((b: { count: number }) => b.count > 0).length;
    expect(await a.page.locator('#reliability-chart circle.point').count()).toBe(bins);
    expect(await a.page.locator('#reliability-table tbody tr').count()).toBe(bins);
    expect(await a.page.locator('#cal-autonomy').getAttribute('data-level')).toBe(server.recommendedAutonomy);
    expect(await a.page.locator('#cal-evidence li').count()).toBe(server.evidence.length);
    expect(await a.page.locator('#rates-chart').textContent()).toContain(`${Math.round(server.editRate * 100)} %`);
    expect(await axe(a.page)).toEqual([]);
    await a.page.screenshot({ path: join(IMAGES, 'web-calibration.png'), fullPage: true });
    await expectClean(a);
    await a.context.close();
  });

  it('screenshots of the main screens, light and dark, pass axe in both schemes', async () => {
    for (const dark of [false, true]) {
      const suffix = dark ? '-dark' : '';
      const p = await openPage(browser, t.url, { token: approver.token as string, dark });
      await p.page.goto(`${t.url}/inbox`);
      await p.page.locator(`tr[data-approval="${ids.approval}"]`).waitFor();
      expect(await axe(p.page), `inbox${suffix}`).toEqual([]);
      await p.page.screenshot({ path: join(IMAGES, `web-inbox${suffix}.png`) });
      await p.page.goto(`${t.url}/approvals/${encodeURIComponent(ids.approval)}`);
      await p.page.locator('#approve').waitFor();
      await p.page.getByRole('button', { name: 'Edit amount' }).click();
      await p.page.locator('#edit-amount').fill('17000');
      await p.page.keyboard.press('Enter');
      await p.page.locator('#diff [data-path="amount"]').waitFor();
      expect(await axe(p.page), `detail${suffix}`).toEqual([]);
      await p.page.screenshot({ path: join(IMAGES, `web-approval${suffix}.png`) });
      await p.page.goto(`${t.url}/approvals/${encodeURIComponent(ids.chainStep)}`);
      await p.page.locator('#chain').waitFor();
      await p.page.screenshot({ path: join(IMAGES, `web-chain${suffix}.png`), fullPage: true });
      await p.page.setViewportSize({ width: 390, height: 844 });
      await p.page.goto(`${t.url}/approvals/${encodeURIComponent(ids.approval)}`);
      await p.page.locator('#approve').waitFor();
      await p.page.screenshot({ path: join(IMAGES, `web-phone${suffix}.png`) });
      await expectClean(p);
      await p.context.close();
    }
    const d = await openPage(browser, t.url, { token: auditor.token as string, dark: true });
    await d.page.goto(`${t.url}/audit/calibration?agent=${encodeURIComponent(agentId)}`);
    await d.page.locator('#reliability-chart').waitFor();
    expect(await axe(d.page)).toEqual([]);
    await d.page.screenshot({ path: join(IMAGES, 'web-calibration-dark.png'), fullPage: true });
    await d.context.close();
  });
});
