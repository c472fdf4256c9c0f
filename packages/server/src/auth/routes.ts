import { HumanOSError, isHumanOSError } from '@humanos/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX, type Api, sendProblem } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import { type Auth, LOGIN_COOKIE, SESSION_COOKIE, safeReturnTo } from './auth.js';
import {
  AuthConfigView,
  CallbackQuery,
  CurrentSession,
  DeviceStartView,
  DeviceTokenBody,
  DeviceTokenView,
  LoginQuery,
  RevokedSessions,
  SessionIdParams,
  SessionList,
  SessionPrincipalParams,
  SessionView,
  SignedOut,
} from './schemas.js';
import { csrfToken } from './sessions.js';

/** How long one `POST /auth/device/token` waits for the person before answering `pending`. */
const DEVICE_WAIT_MS = 20_000;

const tags = ['auth'];
const DOC = {
  config: {
    ...op(
      'getAuthConfig',
      'How to sign in',
      'Whether single sign-on is configured and whether people may use tokens (public).',
    ),
    response: responses(200, AuthConfigView),
  },
  device: {
    ...op(
      'startDeviceLogin',
      'Start a device sign-in',
      'The OAuth device authorization grant, for `humanos login` (public).',
    ),
    response: responses(200, DeviceStartView, 404, 501, 503),
  },
  deviceToken: {
    ...op(
      'pollDeviceLogin',
      'Finish a device sign-in',
      'Waits up to 20 s for the person; then `pending`, or a session token (shown once). Refused: `sign_in_refused` (public).',
    ),
    response: responses(200, DeviceTokenView, 400, 403, 404, 503),
  },
  session: {
    ...op('getAuthSession', 'The current session', 'Who is signed in, the session, and its CSRF token.'),
    response: responses(200, CurrentSession, 401),
  },
  logout: {
    ...op(
      'logout',
      'Sign out',
      'Ends the session of this request (cookie or session token) and clears the cookie. For a console sign-in, `endSessionUrl` is where to send the browser to sign out at the identity provider too.',
    ),
    response: responses(200, SignedOut, 401, 403),
  },
  mine: {
    ...op('listMySessions', 'My sessions', 'The caller’s sessions that still work.'),
    response: responses(200, SessionList, 401),
  },
  revokeMine: {
    ...op('revokeMySession', 'End one of my sessions', 'Ends it at once (on every replica: sessions are not cached).'),
    response: responses(200, SessionView, 400, 401, 403, 404),
  },
  of: {
    ...op('listPrincipalSessions', 'Sessions of a principal', 'Its sessions that still work (admin).'),
    response: responses(200, SessionList, 400, 401, 403),
  },
  revokeAll: {
    ...op('revokePrincipalSessions', 'End every session of a principal', 'E.g. a lost laptop (admin).'),
    response: responses(200, RevokedSessions, 400, 401, 403, 404),
  },
};

/** Where the console shows a refused sign-in: the sign-in page, with the problem's code and text. */
function refusedRedirect(reply: FastifyReply, e: unknown): FastifyReply {
  const code = isHumanOSError(e) ? e.code : 'internal';
  const detail = isHumanOSError(e) ? e.message : 'the sign-in failed';
  if (!isHumanOSError(e)) reply.log.error({ err: e }, 'sign-in failed');
  const q = new URLSearchParams({ signInError: code, signInDetail: detail.slice(0, 300) });
  return reply.redirect(`/?${q}`, 302);
}

/**
 * The public sign-in routes (no authentication): how to sign in, the code flow's start and callback,
 * and the device grant. The callback sets the session cookie (`HttpOnly`, `SameSite=Lax`, `Secure`
 * behind TLS) and returns to the page the sign-in started from.
 */
export function authPublicRoutes(app: Api, auth: Auth): void {
  app.get(`${API_PREFIX}/auth/config`, { schema: { ...DOC.config, tags, security: [] } }, async () => ({
    oidc: auth.config.oidc
      ? { name: auth.config.oidc.name, issuer: auth.config.oidc.issuer, loginUrl: `${API_PREFIX}/auth/login` }
      : null,
    humanTokens: auth.config.humanTokens,
  }));
  app.get(`${API_PREFIX}/auth/login`, { schema: { hide: true, querystring: LoginQuery } }, async (req, reply) => {
    try {
      const { url, loginId } = await auth
        .requireOidc()
        .begin(safeReturnTo(req.query.returnTo), req.query.fresh === true);
      reply.setCookie(LOGIN_COOKIE, loginId, {
        path: `${API_PREFIX}/auth/`,
        httpOnly: true,
        sameSite: 'lax',
        secure: auth.secureCookies(req),
        maxAge: 600,
      });
      return reply.redirect(url.href, 302);
    } catch (e) {
      return refusedRedirect(reply, e);
    }
  });
  app.get(`${API_PREFIX}/auth/callback`, { schema: { hide: true, querystring: CallbackQuery } }, async (req, reply) => {
    const oidc = auth.requireOidc();
    reply.clearCookie(LOGIN_COOKIE, { path: `${API_PREFIX}/auth/` });
    try {
      const { identity, returnTo, idToken } = await oidc.finish(
        new URL(req.url, oidc.settings.redirectUri),
        req.cookies[LOGIN_COOKIE],
      );
      const { secret, session } = await auth.signIn(identity, 'oidc', req.headers['user-agent'], idToken);
      const previous = req.cookies[SESSION_COOKIE];
      if (previous) await auth.sessions.revokeSecret(previous);
      setSessionCookie(req, reply, auth, secret, Number(session.expires_at) - Number(session.created_at));
      return reply.redirect(returnTo, 302);
    } catch (e) {
      return refusedRedirect(reply, e);
    }
  });
  app.post(`${API_PREFIX}/auth/device`, { schema: { ...DOC.device, tags, security: [] } }, async () =>
    auth.requireOidc().startDevice(),
  );
  app.post(
    `${API_PREFIX}/auth/device/token`,
    { schema: { ...DOC.deviceToken, tags, security: [], body: DeviceTokenBody } },
    async (req) => {
      const identity = await auth.requireOidc().pollDevice(req.body.handle, DEVICE_WAIT_MS);
      if (!identity) return { status: 'pending' as const };
      const { secret, session, principalId } = await auth.signIn(identity, 'device', req.headers['user-agent']);
      return {
        status: 'complete' as const,
        sessionToken: secret,
        principalId,
        expiresAt: new Date(Number(session.expires_at)).toISOString(),
      };
    },
  );
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site
 * subrequests or POSTs), Secure behind TLS. Max-Age rather than Expires: the browser's clock need not
 * agree with the server's; the server enforces the timeouts anyway.
 */
function setSessionCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  auth: Auth,
  secret: string,
  lifetimeMs: number,
): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: auth.secureCookies(req),
    maxAge: Math.floor(lifetimeMs / 1000),
  });
}

/** The authenticated session routes: the current session, sign-out, and listing/ending sessions. */
export function authRoutes(api: Api, auth: Auth): void {
  api.get(`${API_PREFIX}/auth/session`, { schema: { ...DOC.session, tags } }, async (req) => {
    const p = req.principal;
    const current = p.auth?.method === 'session' ? (await auth.sessions.mine(p)).find((s) => s.current) : undefined;
    const secret = req.sessionSecret;
    return {
      principal: { id: p.id, kind: p.kind, roles: p.roles, ...(await auth.profile(p.id)) },
      session: current ?? null,
      csrfToken: secret ? csrfToken(secret) : null,
    };
  });
  api.post(`${API_PREFIX}/auth/logout`, { schema: { ...DOC.logout, tags } }, async (req, reply) => {
    const p = req.principal;
    if (p.auth?.method !== 'session')
      throw new HumanOSError('bad_request', 'this request did not sign in with a session');
    const { idToken } = await auth.sessions.signOut(p, p.auth.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    const atIdp = await auth.oidc?.endSessionUrl(idToken);
    return { signedOut: true, ...(atIdp ? { endSessionUrl: atIdp.href } : {}) };
  });
  api.get(`${API_PREFIX}/me/sessions`, { schema: { ...DOC.mine, tags } }, async (req) => ({
    items: await auth.sessions.mine(req.principal),
  }));
  api.delete(
    `${API_PREFIX}/me/sessions/:sessionId`,
    { schema: { ...DOC.revokeMine, tags, params: SessionIdParams } },
    async (req) => auth.sessions.revokeMine(req.principal, req.params.sessionId),
  );
  api.get(
    `${API_PREFIX}/principals/:principalId/sessions`,
    { schema: { ...DOC.of, tags, params: SessionPrincipalParams } },
    async (req) => ({ items: await auth.sessions.of(req.principal, req.params.principalId) }),
  );
  api.delete(
    `${API_PREFIX}/principals/:principalId/sessions`,
    { schema: { ...DOC.revokeAll, tags, params: SessionPrincipalParams } },
    async (req) => auth.sessions.revokeAllOf(req.principal, req.params.principalId),
  );
}

/**
 * The `onRequest` hook of the authenticated API: sets `req.principal` from a bearer token, a session
 * token or the session cookie (`Auth.resolve`), else answers 401; a cookie-authenticated
 * state-changing request without the session's CSRF token is 403 `csrf_failed` before any handler
 * runs, so nothing is written.
 */
export function authenticate(auth: Auth) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const who = await auth.resolve(req);
    if ('refused' in who) return sendProblem(reply, 'unauthorized', who.refused);
    const csrf = auth.csrfRefusal(req, who);
    if (csrf) return sendProblem(reply, 'csrf_failed', csrf);
    req.principal = who.principal;
    req.sessionSecret = who.sessionSecret;
  };
}
