import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../../../test-support/harness.js';
import { ConfigError, loadConfig } from '../config.js';

/** The WebAuthn relying party is validated once, at start-up (issue 24). */
describe('HUMANOS_WEBAUTHN_RP_ID and HUMANOS_WEBAUTHN_ORIGINS', () => {
  const webauthn = (env: Record<string, string>) => loadConfig(env).integrations.webauthn;
  const refused = (env: Record<string, string>, setting: string) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe(setting);
  };

  it('default from HUMANOS_PUBLIC_URL; off without either', () => {
    expect(webauthn({ HUMANOS_PUBLIC_URL: 'https://humanos.example.com/' })).toEqual({
      rpId: 'humanos.example.com',
      origins: ['https://humanos.example.com'],
    });
    expect(webauthn({})).toBeUndefined();
    expect(
      webauthn({
        HUMANOS_WEBAUTHN_RP_ID: 'example.com',
        HUMANOS_WEBAUTHN_ORIGINS: 'https://humanos.example.com, https://example.com:8443',
      }),
    ).toEqual({ rpId: 'example.com', origins: ['https://humanos.example.com', 'https://example.com:8443'] });
    expect(
      webauthn({ HUMANOS_WEBAUTHN_RP_ID: 'localhost', HUMANOS_WEBAUTHN_ORIGINS: 'http://localhost:5173' }),
    ).toEqual({
      rpId: 'localhost',
      origins: ['http://localhost:5173'],
    });
  });

  it('refuses an IP as RP id, an origin off the RP id, plain http off localhost, an RP id without origins', () => {
    // A public URL on an IP address only means no passkeys; the same RP id set explicitly is refused.
    expect(webauthn({ HUMANOS_PUBLIC_URL: 'http://127.0.0.1:8787' })).toBeUndefined();
    expect(webauthn({ HUMANOS_PUBLIC_URL: 'http://humanos.lan' })).toBeUndefined();
    refused(
      { HUMANOS_WEBAUTHN_RP_ID: '127.0.0.1', HUMANOS_WEBAUTHN_ORIGINS: 'http://127.0.0.1:1' },
      'HUMANOS_WEBAUTHN_RP_ID',
    );
    refused(
      { HUMANOS_WEBAUTHN_RP_ID: 'example.com', HUMANOS_WEBAUTHN_ORIGINS: 'https://evil.com' },
      'HUMANOS_WEBAUTHN_ORIGINS',
    );
    refused(
      { HUMANOS_WEBAUTHN_RP_ID: 'example.com', HUMANOS_WEBAUTHN_ORIGINS: 'https://notexample.com' },
      'HUMANOS_WEBAUTHN_ORIGINS',
    );
    refused(
      { HUMANOS_WEBAUTHN_RP_ID: 'example.com', HUMANOS_WEBAUTHN_ORIGINS: 'http://example.com' },
      'HUMANOS_WEBAUTHN_ORIGINS',
    );
    refused({ HUMANOS_WEBAUTHN_RP_ID: 'example.com' }, 'HUMANOS_WEBAUTHN_ORIGINS');
  });

  it('a policy with requirePasskey and no relying party does not start', async () => {
    const file = join(tmpdir(), `humanos-pk-settings-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ name: 'p', version: 1, requirePasskey: {}, rules: [] }));
    await expect(startTestServer('sqlite', { HUMANOS_POLICY: file })).rejects.toThrow(
      /requirePasskey but passkeys are not configured/,
    );
    writeFileSync(file, JSON.stringify({ name: 'p', version: 1, requirePasskey: { rules: ['nope'] }, rules: [] }));
    await expect(
      startTestServer('sqlite', { HUMANOS_POLICY: file, HUMANOS_PUBLIC_URL: 'https://h.example.com' }),
    ).rejects.toThrow(/requirePasskey names rule nope/);
  });
});
