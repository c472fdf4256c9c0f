import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { Oidc } from './oidc.js';

const SSO = {
  HUMANOS_PUBLIC_URL: 'https://humanos.example.com',
  HUMANOS_OIDC_ISSUER: 'https://login.example.com/realms/acme',
  HUMANOS_OIDC_CLIENT_ID: 'humanos',
  HUMANOS_OIDC_CLIENT_SECRET: 's3cret',
};

/** The setting a configuration is refused for (ConfigError names it), or undefined when accepted. */
function refused(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e.setting;
    throw e;
  }
}

describe('single sign-on settings are checked once, at start-up', () => {
  it('a complete configuration: the redirect URI comes from the public URL; defaults apply', () => {
    const c = loadConfig({ ...SSO, HUMANOS_OIDC_ROLES_CLAIM: 'groups' });
    expect(c.auth.oidc).toMatchObject({
      issuer: SSO.HUMANOS_OIDC_ISSUER,
      clientId: 'humanos',
      scopes: 'openid email profile',
      rolesClaim: 'groups',
      autoProvision: false,
      name: 'login.example.com',
      redirectUri: 'https://humanos.example.com/v1/humanos/auth/callback',
      logout: 'idp',
      postLogoutRedirectUri: 'https://humanos.example.com/',
    });
    expect(c.auth).toMatchObject({ humanTokens: true, sessionIdleSeconds: 7200, sessionMaxSeconds: 43_200 });
    expect(loadConfig({}).auth.oidc).toBeUndefined();
  });

  it('each inconsistency names its setting', () => {
    expect(refused({ ...SSO, HUMANOS_OIDC_CLIENT_ID: '' })).toBe('HUMANOS_OIDC_CLIENT_ID');
    expect(refused({ ...SSO, HUMANOS_PUBLIC_URL: '' })).toBe('HUMANOS_PUBLIC_URL');
    expect(refused({ ...SSO, HUMANOS_OIDC_ISSUER: 'http://login.example.com' })).toBe('HUMANOS_OIDC_ISSUER');
    expect(refused({ ...SSO, HUMANOS_OIDC_ISSUER: 'http://127.0.0.1:9000' })).toBeUndefined();
    expect(refused({ ...SSO, HUMANOS_OIDC_ISSUER: 'not a url' })).toBe('HUMANOS_OIDC_ISSUER');
    expect(refused({ ...SSO, HUMANOS_OIDC_SCOPES: 'email profile' })).toBe('HUMANOS_OIDC_SCOPES');
    expect(refused({ ...SSO, HUMANOS_OIDC_AUTO_PROVISION: 'yes' })).toBe('HUMANOS_OIDC_AUTO_PROVISION');
    expect(refused({ ...SSO, HUMANOS_OIDC_ROLES_CLAIM: 'has space' })).toBe('HUMANOS_OIDC_ROLES_CLAIM');
    expect(refused({ ...SSO, HUMANOS_OIDC_LOGOUT: 'both' })).toBe('HUMANOS_OIDC_LOGOUT');
    expect(refused({ HUMANOS_OIDC_LOGOUT: 'local' })).toBe('HUMANOS_OIDC_LOGOUT');
    expect(refused({ HUMANOS_OIDC_CLIENT_ID: 'x' })).toBe('HUMANOS_OIDC_CLIENT_ID');
    expect(refused({ HUMANOS_HUMAN_TOKENS: 'off' })).toBe('HUMANOS_HUMAN_TOKENS');
    expect(refused({ ...SSO, HUMANOS_HUMAN_TOKENS: 'no' })).toBe('HUMANOS_HUMAN_TOKENS');
    expect(refused({ ...SSO, HUMANOS_HUMAN_TOKENS: 'off' })).toBeUndefined();
    expect(refused({ HUMANOS_SESSION_IDLE_SECONDS: '7200', HUMANOS_SESSION_MAX_SECONDS: '3600' })).toBe(
      'HUMANOS_SESSION_IDLE_SECONDS',
    );
    expect(refused({ HUMANOS_TRUST_PROXY: 'yes please!' })).toBe('HUMANOS_TRUST_PROXY');
    expect(loadConfig({ HUMANOS_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
  });

  it('HUMANOS_OIDC_LOGOUT=local: sign-out ends only the HumanOS session (no end-session URL, the IdP not asked)', async () => {
    const settings = loadConfig({ ...SSO, HUMANOS_OIDC_LOGOUT: 'local' }).auth.oidc;
    expect(settings?.logout).toBe('local');
    // No deps: the IdP is never discovered on this path.
    const oidc = new Oidc({} as FeatureDeps, settings as NonNullable<typeof settings>);
    expect(await oidc.endSessionUrl('eyJ.eyJ.sig')).toBeUndefined();
  });
});
