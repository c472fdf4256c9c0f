import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Paths probed by load balancers and scrapers: logged at debug, so they do not drown the rest. */
const QUIET = new Set(['/healthz', '/metrics']);

/** What the access log needs from the configuration. */
export interface AccessLogOptions {
  /** A request slower than this (ms) is logged at warn; long-polls and event streams never count. */
  slowMs: number;
}

/**
 * Whether the request waits by design: an event stream (`GET /events`) or a long-poll (`?wait=`
 * greater than 0), whose time is the client's choice and says nothing about the server's speed.
 */
function waitsByDesign(req: FastifyRequest): boolean {
  const route = req.routeOptions.url ?? '';
  if (route.endsWith('/events')) return true;
  const wait = (req.query as { wait?: unknown } | undefined)?.wait;
  return wait !== undefined && Number(wait) > 0;
}

/**
 * One access-log line per request, when it has been answered (fastify's own two lines per request
 * are turned off with `logController: new LogController({ disableRequestLogging: true })`): method, route pattern, status, milliseconds, the
 * request id (pino's `reqId`, echoed in `x-request-id`) and the principal when one authenticated.
 * `ip` and `protocol` are the client's as the server believes them (`X-Forwarded-*` from a trusted
 * proxy, else the socket's): what an operator checks a proxy's trust setting by.
 * Level: `error` for 5xx, `warn` for a slow request, `debug` for health checks and metrics
 * scrapes, `info` otherwise. The path is the route pattern, never the URL: query strings can carry
 * one-time tokens (e-mail links, OAuth codes) and ids would only repeat what the request id finds.
 *
 * @example
 * accessLog(app, { slowMs: 1000 });
 */
export function accessLog(app: FastifyInstance, opts: AccessLogOptions): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const principal = (req as { principal?: { id?: string } }).principal?.id;
    const line = {
      method: req.method,
      route,
      status,
      ms,
      ip: req.ip,
      protocol: req.protocol,
      ...(principal ? { principal } : {}),
    };
    if (status >= 500) req.log.error(line, 'request failed');
    else if (ms > opts.slowMs && !waitsByDesign(req)) req.log.warn({ ...line, slowMs: opts.slowMs }, 'slow request');
    else if (QUIET.has(route)) req.log.debug(line, 'request');
    else req.log.info(line, 'request');
  });
}
