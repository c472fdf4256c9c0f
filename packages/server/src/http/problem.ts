import { type ErrorCode, isHumanOSError } from '@humanos/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../kernel/routes.js';

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

/** The `preValidation` hook of the API: untrusted JSON bodies pass `checkJson` or get a 400 problem. */
export async function checkBody(req: FastifyRequest, reply: FastifyReply) {
  if (req.body === undefined || req.body === null) return;
  const problem = checkJson(req.body);
  if (problem) return sendProblem(reply, 'validation_failed', problem);
}
