import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ERROR_STATUS, type ErrorCode } from '@humanos/core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { sql } from 'kysely';
import type { Principal } from './access.js';

/** Every API route lives under this prefix. */
export const API_PREFIX = '/v1/humanos';

/** The authenticated API scope a feature registers its routes on (TypeBox-typed; `req.principal` set). */
export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** The session secret the request authenticated with (cookie or `hss_…` bearer), for its CSRF token. */
    sessionSecret?: string | undefined;
  }
  interface FastifyInstance {
    /** Aborts when the server begins to shut down (set by `http/app.ts`). */
    shutdownSignal?: AbortSignal;
  }
}

/**
 * Members of an RFC 9457 problem that `extra` details may never replace: a detail named `status`
 * (a gate's or task's status) must not turn the HTTP status member into a string.
 */
const PROBLEM_MEMBERS = ['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId'] as const;

/**
 * Sends an RFC 9457 problem with the stable `code` (its HTTP status comes from the code) and the
 * request id (`requestId`, also in the `x-request-id` header). `extra` adds members; a key that
 * clashes with a standard member is sent with an underscore prefix instead of replacing it.
 *
 * @example
 * return sendProblem(reply, 'not_found', 'the ledger is empty');
 */
export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  const status = ERROR_STATUS[code];
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="humanos"');
  const body: Record<string, unknown> = {
    type: `urn:humanos:problem:${code}`,
    title: code.replaceAll('_', ' '),
    status,
    code,
    detail,
    instance: reply.request.url,
    requestId: reply.request.id,
  };
  for (const [k, v] of Object.entries(extra)) {
    body[(PROBLEM_MEMBERS as readonly string[]).includes(k) ? `_${k}` : k] = v;
  }
  return reply.code(status).type('application/problem+json').send(body);
}

/** The bearer token of a request, or undefined when the header is missing or malformed. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return (header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null)?.[1];
}

const CLIENT_GONE = Object.freeze({ name: 'ClientGone', message: 'the client went away or the server is stopping' });

/**
 * A signal that aborts when the client goes away or the server begins to shut down (long-polls then
 * answer with the state they have, streams end). The response's close, not the request's: a GET's
 * request stream closes as soon as it has been read.
 *
 * @example
 * return approvals.wait(req.principal, req.params.approvalId, req.query.wait, clientGone(reply));
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  // A reason of our own: the default one is a DOMException, whose stack capture cost ~60 µs per
  // request (2 000 long-polls ending together spent 130 ms making them).
  reply.raw.on('close', () => ac.abort(CLIENT_GONE));
  const stopping = reply.server.shutdownSignal;
  return stopping ? AbortSignal.any([ac.signal, stopping]) : ac.signal;
}

/** The most a list response carries, estimated from its rows' stored text (headroom under V8's string limit). */
export const MAX_LIST_BYTES = 8 * 1024 * 1024;

/**
 * The summed length of text columns, as a select expression: lets a list query learn its rows'
 * sizes before reading them.
 *
 * @example
 * db.selectFrom('tasks').select(['id', textBytes(['payload', 'result']).as('bytes')])
 */
export function textBytes(columns: readonly string[]) {
  return sql<number>`(${sql.join(
    columns.map((c) => sql`coalesce(length(${sql.ref(c)}), 0)`),
    sql` + `,
  )})`;
}

/** A row's size for `withinBytes`: the length of its text columns plus a little per column. */
export function rowBytes(row: object): number {
  let n = 0;
  for (const v of Object.values(row)) n += typeof v === 'string' ? v.length + 8 : 16;
  return n;
}

/**
 * The longest prefix of `rows` (at least one row) whose estimated size stays within `maxBytes`: list
 * responses are bounded by size as well as count, so 200 tasks of 1 MB each come as several pages
 * (the caller sets `nextCursor` when the page is shorter than what it read).
 *
 * @example
 * const page = withinBytes(rows.slice(0, limit), rowBytes);
 * const more = rows.length > limit || page.length < Math.min(rows.length, limit);
 */
export function withinBytes<T extends object>(
  rows: readonly T[],
  size: (row: T) => number,
  maxBytes = MAX_LIST_BYTES,
): T[] {
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    total += size(rows[i] as T);
    if (total > maxBytes && i > 0) return rows.slice(0, i);
  }
  return rows.slice();
}
