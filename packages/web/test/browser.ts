/**
 * Shared by the console's browser tests: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), pages that record CSP violations and requests to other origins, axe-core
 * (WCAG 2.2 AA) run in the page, and sign-in by token.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../../test-support/harness.js';

export const CHROMIUM = process.env.HUMANOS_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const IMAGES = join(REPO_ROOT, 'docs/images');
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

if (!haveChromium) {
  const msg = `Chromium not found at ${CHROMIUM} (Debian package "chromium"): the web console browser tests cannot run.`;
  if (process.env.CI === 'true') throw new Error(`${msg} (CI=true: failing instead of skipping)`);
  process.stderr.write(`\n\x1b[41m WARNING \x1b[0m ${msg} They are SKIPPED.\n\n`);
}
if (!existsSync(join(REPO_ROOT, 'packages/web/dist/index.html'))) {
  throw new Error('packages/web/dist is missing: run `npm run build` first (npm test does).');
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that it must not: CSP violations, requests to other origins, errors. */
export interface Watch {
  csp: string[];
  foreign: string[];
  errors: string[];
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  watch: Watch;
}

/**
 * A page in a fresh context (its own sessionStorage), signed in with `token` when given, recording
 * CSP violations (console and `securitypolicyviolation`) and any request to another origin.
 */
export async function openPage(
  browser: Browser,
  origin: string,
  opts: { token?: string; dark?: boolean; width?: number; height?: number } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    colorScheme: opts.dark ? 'dark' : 'light',
  });
  const watch: Watch = { csp: [], foreign: [], errors: [] };
  const page = await context.newPage();
  // playwright-core has no default timeout: a missing element would hang a test until vitest's.
  page.setDefaultTimeout(10_000);
  if (opts.token) {
    await page.addInitScript((t) => {
      if (!sessionStorage.getItem('humanos.token')) sessionStorage.setItem('humanos.token', t);
    }, opts.token);
  }
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __csp?: string[] };
      w.__csp = [...(w.__csp ?? []), `${e.violatedDirective} ${e.blockedURI}`];
    });
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) watch.csp.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(String(e)));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== origin && !['blob:', 'data:'].includes(u.protocol)) watch.foreign.push(r.url());
  });
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  return { page, context, watch };
}

/** No CSP violation (console or event), no request to another origin, no uncaught error. */
export async function expectClean(p: WatchedPage): Promise<void> {
  const inPage = await p.page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  expect([...p.watch.csp, ...inPage], 'CSP violations').toEqual([]);
  expect(p.watch.foreign, 'requests to other origins').toEqual([]);
  expect(p.watch.errors, 'uncaught page errors').toEqual([]);
}

/**
 * axe-core with the WCAG 2.0/2.1/2.2 A and AA rules, evaluated in the page's context (an evaluate
 * runs outside the page's CSP); returns the violations, readable.
 */
export async function axe(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const a = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> } })
      .axe;
    const r = await a.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] },
    });
    return r.violations as { id: string; help: string; nodes: { target: string[]; failureSummary: string }[] }[];
  });
  return violations.map(
    (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} (${n.failureSummary})`).join('; ')}`,
  );
}

/**
 * After a failed test: the page's URL and text on the log, and a full-page screenshot in
 * `test-artifacts/` named after the test. Then closes the page's context.
 *
 * @example
 * afterEach(async (ctx) => { await closeAfter(open, ctx.task); open = undefined; });
 */
export async function closeAfter(
  open: WatchedPage | undefined,
  task: { name: string; result?: { state?: string } },
  prefix = 'fail',
): Promise<void> {
  if (open && task.result?.state === 'fail') {
    console.log(`FAILED AT ${open.page.url()}:`, await open.page.locator('body').textContent(), open.watch.errors);
    await open.page.screenshot({
      path: join(ARTIFACTS, `${prefix}-${task.name.slice(0, 30).replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  }
  await open?.context.close();
}

/**
 * Waits until the page's main heading reads `want`. Never a single read: after a click or a sign-in
 * the old view's heading stays until the new view's data has arrived (a read right after the click
 * got "Sign in to HumanOS" in a CI run), and after a `goto` the "Signing in…" view comes first.
 *
 * @example await expectHeading(page, 'Inbox');
 */
export async function expectHeading(page: Page, want: string | RegExp, what = page.url()): Promise<void> {
  const read = () => page.locator('main h1').first().textContent({ timeout: 10_000 });
  const poll = expect.poll(read, { timeout: 10_000, message: `the main heading of ${what}` });
  if (typeof want === 'string') await poll.toBe(want);
  else await poll.toMatch(want);
}

/**
 * After a failed test: what the page showed (its URL, the text of `main`, a screenshot in
 * `test-artifacts/`). Never throws: a page still blank has no `main`, and a report that times out
 * would hide the failure it reports.
 *
 * @example afterEach((ctx) => reportFailure(page, ctx.task));
 */
export async function reportFailure(page: Page, task: { name: string; result?: { state?: string } }): Promise<void> {
  if (task.result?.state !== 'fail') return;
  const main = await page
    .locator('main')
    .textContent({ timeout: 1_000 })
    .catch(() => '(no main element)');
  console.log(`FAILED AT ${page.url()}:`, main);
  const file = `fail-${task.name.slice(0, 30).replace(/\W+/g, '-')}-${uniq()}.png`;
  await page.screenshot({ path: join(ARTIFACTS, file), fullPage: true }).catch(() => undefined);
}

/** A unique suffix: tests share one server. */
export const uniq = (): string => Math.random().toString(36).slice(2, 8);
