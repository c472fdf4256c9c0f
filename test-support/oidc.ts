/**
 * A real OpenID provider for the sign-in tests: `oidc-provider` (the certified Node implementation),
 * started in-process on a loopback port by the test itself. One confidential test client with PKCE
 * required, the code flow, the device grant and RP-initiated logout; accounts with a `groups` claim and verified or
 * unverified e-mail. Its development login form takes any password; the login name is the account.
 * `signIn` drives a sign-in with plain HTTP (two cookie jars, following redirects and submitting the
 * provider's forms), so server tests run it on both backends without a browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Env for a HumanOS server using this provider (its public URL is `publicUrl`). */
  env(publicUrl: string, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

const CLIENT_ID = 'humanos-test';
const CLIENT_SECRET = 'humanos-test-secret-0123456789abcdef';

/** A free loopback port (so a server's public URL, the redirect URI, is known before it starts). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Starts the provider. `redirectUris` are the HumanOS callbacks it accepts. Consent is granted for the
 * test client without a page (a first-party client), so a sign-in is: login form, then back.
 */
export async function startIdp(redirectUris: string[], accounts: Record<string, TestAccount> = {}): Promise<TestIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const known = new Map(Object.entries(accounts));
  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        // Where HumanOS asks to come back after signing out at the IdP: its console (`<public URL>/`).
        post_logout_redirect_uris: [...new Set(redirectUris.map((u) => new URL('/', u).href))],
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    // Explicit lifetimes (the defaults work but the provider warns about each one it uses).
    ttl: { AccessToken: 600, IdToken: 600, DeviceCode: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true } },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    async findAccount(_ctx, sub) {
      const a = known.get(sub);
      if (!a) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...a }) };
    },
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client?.clientId,
        accountId: ctx.oidc.session?.accountId,
      });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const server: Server = createServer(provider.callback());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    accounts: known,
    env(publicUrl, extra = {}) {
      return {
        HUMANOS_PUBLIC_URL: publicUrl,
        HUMANOS_OIDC_ISSUER: issuer,
        HUMANOS_OIDC_CLIENT_ID: CLIENT_ID,
        HUMANOS_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        HUMANOS_OIDC_SCOPES: 'openid email profile groups',
        HUMANOS_OIDC_NAME: 'Test IdP',
        ...extra,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Cookies per origin, as a browser keeps them (enough for these flows: no paths, no expiry). */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  store(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, eq).trim();
      const value = (pair as string).slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.byOrigin.set(origin, jar);
  }

  header(url: string): string {
    const jar = this.byOrigin.get(new URL(url).origin);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  get(origin: string, name: string): string | undefined {
    return this.byOrigin.get(origin)?.get(name);
  }
}

/** One request with the jar's cookies; no redirect following. */
export async function jarFetch(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const c = jar.header(url);
  if (c) headers.set('cookie', c);
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(url, res);
  return res;
}

/** The first form of an HTML page: its action and its inputs' values. */
function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the provider's page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const m of (form[2] as string).matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) fields[name] = value ?? '';
  }
  return { action: new URL((form[1] as string).replaceAll('&amp;', '&'), base).href, fields };
}

/**
 * Follows redirects from `url` (GETs), submitting the provider's login form as `login` and any other
 * form (device confirmation) as it is, until a response that is neither a redirect nor a form, or a
 * URL `stop` accepts (then not fetched; `res` is the response that pointed there).
 */
export async function followSignIn(
  jar: CookieJar,
  url: string,
  login: string,
  stop: (url: string) => boolean = () => false,
): Promise<{ res: Response; url: string }> {
  if (stop(url)) return { res: new Response(null), url };
  let res = await jarFetch(jar, url);
  for (let hops = 0; hops < 20; hops++) {
    if (stop(url)) return { res, url };
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).href;
      if (stop(url)) return { res, url };
      res = await jarFetch(jar, url);
      continue;
    }
    const html = res.headers.get('content-type')?.includes('text/html') ? await res.text() : '';
    if (!/<form/i.test(html)) return { res, url };
    const { action, fields } = formOf(html, url);
    if ('login' in fields || fields.prompt === 'login') Object.assign(fields, { login, password: 'any' });
    res = await jarFetch(jar, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    url = action;
  }
  throw new Error('too many redirects in the sign-in');
}
