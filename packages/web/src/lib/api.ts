/**
 * The console's one way to talk to the server: same-origin fetch with the bearer token, or with the
 * sign-in session's cookie (then state-changing requests carry the session's CSRF token), problem+json
 * errors as `ApiError` (branch on `code`), and the server's clock (`x-humanos-time`) for deadlines.
 */

export const API = '/v1/humanos';
const TOKEN_KEY = 'humanos.token';

/** A refused request: `status` and the server's stable problem `code` (`already_decided`, …). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
/** The sign-in session's CSRF token (`GET /auth/session`), when signed in with single sign-on. */
let csrf: string | null = null;
let onSessionEnd: ((hadToken: boolean) => void) | null = null;
/** Set once `/me` accepted the token: only then does a 401 mean the session ended. */
let signedIn = false;
/** Server clock minus ours: deadlines are the server's, so countdowns run on its time. */
let clockSkew = 0;

export const now = (): number => Date.now() + clockSkew;
export const currentToken = (): string | null => token;

/** Signed in with a session (the cookie the server set): its CSRF token, or null when signed out. */
export function setSessionCsrf(t: string | null): void {
  csrf = t;
  if (!t) signedIn = false;
}

export const inSession = (): boolean => csrf !== null;

/**
 * Where the IdP sign-in starts and where it returns: this page by default, so a deep link (an "Open in
 * HumanOS" link from Slack or e-mail) survives the sign-in. `fresh` asks the IdP for a new login.
 */
export function signInUrl(returnTo = window.location.pathname + window.location.search, fresh = false): string {
  return `${API}/auth/login?${new URLSearchParams({ returnTo, ...(fresh ? { fresh: 'true' } : {}) })}`;
}

/** Keeps the token for this tab only (sessionStorage), or forgets it. */
export function setToken(t: string | null): void {
  token = t;
  if (!t) signedIn = false;
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called once when a token that worked stops working (rotated elsewhere, principal disabled). */
export function onSessionEnded(fn: (hadToken: boolean) => void): void {
  onSessionEnd = fn;
}

export function sessionEnded(): void {
  const was = signedIn;
  const hadToken = token !== null;
  setToken(null);
  setSessionCsrf(null);
  if (was) onSessionEnd?.(hadToken);
}

/** The token was accepted (`GET /me`): from now on a 401 ends the session. */
export function markSignedIn(): void {
  signedIn = true;
}

function noteClock(res: Response): void {
  const serverTime = Number(res.headers.get('x-humanos-time'));
  if (serverTime > 0) clockSkew = serverTime - Date.now();
}

/**
 * The credentials of a request: the bearer token, or (signed in with a session, whose cookie the
 * browser adds) the session's CSRF token on state-changing methods.
 */
export function authHeaders(method = 'GET'): Record<string, string> {
  if (token) return { authorization: `Bearer ${token}` };
  return csrf && !['GET', 'HEAD'].includes(method) ? { 'x-humanos-csrf': csrf } : {};
}

/** Whether this tab is signed in at all (a token, or a session). */
export const signedInAny = (): boolean => token !== null || csrf !== null;

/** An authenticated request; the raw response (for streams and downloads). */
export async function rawRequest(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  const auth = authHeaders(method);
  const res = await fetch(API + path, {
    ...init,
    method,
    // Same-origin: the session cookie (HttpOnly, SameSite=Lax) goes along when there is no token.
    credentials: 'same-origin',
    headers: { ...auth, ...(init.headers as Record<string, string> | undefined) },
  });
  noteClock(res);
  // A decision that needs a fresher sign-in is a 401 too, but the session itself still works.
  if (res.status === 401 && signedIn) {
    const code = (
      (await res
        .clone()
        .json()
        .catch(() => ({}))) as { code?: string }
    ).code;
    if (code !== 'reauthentication_required') sessionEnded();
  }
  return res;
}

/**
 * JSON in, JSON out.
 *
 * @example
 * const me = await api<Me>('GET', '/me');
 * await api('POST', `/approvals/${id}/approve`, { approvalReason: 'ok' });
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await rawRequest(method, path, {
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = typeof data.code === 'string' ? data.code : `http_${res.status}`;
    throw new ApiError(res.status, code, typeof data.detail === 'string' ? data.detail : res.statusText, data);
  }
  return data as T;
}

/** `encodeURIComponent` for path segments. */
export const seg = encodeURIComponent;

/** A query string from the defined values. */
export function qs(q: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
