import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HumanOSError } from '@humanos/core';
import { Ajv } from 'ajv';
import Fastify, {
  type FastifyInstance,
  type FastifySchemaCompiler,
  type FastifySerializerCompiler,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { approvalRoutes } from '../approvals/routes.js';
import { attentionRoutes } from '../attention/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { authenticate, authPublicRoutes, authRoutes } from '../auth/routes.js';
import { channelPublicRoutes, channelRoutes } from '../channels/routes.js';
import { collabRoutes } from '../collab/routes.js';
import { delegationRoutes } from '../delegations/routes.js';
import { eventRoutes } from '../events/routes.js';
import { executionRoutes } from '../execution/routes.js';
import { API_PREFIX, type Api, sendProblem } from '../kernel/routes.js';
import { withoutIds } from '../kernel/schemas.js';
import { ledgerPublicRoutes, ledgerRoutes } from '../ledger/routes.js';
import type { WitnessStatus } from '../ledger/witnesses.js';
import { type McpRouteOptions, mcpRoutes } from '../mcp/routes.js';
import { passkeyRoutes } from '../passkeys/routes.js';
import { policyRoutes } from '../policy/routes.js';
import { principalRoutes } from '../principals/routes.js';
import type { HumanOSService } from '../service.js';
import { taskRoutes } from '../tasks/routes.js';
import { readOnlyRoles, webhookRoutes } from '../webhooks/routes.js';
import { accessLog } from './accessLog.js';
import { boundIntegers } from './bounds.js';
import { parseStrictJson } from './json.js';
import { registerMetrics } from './metrics.js';
import { openApi } from './openapi.js';
import { checkBody, clientErrorHandler, drainBeforeReply, frameworkErrors, registerProblems } from './problem.js';
import { validateResponses } from './responses.js';
import { registerWebInbox } from './web.js';

export { API_PREFIX };

export interface AppOptions {
  service: HumanOSService;
  /** Largest accepted request body in bytes; larger gets 413. */
  bodyLimit: number;
  logger: boolean | { level: string };
  /** HUMANOS_LOG_SLOW_MS: requests slower than this are logged at warn (default 1000). */
  logSlowMs?: number;
  version: string;
  /**
   * Check every JSON response against its route's response schema (tests turn this on): a mismatch
   * is a logged 500 `internal` problem naming the route and the error.
   */
  validateResponses?: boolean;
  /** The witnesses' state, shown in /healthz when the server has witnesses (HUMANOS_WITNESSES). */
  witnesses?: () => WitnessStatus[];
  /** Requests per principal per window (429 with Retry-After beyond it); 0 turns it off. Admins are exempt. */
  rateLimit?: { max: number; windowMs: number };
  /** Sign-in requests per client address per minute on the public auth routes (429 beyond it); 0 turns it off. */
  signInRateLimit?: number;
  /** Concurrent event streams per principal (429 `too_many_streams` beyond it); 0: no cap. Admins are exempt. */
  maxStreamsPerPrincipal?: number;
  /** HUMANOS_TRUST_PROXY: believe these proxies' X-Forwarded-* (client address, https for Secure cookies). */
  trustProxy?: boolean | string;
  /** `/mcp` session limits (per principal, in all, idle lifetime); the package's defaults otherwise. */
  mcp?: Omit<McpRouteOptions, 'now'>;
}

/** What an incoming `x-request-id` may look like to be used as ours (else one is generated). */
const REQUEST_ID = /^[\w.:/+=@-]{1,128}$/;

/** The request id: the caller's `x-request-id` when it is sane, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/**
 * Bodies are validated strictly (no coercion: "1" is not 1); query strings and path parameters
 * arrive as text and are coerced. Unknown properties are errors, never silently dropped. Ajv gets
 * the schemas without their names (`withoutIds`, see kernel/schemas.ts). Installed as the server's
 * compilers factory rather than with `setValidatorCompiler`: fastify rebuilds a context's compilers
 * from its factory once shared schemas are added (the named schemas are, for the OpenAPI document),
 * and this way every context builds these, never fastify's defaults (a coercing Ajv that drops
 * unknown members, fast-json-stringify).
 */
function compilers(): Factories {
  const options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const bodyAjv = new Ajv({ ...options, coerceTypes: false });
  const queryAjv = new Ajv({ ...options, coerceTypes: true });
  const validator: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : queryAjv).compile(boundIntegers(withoutIds(schema as object)));
  // Response schemas document (and, with `validateResponses`, check); they never reshape a response.
  const serializer: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);
  // fastify types the factories after its default compilers; it calls one with the shared schemas
  // and the server options and uses what it answers as the compiler.
  return {
    buildValidator: (() => validator) as unknown as Factories['buildValidator'],
    buildSerializer: (() => serializer) as unknown as Factories['buildSerializer'],
  };
}

/**
 * The one JSON body parser: strict (duplicate keys, numbers beyond the double range and `__proto__`
 * keys are a 400; see `json.ts`), for every route at once.
 */
function jsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseStrictJson(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

/**
 * Request ids, the service clock header, problem+json while shutting down, and unread bodies drained
 * before any answer.
 */
function plumbing(app: FastifyInstance, service: HumanOSService): void {
  app.decorate('shutdownSignal', service.deps.notifier.stopping);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (service.deps.notifier.stopping.aborted) {
      reply.header('connection', 'close').header('retry-after', '1');
      return sendProblem(reply, 'unavailable', 'the server is shutting down; retry on another replica or shortly');
    }
  });
  // The service clock, so clients (the web inbox's countdowns) can correct for their own clock skew.
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-humanos-time', String(service.deps.now()));
    // Shutting down: no keep-alive, so the connection does not hold the stop up once answered.
    if (service.deps.notifier.stopping.aborted) reply.header('connection', 'close');
    await drainBeforeReply(req, reply);
  });
}

/** The `429 rate_limited` problem of a rate limit (`@fastify/rate-limit` sets Retry-After). */
function limited(what: string) {
  return (_req: unknown, ctx: { max: number; after: string }) =>
    new HumanOSError(
      'rate_limited',
      `more than ${ctx.max} ${what} in ${ctx.after}; retry after the Retry-After seconds`,
    );
}

/** Per-principal rate limit on the authenticated API (after authentication, so keyed by principal). */
async function rateLimits(api: Api, s: HumanOSService, opts: AppOptions['rateLimit']): Promise<void> {
  if (!opts || opts.max === 0) return;
  await api.register(rateLimit, {
    max: opts.max,
    timeWindow: opts.windowMs,
    hook: 'preHandler',
    keyGenerator: (req) => `principal:${req.principal?.id ?? req.ip}`,
    allowList: (req) => !req.principal || s.deps.access.isAdmin(req.principal),
    errorResponseBuilder: limited('requests'),
  });
}

/**
 * Per-address limit on the public sign-in routes: each `/auth/login` and `/auth/device` writes a
 * pending login and asks the identity provider, and nobody is authenticated yet to key a limit by.
 * `/auth/config` (no write, fetched by every console load) is not counted.
 */
async function signInLimits(scope: Api, max: number | undefined): Promise<void> {
  if (!max) return;
  await scope.register(rateLimit, {
    max,
    timeWindow: 60_000,
    keyGenerator: (req) => `sign-in:${req.ip}`,
    allowList: (req) => req.routeOptions.url === `${API_PREFIX}/auth/config`,
    errorResponseBuilder: limited('sign-in requests from this address'),
  });
}

/** Every feature's routes on the authenticated API scope. */
function featureRoutes(api: Api, s: HumanOSService, opts: AppOptions): void {
  principalRoutes(api, s.principals);
  authRoutes(api, s.auth);
  webhookRoutes(api, s.webhooks);
  policyRoutes(api, s.policy);
  taskRoutes(api, s.tasks);
  executionRoutes(api, s.execution, s.inRunDecisions, s.feedback);
  approvalRoutes(api, s.approvals);
  collabRoutes(api, s.comments, s.claims);
  attentionRoutes(api, s.attention);
  passkeyRoutes(api, s.passkeys);
  delegationRoutes(api, s.delegations);
  auditRoutes(api, s.auditReviews, s.approverMetrics);
  eventRoutes(api, {
    decisions: s.decisions,
    feed: s.feed,
    auth: s.auth,
    access: s.deps.access,
    maxStreamsPerPrincipal: opts.maxStreamsPerPrincipal ?? 0,
  });
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
    // One line per request, written by `accessLog` when it is answered (fastify's are two: in and out).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit,
    // Ids contain colons; keep them intact and case-sensitive.
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: true, maxParamLength: 200 },
    // Our own onRequest hook answers problem+json while closing (fastify's 503 is plain JSON).
    return503OnClosing: false,
    trustProxy: opts.trustProxy ?? false,
    genReqId: requestId,
    schemaController: { compilersFactory: compilers() },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  accessLog(app, { slowMs: opts.logSlowMs ?? 1000 });
  jsonParser(app);
  plumbing(app, service);
  if (opts.validateResponses) validateResponses(app);
  await openApi(app, opts.version);
  registerProblems(app);
  registerWebInbox(app);
  registerMetrics(app, service, opts.witnesses);
  app.get('/healthz', { schema: { hide: true } }, async () => {
    const size = await service.deps.ledger.size(service.deps.db);
    const witnesses = opts.witnesses?.();
    return {
      status: 'ok',
      storage: service.deps.dialect.name,
      ledgerSize: size,
      version: opts.version,
      ...(witnesses ? { witnesses } : {}),
    };
  });
  ledgerPublicRoutes(app, service.deps);
  mcpRoutes(app, { ...opts.mcp, now: () => service.deps.now() });
  await app.register(cookie);
  await app.register(async (scope) => {
    const api = scope.withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;
    await signInLimits(api, opts.signInRateLimit);
    authPublicRoutes(api, service.auth);
  });
  await channelPublicRoutes(app, service.channels);
  await app.register(async (plain) => {
    const api = plain.withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;
    api.addHook('onRequest', authenticate(service.auth));
    api.addHook('preValidation', checkBody);
    api.addHook('preHandler', readOnlyRoles);
    await rateLimits(api, service, opts.rateLimit);
    featureRoutes(api, service, opts);
  });
  return app;
}
