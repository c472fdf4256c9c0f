import { HumanOSError } from '@humanos/core';
import type { FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { bearerToken } from '../kernel/routes.js';
import type { Principals } from '../principals/principals.js';
import { signInPrincipal } from './identity.js';
import { type Identity, Oidc } from './oidc.js';
import { csrfMatches, SESSION_TOKEN_PREFIX, Sessions } from './sessions.js';

/** The console's session cookie. */
export const SESSION_COOKIE = 'humanos_session';
/** Binds a code flow to the browser that started it (its value is the flow's `state`). */
export const LOGIN_COOKIE = 'humanos_login';
/** The header that carries a session's CSRF token on state-changing requests. */
export const CSRF_HEADER = 'x-humanos-csrf';

/** Who a request is, or why not (a 401's detail). */
export type Resolved =
  | { principal: Principal; viaCookie: boolean; sessionSecret: string | undefined }
  | { refused: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sign-in for humans and the one way every REST request is authenticated: a bearer token (an agent's,
 * a worker's, a script's; a human's unless HUMANOS_HUMAN_TOKENS=off), a session token as a bearer
 * (`hss_…`, what `humanos login` stores), or the console's session cookie. All three give a
 * `Principal`, and from there the access rule in `kernel/access.ts` is the same for each. A
 * cookie-authenticated request that changes state must carry the session's CSRF token.
 *
 * @example
 * const who = await auth.resolve(req); // { principal, viaCookie } or { refused: '…' }
 */
export class Auth {
  readonly sessions: Sessions;
  readonly oidc: Oidc | undefined;

  constructor(
    private readonly deps: FeatureDeps,
    private readonly principals: Principals,
    readonly config: AuthConfig,
    /** HUMANOS_PUBLIC_URL's origin: what a browser's `Origin` must be on a cookie-authenticated write. */
    readonly publicOrigin: string | undefined,
  ) {
    this.sessions = new Sessions(deps, {
      idleSeconds: config.sessionIdleSeconds,
      maxSeconds: config.sessionMaxSeconds,
    });
    this.oidc = config.oidc ? new Oidc(deps, config.oidc) : undefined;
  }

  /** The principal of a request, from its bearer token or its session cookie. */
  async resolve(req: FastifyRequest): Promise<Resolved> {
    const bearer = bearerToken(req);
    if (bearer?.startsWith(SESSION_TOKEN_PREFIX)) {
      const s = await this.sessions.authenticate(bearer);
      return s
        ? { principal: s.principal, viaCookie: false, sessionSecret: bearer }
        : { refused: 'the session ended: sign in again' };
    }
    if (bearer) {
      const principal = await this.principals.authenticate(bearer);
      if (!principal) return { refused: 'unknown or revoked token' };
      if (principal.kind === 'human' && !this.config.humanTokens) {
        return {
          refused:
            'bearer tokens of people are turned off here (HUMANOS_HUMAN_TOKENS=off): sign in (the console, or `humanos login`)',
        };
      }
      return { principal: { ...principal, auth: { method: 'token' } }, viaCookie: false, sessionSecret: undefined };
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (!cookie) return { refused: 'send Authorization: Bearer <token>, or sign in' };
    const s = await this.sessions.authenticate(cookie);
    if (!s) return { refused: 'the session ended: sign in again' };
    return { principal: s.principal, viaCookie: true, sessionSecret: cookie };
  }

  /**
   * Why a cookie-authenticated request may not change state, or undefined when it may. Bearer
   * requests are not at risk (a browser never adds that header by itself); safe methods change nothing.
   * The session's CSRF token must be in `X-HumanOS-CSRF`, and a present `Origin` must be this server's.
   */
  csrfRefusal(
    req: FastifyRequest,
    resolved: { viaCookie: boolean; sessionSecret: string | undefined },
  ): string | undefined {
    if (!resolved.viaCookie || SAFE_METHODS.has(req.method)) return undefined;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.ownOrigin(req))
      return `a request from ${origin.slice(0, 100)} may not use this session`;
    const given = req.headers[CSRF_HEADER];
    if (!csrfMatches(resolved.sessionSecret as string, typeof given === 'string' ? given : undefined)) {
      return `a state-changing request with the session cookie needs the session's CSRF token in ${CSRF_HEADER} (GET /v1/humanos/auth/session)`;
    }
    return undefined;
  }

  private ownOrigin(req: FastifyRequest): string {
    return this.publicOrigin ?? `${req.protocol}://${req.host}`;
  }

  /** Whether the session cookie must be `Secure`: the public URL is https, or the request came over TLS. */
  secureCookies(req: FastifyRequest): boolean {
    return this.publicOrigin?.startsWith('https:') === true || req.protocol === 'https';
  }

  /** The configured relying party, or `not_found` when single sign-on is off. */
  requireOidc(): Oidc {
    if (!this.oidc) throw new HumanOSError('not_found', 'single sign-on is not configured (HUMANOS_OIDC_ISSUER)');
    return this.oidc;
  }

  /** A session for a person the IdP vouched for (matched, linked or provisioned; refused otherwise). */
  async signIn(who: Identity, method: 'oidc' | 'device', userAgent: string | undefined, idToken?: string) {
    const oidc = this.config.oidc as NonNullable<AuthConfig['oidc']>;
    const { id, changed } = await signInPrincipal(this.deps, who, {
      autoProvision: oidc.autoProvision,
      rolesFromClaim: oidc.rolesClaim !== undefined,
    });
    // New roles or a new principal apply at once here; other replicas were told at commit.
    if (changed) this.principals.invalidate();
    return {
      principalId: id,
      ...(await this.sessions.create(id, { method, issuer: who.issuer, authTime: who.authTime, userAgent, idToken })),
    };
  }

  /** What the console shows of the signed-in person. */
  async profile(principalId: string): Promise<{ displayName: string | null; email: string | null }> {
    const row = await this.deps.db
      .selectFrom('principals')
      .select(['display_name', 'email'])
      .where('id', '=', principalId)
      .executeTakeFirst();
    return { displayName: row?.display_name ?? null, email: row?.email ?? null };
  }
}

/**
 * A `returnTo` the sign-in may send the browser back to: a path of this server (one leading slash, no
 * scheme or host, no backslash), else `/`. Keeps the sign-in from being an open redirect.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 500) return '/';
  if (
    !raw.startsWith('/') ||
    raw.startsWith('//') ||
    raw.includes('\\') ||
    [...raw].some((c) => c.charCodeAt(0) < 0x20)
  )
    return '/';
  return raw;
}
