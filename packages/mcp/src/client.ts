import { type ClientOptions, HumanOSApiError, HumanOSClient, type HumanOSErrorCode } from '@human/sdk';

const PREFIX = '/v1/humanos';

/** What `POST /tasks/{id}/heartbeat` answers. */
export interface HeartbeatAnswer {
  taskId: string;
  status: string;
  /** `wait` while a human reviews a low-confidence pause; `continue` otherwise. */
  action: 'wait' | 'continue';
  leaseExpiresAt: string;
  approvalRequest?: { id: string; status: string; reason?: string | null; [k: string]: unknown };
}

/** One ledger entry of a task, as `GET /tasks/{id}/history` shows it. */
export interface HistoryEvent {
  index: number;
  type: string;
  at: string | null;
  actor: string | null;
  approvalId: string | null;
  /** The entry's bytes hash to a leaf whose inclusion proof reaches the latest signed checkpoint. */
  verified: boolean;
}

/**
 * The `@human/sdk` client plus the few REST calls the MCP tools need that the SDK does not expose
 * as methods (the executor's heartbeat and a task's verified ledger history), and the server's clock
 * as last seen (the `x-humanos-time` header), which the gateway uses to age finished calls.
 *
 * @example
 * const client = new McpHumanOSClient({ baseUrl: 'http://127.0.0.1:8787', apiKey: process.env.HUMANOS_API_KEY });
 * await client.heartbeat(taskId, { leaseId, confidence: 0.7, progress: 'migrated 3 of 5 tables' });
 */
export class McpHumanOSClient extends HumanOSClient {
  private readonly token: string | undefined;
  private readonly rawFetch: typeof fetch;
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
    this.rawFetch = observing;
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

  /** Extends the execution lease and reports confidence/progress; low confidence may pause the task. */
  heartbeat(
    taskId: string,
    body: { leaseId: string; confidence?: number; progress?: string; leaseSeconds?: number },
  ): Promise<HeartbeatAnswer> {
    return this.call('POST', `/tasks/${encodeURIComponent(taskId)}/heartbeat`, body);
  }

  /** The task's ledger entries, each checked by the server against the latest signed checkpoint. */
  history(taskId: string): Promise<{ taskId: string; checkpointSize: number; events: HistoryEvent[] }> {
    return this.call('GET', `/tasks/${encodeURIComponent(taskId)}/history`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.rawFetch(`${this.baseUrl}${PREFIX}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new HumanOSApiError('network_error', 0, `${method} ${path}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    throw new HumanOSApiError(
      String(parsed?.code ?? `http_${res.status}`) as HumanOSErrorCode,
      res.status,
      String(parsed?.detail ?? `${method} ${path} answered ${res.status}`),
      parsed as never,
    );
  }
}
