import { API_PREFIX, type Api } from '../kernel/routes.js';
import type { Principals } from './principals.js';
import {
  CapabilitiesBody,
  CreatePrincipalBody,
  PrincipalIdParams,
  RotateTokenBody,
  UpdatePrincipalBody,
} from './schemas.js';

/** `GET /me`, `PUT /me/capabilities`, and the admin's principal lifecycle routes. */
export function principalRoutes(api: Api, principals: Principals): void {
  const one = { tags: ['principals'], params: PrincipalIdParams };
  api.get(`${API_PREFIX}/me`, { schema: { tags: ['principals'] } }, async (req) => req.principal);
  api.put(`${API_PREFIX}/me/capabilities`, { schema: { tags: ['principals'], body: CapabilitiesBody } }, async (req) =>
    principals.registerCapabilities(req.principal, req.body.capabilities),
  );
  api.post(
    `${API_PREFIX}/principals`,
    { schema: { tags: ['principals'], body: CreatePrincipalBody } },
    async (req, reply) => reply.code(201).send(await principals.create(req.principal, req.body)),
  );
  api.get(`${API_PREFIX}/principals`, { schema: { tags: ['principals'] } }, async (req) => ({
    items: await principals.list(req.principal),
  }));
  api.get(`${API_PREFIX}/principals/:principalId`, { schema: one }, async (req) =>
    principals.get(req.principal, req.params.principalId),
  );
  api.patch(`${API_PREFIX}/principals/:principalId`, { schema: { ...one, body: UpdatePrincipalBody } }, async (req) =>
    principals.update(req.principal, req.params.principalId, req.body),
  );
  api.post(
    `${API_PREFIX}/principals/:principalId/token`,
    {
      schema: { ...one, body: RotateTokenBody },
      // The body is optional: no body means no options.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => principals.rotateToken(req.principal, req.params.principalId, req.body),
  );
}
