import { EventEmitter } from 'node:events';

/**
 * Wake-up hints for waiters (long-poll, SSE). A hint is never the source of truth: every waiter
 * re-reads the store when woken and also on a short poll interval, so a lost hint (a dropped
 * LISTEN connection, a replica that started late) costs latency, never correctness.
 */
export class Notifier {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Called after a local commit; also what a PostgreSQL NOTIFY from another replica turns into. */
  changed(taskIds: readonly string[]): void {
    for (const id of taskIds) this.emitter.emit(`task:${id}`);
    this.emitter.emit('ledger');
  }

  /** Principals changed on this replica (their caches drop what they hold). */
  principalsChanged(): void {
    this.emitter.emit('principals');
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

  /**
   * A message from another replica (the store's `listen`): wake the waiters of the tasks it names,
   * or drop cached principals. An unreadable message wakes everyone (waiters re-check anyway).
   */
  received(payload: string): void {
    try {
      const { taskIds, principals } = JSON.parse(payload) as { taskIds?: string[]; principals?: boolean };
      if (principals) this.emitter.emit('principals');
      else this.changed(taskIds ?? []);
    } catch {
      this.emitter.emit('principals');
      this.changed([]);
    }
  }

  async close(): Promise<void> {
    this.emitter.emit('ledger');
  }
}
