/** A worker process: claims approved tasks its capabilities cover and runs them. */
import { type ClaimOptions, LONG_POLL_SECONDS } from './execution.js';
import { sleep } from './transport.js';
import type { Execution, ExecutionHandler } from './types.js';

/** What a worker needs of a client: `HumanOSClient` is one. */
export interface WorkerClient {
  claim(capabilities: string[], opts?: ClaimOptions): Promise<Execution[]>;
  runExecution(execution: Execution, handler: ExecutionHandler, leaseSeconds?: number): Promise<unknown>;
}

export interface WorkerOptions {
  capabilities: string[];
  handler: ExecutionHandler;
  /** Handlers running at once. Default 1. */
  concurrency?: number;
  /**
   * How long one claim waits on the server for work, in seconds (1–60): an idle worker makes one
   * request per this many seconds, and picks up new work as soon as it is approved. Default 30.
   */
  claimWaitSeconds?: number;
  /**
   * Pause after a claim that failed, or that came back empty before its wait was over (an older
   * server without the claim long-poll, or one stopping), in ms. Default 500.
   */
  pollMs?: number;
  leaseSeconds?: number;
  onError?: (e: unknown) => void;
}

/**
 * A worker process: claims approved tasks its capabilities cover and runs them, `concurrency` at a
 * time; `stop()` lets running handlers finish and claims nothing more. Its principal needs the
 * `executor` role.
 *
 * Idle, it does not poll: each claim is a long-poll (`claimWaitSeconds`) that the server answers as
 * soon as work appears. With every slot busy it makes no request until a handler finishes.
 *
 * @example
 * const worker = new Worker(client, { capabilities: ['accounting'], handler: (payload) => pay(payload) });
 * worker.start();
 * process.on('SIGTERM', () => worker.stop());
 */
export class Worker {
  private running = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Aborts the claim in flight when the worker stops (a long-poll would otherwise hold `stop()`). */
  private readonly stopped = new AbortController();
  /** Resolves the loop's wait for a free slot. */
  private slotFreed: (() => void) | undefined;

  constructor(
    private readonly client: WorkerClient,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const free = (this.opts.concurrency ?? 1) - this.running;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      const asked = Date.now();
      const claimed = await this.claimFree(free);
      for (const execution of claimed) this.launch(execution);
      if (claimed.length > 0 || this.stopping) continue;
      // Empty long before the wait was over: not a long-poll answer (an error, an older server
      // answering at once, a server stopping). Pause rather than ask again at once.
      if (Date.now() - asked < (this.waitSeconds() * 1000) / 2) {
        await sleep(this.opts.pollMs ?? 500, this.stopped.signal).catch(() => {});
      }
    }
  }

  private waitSeconds(): number {
    return this.opts.claimWaitSeconds ?? LONG_POLL_SECONDS;
  }

  private async claimFree(free: number): Promise<Execution[]> {
    try {
      return await this.client.claim(this.opts.capabilities, {
        limit: free,
        waitSeconds: this.waitSeconds(),
        signal: this.stopped.signal,
        ...(this.opts.leaseSeconds ? { leaseSeconds: this.opts.leaseSeconds } : {}),
      });
    } catch (e) {
      if (!this.stopping) this.opts.onError?.(e);
      return [];
    }
  }

  private launch(execution: Execution): void {
    this.running += 1;
    const job: Promise<unknown> = this.client
      .runExecution(execution, this.opts.handler, this.opts.leaseSeconds ?? 60)
      .catch((e) => this.opts.onError?.(e))
      .finally(() => {
        this.running -= 1;
        this.inFlight.delete(job);
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
    this.inFlight.add(job);
  }

  /**
   * Graceful shutdown: no new claims (the one waiting is abandoned: the server claims nothing for a
   * client that left, and a task claimed in the very instant it left is claimable again when its lease
   * runs out); resolves when running handlers have finished.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.slotFreed?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }
}
