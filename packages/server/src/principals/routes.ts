import { API_PREFIX, type Api, bearerToken } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import { hashToken, type Principals } from './principals.js';
import {
  Capabilities,
  CapabilitiesBody,
  ConsentAgentParams,
  ConsentList,
  ConsentsQuery,
  ConsentView,
  CreatedPrincipal,
  CreatePrincipalBody,
  GrantConsentBody,
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
  grantConsent: {
    ...op(
      'grantConsent',
      'Consent to an agent acting for me',
      'The caller (a human) lets this agent name them as `onBehalfOf` of its tasks until `until` (at most 90 days); replaces an earlier consent to it. Recorded in the ledger.',
    ),
    response: responses(200, ConsentView, 400, 401, 403, 404),
  },
  revokeConsent: {
    ...op(
      'revokeConsent',
      'Revoke a consent',
      'Ends the caller’s consent to this agent at once; tasks it creates on the caller’s behalf are refused from now on.',
    ),
    response: responses(200, ConsentView, 400, 401, 403, 404),
  },
  myConsents: {
    ...op('listMyConsents', 'My consents', 'The agents the caller lets name them as `onBehalfOf`.'),
    response: responses(200, ConsentList, 400, 401),
  },
  consentsOf: {
    ...op(
      'listPrincipalConsents',
      'Consents of a principal',
      'Consents a human gave, or an agent received, including expired and revoked ones (admin).',
    ),
    response: responses(200, ConsentList, ...admin),
  },
};

/** The consent routes: `PUT`/`DELETE /me/consents/{agentId}`, `GET /me/consents`, `GET /principals/{id}/consents`. */
function consentRoutes(api: Api, principals: Principals): void {
  const tags = ['principals'];
  api.put(
    `${API_PREFIX}/me/consents/:agentId`,
    { schema: { ...DOC.grantConsent, tags, params: ConsentAgentParams, body: GrantConsentBody } },
    async (req) => principals.consents.grant(req.principal, req.params.agentId, Date.parse(req.body.until)),
  );
  api.delete(
    `${API_PREFIX}/me/consents/:agentId`,
    { schema: { ...DOC.revokeConsent, tags, params: ConsentAgentParams } },
    async (req) => principals.consents.revoke(req.principal, req.params.agentId),
  );
  api.get(
    `${API_PREFIX}/me/consents`,
    { schema: { ...DOC.myConsents, tags, querystring: ConsentsQuery } },
    async (req) => ({ items: await principals.consents.mine(req.principal, req.query.all ?? false) }),
  );
  api.get(
    `${API_PREFIX}/principals/:principalId/consents`,
    { schema: { ...DOC.consentsOf, tags, params: PrincipalIdParams } },
    async (req) => ({ items: await principals.consents.of(req.principal, req.params.principalId) }),
  );
}

/** `GET /me`, `PUT /me/capabilities`, the consent routes, and the admin's principal lifecycle routes. */
export function principalRoutes(api: Api, principals: Principals): void {
  consentRoutes(api, principals);
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
      // A session (cookie or `hss_…` bearer) is not the principal's token: there is none to present.
      const presented = req.principal.auth?.method === 'session' ? undefined : bearerToken(req);
      return principals.rotateToken(
        req.principal,
        req.params.principalId,
        req.body,
        presented === undefined ? undefined : hashToken(presented),
      );
    },
  );
}
