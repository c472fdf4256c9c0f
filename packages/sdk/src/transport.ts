/**
 * HTTP transport: one place for the base URL, the bearer token, timeouts, retries, idempotency keys
 * and the mapping of error answers to {@link HumanOSApiError}.
 *
 * The retry and header rule is the same in the three SDKs (`sdks/conformance/cases.json` checks it):
 * - Only calls that are safe to repeat are retried: reads, and writes that carry an idempotency key
 *   (one key per call, reused by every retry of it, so the server sees one operation). A POST
 *   without a key is never retried; its error carries `retryAfterMs` so the caller decides.
 * - They are retried after no answer (network error) and `429/502/503/504`, at most `retries` times.
 *   `Retry-After` (seconds or an HTTP date) is waited out up to `maxRetryAfterMs`; a longer ask fails
 *   at once with the error and `retryAfterMs` set. Without one: exponential backoff with jitter.
 * - Every request carries `User-Agent: humanos-sdk-typescript/<version>` and its own `x-request-id`
 *   (the server adopts it as that request's id); an error's `requestId` is the server's
 *   `x-request-id`, else the problem's, else the one sent.
 */
import { randomUUID } from 'node:crypto';
import { apiError, HumanOSApiError, type Problem } from './errors.js';

export const API_PREFIX = '/v1/humanos';

/** This SDK's version (package.json's, checked by a test); sent in the `User-Agent`. */
export const SDK_VERSION = '0.1.0';
const USER_AGENT = `humanos-sdk-typescript/${SDK_VERSION}`;

export interface ClientOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8787`. Default: `HUMANOS_URL`, else that address. */
  baseUrl?: string;
  /** Bearer token. Default: `HUMANOS_API_KEY`. */
  apiKey?: string;
  /** Per-request timeout in ms (long-polls add their wait). Default 30 000. */
  timeoutMs?: number;
  /** Retries of safe requests (reads, writes with an idempotency key) after network errors and 429/502/503/504. Default 3. */
  retries?: number;
  /** Longest `Retry-After` the SDK waits out by itself, in ms. Default 30 000. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  /**
   * Where the largest checkpoint seen per log is kept (default: in memory). `ledger.checkedCheckpoint()`
   * and `ledger.verify()` require every newer log to extend it.
   */
  checkpointStore?: import('./ledger.js').CheckpointStore;
  /** The ledger key you trust (`did:key:…`); default: the one the server publishes. */
  trustedPublicKey?: string;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Safe to repeat after a network error or 429/502/503/504. Default: true when an idempotency key is
   * sent (the server replays the first answer to a repeated key).
   */
  retry?: boolean;
  /** Sends `Idempotency-Key`: the given key, or (with `true`) a fresh one reused by every retry. */
  idempotencyKey?: string | true | undefined;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Return the body as text instead of parsing JSON. */
  raw?: boolean;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/** Sleeps `ms`; rejects with the signal's reason if it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `?a=1&b=x` from the defined values, or `''`. */
export function query(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A path under the API prefix; every id is URL-encoded. */
export function path(strings: TemplateStringsArray, ...ids: string[]): string {
  return API_PREFIX + strings.reduce((acc, s, i) => acc + encodeURIComponent(ids[i - 1] as string) + s);
}

/** Parses `Retry-After` (delta-seconds or an HTTP date) into ms from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Every item of a cursor-paged list, fetching the next page (`page(cursor)`) only when the loop
 * reaches it; stops after the page without a `nextCursor`. Breaking out of the loop fetches no more.
 *
 * @example
 * for await (const task of paginate((cursor) => client.tasks.list({ cursor }))) console.log(task.id);
 */
export async function* paginate<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const got = await page(cursor);
    yield* got.items;
    cursor = got.nextCursor ?? undefined;
  } while (cursor);
}

/** Exponential backoff with jitter: ~200 ms, 400 ms, 800 ms … capped at 2 s. */
function backoff(attempt: number): number {
  return Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random());
}

export class Transport {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly apiKey: string | undefined;
  private readonly retries: number;
  private readonly maxRetryAfterMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? process.env.HUMANOS_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
    this.apiKey = opts.apiKey ?? process.env.HUMANOS_API_KEY;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 3;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /** Sends one call (with its retries) and returns the parsed body. */
  async request<T>(method: string, urlPath: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.response(method, urlPath, o);
    return (o.raw ? await res.text() : await res.json()) as T;
  }

  /**
   * Sends one call (with its retries, as `request`) and returns the OK response with its body unread,
   * for a caller that streams it (the ledger export). The timeout covers reading the body too.
   */
  async response(method: string, urlPath: string, o: RequestOptions = {}): Promise<Response> {
    const key = o.idempotencyKey === true ? randomUUID() : o.idempotencyKey;
    const headers = this.headers(o, key);
    const safe = o.retry ?? key !== undefined;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(method, urlPath, o, headers);
      if (!(outcome instanceof HumanOSApiError)) return outcome;
      const wait = this.retryDelay(outcome, safe, attempt);
      if (wait === undefined) throw outcome;
      await sleep(wait, o.signal);
    }
  }

  /**
   * Opens a server-sent event stream (no timeout, no retries: the caller reconnects). Resolves with
   * the streaming response, or rejects with the error it amounts to.
   */
  async openStream(urlPath: string, signal: AbortSignal): Promise<Response> {
    const headers = { ...this.headers({}, undefined), accept: 'text/event-stream', 'x-request-id': randomUUID() };
    const res = await this.fetchImpl(`${this.baseUrl}${urlPath}`, { method: 'GET', headers, signal });
    if (!res.ok || !res.body) throw errorFromResponse('GET', urlPath, res, await res.text(), headers['x-request-id']);
    return res;
  }

  private headers(o: RequestOptions, key: string | undefined): Record<string, string> {
    return {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
      ...o.headers,
    };
  }

  /** The ms to wait before the next attempt, or undefined to give up with this error. */
  private retryDelay(e: HumanOSApiError, safe: boolean, attempt: number): number | undefined {
    if (!safe || attempt >= this.retries) return undefined;
    if (!(e.code === 'network_error' || RETRY_STATUSES.has(e.status))) return undefined;
    const asked = e.retryAfterMs;
    if (asked === undefined) return backoff(attempt + 1);
    return asked <= this.maxRetryAfterMs ? asked : undefined;
  }

  /** One HTTP exchange: the OK response, or the error it amounts to. Caller aborts are rethrown. */
  private async attempt(
    method: string,
    urlPath: string,
    o: RequestOptions,
    callHeaders: Record<string, string>,
  ): Promise<Response | HumanOSApiError> {
    const headers = { ...callHeaders, 'x-request-id': randomUUID() };
    const signals = [AbortSignal.timeout(o.timeoutMs ?? this.timeoutMs)];
    if (o.signal) signals.push(o.signal);
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${urlPath}`, {
        method,
        headers,
        body: o.body !== undefined ? JSON.stringify(o.body) : null,
        signal: AbortSignal.any(signals),
      });
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason ?? e;
      const why = e instanceof Error ? e.message : String(e);
      const requestId = headers['x-request-id'];
      return new HumanOSApiError('network_error', 0, `${method} ${urlPath}: ${why}`, { cause: e, requestId });
    }
    if (res.ok) return res;
    return errorFromResponse(method, urlPath, res, await res.text(), headers['x-request-id']);
  }
}

/**
 * Maps an error answer to a {@link HumanOSApiError}: problem+json when it is one, `http_<n>` else.
 * Its `requestId` is the server's (header, else body), else `sentRequestId`.
 */
export function errorFromResponse(
  method: string,
  urlPath: string,
  res: Response,
  text: string,
  sentRequestId?: string,
): HumanOSApiError {
  let problem: Problem | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as Problem).code === 'string')
      problem = parsed as Problem;
  } catch {
    problem = undefined;
  }
  return apiError(
    problem?.code ?? `http_${res.status}`,
    res.status,
    problem?.detail ?? `${method} ${urlPath} answered ${res.status}`,
    {
      problem,
      requestId: res.headers.get('x-request-id') ?? problem?.requestId ?? sentRequestId,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    },
  );
}

/** The default idempotency key maker, exported for callers that want to persist a key before a call. */
export function newIdempotencyKey(): string {
  return randomUUID();
}
