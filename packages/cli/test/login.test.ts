import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/harness.js';
import { CookieJar, followSignIn, freePort, startIdp, type TestIdp } from '../../../test-support/oidc.js';
import { CLI_PATH, type Run, spawnCli } from './run.js';

/**
 * `humanos login` against a real OpenID provider (oidc-provider, in-process): the device authorization
 * grant brokered by the server. The built CLI runs as a child process; the test plays the person by
 * confirming the printed code at the provider (plain HTTP through its forms).
 */
describe('humanos login (device authorization grant)', () => {
  let idp: TestIdp;
  let t: TestServer;
  let config: string;
  beforeAll(async () => {
    const port = await freePort();
    idp = await startIdp([`http://127.0.0.1:${port}/v1/humanos/auth/callback`], {
      dana: { email: 'dana@example.com', email_verified: true, name: 'Dana Ops', groups: ['approver'] },
    });
    t = await startTestServer('sqlite', {
      PORT: String(port),
      ...idp.env(`http://127.0.0.1:${port}`, { HUMANOS_OIDC_ROLES_CLAIM: 'groups', HUMANOS_OIDC_AUTO_PROVISION: '1' }),
    });
    config = join(mkdtempSync(join(tmpdir(), 'humanos-cli-')), 'config.json');
    writeFileSync(config, JSON.stringify({ url: 'http://127.0.0.1:1', other: 'kept' }));
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** Starts the CLI and resolves once it printed the verification URL (and with its exit). */
  function start(args: string[]): { url: Promise<string>; done: Promise<Run> } {
    let seen: (u: string) => void = () => {};
    const url = new Promise<string>((r) => {
      seen = r;
    });
    const done = spawnCli([process.execPath, CLI_PATH, ...args], { HUMANOS_CONFIG: config }, (err) => {
      const m = /open (\S+)/.exec(err);
      if (m) seen(m[1] as string);
    });
    return { url, done };
  }

  it('signs in by device code, saves the session token (0600, other keys kept), and later commands use it', async () => {
    const run = start(['login', '--url', t.url]);
    await followSignIn(new CookieJar(), await run.url, 'dana');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Signed in as did:human:dana-[0-9a-f]{6} until /);
    const saved = JSON.parse(readFileSync(config, 'utf8'));
    expect(saved).toMatchObject({ url: t.url, other: 'kept', token: expect.stringMatching(/^hss_/) });
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const inbox = await spawnCli([process.execPath, CLI_PATH, 'inbox', '--json'], { HUMANOS_CONFIG: config });
    expect(inbox.code, inbox.stderr).toBe(0);
    const out = await spawnCli([process.execPath, CLI_PATH, 'logout'], { HUMANOS_CONFIG: config });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(readFileSync(config, 'utf8')).token).toBeUndefined();
    // The session is over on the server too.
    const me = await fetch(`${t.url}/v1/humanos/me`, { headers: { authorization: `Bearer ${saved.token}` } });
    expect(me.status).toBe(401);
  }, 60_000);

  it('a server without single sign-on: login says so and exits non-zero', async () => {
    const plain = await startTestServer('sqlite');
    try {
      const r = await spawnCli([process.execPath, CLI_PATH, 'login', '--url', plain.url], { HUMANOS_CONFIG: config });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/no single sign-on/);
    } finally {
      await plain.close();
    }
  });
});
