/**
 * Issue 24 in a real Chromium with DevTools' virtual authenticator (the WebAuthn domain): Ann enrols a
 * passkey on the Security page, approves a high-risk request in the console (the decision bar asks
 * for the passkey), the receipt names it, and the ledger entry verifies offline (core verifier and
 * `humanos ledger verify`). An assertion without user verification, a replayed nonce and a
 * revoked key are refused and write nothing. The console is served on `localhost` (a WebAuthn RP id
 * must be a domain, and localhost is a secure context over http).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLedgerExport, payloadDigest, verifyLedger } from '@humanos/core';
import type { Browser, CDPSession } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, REPO_ROOT, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { humanos } from '../../cli/test/run.js';
import { expectClean, haveChromium, launch, openPage, reportFailure, uniq, type WatchedPage } from './browser.js';

const POLICY = join(tmpdir(), `humanos-pk-browser-${process.pid}.json`);
writeFileSync(
  POLICY,
  JSON.stringify({
    name: 'pk-browser',
    version: 1,
    requirePasskey: {},
    rules: [
      { id: 'wire', match: { descriptionMatches: 'wire' }, require: { approverRole: 'treasury', riskLevel: 'high' } },
    ],
  }),
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!haveChromium)('passkey-signed decisions in Chromium (virtual authenticator)', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let ann: Api;
  let origin: string;
  let open: WatchedPage | undefined;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    t = await startTestServer('sqlite', {
      PORT: String(port),
      HUMANOS_POLICY: POLICY,
      HUMANOS_WEBAUTHN_RP_ID: 'localhost',
      HUMANOS_WEBAUTHN_ORIGINS: origin,
    });
    agent = await t.principal(`did:agent:pk-${uniq()}`, []);
    ann = await t.principal(`did:human:pk-ann-${uniq()}`, ['treasury']);
    browser = await launch();
    open = await openPage(browser, origin, { token: ann.token as string });
    cdp = await open.context.newCDPSession(open.page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    authenticatorId = added.authenticatorId;
  }, 60_000);
  afterEach(async (ctx) => {
    if (open) await reportFailure(open.page, ctx.task);
  });
  afterAll(async () => {
    await open?.context.close();
    await browser?.close();
    await t?.close();
  });

  const wire = async () => {
    const payload = { amount: 75_000, to: `ACME ${uniq()}` };
    const c = await agent.post('/tasks', { description: 'wire to supplier', payload });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    return { id: c.body.approvalRequest.id as string, digest: payloadDigest(payload) };
  };
  const exportText = () =>
    fetch(`${t.url}/v1/humanos/ledger/export`, { headers: { authorization: `Bearer ${t.admin.token}` } }).then((r) =>
      r.text(),
    );
  /** A WebAuthn assertion made in the page with the virtual authenticator (`uv`: the preference sent). */
  const assertInPage = (options: { challenge: string; rpId: string; allowCredentials: { id: string }[] }, uv: string) =>
    (open as WatchedPage).page.evaluate(
      async ({ o, uv }) => {
        const b64 = (s: string) =>
          Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
        const enc = (b: ArrayBuffer) =>
          btoa(String.fromCharCode(...new Uint8Array(b)))
            .replace(/\+/g, '-')
            .replace(/\//g, '_')
            .replace(/=+$/, '');
        const cred = (await navigator.credentials.get({
          publicKey: {
            challenge: b64(o.challenge),
            rpId: o.rpId,
            allowCredentials: o.allowCredentials.map((c) => ({ id: b64(c.id), type: 'public-key' as const })),
            userVerification: uv as UserVerificationRequirement,
          },
        })) as PublicKeyCredential;
        const r = cred.response as AuthenticatorAssertionResponse;
        return {
          credentialId: cred.id,
          authenticatorData: enc(r.authenticatorData),
          clientDataJSON: enc(r.clientDataJSON),
          signature: enc(r.signature),
          userHandle: r.userHandle ? enc(r.userHandle) : null,
        };
      },
      { o: options, uv },
    );

  it('Ann enrols a passkey on the Security page; it is a ledger entry', async () => {
    const { page } = open as WatchedPage;
    await page.goto(`${origin}/security`);
    await page.locator('#pk-name').fill('Virtual key');
    await page.locator('#pk-add').click();
    await expect.poll(() => page.locator('#pk-status').textContent()).toContain('Passkey “Virtual key” added.');
    await expect.poll(() => page.locator('#pk-list tbody tr').count()).toBe(1);
    const mine = await ann.get('/me/passkeys');
    expect(mine.body.items[0]).toMatchObject({ name: 'Virtual key', algorithm: -7, revokedAt: null });
    await expectClean(open as WatchedPage);
  });

  it('a high-risk approval in the console is signed with the passkey and verifies offline', async () => {
    const { page } = open as WatchedPage;
    const { id } = await wire();
    await page.goto(`${origin}/approvals/${encodeURIComponent(id)}`);
    await page.locator('#reason').fill('invoice matches the PO');
    await page.locator('#approve').click();
    await expect
      .poll(() => page.locator('#outcome-alert').textContent(), { timeout: 15_000 })
      .toContain('Signed with your passkey “Virtual key”.');
    const text = await exportText();
    const report = verifyLedger(parseLedgerExport(text));
    expect(report).toMatchObject({ ok: true });
    const decided = parseLedgerExport(text)
      .entries.map((e) => JSON.parse(e.entry))
      .find((e) => e.type === 'approval.decided' && e.approvalId === id);
    expect(decided.data).toMatchObject({ passkeyRequired: true, channel: 'api' });
    expect(JSON.parse(Buffer.from(decided.data.passkey.clientDataJSON, 'base64url').toString())).toMatchObject({
      type: 'webauthn.get',
      origin,
    });
    // The CLI's offline verifier says the same.
    const file = join(tmpdir(), `pk-chromium-${uniq()}.jsonl`);
    writeFileSync(file, text);
    const cli = await humanos(['ledger', 'verify', '--file', file, '--json'], {});
    expect([cli.code, JSON.parse(cli.stdout).ok]).toEqual([0, true]);
    if (process.env.HUMANOS_WRITE_PASSKEY_VECTORS === '1') {
      const dir = join(REPO_ROOT, 'testdata/passkey');
      mkdirSync(dir, { recursive: true });
      const lines = text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
      const description =
        'Made in Chromium with the DevTools virtual authenticator (ES256): an enrolment from the console’s Security page and a high-risk approval signed in the console';
      writeFileSync(
        join(dir, 'ledger.chromium.json'),
        `${JSON.stringify({ description, expected: { ok: true }, lines }, null, 1)}\n`,
      );
    }
    await expectClean(open as WatchedPage);
  }, 60_000);

  it('refused, writing nothing: user not verified (UV=0), a replayed nonce, a revoked key', async () => {
    const { id, digest } = await wire();
    const challenge = async () =>
      (await ann.post(`/approvals/${id}/passkey-challenge`, { verdict: 'approved', payloadDigest: digest })).body;
    const approve = (passkey: unknown) =>
      ann.post(`/approvals/${id}/approve`, { payloadDigest: digest, approvalReason: 'ok', passkey });
    const refused = async (passkey: unknown, check: string) => {
      const before = await t.fingerprint();
      const r = await approve(passkey);
      expect([r.status, r.body.code, r.body.check], JSON.stringify(r.body)).toEqual([403, 'passkey_invalid', check]);
      expect(await t.fingerprint()).toBe(before);
    };
    // The virtual authenticator cannot verify the user now; the page asks without requiring it.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    let c = await challenge();
    const noUv = await assertInPage(c.options, 'discouraged');
    await refused({ ...noUv, nonce: c.nonce }, 'passkey_flags');
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    // A nonce used by a decision that was made is gone: on a second approval path it is refused.
    c = await challenge();
    const good = { ...(await assertInPage(c.options, 'required')), nonce: c.nonce };
    const other = await wire();
    const oc = (
      await ann.post(`/approvals/${other.id}/passkey-challenge`, { verdict: 'approved', payloadDigest: other.digest })
    ).body;
    const otherSigned = { ...(await assertInPage(oc.options, 'required')), nonce: oc.nonce };
    expect(
      (
        await ann.post(`/approvals/${other.id}/approve`, {
          payloadDigest: other.digest,
          approvalReason: 'ok',
          passkey: otherSigned,
        })
      ).status,
    ).toBe(200);
    await refused({ ...good, nonce: otherSigned.nonce }, 'nonce');
    // Another approval's assertion (with its own, unused nonce): the challenge is not this decision's.
    const third = await wire();
    const tc = (
      await ann.post(`/approvals/${third.id}/passkey-challenge`, { verdict: 'approved', payloadDigest: third.digest })
    ).body;
    const thirdSigned = { ...(await assertInPage(tc.options, 'required')), nonce: tc.nonce };
    await refused({ ...thirdSigned, nonce: good.nonce }, 'passkey_client_data');
    // Revoked on the Security page: the signed assertion no longer counts.
    const { page } = open as WatchedPage;
    await page.goto(`${origin}/security`);
    await page.getByRole('button', { name: 'Remove Virtual key' }).click();
    await expect.poll(() => page.locator('#pk-status').textContent()).toContain('Removed “Virtual key”.');
    await refused(good, 'passkey_key_revoked');
    expect(verifyLedger(parseLedgerExport(await exportText())).ok).toBe(true);
    await expectClean(open as WatchedPage);
  }, 60_000);
});
