import { EventEmitter } from 'node:events';
import pg from 'pg';

/**
 * Wake-up hints for waiters (long-poll, SSE). A hint is never the source of truth: every waiter
 * re-reads the store when woken and also on a short poll interval, so a lost hint (a dropped
 * LISTEN connection, a replica that started late) costs latency, never correctness.
 */
export class Notifier {
  private readonly emitter = new EventEmitter();
  private listener: pg.Client | undefined;
  private closed = false;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Called after a local commit; also what a PostgreSQL NOTIFY from another replica turns into. */
  changed(taskIds: readonly string[]): void {
    for (const id of taskIds) this.emitter.emit(`task:${id}`);
    this.emitter.emit('ledger');
  }

  /** Calls `fn` whenever principals change on another replica (this one's own changes are handled where made). */
  onPrincipalsChanged(fn: () => void): void {
    this.emitter.on('principals', fn);
  }

  /** Resolves when `taskId` changes or after `ms`, whichever is first. */
  waitForTask(taskId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return this.waitFor(`task:${taskId}`, ms, signal);
  }

  waitForLedger(ms: number, signal?: AbortSignal): Promise<void> {
    return this.waitFor('ledger', ms, signal);
  }

  private waitFor(event: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(event, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.emitter.on(event, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Subscribes to the `humanos` channel on PostgreSQL, reconnecting after failures. */
  async listen(connectionString: string, onError: (e: Error) => void): Promise<void> {
    const connect = async (): Promise<void> => {
      if (this.closed) return;
      const client = new pg.Client({ connectionString });
      client.on('notification', (msg) => {
        try {
          const { taskIds, principals } = JSON.parse(msg.payload ?? '{}') as {
            taskIds?: string[];
            principals?: boolean;
          };
          if (principals) this.emitter.emit('principals');
          else this.changed(taskIds ?? []);
        } catch {
          this.emitter.emit('principals');
          this.changed([]);
        }
      });
      client.on('error', (e) => {
        onError(e);
        client.end().catch(() => {});
        if (this.listener === client) this.listener = undefined;
        setTimeout(() => void connect().catch(onError), 1000).unref();
      });
      await client.connect();
      await client.query('LISTEN humanos');
      this.listener = client;
    };
    await connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.emit('ledger');
    await this.listener?.end().catch(() => {});
  }
}
