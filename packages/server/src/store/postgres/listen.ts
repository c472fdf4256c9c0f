import pg from 'pg';
import { NOTIFY_CHANNEL } from './dialect.js';

/**
 * Subscribes to the replicas' NOTIFY channel on a dedicated connection, reconnecting after a failure
 * (every second until it is back). Returns the function that stops listening.
 */
export async function listenPostgres(
  url: string,
  onMessage: (payload: string) => void,
  onError: (e: Error) => void,
): Promise<() => Promise<void>> {
  let closed = false;
  let client: pg.Client | undefined;
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (msg) => onMessage(msg.payload ?? '{}'));
    c.on('error', (e) => {
      onError(e);
      c.end().catch(() => {});
      if (client === c) client = undefined;
      setTimeout(() => void connect().catch(onError), 1000).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
    client = c;
  };
  await connect();
  return async () => {
    closed = true;
    await client?.end().catch(() => {});
  };
}
