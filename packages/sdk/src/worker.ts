/** A worker process: claims approved tasks its capabilities cover and runs them. */
import { sleep } from './transport.js';
import type { Execution, ExecutionHandler } from './types.js';

/** What a worker needs of a client: `HumanOSClient` is one. */
export interface WorkerClient {
  claim(capabilities: string[], opts?: { limit?: number; leaseSeconds?: number }): Promise<Execution[]>;
  runExecution(execution: Execution, handler: ExecutionHandler, leaseSeconds?: number): Promise<unknown>;
}

export interface WorkerOptions {
  capabilities: string[];
  handler: ExecutionHandler;
  /** Handlers running at once. Default 1. */
  concurrency?: number;
  /** Pause between claims when there was nothing to do, in ms. Default 500. */
  pollMs?: number;
  leaseSeconds?: number;
  onError?: (e: unknown) => void;
}

/**
 * A worker process: claims approved tasks its capabilities cover and runs them, `concurrency` at a
 * time; `stop()` lets running handlers finish and claims nothing more. Its principal needs the
 * `executor` role.
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

  constructor(
    private readonly client: WorkerClient,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const claimed = await this.claimFree();
      for (const execution of claimed) this.launch(execution);
      if (claimed.length === 0) await sleep(this.opts.pollMs ?? 500);
    }
  }

  private async claimFree(): Promise<Execution[]> {
    const free = (this.opts.concurrency ?? 1) - this.running;
    if (free <= 0) return [];
    try {
      return await this.client.claim(this.opts.capabilities, {
        limit: free,
        ...(this.opts.leaseSeconds ? { leaseSeconds: this.opts.leaseSeconds } : {}),
      });
    } catch (e) {
      this.opts.onError?.(e);
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
      });
    this.inFlight.add(job);
  }

  /** Graceful shutdown: no new claims; resolves when running handlers have finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }
}
