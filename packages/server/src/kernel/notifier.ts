/**
 * Waiters woken per turn of the event loop. Waking thousands at once (one decision that 2 000
 * long-polls wait on) would run all their re-reads back to back and hold every other request for
 * seconds; in slices, `/healthz` and the rest are served between them.
 */
export const WAKE_BATCH = 32;

/**
 * The longest a long-poll sleeps without a hint before it looks at the store again. Hints come from
 * this process's commits and other replicas' NOTIFY, and a dropped LISTEN connection wakes everyone
 * when it reconnects, so this look only catches what changed outside them (and bounds the cost of a
 * lost hint); it is a cheap read.
 */
export const RECHECK_MS = 5000;

/**
 * How long to sleep before the next look: `RECHECK_MS`, jittered (±20 %) so waiters that started
 * together do not look together, and never past the `left` ms of the caller's deadline.
 *
 * @example
 * await watch.next(recheckDelay(deadline - Date.now()), signal);
 */
export function recheckDelay(left: number): number {
  return Math.max(0, Math.min(left, RECHECK_MS * (0.8 + Math.random() * 0.4)));
}

type Waiter = () => void;

/** Changes to some keys, watched across several reads of the store (`Notifier.watch`). */
export interface Watch {
  /** Resolves once a watched key was woken since the last call (at once if it already was), after `ms`, or on abort. */
  next(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops watching; a pending `next()` resolves. */
  close(): void;
}

/**
 * Wake-up hints for waiters (long-poll, SSE). A hint is never the source of truth: every waiter
 * re-reads the store when woken and also on a poll interval, so a lost hint (a dropped LISTEN
 * connection, a replica that started late) costs latency, never correctness.
 *
 * Wake-ups are delivered in slices of `WAKE_BATCH` per event-loop turn. On shutdown (`close`) every
 * waiter is woken and `stopping` aborts, so long-polls answer with what they have and streams end.
 *
 * @example
 * await notifier.waitForAny([`task:${taskId}`], 1000, signal); // woken by a commit touching the task
 */
export class Notifier {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly due: Waiter[] = [];
  private scheduled = false;
  private readonly principalFns: (() => void)[] = [];
  private readonly changeFns: ((taskIds: readonly string[]) => void)[] = [];
  private readonly stop = new AbortController();
  private ledgerVersion = 0;

  /** Aborts when the server begins to shut down: waiters answer at once and streams end. */
  get stopping(): AbortSignal {
    return this.stop.signal;
  }

  /** Grows on every ledger change this process hears of; a stream with nothing new skips its query. */
  get version(): number {
    return this.ledgerVersion;
  }

  /** Called after a local commit; also what a PostgreSQL NOTIFY from another replica turns into. */
  changed(taskIds: readonly string[]): void {
    for (const id of taskIds) this.wake(`task:${id}`);
    this.ledgerVersion++;
    this.wake('ledger');
    if (taskIds.length > 0) for (const fn of this.changeFns) fn(taskIds);
  }

  /**
   * Calls `fn` with the task ids of every change this process hears of (its own commits and other
   * replicas' notices), for waiters whose condition is not one task (claimable work).
   */
  onChanged(fn: (taskIds: readonly string[]) => void): void {
    this.changeFns.push(fn);
  }

  /**
   * Resolves when any of `keys` is woken (`wake`), after `ms`, or when `signal` aborts. Keys are
   * free-form names agreed between a waiter and whoever wakes it (e.g. `claim:<capability key>`).
   */
  waitForAny(keys: readonly string[], ms: number, signal?: AbortSignal): Promise<void> {
    return this.waitFor(keys, ms, signal);
  }

  /** Principals changed on this replica (their caches drop what they hold). */
  principalsChanged(): void {
    for (const fn of this.principalFns) fn();
  }

  /** Calls `fn` whenever principals change on another replica (this one's own changes are handled where made). */
  onPrincipalsChanged(fn: () => void): void {
    this.principalFns.push(fn);
  }

  waitForLedger(ms: number, signal?: AbortSignal): Promise<void> {
    return this.waitFor(['ledger'], ms, signal);
  }

  /** How many waiters are registered (for metrics and tests). */
  get waiting(): number {
    // A waiter on several keys (a claim long-poll) is one waiter.
    const all = new Set<Waiter>();
    for (const s of this.waiters.values()) for (const w of s) all.add(w);
    return all.size;
  }

  /**
   * Watches `keys` from now until `close()`: `next()` resolves at once if one of them was woken since
   * the watch began (or since the last `next()`), else when one is, after `ms`, or when `signal`
   * aborts. Start watching *before* reading the store: a change committed while the read runs then
   * wakes the `next()` that follows it, where a waiter registered after the read would sleep through
   * it until its next look at the store.
   *
   * @example
   * const watch = notifier.watch([`task:${taskId}`]);
   * try {
   *   let row = await readTask(taskId);
   *   while (!finished(row)) {
   *     await watch.next(recheckDelay(deadline - Date.now()), signal);
   *     row = await readTask(taskId);
   *   }
   * } finally {
   *   watch.close();
   * }
   */
  watch(keys: readonly string[]): Watch {
    let woken = false;
    let closed = false;
    let resume: (() => void) | undefined;
    // Stays registered for the watch's life: woken, it registers again at once, so a change during
    // the caller's re-read is caught by the next `next()` too.
    const hook: Waiter = () => {
      if (closed) return;
      woken = true;
      this.add(keys, hook);
      resume?.();
    };
    this.add(keys, hook);
    return {
      next: (ms, signal) => {
        if (woken || closed || this.stop.signal.aborted || signal?.aborted) {
          woken = false;
          return Promise.resolve();
        }
        return new Promise((resolve) => {
          let settled = false;
          const done = () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resume = undefined;
            woken = false;
            resolve();
          };
          resume = done;
          // A timeout wakes through the same slices as a hint: thousands of waiters that started
          // together time out together, and must not all run in one turn either.
          const timer = setTimeout(() => this.enqueue(done), Math.max(0, ms));
          signal?.addEventListener('abort', done, { once: true });
        });
      },
      close: () => {
        closed = true;
        resume?.();
        for (const key of keys) {
          const set = this.waiters.get(key);
          set?.delete(hook);
          if (set?.size === 0) this.waiters.delete(key);
        }
      },
    };
  }

  private add(keys: readonly string[], waiter: Waiter): void {
    for (const key of keys) {
      let set = this.waiters.get(key);
      if (!set) {
        set = new Set();
        this.waiters.set(key, set);
      }
      set.add(waiter);
    }
  }

  /** One wait: a watch that ends with its first `next()`. */
  private async waitFor(keys: readonly string[], ms: number, signal?: AbortSignal): Promise<void> {
    if (this.stop.signal.aborted || signal?.aborted) return;
    const watch = this.watch(keys);
    try {
      await watch.next(ms, signal);
    } finally {
      watch.close();
    }
  }

  /** Wakes the waiters of `key` (see `waitForAny`). */
  wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    this.waiters.delete(key);
    for (const w of set) this.due.push(w);
    this.schedule();
  }

  private enqueue(w: Waiter): void {
    this.due.push(w);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.due.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const w of this.due.splice(0, WAKE_BATCH)) w();
      this.schedule();
    });
  }

  /**
   * A message from another replica (the store's `listen`): wake the waiters of the tasks it names,
   * or drop cached principals. An unreadable message is treated as "anything may have changed".
   */
  received(payload: string): void {
    try {
      const { taskIds, principals } = JSON.parse(payload) as { taskIds?: string[]; principals?: boolean };
      if (principals) for (const fn of this.principalFns) fn();
      else this.changed(taskIds ?? []);
    } catch {
      this.resync();
    }
  }

  /** After a gap in the replicas' notices (LISTEN reconnected): drop caches and wake every waiter. */
  resync(): void {
    for (const fn of this.principalFns) fn();
    this.ledgerVersion++;
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }

  /** Shutdown: aborts `stopping` and wakes everyone, so no waiter holds the process open. */
  async close(): Promise<void> {
    this.stop.abort();
    this.resync();
  }
}
