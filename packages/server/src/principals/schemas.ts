import { Type as T } from 'typebox';
import { closed, Did, ROLE } from '../kernel/schemas.js';

/** Request schemas of the principal routes. */
const TOKEN_LIFETIME = T.Integer({
  minimum: 60,
  maximum: 366 * 86_400,
  description: 'Seconds the token stays valid (60 s to a year); omitted: until rotated or disabled',
});

export const CreatePrincipalBody = T.Object(
  {
    id: Did,
    kind: T.Optional(T.Union([T.Literal('human'), T.Literal('agent')])),
    roles: T.Array(ROLE, { maxItems: 64 }),
    publicKey: T.Optional(T.String({ pattern: '^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$' })),
    capabilities: T.Optional(T.Array(ROLE, { maxItems: 64 })),
    tokenExpiresIn: T.Optional(TOKEN_LIFETIME),
  },
  closed,
);

export const RotateTokenBody = T.Object({ expiresIn: T.Optional(TOKEN_LIFETIME) }, closed);

export const PrincipalIdParams = T.Object({ principalId: Did }, closed);

export const UpdatePrincipalBody = T.Object(
  {
    roles: T.Optional(T.Array(ROLE, { maxItems: 64 })),
    disabled: T.Optional(T.Boolean({ description: 'true refuses the token everywhere; false allows it again' })),
  },
  closed,
);

export const CapabilitiesBody = T.Object({ capabilities: T.Array(ROLE, { maxItems: 64 }) }, closed);
