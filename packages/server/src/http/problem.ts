import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorCode, isHumanOSError } from '@humanos/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../kernel/routes.js';
import { isStoreUnavailable } from '../store/connect.js';

const MAX_DEPTH = 32;

/** Problem codes for fastify's own errors (body parsing and content type happen before our code). */
function frameworkCode(statusCode: number): ErrorCode {
  if (statusCode === 413) return 'payload_too_large';
  if (statusCode === 415) return 'unsupported_media_type';
  if (statusCode === 404) return 'not_found';
  if (statusCode === 405) return 'method_not_allowed';
  if (statusCode === 429) return 'rate_limited';
  if (statusCode === 503) return 'unavailable';
  return 'bad_request';
}

/** Seconds a client should wait before retrying when the database is unreachable. */
const DATABASE_RETRY_AFTER_S = 1;

/**
 * Walks untrusted JSON once: bounded depth (so canonicalisation and storage cannot blow the stack)
 * and only well-formed Unicode without NUL (PostgreSQL text cannot hold NUL; lone surrogates would
 * change bytes between what was signed and what is stored).
 */
export function checkJson(value: unknown): string | undefined {
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
 * Every error as RFC 9457 problem+json: our typed errors with their code, schema failures as
 * `validation_failed` (`invalid_id` for path parameters), fastify's own 4xx with a code of their
 * status, and anything else as a logged 500 that reveals nothing.
 */
export function registerProblems(app: FastifyInstance): void {
  app.setErrorHandler(
    (err: Error & { statusCode?: number; validation?: unknown; validationContext?: string }, req, reply) => {
      if (isHumanOSError(err)) return sendProblem(reply, err.code, err.message, err.details);
      if (isStoreUnavailable(err)) {
        req.log.warn({ err }, 'database unavailable');
        reply.header('retry-after', String(DATABASE_RETRY_AFTER_S));
        return sendProblem(reply, 'database_unavailable', 'the database is unreachable at the moment; retry shortly');
      }
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
}

/**
 * Errors fastify raises before a route is found (a malformed percent-encoding, a path parameter over
 * the 200-character limit) as problem+json instead of fastify's own JSON shape. Pass as the
 * `frameworkErrors` option.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendProblem(reply, 'invalid_id', 'a path parameter is longer than 200 characters');
  } else if (err.code === 'FST_ERR_BAD_URL') {
    sendProblem(reply, 'bad_request', 'the URL is not validly percent-encoded');
  } else {
    sendProblem(reply, 'internal', 'internal error; it has been logged');
  }
}

/** A malformed HTTP request (before fastify sees it): a problem+json 400, then the socket is closed. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({
    type: 'urn:humanos:problem:bad_request',
    title: 'bad request',
    status: 400,
    code: 'bad_request',
    detail: 'malformed HTTP request',
  });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** How much of an unread request body is read and discarded so that its sender sees the response. */
const DRAIN_CAP_BYTES = 64 * 1024 * 1024;
const DRAIN_CAP_MS = 10_000;

/**
 * Reads and discards what is left of a request body before a response goes out. A server that
 * answers (413, 401, 415) while the client is still sending, and then closes, makes the client's
 * write fail (`EPIPE`, a reset) before it reads the answer: Node's `fetch` reports a network error
 * instead of the 413. Past `DRAIN_CAP_BYTES` or `DRAIN_CAP_MS` the connection is closed after the
 * response instead (an abusive upload is not read to its end).
 */
function drainRequest(raw: IncomingMessage, reply: FastifyReply): Promise<void> {
  const length = Number(raw.headers['content-length']);
  if (raw.complete || raw.readableEnded || raw.destroyed) return Promise.resolve();
  if (length > DRAIN_CAP_BYTES) {
    reply.header('connection', 'close');
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let read = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', finish);
      raw.off('error', finish);
      raw.off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > DRAIN_CAP_BYTES) {
        reply.header('connection', 'close');
        finish();
      }
    };
    const timer = setTimeout(() => {
      reply.header('connection', 'close');
      finish();
    }, DRAIN_CAP_MS);
    raw.on('data', onData);
    raw.on('end', finish);
    raw.on('error', finish);
    raw.on('close', finish);
    raw.resume();
  });
}

/** The `onSend` hook that drains an unread request body before any response is written. */
export async function drainBeforeReply(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  await drainRequest(req.raw, reply);
}

/** The `preValidation` hook of the API: untrusted JSON bodies pass `checkJson` or get a 400 problem. */
export async function checkBody(req: FastifyRequest, reply: FastifyReply) {
  if (req.body === undefined || req.body === null) return;
  const problem = checkJson(req.body);
  if (problem) return sendProblem(reply, 'validation_failed', problem);
}
