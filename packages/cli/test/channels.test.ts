import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/harness.js';
import { humanos } from './run.js';

/** `humanos channels …` and `humanos webhooks rotate` against a real server (SQLite). */
describe('humanos channels and webhooks rotate', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite', { HUMANOS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
  });
  afterAll(() => t?.close());

  it('sets preferences with quiet hours, refuses bad values with a usage error, and the admin links a principal', async () => {
    const me = await t.principal('did:human:cli-prefs', ['approver']);
    const env = { HUMANOS_URL: t.url, HUMANOS_API_KEY: me.token as string };
    const ok = await humanos(
      ['channels', 'prefs', '--slack', 'on', '--quiet', '22:00-07:00', '--tz', 'Europe/Berlin', '--json'],
      env,
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      slack: true,
      quietHours: { start: '22:00', timeZone: 'Europe/Berlin' },
    });
    expect((await humanos(['channels', 'prefs', '--slack', 'maybe'], env)).code).toBe(2);
    expect((await humanos(['channels', 'prefs', '--quiet', '22:00-07:00'], env)).code).toBe(2);
    const admin = { HUMANOS_URL: t.url, HUMANOS_API_KEY: t.admin.token as string };
    const linked = await humanos(
      ['channels', 'link', 'did:human:cli-prefs', '--email', 'prefs@example.com', '--json'],
      admin,
    );
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain('prefs@example.com');
  });

  it('rotates a webhook secret and prints the new one once', async () => {
    const admin = { HUMANOS_URL: t.url, HUMANOS_API_KEY: t.admin.token as string };
    const added = await humanos(['webhooks', 'add', 'http://127.0.0.1:9/hook'], admin);
    const [id, secret] = added.stdout.trim().split('\t');
    const rotated = await humanos(['webhooks', 'rotate', id as string, '--overlap', '60'], admin);
    expect(rotated.code).toBe(0);
    const [, next] = rotated.stdout.trim().split('\t');
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(secret);
  });
});
