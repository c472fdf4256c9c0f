import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, clientGone } from '../kernel/routes.js';
import type { Principals } from '../principals/principals.js';
import type { Feed } from './feed.js';

/** Server-sent events from the ledger, filtered to what the caller may see; id = ledger index. */
export async function streamEvents(
  deps: { principals: Principals; feed: Feed },
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
  const signal = clientGone(reply);
  let cursor = after;
  let lastBeat = Date.now();
  const token = bearerToken(req) as string;
  try {
    while (!signal.aborted) {
      // The stream outlives the request's authentication: look the token up again each round (a
      // cache hit unless principals changed), so new roles apply and a revoked token ends it.
      const principal = await deps.principals.authenticate(token);
      if (!principal) break;
      const { events, lastSeq } = await deps.feed.after(principal, cursor);
      for (const e of events) res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      // Advance past invisible entries too, but only announce a resumable id with a real event.
      cursor = lastSeq;
      if (events.length === 0) {
        if (Date.now() - lastBeat > 15_000) {
          res.write(': keep-alive\n\n');
          lastBeat = Date.now();
        }
        await deps.feed.waitForChange(1000, signal);
      }
    }
  } catch (e) {
    req.log.warn({ err: e }, 'event stream ended with an error');
  } finally {
    res.end();
  }
}
