import { Type as T } from 'typebox';
import { closed, Did, Enum, IsoTime, Items, Nullable, named, PrincipalKindSchema, view } from '../kernel/schemas.js';

/** Request schemas of the sign-in and session routes. */

export const LoginQuery = T.Object(
  {
    returnTo: T.Optional(
      T.String({ maxLength: 500, description: 'A path of this server to return to (e.g. `/approvals/…`)' }),
    ),
    fresh: T.Optional(T.Boolean({ description: 'Ask the identity provider to authenticate the person again' })),
  },
  closed,
);

/** The callback's query is the IdP's (code, state, iss, session_state, error, …): read as the URL, not validated here. */
export const CallbackQuery = T.Object({}, { additionalProperties: T.String({ maxLength: 4096 }) });

export const DeviceTokenBody = named(
  'DeviceTokenBody',
  T.Object({ handle: T.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }, closed),
);

export const SessionIdParams = T.Object({ sessionId: T.String({ pattern: '^ses_[A-Za-z0-9_-]{8,40}$' }) }, closed);
export const SessionPrincipalParams = T.Object({ principalId: Did }, closed);

/* Response schemas. */

export const AuthConfigView = named(
  'AuthConfig',
  view(
    {
      oidc: Nullable(
        view(
          {
            name: T.String({ description: 'What the sign-in button calls the identity provider' }),
            issuer: T.String(),
            loginUrl: T.String({ description: 'Starts the sign-in (add `?returnTo=/approvals/…`)' }),
          },
          'Single sign-on',
        ),
      ),
      humanTokens: T.Boolean({ description: 'Whether people may still use bearer tokens (HUMANOS_HUMAN_TOKENS)' }),
    },
    'How people sign in here (public: the sign-in page reads it)',
  ),
);

export const SessionView = named(
  'Session',
  view(
    {
      id: T.String(),
      principalId: T.String(),
      method: named(
        'SessionMethod',
        Enum(['oidc', 'device'] as const, '`oidc`: the console; `device`: `humanos login`'),
      ),
      issuer: T.String(),
      createdAt: IsoTime,
      authTime: IsoTime,
      lastSeenAt: IsoTime,
      expiresAt: IsoTime,
      idleExpiresAt: IsoTime,
      userAgent: Nullable(T.String()),
      current: T.Boolean({ description: 'The session of this request' }),
    },
    'A sign-in session (never its secret)',
  ),
);
export const SessionList = named('SessionList', Items(SessionView, 'Sessions that still work, newest first'));

export const CurrentSession = named(
  'CurrentSession',
  view(
    {
      principal: view(
        {
          id: T.String(),
          kind: PrincipalKindSchema,
          roles: T.Array(T.String()),
          displayName: Nullable(T.String()),
          email: Nullable(T.String()),
        },
        'Who is signed in',
      ),
      session: Nullable(SessionView),
      csrfToken: Nullable(
        T.String({ description: 'Send as `X-HumanOS-CSRF` on state-changing requests made with the cookie' }),
      ),
    },
    'The caller, and its session when it authenticated with one',
  ),
);

export const SignedOut = named(
  'SignedOut',
  view(
    {
      signedOut: T.Boolean(),
      endSessionUrl: T.Optional(
        T.String({
          description:
            "The identity provider's end-session URL (OpenID Connect RP-Initiated Logout): navigate there to end the sign-in at the IdP too; it returns to the console. Absent for device sessions, with HUMANOS_OIDC_LOGOUT=local, or when the IdP offers none.",
        }),
      ),
    },
    'The session ended',
  ),
);
export const RevokedSessions = named(
  'RevokedSessions',
  view(
    { principalId: T.String(), revoked: T.Integer({ description: 'Sessions that were still open' }) },
    'Every session of the principal ended',
  ),
);

export const DeviceStartView = named(
  'DeviceStart',
  view(
    {
      handle: T.String({ description: 'Poll `POST /auth/device/token` with it' }),
      userCode: T.String(),
      verificationUri: T.String(),
      verificationUriComplete: Nullable(T.String()),
      expiresIn: T.Integer(),
      interval: T.Integer(),
    },
    'A device sign-in: show the person the code and where to enter it',
  ),
);

export const DeviceTokenView = named(
  'DeviceToken',
  view(
    {
      status: named('DeviceLoginStatus', Enum(['pending', 'complete'] as const, 'Waiting for the person, or done')),
      sessionToken: T.Optional(
        T.String({ description: 'A session token (`hss_…`): use it as a bearer token; shown once' }),
      ),
      principalId: T.Optional(T.String()),
      expiresAt: T.Optional(IsoTime),
    },
    'Still waiting for the person, or their session',
  ),
);
