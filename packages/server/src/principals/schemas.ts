import { type Static, Type as T } from 'typebox';
import {
  closed,
  Did,
  Enum,
  IsoTime,
  Items,
  Nullable,
  named,
  PrincipalKindSchema,
  ROLE,
  view,
} from '../kernel/schemas.js';
import { CONSENT_MAX_DAYS } from './consents.js';

export { PrincipalKindSchema };

/** Request schemas of the principal routes. */
const TOKEN_LIFETIME = T.Integer({
  minimum: 60,
  maximum: 366 * 86_400,
  description: 'Seconds the token stays valid (60 s to a year); omitted: until rotated or disabled',
});

const DisplayName = T.String({
  minLength: 1,
  maxLength: 200,
  description: 'The name people see (the IdP sets it at sign-in)',
});
const Email = T.String({
  maxLength: 254,
  pattern: '^[^@\\s]+@[^@\\s]+$',
  description: 'Matched (lower-cased) against the IdP’s verified e-mail at the first sign-in',
});
/** The OpenID identity a person signs in as: set by an admin (`PATCH`), shown on the principal. */
const OidcIdentity = named(
  'OidcIdentity',
  T.Object(
    {
      issuer: T.String({ minLength: 1, maxLength: 500, description: 'The IdP’s issuer URL, as in its id tokens' }),
      subject: T.String({ minLength: 1, maxLength: 255, description: 'The person’s `sub` at that IdP' }),
    },
    { ...closed, description: 'The OpenID identity this person signs in as' },
  ),
);

export const CreatePrincipalBody = named(
  'CreatePrincipalBody',
  T.Object(
    {
      id: Did,
      kind: T.Optional(PrincipalKindSchema),
      roles: T.Array(ROLE, { maxItems: 64 }),
      publicKey: T.Optional(T.String({ pattern: '^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$' })),
      capabilities: T.Optional(T.Array(ROLE, { maxItems: 64 })),
      tokenExpiresIn: T.Optional(TOKEN_LIFETIME),
      displayName: T.Optional(DisplayName),
      email: T.Optional(Email),
    },
    closed,
  ),
);

export const RotateTokenBody = named('RotateTokenBody', T.Object({ expiresIn: T.Optional(TOKEN_LIFETIME) }, closed));

export const PrincipalIdParams = T.Object({ principalId: Did }, closed);

export const UpdatePrincipalBody = named(
  'UpdatePrincipalBody',
  T.Object(
    {
      displayName: T.Optional(Nullable(DisplayName)),
      email: T.Optional(Nullable(Email)),
      oidc: T.Optional(Nullable(OidcIdentity)),
      roles: T.Optional(T.Array(ROLE, { maxItems: 64 })),
      disabled: T.Optional(T.Boolean({ description: 'true refuses the token everywhere; false allows it again' })),
    },
    closed,
  ),
);

/** `PUT /me/consents/{agentId}`, `DELETE …`: the agent the consent names. */
export const ConsentAgentParams = T.Object({ agentId: Did }, closed);

export const GrantConsentBody = named(
  'GrantConsentBody',
  T.Object(
    {
      until: T.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
        maxLength: 40,
        description: `An RFC 3339 time in the future, at most ${CONSENT_MAX_DAYS} days ahead: the consent ends then`,
      }),
    },
    closed,
  ),
);

export const ConsentsQuery = T.Object(
  { all: T.Optional(T.Boolean({ description: 'Also expired and revoked consents (default: active ones only)' })) },
  closed,
);

export const CapabilitiesBody = named(
  'CapabilitiesBody',
  T.Object({ capabilities: T.Array(ROLE, { maxItems: 64 }) }, closed),
);

/* Response schemas. */

export const PrincipalView = named(
  'Principal',
  view(
    {
      id: T.String({ description: '`did:human:…` or `did:agent:…`' }),
      kind: PrincipalKindSchema,
      roles: T.Array(T.String()),
      capabilities: T.Array(T.String()),
      createdAt: IsoTime,
      createdBy: Nullable(T.String()),
      disabledAt: Nullable(IsoTime),
      tokenRotatedAt: Nullable(IsoTime),
      tokenExpiresAt: Nullable(IsoTime),
      displayName: Nullable(T.String({ description: 'The name people see (from the IdP, or set by an admin)' })),
      email: Nullable(T.String()),
      oidc: Nullable(OidcIdentity),
    },
    'A principal (a person or an agent): its roles, capabilities and token state',
  ),
);
/** `GET /me`: the caller as its token authenticates it. */
export const Me = named(
  'Me',
  view(
    {
      id: T.String(),
      kind: PrincipalKindSchema,
      roles: T.Array(T.String()),
      capabilities: T.Array(T.String()),
      auditor: T.Boolean({
        description:
          "Whether it may audit (admin, or the policy's auditorRole): the ledger, calibration, audit reviews",
      }),
    },
    'The calling principal: its roles and capabilities',
  ),
);
export const PrincipalList = named('PrincipalList', Items(PrincipalView, 'Every principal'));
const NewToken = {
  id: T.String(),
  token: T.String({ description: 'The bearer token; shown only here, stored only as a hash' }),
  tokenExpiresAt: Nullable(IsoTime),
};
export const CreatedPrincipal = named(
  'CreatedPrincipal',
  view(
    {
      ...NewToken,
      kind: PrincipalKindSchema,
      roles: T.Array(T.String()),
      capabilities: T.Array(T.String()),
    },
    'The created principal with its bearer token (shown once)',
  ),
);
export const RotatedToken = named(
  'RotatedToken',
  view(NewToken, 'The new bearer token (shown once); the old one stops working'),
);
export const Capabilities = named(
  'Capabilities',
  view({ id: T.String(), capabilities: T.Array(T.String()) }, 'The capabilities now registered for this principal'),
);

export const ConsentView = named(
  'Consent',
  view(
    {
      grantor: T.String({ description: 'The human who consents' }),
      grantee: T.String({ description: 'The agent that may name them as `onBehalfOf`' }),
      kind: named('ConsentKind', Enum(['on_behalf_of'] as const, 'What the consent allows')),
      grantedAt: IsoTime,
      until: IsoTime,
      revokedAt: Nullable(IsoTime),
      revokedBy: Nullable(T.String()),
      active: T.Boolean({ description: 'Neither revoked nor past `until`' }),
      ledgerIndex: T.Integer({ description: 'The `principal.consent_granted` ledger entry' }),
      revokedLedgerIndex: Nullable(T.Integer({ description: 'The `principal.consent_revoked` ledger entry' })),
    },
    "A human's standing consent that an agent may create tasks on their behalf (`onBehalfOf`)",
  ),
);
export const ConsentList = named('ConsentList', Items(ConsentView, 'Consents, newest first'));

/* What the feature methods answer (static types of the response schemas). */
export type CreatedPrincipal = Static<typeof CreatedPrincipal>;
