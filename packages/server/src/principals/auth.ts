import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, sendProblem } from '../kernel/routes.js';
import type { Principals } from './principals.js';

/**
 * The `onRequest` hook of the authenticated API: a valid bearer token sets `req.principal`;
 * anything else is a 401 problem.
 */
export function authenticate(principals: Principals) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const token = bearerToken(req);
    if (!token) return sendProblem(reply, 'unauthorized', 'send Authorization: Bearer <token>');
    const principal = await principals.authenticate(token);
    if (!principal) return sendProblem(reply, 'unauthorized', 'unknown or revoked token');
    req.principal = principal;
  };
}
