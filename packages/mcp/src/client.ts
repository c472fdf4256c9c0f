import { type ClientOptions, type HeartbeatResult, HumanOSClient, type TaskHistory } from '@human/sdk';

/** What `POST /tasks/{id}/heartbeat` answers (the SDK's type). */
export type HeartbeatAnswer = HeartbeatResult;

/** One ledger entry of a task, as `GET /tasks/{id}/history` shows it (the SDK's type). */
export type HistoryEvent = TaskHistory['events'][number];

/**
 * The `@human/sdk` client plus the server's clock as last seen (the `x-humanos-time` header), which
 * the gateway uses to age finished calls, and the two calls the MCP tools use under their own names.
 *
 * @example
 * const client = new McpHumanOSClient({ baseUrl: 'http://127.0.0.1:8787', apiKey: process.env.HUMANOS_API_KEY });
 * await client.heartbeat(taskId, { leaseId, confidence: 0.7, progress: 'migrated 3 of 5 tables' });
 */
export class McpHumanOSClient extends HumanOSClient {
  private readonly token: string | undefined;
  private serverTime: { server: number; local: number } | undefined;

  constructor(opts: ClientOptions = {}) {
    const rawFetch = opts.fetch ?? fetch;
    const observing: typeof fetch = async (input, init) => {
      const res = await rawFetch(input, init);
      this?.observe(res);
      return res;
    };
    super({ ...opts, fetch: observing });
    this.token = opts.apiKey ?? process.env.HUMANOS_API_KEY;
  }

  private observe(res: Response): void {
    const t = Number(res.headers.get('x-humanos-time'));
    if (Number.isFinite(t) && t > 0) this.serverTime = { server: t, local: Date.now() };
  }

  /** The server's clock now, estimated from the last answer; the local clock before any answer. */
  serverNow(): number {
    if (!this.serverTime) return Date.now();
    return this.serverTime.server + (Date.now() - this.serverTime.local);
  }

  /** Whether this client carries a token at all. */
  get hasToken(): boolean {
    return Boolean(this.token);
  }

  /** The task's ledger entries, each checked by the server against the latest signed checkpoint. */
  history(taskId: string): Promise<TaskHistory> {
    return this.tasks.history(taskId);
  }
}
