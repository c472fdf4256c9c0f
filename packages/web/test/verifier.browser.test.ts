/**
 * Issue 23: the console's verifier is core's, and it passes the RFC 6962 vectors in a real browser.
 * `@humanos/core/verifier` and the console's export driver are bundled by Vite for the browser (as
 * the console's build does) and must pull no `node:` module; the bundle then runs, in Chromium (no
 * Node `Buffer` there), every RFC 6962 vector and signed ledger exports (honest and tampered), with
 * the same verdicts as core on Node. The console's production build is checked for `node:` too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { parseLedgerExport, verifyLedger as verifyOnNode } from '@humanos/core/verifier';
import type { Browser, Page } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test-support/harness.js';
import { loadRfc6962Vectors } from '../../../test-support/rfc6962-files.js';
import { signedExport } from '../../../test-support/signed-export.js';
import { haveChromium, launch } from './browser.js';
import type { Harness } from './verifier-harness.js';

/**
 * `entry` bundled for the browser by Vite (browser conditions, as the console's build), nothing
 * written: its code, and every Node built-in its import graph reached (a resolver that runs before
 * Vite's own records them; Vite would otherwise swap in an empty stand-in and only warn).
 */
async function bundle(entry: string, configFile?: string): Promise<{ code: string; builtins: string[] }> {
  const builtins: string[] = [];
  const out = (await build({
    configFile: configFile ?? false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-node-builtins',
        enforce: 'pre',
        resolveId(source, importer) {
          if (isBuiltin(source)) builtins.push(`${source} imported by ${importer}`);
          return null;
        },
      },
    ],
    build: {
      write: false,
      target: 'es2022',
      ...(configFile ? {} : { lib: { entry, formats: ['es' as const], fileName: 'bundle' }, minify: false }),
    },
  })) as Rollup.RollupOutput[] | Rollup.RollupOutput;
  const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
  return { code: outputs.map((o) => (o.type === 'chunk' ? o.code : '')).join('\n'), builtins };
}

const HARNESS = join(import.meta.dirname, 'verifier-harness.ts');

describe('core’s verifier, bundled for the browser', () => {
  it('reaches no Node built-in (and the check sees one: the package root, with signing, does)', async () => {
    const harness = await bundle(HARNESS);
    expect(harness.builtins).toEqual([]);
    expect(harness.code).toMatch(/humanosHarness/);
    const root = await bundle(join(REPO_ROOT, 'packages/core/dist/index.js'));
    expect(root.builtins).toEqual(
      expect.arrayContaining([expect.stringMatching(/^node:crypto imported by .*signing\.js$/)]),
    );
  });

  it('the console’s own build reaches no Node built-in, and its built assets name none', async () => {
    const web = await bundle('', join(REPO_ROOT, 'packages/web/vite.config.ts'));
    expect(web.builtins).toEqual([]);
    expect(web.code).toMatch(/Verify the whole log in this browser/);
    const assets = join(REPO_ROOT, 'packages/web/dist/assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    for (const f of js) expect(readFileSync(join(assets, f), 'utf8').match(/\bnode:[a-z_]+/g) ?? [], f).toEqual([]);
  });
});

describe.skipIf(!haveChromium)('core’s verifier in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const { code } = await bundle(HARNESS);
    browser = await launch();
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><html lang="en"><title>verifier</title></html>');
    await page.addScriptTag({ type: 'module', content: code });
    await page.waitForFunction(() => 'humanosHarness' in globalThis);
    expect(errors).toEqual([]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  const call = <K extends keyof Harness>(name: K, ...args: Parameters<Harness[K]>) =>
    page.evaluate(
      ([n, a]) => {
        const h = (globalThis as unknown as { humanosHarness: Record<string, (...x: unknown[]) => unknown> })
          .humanosHarness;
        return (h[n as string] as (...x: unknown[]) => unknown)(...(a as unknown[]));
      },
      [name, args] as const,
    ) as Promise<Awaited<ReturnType<Harness[K]>>>;

  it('runs without Node’s Buffer', async () => {
    expect(await call('hasBuffer')).toBe(false);
  });

  it('passes every RFC 6962 vector (inclusion, consistency, reference tree and proofs)', async () => {
    const vectors = loadRfc6962Vectors();
    const { verdicts, reference } = await call('vectors', vectors);
    expect(reference).toEqual([]);
    expect(verdicts.length).toBe(vectors.inclusion.length + vectors.consistency.length);
    expect(verdicts.length).toBeGreaterThan(150);
    const wrong = verdicts.filter((v) => v.got.ok === v.wantErr).map((v) => v.name);
    expect(wrong).toEqual([]);
    expect(verdicts.filter((v) => v.wantErr).length).toBeGreaterThan(100);
  });

  const exportText = (o: { badColumnAt?: number; badHeadsAt?: number; entries?: number } = {}) => {
    const e = signedExport({ entries: o.entries ?? 60, entryBytes: 40, tasks: 7, every: 5, ...o });
    return { key: e.publicKey, text: [...e.lines].join('\n') };
  };

  it('verifies signed exports as core does on Node: honest, an edited index column, a wrong task-heads root', async () => {
    for (const o of [{}, { badColumnAt: 23 }, { badHeadsAt: 30 }, { entries: 1200 }]) {
      const e = exportText(o);
      const inBrowser = await call('verifyLedger', e.text, e.key);
      expect(inBrowser).toEqual(verifyOnNode(parseLedgerExport(e.text), { trustedPublicKey: e.key }));
    }
    const bad = exportText({ badColumnAt: 23 });
    expect(await call('verifyLedger', bad.text, bad.key)).toMatchObject({ ok: false, firstBadIndex: 23 });
  });

  it('checks passkey-signed decisions as core does on Node: every testdata/passkey vector, named entry and check', async () => {
    const dir = join(import.meta.dirname, '../../../testdata/passkey');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.filter((f) => f.includes('.tampered-')).length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const v = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const text = v.lines.map((l: unknown) => JSON.stringify(l)).join('\n');
      const key = String(v.lines[0].publicKey);
      const inBrowser = await call('verifyLedger', text, key);
      expect(inBrowser, f).toEqual(verifyOnNode(parseLedgerExport(text), { trustedPublicKey: key }));
      expect(inBrowser.ok, f).toBe(v.expected.ok);
      if (!v.expected.ok)
        expect([inBrowser.firstBadIndex, inBrowser.check], f).toEqual([v.expected.index, v.expected.check]);
    }
  });

  it('the console’s export driver: ok, a checkpoint signed by another key, a key the server does not publish', async () => {
    const e = exportText({ entries: 1200 });
    expect(await call('verifyExport', e.text, e.key)).toMatchObject({
      ok: true,
      size: 1200,
      checkpointsVerified: 240,
      keyMismatch: false,
    });
    const other = exportText();
    const r = await call('verifyExport', e.text, other.key);
    expect(r).toMatchObject({ ok: false, keyMismatch: true, checkpointsVerified: 0 });
    expect(r.reason).toMatch(/checkpoint rejected/);
  });
});
