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
  }
}

/**
 * Sends an RFC 9457 problem with the stable `code` (its HTTP status comes from the code).
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
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      // Details first: they never replace the RFC 9457 members (a task's `status` is not the HTTP status).
      ...extra,
      type: `urn:humanos:problem:${code}`,
      title: code.replaceAll('_', ' '),
      status,
      code,
      detail,
      instance: reply.request.url,
    });
}

/** The bearer token of a request, or undefined when the header is missing or malformed. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return (header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null)?.[1];
}

/**
 * A signal that aborts when the client goes away. The response's close, not the request's: a GET's
 * request stream closes as soon as it has been read.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.on('close', () => ac.abort());
  return ac.signal;
}
