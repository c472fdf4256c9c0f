import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import type { Principals } from './principals.js';
import {
  Capabilities,
  CapabilitiesBody,
  CreatedPrincipal,
  CreatePrincipalBody,
  PrincipalIdParams,
  PrincipalList,
  PrincipalView,
  RotatedToken,
  RotateTokenBody,
  UpdatePrincipalBody,
} from './schemas.js';

/** `GET /me`, `PUT /me/capabilities`, and the admin's principal lifecycle routes. */
export function principalRoutes(api: Api, principals: Principals): void {
  const one = { tags: ['principals'], params: PrincipalIdParams };
  const admin = [400, 401, 403, 404] as const;
  api.get(
    `${API_PREFIX}/me`,
    {
      schema: {
        ...op('getMe', 'Who am I', 'The calling principal.'),
        tags: ['principals'],
        response: responses(200, PrincipalView, 401),
      },
    },
    async (req) => req.principal,
  );
  api.put(
    `${API_PREFIX}/me/capabilities`,
    {
      schema: {
        ...op(
          'registerCapabilities',
          'Register capabilities',
          'Replaces what the caller says it can do (for routing and claims).',
        ),
        tags: ['principals'],
        body: CapabilitiesBody,
        response: responses(200, Capabilities, 400, 401),
      },
    },
    async (req) => principals.registerCapabilities(req.principal, req.body.capabilities),
  );
  api.post(
    `${API_PREFIX}/principals`,
    {
      schema: {
        ...op(
          'createPrincipal',
          'Create a principal',
          'A person or agent with roles; answers its bearer token once (admin).',
        ),
        tags: ['principals'],
        body: CreatePrincipalBody,
        response: responses(201, CreatedPrincipal, 400, 401, 403, 409),
      },
    },
    async (req, reply) => reply.code(201).send(await principals.create(req.principal, req.body)),
  );
  api.get(
    `${API_PREFIX}/principals`,
    {
      schema: {
        ...op('listPrincipals', 'List principals', 'Every principal (admin).'),
        tags: ['principals'],
        response: responses(200, PrincipalList, 401, 403),
      },
    },
    async (req) => ({
      items: await principals.list(req.principal),
    }),
  );
  api.get(
    `${API_PREFIX}/principals/:principalId`,
    {
      schema: {
        ...op('getPrincipal', 'Get a principal', 'One principal (admin).'),
        ...one,
        response: responses(200, PrincipalView, ...admin),
      },
    },
    async (req) => principals.get(req.principal, req.params.principalId),
  );
  api.patch(
    `${API_PREFIX}/principals/:principalId`,
    {
      schema: {
        ...op('updatePrincipal', 'Update a principal', 'Change roles, disable or enable (admin).'),
        ...one,
        body: UpdatePrincipalBody,
        response: responses(200, PrincipalView, ...admin, 409),
      },
    },
    async (req) => principals.update(req.principal, req.params.principalId, req.body),
  );
  api.post(
    `${API_PREFIX}/principals/:principalId/token`,
    {
      schema: {
        ...op(
          'rotateToken',
          'Rotate a token',
          'A new bearer token; the old one stops working (admin, or the principal itself).',
        ),
        ...one,
        body: RotateTokenBody,
        response: responses(200, RotatedToken, ...admin),
      },
      // The body is optional: no body means no options.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => principals.rotateToken(req.principal, req.params.principalId, req.body),
  );
}
