import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Auth } from '../auth/auth.js';
import { clientGone } from '../kernel/routes.js';
import type { Feed } from './feed.js';

/** A comment line every this often keeps proxies from closing an idle stream. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * How often an idle stream re-checks its token (a cache lookup, no query unless principals changed),
 * so a revoked token ends it even if the wake-up of its revocation was missed.
 */
export const RECHECK_MS = 2_000;

/**
 * What a stream sends before it ends because the server is shutting down: a reconnect delay and a
 * comment saying so. EventSource (and the SDKs) reconnect on their own with `Last-Event-ID`, so no
 * event is lost; a proxy or another replica answers the reconnect.
 */
export const SHUTDOWN_NOTICE = 'retry: 1000\n: server shutting down; reconnect\n\n';

/**
 * Server-sent events from the ledger, filtered to what the caller may see; id = ledger index.
 * A stream reads the store only when the ledger changed since its last read (`feed.version`), so idle
 * streams cost a timer each. It ends when the client goes, its token stops working, or the server
 * shuts down (then with `SHUTDOWN_NOTICE`).
 */
export async function streamEvents(
  deps: { auth: Auth; feed: Feed },
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
    'x-request-id': req.id,
  });
  res.write('retry: 1000\n\n');
  const signal = clientGone(reply);
  const stopping = reply.server.shutdownSignal;
  let cursor = after;
  let lastBeat = Date.now();
  let seen = Number.NaN;
  deps.feed.subscribe();
  try {
    while (!signal.aborted) {
      // The stream outlives the request's authentication: authenticate again each round (a token is a
      // cache hit unless principals changed; a session one query), so new roles apply and a revoked
      // token or ended session ends it.
      const who = await deps.auth.resolve(req);
      if ('refused' in who) break;
      const principal = who.principal;
      const version = deps.feed.version;
      if (version !== seen) {
        const { events, lastSeq, more } = await deps.feed.after(principal, cursor);
        if (events.length > 0)
          res.write(events.map((e) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${e.json}\n\n`).join(''));
        // Advance past invisible entries too, but only announce a resumable id with a real event.
        cursor = lastSeq;
        if (more) continue;
        seen = version;
      }
      if (Date.now() - lastBeat >= KEEP_ALIVE_MS) {
        res.write(': keep-alive\n\n');
        lastBeat = Date.now();
      }
      // A change while this stream was reading: read again now, not at the next change.
      if (deps.feed.version !== seen) continue;
      await deps.feed.waitForChange(Math.min(RECHECK_MS, KEEP_ALIVE_MS - (Date.now() - lastBeat)), signal);
    }
  } catch (e) {
    req.log.warn({ err: e }, 'event stream ended with an error');
  } finally {
    deps.feed.unsubscribe();
    if (stopping?.aborted && !res.destroyed) {
      res.end(SHUTDOWN_NOTICE);
      // The response was sent as keep-alive; end the connection too, or it would hold the stop up.
      res.socket?.end();
    } else res.end();
  }
}
