import pg from 'pg';
import { NOTIFY_CHANNEL } from './dialect.js';

/** First and longest pause before reconnecting the LISTEN connection (doubling in between). */
export const LISTEN_BACKOFF_MS = { first: 250, max: 10_000 } as const;

/** What the LISTEN connection reports to its owner. */
export interface ListenHandlers {
  onMessage: (payload: string) => void;
  /** A failure of the connection (it is being replaced); for logging. */
  onError: (e: Error) => void;
  /**
   * Called after a reconnect: notifications sent while the connection was down are lost, so the
   * owner should treat everything as possibly changed (wake every waiter, drop caches).
   */
  onResync?: () => void;
}

/**
 * Subscribes to the replicas' NOTIFY channel on a dedicated connection. When that connection fails
 * (the database restarted, `pg_terminate_backend`, a network cut) it is replaced with exponential
 * backoff (250 ms doubling to 10 s, retried for as long as it takes), subscribes again and calls
 * `onResync`. Resolves once the first subscription is in place, to the function that stops listening.
 *
 * @example
 * const stop = await listenPostgres(url, { onMessage: (p) => notifier.received(p), onError: log });
 */
export async function listenPostgres(url: string, h: ListenHandlers): Promise<() => Promise<void>> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let backoff: number = LISTEN_BACKOFF_MS.first;

  const open = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: url });
    // Listener first: an error during connect must not be an unhandled 'error' event.
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c, new Error('LISTEN connection ended')));
    c.on('notification', (msg) => h.onMessage(msg.payload ?? '{}'));
    try {
      await c.connect();
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (e) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      throw e;
    }
    return c;
  };

  const lost = (c: pg.Client, e: Error) => {
    if (client !== c) return;
    client = undefined;
    c.end().catch(() => {});
    if (closed) return;
    h.onError(e);
    schedule();
  };

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(reconnect, backoff);
    retry.unref();
    backoff = Math.min(backoff * 2, LISTEN_BACKOFF_MS.max);
  };

  const reconnect = async () => {
    retry = undefined;
    if (closed) return;
    try {
      const c = await open();
      if (closed) {
        await c.end().catch(() => {});
        return;
      }
      client = c;
      backoff = LISTEN_BACKOFF_MS.first;
      h.onResync?.();
    } catch (e) {
      h.onError(e as Error);
      schedule();
    }
  };

  client = await open();
  return async () => {
    closed = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };
}
