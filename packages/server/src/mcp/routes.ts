import type { IncomingMessage } from 'node:http';
import { McpHttpHandler } from '@humanos/mcp';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The server's own address as seen on this connection: the MCP endpoint calls the REST API there,
 * so every tool call goes through the same authentication and authorisation as any REST client.
 */
export function selfUrl(req: IncomingMessage): string {
  const addr = req.socket.localAddress ?? '127.0.0.1';
  const host = addr.includes(':') ? `[${addr}]` : addr;
  return `http://${host}:${req.socket.localPort}`;
}

/** The session limits (from `McpSessionConfig`) and the clock idleness is measured on. */
export interface McpRouteOptions {
  maxSessionsPerPrincipal?: number;
  maxSessions?: number;
  sessionIdleSeconds?: number;
  /** The service clock, so tests can age sessions without sleeping. Default `Date.now`. */
  now?: () => number;
}

/**
 * `POST/GET/DELETE /mcp`: the HumanOS MCP server over Streamable HTTP (see docs/mcp.md). The bearer
 * token is the agent's principal; tools call this server's REST API with it, so an agent can do over
 * MCP exactly what it could over REST (and never decide). Each principal may hold
 * `maxSessionsPerPrincipal` sessions (429 `too_many_mcp_sessions` beyond), idle ones are reaped after
 * `sessionIdleSeconds`, and all are closed when the server closes.
 *
 * @example
 * // app.ts
 * mcpRoutes(app, { maxSessionsPerPrincipal: 8, sessionIdleSeconds: 300, now: () => service.deps.now() });
 */
export function mcpRoutes(app: FastifyInstance, opts: McpRouteOptions = {}): void {
  const handler = new McpHttpHandler({ baseUrl: selfUrl, ...opts });
  app.addHook('preClose', async () => handler.close());
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    await handler.handle(req.raw, reply.raw, req.body);
  };
  const route = { schema: { hide: true } };
  app.post('/mcp', route, handle);
  app.get('/mcp', route, handle);
  app.delete('/mcp', route, handle);
}
