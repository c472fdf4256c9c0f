import { API_PREFIX, type Api, bearerToken } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import { hashToken, type Principals } from './principals.js';
import {
  Capabilities,
  CapabilitiesBody,
  CreatedPrincipal,
  CreatePrincipalBody,
  Me,
  PrincipalIdParams,
  PrincipalList,
  PrincipalView,
  RotatedToken,
  RotateTokenBody,
  UpdatePrincipalBody,
} from './schemas.js';

const admin = [400, 401, 403, 404] as const;
/** Each operation's documentation and responses (the request schemas stay beside their route). */
const DOC = {
  me: { ...op('getMe', 'Who am I', 'The calling principal.'), response: responses(200, Me, 401) },
  capabilities: {
    ...op(
      'registerCapabilities',
      'Register capabilities',
      'Replaces what the caller says it can do (for routing and claims).',
    ),
    response: responses(200, Capabilities, 400, 401),
  },
  create: {
    ...op(
      'createPrincipal',
      'Create a principal',
      'A person or agent with roles; answers its bearer token once (admin).',
    ),
    response: responses(201, CreatedPrincipal, 400, 401, 403, 409),
  },
  list: {
    ...op('listPrincipals', 'List principals', 'Every principal (admin).'),
    response: responses(200, PrincipalList, 401, 403),
  },
  get: {
    ...op('getPrincipal', 'Get a principal', 'One principal (admin).'),
    response: responses(200, PrincipalView, ...admin),
  },
  update: {
    ...op('updatePrincipal', 'Update a principal', 'Change roles, disable or enable (admin).'),
    response: responses(200, PrincipalView, ...admin, 409),
  },
  rotate: {
    ...op(
      'rotateToken',
      'Rotate a token',
      'A new bearer token; the old one stops working (admin, or the principal itself).',
    ),
    response: responses(200, RotatedToken, ...admin),
  },
};

/** `GET /me`, `PUT /me/capabilities`, and the admin's principal lifecycle routes. */
export function principalRoutes(api: Api, principals: Principals): void {
  const one = { tags: ['principals'], params: PrincipalIdParams };
  api.get(`${API_PREFIX}/me`, { schema: { ...DOC.me, tags: ['principals'] } }, async (req) =>
    principals.me(req.principal),
  );
  api.put(
    `${API_PREFIX}/me/capabilities`,
    { schema: { ...DOC.capabilities, tags: ['principals'], body: CapabilitiesBody } },
    async (req) => principals.registerCapabilities(req.principal, req.body.capabilities),
  );
  api.post(
    `${API_PREFIX}/principals`,
    { schema: { ...DOC.create, tags: ['principals'], body: CreatePrincipalBody } },
    async (req, reply) => reply.code(201).send(await principals.create(req.principal, req.body)),
  );
  api.get(`${API_PREFIX}/principals`, { schema: { ...DOC.list, tags: ['principals'] } }, async (req) => ({
    items: await principals.list(req.principal),
  }));
  api.get(`${API_PREFIX}/principals/:principalId`, { schema: { ...DOC.get, ...one } }, async (req) =>
    principals.get(req.principal, req.params.principalId),
  );
  api.patch(
    `${API_PREFIX}/principals/:principalId`,
    { schema: { ...DOC.update, ...one, body: UpdatePrincipalBody } },
    async (req) => principals.update(req.principal, req.params.principalId, req.body),
  );
  api.post(
    `${API_PREFIX}/principals/:principalId/token`,
    {
      schema: { ...DOC.rotate, ...one, body: RotateTokenBody },
      // The body is optional: no body means no options.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => {
      const presented = bearerToken(req);
      return principals.rotateToken(
        req.principal,
        req.params.principalId,
        req.body,
        presented === undefined ? undefined : hashToken(presented),
      );
    },
  );
}
