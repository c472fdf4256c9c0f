import { randomBytes } from 'node:crypto';
import { HumanOSError } from '@humanos/core';
import * as client from 'openid-client';
import type { OidcConfig } from '../config.js';
import type { FeatureDeps } from '../kernel/deps.js';

/** How long a sign-in may take at the IdP before its state is forgotten. */
const LOGIN_TTL_MS = 10 * 60_000;

/** What the server learns about a person from a completed sign-in (id token claims, then userinfo). */
export interface Identity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
  /** The values of HUMANOS_OIDC_ROLES_CLAIM when it is configured (undefined: roles are the admin's to set). */
  groups: string[] | undefined;
  /** When the person authenticated at the IdP (epoch ms), if the IdP says. */
  authTime: number | undefined;
}

/** The relying party's answer to a device authorization (what `humanos login` shows the person). */
export interface DeviceStart {
  handle: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresIn: number;
  interval: number;
}

/**
 * The OpenID Connect relying party, with `openid-client`: the authorization code flow with PKCE (S256),
 * state and nonce for the console, and the device authorization grant for the CLI. The IdP's metadata
 * is discovered on first use (a failed discovery is retried on the next sign-in, so the server starts
 * while the IdP is down). Sign-ins in progress live in `oidc_logins` (any replica can finish them).
 *
 * @example
 * const url = await oidc.begin('/approvals/approval:human:…'); // → 302 to the IdP
 * const { identity, returnTo } = await oidc.finish(callbackUrl, loginId);
 */
export class Oidc {
  private config: Promise<client.Configuration> | undefined;

  constructor(
    private readonly deps: FeatureDeps,
    readonly settings: OidcConfig,
  ) {}

  private discover(): Promise<client.Configuration> {
    if (!this.config) {
      const s = this.settings;
      const auth = s.clientSecret ? client.ClientSecretBasic(s.clientSecret) : client.None();
      const insecure = new URL(s.issuer).protocol === 'http:';
      this.config = client
        .discovery(new URL(s.issuer), s.clientId, undefined, auth, {
          // Config allows http only on loopback (development and the test suite's provider).
          ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
          timeout: 10,
        })
        .catch((e: unknown) => {
          this.config = undefined;
          throw new HumanOSError('unavailable', `the identity provider cannot be reached: ${(e as Error).message}`);
        });
    }
    return this.config;
  }

  /**
   * Starts a code flow: stores state, PKCE verifier, nonce and where to return; answers the IdP's
   * authorization URL and the login id (the caller binds it to the browser with a cookie, so a sign-in
   * started in one browser cannot be finished in another). `fresh` asks the IdP to authenticate the
   * person again (`prompt=login`, `max_age=0`): the re-authentication `maxSessionAge` asks for.
   */
  async begin(returnTo: string, fresh: boolean): Promise<{ url: URL; loginId: string }> {
    const config = await this.discover();
    const verifier = client.randomPKCECodeVerifier();
    const loginId = client.randomState();
    const nonce = client.randomNonce();
    const now = this.deps.now();
    await this.deps.db
      .insertInto('oidc_logins')
      .values({
        id: loginId,
        kind: 'code',
        secret: verifier,
        nonce,
        return_to: returnTo,
        created_at: now,
        expires_at: now + LOGIN_TTL_MS,
      })
      .execute();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: loginId,
      nonce,
      ...(fresh ? { prompt: 'login', max_age: '0' } : {}),
    });
    return { url, loginId };
  }

  /**
   * Finishes a code flow at the callback: the login must exist, be unexpired and be the one this
   * browser started (`loginId` from its cookie, equal to `state`); openid-client checks the code
   * exchange, PKCE, nonce, the id token's signature, issuer, audience and times. The login is used up.
   */
  async finish(
    callbackUrl: URL,
    loginId: string | undefined,
  ): Promise<{ identity: Identity; returnTo: string; idToken: string | undefined }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    if (!loginId || loginId !== state) {
      throw new HumanOSError('sign_in_refused', 'this sign-in was not started in this browser (state mismatch)');
    }
    const login = await this.take(state, 'code');
    const config = await this.discover();
    const error = callbackUrl.searchParams.get('error');
    if (error) {
      const why = callbackUrl.searchParams.get('error_description') ?? error;
      throw new HumanOSError('sign_in_refused', `the identity provider refused the sign-in: ${why.slice(0, 200)}`);
    }
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: login.secret,
        expectedNonce: login.nonce ?? undefined,
        expectedState: state,
        idTokenExpected: true,
      });
    } catch (e) {
      throw new HumanOSError('sign_in_refused', `the sign-in response failed its checks: ${(e as Error).message}`);
    }
    return {
      identity: await this.identityOf(config, tokens),
      returnTo: login.return_to ?? '/',
      idToken: tokens.id_token,
    };
  }

  /**
   * Where to send the browser to end the person's session at the IdP too (OpenID Connect
   * RP-Initiated Logout 1.0): the IdP's `end_session_endpoint` with the sign-in's ID token as
   * `id_token_hint`, our `client_id`, and `post_logout_redirect_uri` back to the console. Undefined
   * when `HUMANOS_OIDC_LOGOUT=local`, without an ID token (a device session), or when the IdP has no
   * such endpoint or cannot be reached (the HumanOS session is ended either way).
   *
   * @example
   * const url = await oidc.endSessionUrl(idToken); // → the console navigates there after sign-out
   */
  async endSessionUrl(idToken: string | null | undefined): Promise<URL | undefined> {
    if (this.settings.logout === 'local' || !idToken) return undefined;
    let config: client.Configuration;
    try {
      config = await this.discover();
    } catch {
      return undefined;
    }
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: this.settings.postLogoutRedirectUri,
    });
  }

  /** Starts a device authorization (`humanos login`); `not_supported` when the IdP has no such endpoint. */
  async startDevice(): Promise<DeviceStart> {
    const config = await this.discover();
    if (!config.serverMetadata().device_authorization_endpoint) {
      throw new HumanOSError(
        'not_supported',
        'the identity provider offers no device authorization endpoint: sign in in the console and use a token',
      );
    }
    const res = await client.initiateDeviceAuthorization(config, { scope: this.settings.scopes });
    const now = this.deps.now();
    const handle = randomBytes(24).toString('base64url');
    await this.deps.db
      .insertInto('oidc_logins')
      .values({
        id: handle,
        kind: 'device',
        secret: JSON.stringify(res),
        nonce: null,
        return_to: null,
        created_at: now,
        expires_at: now + res.expires_in * 1000,
      })
      .execute();
    return {
      handle,
      userCode: res.user_code,
      verificationUri: res.verification_uri,
      verificationUriComplete: res.verification_uri_complete ?? null,
      expiresIn: res.expires_in,
      interval: res.interval ?? 5,
    };
  }

  /**
   * Polls the IdP for a device authorization for up to `waitMs` (openid-client keeps the interval and
   * `slow_down`); undefined while the person has not finished. Finished (or refused, or expired), the
   * device login is used up.
   */
  async pollDevice(handle: string, waitMs: number): Promise<Identity | undefined> {
    const row = await this.deps.db
      .selectFrom('oidc_logins')
      .selectAll()
      .where('id', '=', handle)
      .where('kind', '=', 'device')
      .executeTakeFirst();
    if (!row || Number(row.expires_at) <= this.deps.now()) {
      throw new HumanOSError('sign_in_refused', 'no such device login, or it expired: run `humanos login` again');
    }
    const config = await this.discover();
    const started = JSON.parse(row.secret) as client.DeviceAuthorizationResponse;
    let tokens: Awaited<ReturnType<typeof client.pollDeviceAuthorizationGrant>>;
    try {
      tokens = await client.pollDeviceAuthorizationGrant(config, started, undefined, {
        signal: AbortSignal.timeout(waitMs),
      });
    } catch (e) {
      if ((e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError') return undefined;
      await this.deps.db.deleteFrom('oidc_logins').where('id', '=', handle).execute();
      throw new HumanOSError('sign_in_refused', `the device login ended: ${(e as Error).message}`);
    }
    await this.deps.db.deleteFrom('oidc_logins').where('id', '=', handle).execute();
    return this.identityOf(config, tokens);
  }

  /** Reads and deletes a sign-in in progress (once only, even when two callbacks race). */
  private async take(id: string, kind: 'code' | 'device') {
    const row = await this.deps.db
      .selectFrom('oidc_logins')
      .selectAll()
      .where('id', '=', id)
      .where('kind', '=', kind)
      .executeTakeFirst();
    const gone = row ? await this.deps.db.deleteFrom('oidc_logins').where('id', '=', id).executeTakeFirst() : undefined;
    if (!row || Number(gone?.numDeletedRows ?? 0) !== 1 || Number(row.expires_at) <= this.deps.now()) {
      throw new HumanOSError('sign_in_refused', 'this sign-in expired or was already used: sign in again');
    }
    return row;
  }

  /** The identity in the id token, completed by userinfo (IdPs put e-mail and groups in either). */
  private async identityOf(
    config: client.Configuration,
    tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>,
  ): Promise<Identity> {
    const id = tokens.claims();
    if (!id) throw new HumanOSError('sign_in_refused', 'the identity provider sent no id token');
    let info: Record<string, unknown> = {};
    if (config.serverMetadata().userinfo_endpoint) {
      try {
        info = await client.fetchUserInfo(config, tokens.access_token, id.sub);
      } catch {
        // The id token alone is enough to sign in; userinfo only adds claims.
      }
    }
    const claims: Record<string, unknown> = { ...info, ...id };
    const claim = this.settings.rolesClaim;
    const groups = claim === undefined ? undefined : claims[claim];
    return {
      issuer: String(id.iss),
      subject: id.sub,
      email: typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined,
      emailVerified: claims.email_verified === true,
      name: typeof claims.name === 'string' ? claims.name.slice(0, 200) : undefined,
      // With a roles claim configured the IdP is the source of roles: a person without the claim has none.
      groups:
        claim === undefined
          ? undefined
          : Array.isArray(groups)
            ? groups.filter((g): g is string => typeof g === 'string')
            : [],
      authTime: typeof id.auth_time === 'number' ? id.auth_time * 1000 : undefined,
    };
  }
}
