import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bytesToHex, ERROR_STATUS, type ErrorCode, isHumanOSError } from '@humanos/core';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { HumanOSService, Principal } from '../service.js';
import { registerMetrics } from './metrics.js';
import {
  ApprovalIdParams,
  ApproveBody,
  CalibrationQuery,
  CancelBody,
  CapabilitiesBody,
  ClaimBody,
  CompleteBody,
  ConsistencyQuery,
  CreatePrincipalBody,
  CreateTaskBody,
  CreateWebhookBody,
  DeliveriesQuery,
  DeliveryParams,
  EntriesQuery,
  EventsQuery,
  ExecuteBody,
  FailBody,
  FeedbackBody,
  HeartbeatBody,
  InboxQuery,
  InclusionQuery,
  InRunDecisionBody,
  ListTasksQuery,
  OverrideBody,
  PrincipalIdParams,
  RejectBody,
  RotateTokenBody,
  TaskIdParams,
  UpdatePrincipalBody,
  WaitQuery,
  WebhookIdParams,
} from './schemas.js';
import { registerWebInbox } from './web.js';

export const API_PREFIX = '/v1/humanos';

export interface AppOptions {
  service: HumanOSService;
  /** Largest accepted request body in bytes; larger gets 413. */
  bodyLimit: number;
  logger: boolean | { level: string };
  version: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const MAX_DEPTH = 32;

/** Problem codes for fastify's own errors (body parsing and content type happen before our code). */
function frameworkCode(statusCode: number): ErrorCode {
  if (statusCode === 413) return 'payload_too_large';
  if (statusCode === 415) return 'unsupported_media_type';
  if (statusCode === 404) return 'not_found';
  if (statusCode === 405) return 'method_not_allowed';
  if (statusCode === 429) return 'rate_limited';
  return 'bad_request';
}

export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  const status = ERROR_STATUS[code];
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="humanos"');
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `urn:humanos:problem:${code}`,
      title: code.replaceAll('_', ' '),
      status,
      code,
      detail,
      instance: reply.request.url,
      ...extra,
    });
}

/**
 * Walks untrusted JSON once: bounded depth (so canonicalisation and storage cannot blow the stack)
 * and only well-formed Unicode without NUL (PostgreSQL text cannot hold NUL; lone surrogates would
 * change bytes between what was signed and what is stored).
 */
function checkJson(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > MAX_DEPTH) return `JSON nested deeper than ${MAX_DEPTH} levels`;
    if (typeof v === 'string') {
      if (v.includes('\u0000') || !v.isWellFormed()) return 'strings must be well-formed Unicode without NUL';
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push([x, depth + 1]);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000') || !k.isWellFormed()) return 'keys must be well-formed Unicode without NUL';
        stack.push([x, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Builds the HTTP API (fastify). Handlers are thin: validate at the edge with the route schema, call
 * the service, map `HumanOSError` to RFC 9457 problem+json.
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

  // Bodies are validated strictly (no coercion: "1" is not 1); query strings and path parameters
  // arrive as text and are coerced. Unknown properties are errors, never silently dropped.
  const bodyAjv = new Ajv({
    allErrors: false,
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  const queryAjv = new Ajv({
    allErrors: false,
    coerceTypes: true,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'HumanOS API',
        version: opts.version,
        description:
          'Human-in-the-loop approvals with a signed, tamper-evident ledger. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  // The service clock, so clients (the web inbox's countdowns) can correct for their own clock skew.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-humanos-time', String(service.clock.now()));
  });

  app.setErrorHandler(
    (err: Error & { statusCode?: number; validation?: unknown; validationContext?: string }, req, reply) => {
      if (isHumanOSError(err)) return sendProblem(reply, err.code, err.message, err.details);
      if (err.validation) {
        const code: ErrorCode = err.validationContext === 'params' ? 'invalid_id' : 'validation_failed';
        return sendProblem(reply, code, err.message);
      }
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) return sendProblem(reply, frameworkCode(status), err.message);
      req.log.error({ err }, 'unhandled error');
      return sendProblem(reply, 'internal', 'internal error; it has been logged');
    },
  );
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`),
  );

  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    const token = bearerToken(req);
    if (!token) return sendProblem(reply, 'unauthorized', 'send Authorization: Bearer <token>');
    const principal = await service.principals.authenticate(token);
    if (!principal) return sendProblem(reply, 'unauthorized', 'unknown or revoked token');
    req.principal = principal;
  };
  const checkBody = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.body === undefined || req.body === null) return;
    const problem = checkJson(req.body);
    if (problem) return sendProblem(reply, 'validation_failed', problem);
  };

  registerWebInbox(app);
  registerMetrics(app, service);

  app.get('/healthz', { schema: { hide: true } }, async () => {
    const size = await service.ledger.size(service.store.db);
    return { status: 'ok', storage: service.store.dialect, ledgerSize: size, version: opts.version };
  });
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());

  // Public: the checkpoint and key are what anyone verifies against, and reveal only a size.
  app.get(`${API_PREFIX}/ledger/checkpoint`, { schema: { tags: ['ledger'], security: [] } }, async (_req, reply) => {
    const cp = await service.ledger.latestCheckpoint(service.store.db);
    if (!cp) return sendProblem(reply, 'not_found', 'the ledger is empty');
    return {
      size: Number(cp.size),
      rootHash: bytesToHex(Buffer.from(cp.root_hash, 'base64'), '0x'),
      checkpoint: cp.note,
      origin: service.origin,
    };
  });
  app.get(`${API_PREFIX}/ledger/public-key`, { schema: { tags: ['ledger'], security: [] } }, async () => ({
    origin: service.origin,
    publicKey: service.signerDid,
    algorithm: 'Ed25519',
  }));

  await app.register(async (plain) => {
    const api = plain.withTypeProvider<TypeBoxTypeProvider>();
    api.addHook('onRequest', authenticate);
    api.addHook('preValidation', checkBody);

    api.get(`${API_PREFIX}/me`, { schema: { tags: ['principals'] } }, async (req) => req.principal);
    api.put(
      `${API_PREFIX}/me/capabilities`,
      { schema: { tags: ['principals'], body: CapabilitiesBody } },
      async (req) => service.principals.registerCapabilities(req.principal, req.body.capabilities),
    );

    api.post(
      `${API_PREFIX}/principals`,
      { schema: { tags: ['principals'], body: CreatePrincipalBody } },
      async (req, reply) => {
        const out = await service.principals.create(req.principal, req.body);
        return reply.code(201).send(out);
      },
    );
    api.get(`${API_PREFIX}/principals`, { schema: { tags: ['principals'] } }, async (req) => ({
      items: await service.principals.list(req.principal),
    }));
    api.get(
      `${API_PREFIX}/principals/:principalId`,
      { schema: { tags: ['principals'], params: PrincipalIdParams } },
      async (req) => service.principals.get(req.principal, req.params.principalId),
    );
    api.patch(
      `${API_PREFIX}/principals/:principalId`,
      { schema: { tags: ['principals'], params: PrincipalIdParams, body: UpdatePrincipalBody } },
      async (req) => service.principals.update(req.principal, req.params.principalId, req.body),
    );
    api.post(
      `${API_PREFIX}/principals/:principalId/token`,
      {
        schema: { tags: ['principals'], params: PrincipalIdParams, body: RotateTokenBody },
        // The body is optional: no body means no options.
        preValidation: async (req) => {
          req.body ??= {};
        },
      },
      async (req) => service.principals.rotateToken(req.principal, req.params.principalId, req.body),
    );

    // Webhooks (admin): ledger events POSTed to a URL, signed with the subscription's secret.
    api.post(
      `${API_PREFIX}/webhooks`,
      { schema: { tags: ['webhooks'], body: CreateWebhookBody } },
      async (req, reply) => reply.code(201).send(await service.webhooks.create(req.principal, req.body)),
    );
    api.get(`${API_PREFIX}/webhooks`, { schema: { tags: ['webhooks'] } }, async (req) => ({
      items: await service.webhooks.list(req.principal),
    }));
    api.delete(
      `${API_PREFIX}/webhooks/:webhookId`,
      { schema: { tags: ['webhooks'], params: WebhookIdParams } },
      async (req) => service.webhooks.remove(req.principal, req.params.webhookId),
    );
    api.get(
      `${API_PREFIX}/webhooks/:webhookId/deliveries`,
      { schema: { tags: ['webhooks'], params: WebhookIdParams, querystring: DeliveriesQuery } },
      async (req) => ({ items: await service.webhooks.deliveries(req.principal, req.params.webhookId, req.query) }),
    );
    api.post(
      `${API_PREFIX}/webhooks/:webhookId/deliveries/:deliveryId/retry`,
      { schema: { tags: ['webhooks'], params: DeliveryParams } },
      async (req) => service.webhooks.retry(req.principal, req.params.webhookId, req.params.deliveryId),
    );

    // Policy: the document in force (admin/auditor), and a dry run of a task body (anyone).
    api.get(`${API_PREFIX}/policy`, { schema: { tags: ['policy'] } }, async (req) =>
      service.policyDocument(req.principal),
    );
    api.post(`${API_PREFIX}/policy/evaluate`, { schema: { tags: ['policy'], body: CreateTaskBody } }, async (req) =>
      service.evaluatePolicy(req.principal, req.body),
    );

    api.post(
      `${API_PREFIX}/tasks`,
      {
        schema: {
          tags: ['tasks'],
          body: CreateTaskBody,
          headers: {
            type: 'object',
            properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
          },
        },
      },
      async (req, reply) => {
        const key = req.headers['idempotency-key'];
        const out = await service.createTask(req.principal, req.body, typeof key === 'string' ? key : undefined);
        return reply.code(out.statusCode).send(out.body);
      },
    );
    api.get(`${API_PREFIX}/tasks`, { schema: { tags: ['tasks'], querystring: ListTasksQuery } }, async (req) =>
      service.listTasks(req.principal, {
        status: req.query.status,
        limit: req.query.limit ?? 50,
        cursor: req.query.cursor,
      }),
    );
    api.get(`${API_PREFIX}/tasks/:taskId`, { schema: { tags: ['tasks'], params: TaskIdParams } }, async (req) =>
      service.getTask(req.principal, req.params.taskId),
    );
    api.get(
      `${API_PREFIX}/tasks/:taskId/decision`,
      { schema: { tags: ['tasks'], params: TaskIdParams, querystring: WaitQuery } },
      async (req, reply) => {
        // The response's close (not the request's): a GET's request stream closes once it is read.
        const ac = new AbortController();
        reply.raw.on('close', () => ac.abort());
        return service.waitForDecision(req.principal, req.params.taskId, req.query.wait ?? 0, ac.signal);
      },
    );
    api.get(`${API_PREFIX}/tasks/:taskId/history`, { schema: { tags: ['tasks'], params: TaskIdParams } }, async (req) =>
      service.taskHistory(req.principal, req.params.taskId),
    );
    api.post(`${API_PREFIX}/executions/claim`, { schema: { tags: ['execution'], body: ClaimBody } }, async (req) => ({
      items: await service.execution.claim(req.principal, req.body),
    }));
    api.post(
      `${API_PREFIX}/tasks/:taskId/heartbeat`,
      { schema: { tags: ['execution'], params: TaskIdParams, body: HeartbeatBody } },
      async (req) => service.execution.heartbeat(req.principal, req.params.taskId, req.body),
    );
    api.post(
      `${API_PREFIX}/tasks/:taskId/cancel`,
      { schema: { tags: ['tasks'], params: TaskIdParams, body: CancelBody } },
      async (req) => service.cancelTask(req.principal, req.params.taskId, req.body.reason),
    );
    api.post(
      `${API_PREFIX}/tasks/:taskId/override`,
      { schema: { tags: ['execution'], params: TaskIdParams, body: OverrideBody } },
      async (req) => service.execution.override(req.principal, req.params.taskId, req.body),
    );
    api.post(
      `${API_PREFIX}/tasks/:taskId/feedback`,
      { schema: { tags: ['feedback'], params: TaskIdParams, body: FeedbackBody } },
      async (req, reply) =>
        reply.code(201).send(await service.execution.feedback(req.principal, req.params.taskId, req.body)),
    );
    api.get(
      `${API_PREFIX}/calibration`,
      { schema: { tags: ['feedback'], querystring: CalibrationQuery } },
      async (req) => service.execution.calibration(req.principal, req.query),
    );
    api.post(
      `${API_PREFIX}/tasks/:taskId/decisions`,
      { schema: { tags: ['execution'], params: TaskIdParams, body: InRunDecisionBody } },
      async (req, reply) =>
        reply.code(201).send(await service.submitDecision(req.principal, req.params.taskId, req.body)),
    );
    api.post(
      `${API_PREFIX}/tasks/:taskId/execute`,
      { schema: { tags: ['execution'], params: TaskIdParams, body: ExecuteBody } },
      async (req) => service.execution.execute(req.principal, req.params.taskId, req.body ?? {}),
    );
    api.post(
      `${API_PREFIX}/tasks/:taskId/complete`,
      { schema: { tags: ['execution'], params: TaskIdParams, body: CompleteBody } },
      async (req) => service.execution.finish(req.principal, req.params.taskId, 'completed', req.body ?? {}),
    );
    api.post(
      `${API_PREFIX}/tasks/:taskId/fail`,
      { schema: { tags: ['execution'], params: TaskIdParams, body: FailBody } },
      async (req) => service.execution.finish(req.principal, req.params.taskId, 'failed', req.body ?? {}),
    );

    api.get(`${API_PREFIX}/approvals`, { schema: { tags: ['approvals'], querystring: InboxQuery } }, async (req) =>
      service.inbox(req.principal, {
        status: req.query.status ?? 'pending',
        limit: req.query.limit ?? 50,
        cursor: req.query.cursor,
      }),
    );
    api.get(
      `${API_PREFIX}/approvals/:approvalId`,
      { schema: { tags: ['approvals'], params: ApprovalIdParams, querystring: WaitQuery } },
      async (req, reply) => {
        if (!req.query.wait) return service.getApproval(req.principal, req.params.approvalId);
        // The response's close (not the request's): a GET's request stream closes once it is read.
        const ac = new AbortController();
        reply.raw.on('close', () => ac.abort());
        return service.waitForApproval(req.principal, req.params.approvalId, req.query.wait, ac.signal);
      },
    );
    api.post(
      `${API_PREFIX}/approvals/:approvalId/approve`,
      { schema: { tags: ['approvals'], params: ApprovalIdParams, body: ApproveBody } },
      async (req) => {
        const b = req.body ?? {};
        return service.decide(req.principal, req.params.approvalId, 'approved', {
          by: b.approvedBy,
          reason: b.approvalReason,
          feedback: b.feedback,
          edits: b.edits as Record<string, unknown> | undefined,
          assignTo: b.assignTo,
        });
      },
    );
    api.post(
      `${API_PREFIX}/approvals/:approvalId/reject`,
      { schema: { tags: ['approvals'], params: ApprovalIdParams, body: RejectBody } },
      async (req) =>
        service.decide(req.principal, req.params.approvalId, 'rejected', {
          by: req.body.rejectedBy,
          reason: req.body.rejectionReason,
          feedback: req.body.feedback,
        }),
    );

    api.get(`${API_PREFIX}/events`, { schema: { tags: ['events'], querystring: EventsQuery } }, async (req, reply) => {
      const header = req.headers['last-event-id'];
      let after = req.query.after ?? -1;
      if (typeof header === 'string' && header !== '') {
        if (!/^\d{1,15}$/.test(header))
          return sendProblem(reply, 'bad_request', 'Last-Event-ID must be a ledger index');
        after = Number(header);
      }
      await streamEvents(service, req, reply, after);
    });

    // Ledger reads beyond the checkpoint expose payloads: admins and auditors only.
    const requireAuditor = async (req: FastifyRequest, reply: FastifyReply) => {
      if (!req.principal.roles.some((r) => r === 'admin' || r === 'auditor')) {
        return sendProblem(reply, 'forbidden', 'reading the ledger needs the admin or auditor role');
      }
    };
    api.register(async (plainAudit) => {
      const audit = plainAudit.withTypeProvider<TypeBoxTypeProvider>();
      audit.addHook('preHandler', requireAuditor);
      audit.get(
        `${API_PREFIX}/ledger/entries`,
        { schema: { tags: ['ledger'], querystring: EntriesQuery } },
        async (req) => {
          const size = await service.ledger.size(service.store.db);
          const end = Math.min(req.query.end ?? size, size, req.query.start + 1000);
          const rows = await service.store.db
            .selectFrom('ledger_entries')
            .select(['seq', 'entry', 'leaf_hash'])
            .where('seq', '>=', req.query.start)
            .where('seq', '<', end)
            .orderBy('seq')
            .execute();
          return { size, entries: rows.map((r) => ({ index: Number(r.seq), entry: r.entry, leafHash: r.leaf_hash })) };
        },
      );
      audit.get(
        `${API_PREFIX}/ledger/proof/inclusion`,
        { schema: { tags: ['ledger'], querystring: InclusionQuery } },
        async (req, reply) => {
          const size = req.query.size ?? (await service.ledger.size(service.store.db));
          const cp = await service.ledger.checkpointAt(service.store.db, size);
          if (!cp) return sendProblem(reply, 'not_found', `no signed checkpoint at size ${size}`);
          if (req.query.index >= size)
            return sendProblem(reply, 'bad_request', `index ${req.query.index} is outside size ${size}`);
          const proof = await service.ledger.inclusionProof(service.store.db, req.query.index, size);
          return {
            index: req.query.index,
            treeSize: size,
            inclusionProof: proof.map((h) => bytesToHex(h, '0x')),
            checkpoint: cp.note,
          };
        },
      );
      audit.get(
        `${API_PREFIX}/ledger/proof/consistency`,
        { schema: { tags: ['ledger'], querystring: ConsistencyQuery } },
        async (req, reply) => {
          const to = req.query.to ?? (await service.ledger.size(service.store.db));
          if (req.query.from > to)
            return sendProblem(reply, 'bad_request', `from (${req.query.from}) is beyond to (${to})`);
          const cp = await service.ledger.checkpointAt(service.store.db, to);
          if (!cp) return sendProblem(reply, 'not_found', `no signed checkpoint at size ${to}`);
          const proof = await service.ledger.consistencyProof(service.store.db, req.query.from, to);
          return {
            from: req.query.from,
            to,
            consistencyProof: proof.map((h) => bytesToHex(h, '0x')),
            checkpoint: cp.note,
          };
        },
      );
      audit.get(`${API_PREFIX}/ledger/export`, { schema: { tags: ['ledger'] } }, async (_req, reply) => {
        reply.type('application/x-ndjson');
        return exportLedger(service);
      });
    });
  });

  return app;
}

/**
 * JSON Lines: a header, every entry with its stored leaf hash, the store's decision rows (so a verifier
 * can check the store against the log), then every signed checkpoint.
 */
export async function exportLedger(service: HumanOSService): Promise<string> {
  const db = service.store.db;
  const size = await service.ledger.size(db);
  const lines: string[] = [
    JSON.stringify({
      type: 'header',
      format: 'humanos-ledger/1',
      origin: service.origin,
      publicKey: service.signerDid,
      size,
    }),
  ];
  const PAGE = 5000;
  for (let start = 0; start < size; start += PAGE) {
    const rows = await db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry', 'leaf_hash'])
      .where('seq', '>=', start)
      .where('seq', '<', Math.min(size, start + PAGE))
      .orderBy('seq')
      .execute();
    for (const r of rows)
      lines.push(JSON.stringify({ type: 'entry', index: Number(r.seq), entry: r.entry, leafHash: r.leaf_hash }));
  }
  const decisions = await db
    .selectFrom('decisions')
    .select(['ledger_index', 'record', 'signature'])
    .where('ledger_index', '<', size)
    .orderBy('ledger_index')
    .execute();
  for (const d of decisions) {
    lines.push(
      JSON.stringify({
        type: 'decision',
        ledgerIndex: Number(d.ledger_index),
        record: JSON.parse(d.record),
        signature: d.signature,
      }),
    );
  }
  const cps = await db.selectFrom('checkpoints').select('note').where('size', '<=', size).orderBy('size').execute();
  for (const c of cps) lines.push(JSON.stringify({ type: 'checkpoint', note: c.note }));
  return `${lines.join('\n')}\n`;
}

/** The bearer token of a request, or undefined when the header is missing or malformed. */
function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return (header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null)?.[1];
}

/** Server-sent events from the ledger, filtered to what the caller may see; id = ledger index. */
async function streamEvents(
  service: HumanOSService,
  req: FastifyRequest,
  reply: FastifyReply,
  after: number,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  const ac = new AbortController();
  reply.raw.on('close', () => ac.abort());
  let cursor = after;
  let lastBeat = Date.now();
  const token = bearerToken(req) as string;
  try {
    while (!ac.signal.aborted) {
      // The stream outlives the request's authentication: look the token up again each round (a
      // cache hit unless principals changed), so new roles apply and a revoked token ends it.
      const principal = await service.principals.authenticate(token);
      if (!principal) break;
      const { events, lastSeq } = await service.eventsAfter(principal, cursor);
      for (const e of events) res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      // Advance past invisible entries too, but only announce a resumable id with a real event.
      cursor = lastSeq;
      if (events.length === 0) {
        if (Date.now() - lastBeat > 15_000) {
          res.write(': keep-alive\n\n');
          lastBeat = Date.now();
        }
        await service.waitForLedgerChange(1000, ac.signal);
      }
    }
  } catch (e) {
    req.log.warn({ err: e }, 'event stream ended with an error');
  } finally {
    res.end();
  }
}
