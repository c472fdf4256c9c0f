import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance } from 'fastify';
import { approvalRoutes } from '../approvals/routes.js';
import { channelPublicRoutes, channelRoutes } from '../channels/routes.js';
import { eventRoutes } from '../events/routes.js';
import { executionRoutes } from '../execution/routes.js';
import { API_PREFIX, type Api } from '../kernel/routes.js';
import { ledgerPublicRoutes, ledgerRoutes } from '../ledger/routes.js';
import { mcpRoutes } from '../mcp/routes.js';
import { policyRoutes } from '../policy/routes.js';
import { authenticate } from '../principals/auth.js';
import { principalRoutes } from '../principals/routes.js';
import type { HumanOSService } from '../service.js';
import { taskRoutes } from '../tasks/routes.js';
import { readOnlyRoles, webhookRoutes } from '../webhooks/routes.js';
import { registerMetrics } from './metrics.js';
import { checkBody, registerProblems } from './problem.js';
import { registerWebInbox } from './web.js';

export { API_PREFIX };

export interface AppOptions {
  service: HumanOSService;
  /** Largest accepted request body in bytes; larger gets 413. */
  bodyLimit: number;
  logger: boolean | { level: string };
  version: string;
}

/**
 * Bodies are validated strictly (no coercion: "1" is not 1); query strings and path parameters
 * arrive as text and are coerced. Unknown properties are errors, never silently dropped.
 */
function validators(app: FastifyInstance): void {
  const options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const bodyAjv = new Ajv({ ...options, coerceTypes: false });
  const queryAjv = new Ajv({ ...options, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));
}

async function openApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'HumanOS API',
        version,
        description:
          'Human-in-the-loop approvals with a signed, tamper-evident ledger. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
}

/** Every feature's routes on the authenticated API scope. */
function featureRoutes(api: Api, s: HumanOSService): void {
  principalRoutes(api, s.principals);
  webhookRoutes(api, s.webhooks);
  policyRoutes(api, s.policy);
  taskRoutes(api, s.tasks);
  executionRoutes(api, s.execution, s.inRunDecisions, s.feedback);
  approvalRoutes(api, s.approvals);
  eventRoutes(api, { decisions: s.decisions, feed: s.feed, principals: s.principals });
  ledgerRoutes(api, { ...s.deps, history: s.history });
  channelRoutes(api, s.channels);
}

/**
 * Builds the HTTP API (fastify): validators, OpenAPI, problem+json errors, the web inbox, metrics,
 * and each feature's routes under the API prefix. Handlers live with their feature
 * (`<feature>/routes.ts`); this file only assembles them.
 *
 * @example
 * const app = await buildApp({ service, bodyLimit: 1 << 20, logger: false, version: '0.1.0' });
 * await app.listen({ port: 8787 });
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { service } = opts;
  const app = Fastify({
    logger: opts.logger,
    bodyLimit: opts.bodyLimit,
    // Ids contain colons; keep them intact and case-sensitive.
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  validators(app);
  await openApi(app, opts.version);
  // The service clock, so clients (the web inbox's countdowns) can correct for their own clock skew.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-humanos-time', String(service.deps.now()));
  });
  registerProblems(app);
  registerWebInbox(app);
  registerMetrics(app, service);
  app.get('/healthz', { schema: { hide: true } }, async () => {
    const size = await service.deps.ledger.size(service.deps.db);
    return { status: 'ok', storage: service.deps.dialect.name, ledgerSize: size, version: opts.version };
  });
  ledgerPublicRoutes(app, service.deps);
  mcpRoutes(app);
  await channelPublicRoutes(app, service.channels);
  await app.register(async (plain) => {
    const api = plain.withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;
    api.addHook('onRequest', authenticate(service.principals));
    api.addHook('preValidation', checkBody);
    api.addHook('preHandler', readOnlyRoles);
    featureRoutes(api, service);
  });
  return app;
}
