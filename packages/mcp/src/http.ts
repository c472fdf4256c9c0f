import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HumanOSApiError } from '@human/sdk';
import { ERROR_STATUS, type ErrorCode } from '@humanos/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { McpHumanOSClient } from './client.js';
import { createHumanOSMcpServer } from './server.js';
import { MCP_SESSION_DEFAULTS, type SessionRefusal, SessionTable, type TrackedSession } from './sessions.js';

export interface McpHttpOptions {
  /** Where HumanOS's REST API is, or how to find it from the request (e.g. the server's own address). */
  baseUrl: string | ((req: IncomingMessage) => string);
  /** Longest a `wait_for_decision` call waits, in seconds. Default 50. */
  waitSeconds?: number;
  /** A session with no request for this long is closed. Default 300 s. */
  sessionIdleSeconds?: number;
  /** Open sessions at most; more initializations get 503. Default 1000. */
  maxSessions?: number;
  /** Open sessions one principal may hold; one more initialization gets 429 `too_many_mcp_sessions`. Default 8. */
  maxSessionsPerPrincipal?: number;
  /** The clock idle lifetimes are measured on (ms since the epoch); the server passes its own. Default `Date.now`. */
  now?: () => number;
  fetch?: typeof fetch;
}

interface Session extends TrackedSession {
  id: string;
  tokenHash: string;
  server: McpServer;
  transport: StreamableHTTPServerTransport;
}

/** A principal as `GET /me` shows it. */
interface Me {
  id: string;
  roles: string[];
}

const AUTH_CACHE_MS = 10_000;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** A JSON-RPC error answer at the HTTP level (before any MCP session is involved). */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message }, id: null }));
}

/**
 * A session cap reached, as RFC 9457 problem+json with a stable code (the REST API's shape):
 * `429 too_many_mcp_sessions` when this principal holds its share (others are unaffected), `503
 * unavailable` when the process holds its total. `Retry-After` is when the first of the counted
 * sessions will have been idle long enough to be reaped.
 */
function refuseSession(req: IncomingMessage, res: ServerResponse, who: string, r: SessionRefusal): void {
  const [code, detail]: [ErrorCode, string] =
    r.kind === 'principal'
      ? [
          'too_many_mcp_sessions',
          `${who} already holds ${r.held} open MCP sessions (the limit is ${r.limit}); close one (HTTP DELETE with its mcp-session-id) or reuse it`,
        ]
      : ['unavailable', `this server holds ${r.held} open MCP sessions (its limit); try again later`];
  const status = ERROR_STATUS[code];
  res.writeHead(status, { 'content-type': 'application/problem+json', 'retry-after': String(r.retryAfterSeconds) });
  res.end(
    JSON.stringify({
      type: `urn:humanos:problem:${code}`,
      title: code.replaceAll('_', ' '),
      status,
      code,
      detail,
      instance: req.url ?? '/mcp',
      limit: r.limit,
      retryAfterSeconds: r.retryAfterSeconds,
    }),
  );
}

/**
 * Streamable HTTP for the HumanOS MCP server. Each request must carry the agent's bearer token; the
 * token is checked against HumanOS (`GET /me`, cached for 10 s) and every tool call is made over REST
 * with that same token, so authorisation is exactly the REST API's. A session belongs to the token
 * that opened it: another token gets 404 for it. Sessions live in this process (use sticky routing
 * with several replicas; a client that gets 404 re-initializes, as the MCP spec says). Each principal
 * may hold `maxSessionsPerPrincipal` sessions (one more initialization is `429
 * too_many_mcp_sessions`), the process `maxSessions`, and a session idle for `sessionIdleSeconds`
 * (on the `now` clock) is closed.
 *
 * @example
 * const mcp = new McpHttpHandler({ baseUrl: 'http://127.0.0.1:8787' });
 * http.createServer((req, res) => void mcp.handle(req, res)).listen(3000);
 */
export class McpHttpHandler {
  private readonly sessions: SessionTable<Session>;
  private readonly authCache = new Map<string, { me: Me; until: number }>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: McpHttpOptions) {
    this.now = opts.now ?? Date.now;
    const limits = {
      idleSeconds: opts.sessionIdleSeconds ?? MCP_SESSION_DEFAULTS.idleSeconds,
      maxSessions: opts.maxSessions ?? MCP_SESSION_DEFAULTS.maxSessions,
      maxSessionsPerPrincipal: opts.maxSessionsPerPrincipal ?? MCP_SESSION_DEFAULTS.maxSessionsPerPrincipal,
      now: this.now,
    };
    this.sessions = new SessionTable<Session>(limits, (s) => void s.server.close().catch(() => {}));
    const every = Math.min(60_000, Math.max(1000, (limits.idleSeconds * 1000) / 4));
    this.sweeper = setInterval(() => this.sessions.reap(), every);
    this.sweeper.unref();
  }

  /** Open sessions (those being initialized included). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Handles one POST/GET/DELETE on the MCP endpoint; `parsedBody` when a framework already read it. */
  async handle(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    const token = bearer(req);
    if (!token) {
      return refuse(res, 401, 'a bearer token (the agent token HumanOS issued) is required', {
        'www-authenticate': 'Bearer realm="humanos"',
      });
    }
    const baseUrl = typeof this.opts.baseUrl === 'function' ? this.opts.baseUrl(req) : this.opts.baseUrl;
    let me: Me;
    try {
      me = await this.authenticate(baseUrl, token);
    } catch (e) {
      if (e instanceof HumanOSApiError && e.status === 401) {
        return refuse(res, 401, `HumanOS refused the token: ${e.message}`, {
          'www-authenticate': 'Bearer realm="humanos", error="invalid_token"',
        });
      }
      return refuse(res, 502, `HumanOS could not check the token: ${(e as Error).message}`);
    }
    const session = this.sessionFor(req, res, { tokenHash: sha256(token), principal: me.id }, baseUrl, parsedBody);
    if (!session) return;
    session.open += 1;
    session.lastSeen = this.now();
    res.once('close', () => {
      session.open -= 1;
      session.lastSeen = this.now();
      // An initialize request that did not open a session gives its reserved slot back.
      if (!session.id) {
        this.sessions.drop(session);
        void session.server.close().catch(() => {});
      }
    });
    Object.assign(req, { auth: { token, clientId: me.id, scopes: me.roles, extra: { principal: me.id } } });
    try {
      // A new session is connected here, after its slot was reserved (see sessionFor).
      if (!session.id) await session.server.connect(session.transport);
      await session.transport.handleRequest(req, res, parsedBody);
    } catch (e) {
      if (!res.headersSent) refuse(res, 500, `MCP transport failure: ${(e as Error).message}`);
      else res.destroy();
    }
  }

  /** Closes every session (on shutdown). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = this.sessions.takeAll();
    await Promise.allSettled(all.map((s) => s.server.close()));
  }

  private async authenticate(baseUrl: string, token: string): Promise<Me> {
    const key = sha256(`${baseUrl} ${token}`);
    const hit = this.authCache.get(key);
    if (hit && hit.until > Date.now()) return hit.me;
    const me = await this.client(baseUrl, token).me();
    if (this.authCache.size > 10_000) this.authCache.clear();
    this.authCache.set(key, { me: { id: me.id, roles: me.roles }, until: Date.now() + AUTH_CACHE_MS });
    return me;
  }

  private client(baseUrl: string, token: string): McpHumanOSClient {
    return new McpHumanOSClient({ baseUrl, apiKey: token, ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}) });
  }

  /**
   * The request's session; a new one (not yet connected) for an initialize request, when the
   * principal and the process are under their caps; undefined after answering a refusal. Synchronous
   * from the admission check to the reservation, so concurrent initializations cannot overshoot a cap.
   */
  private sessionFor(
    req: IncomingMessage,
    res: ServerResponse,
    owner: { tokenHash: string; principal: string },
    baseUrl: string,
    body: unknown,
  ): Session | undefined {
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const s = this.sessions.get(id);
      // Another token's session is as unknown as a closed (or reaped) one.
      if (s && s.tokenHash === owner.tokenHash) return s;
      refuse(res, 404, 'session not found: initialize a new session');
      return undefined;
    }
    const initializing =
      req.method === 'POST' && (Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body));
    if (!initializing) {
      refuse(res, 400, 'no mcp-session-id: send an initialize request first');
      return undefined;
    }
    const refusal = this.sessions.admit(owner.principal);
    if (refusal) {
      refuseSession(req, res, owner.principal, refusal);
      return undefined;
    }
    const session = this.create(owner, baseUrl);
    this.sessions.reserve(session);
    return session;
  }

  /** A new session object: its transport registers it in the table once the client initialized it. */
  private create(owner: { tokenHash: string; principal: string }, baseUrl: string): Session {
    const server = createHumanOSMcpServer({
      client: (extra) => this.client(baseUrl, extra.authInfo?.token ?? ''),
      ...(this.opts.waitSeconds ? { waitSeconds: this.opts.waitSeconds } : {}),
    });
    const session: Session = {
      id: '',
      ...owner,
      server,
      transport: undefined as never,
      lastSeen: this.now(),
      open: 0,
    };
    session.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session.id = id;
        this.sessions.activate(id, session);
      },
      onsessionclosed: (id) => this.sessions.drop(session, id),
    });
    session.transport.onclose = () => this.sessions.drop(session, session.id);
    return session;
  }
}

const shared = new Map<string, McpHttpHandler>();

/**
 * Handles a Streamable HTTP request with a handler shared per base URL: the bearer token of the
 * request is the agent's HumanOS token, and a client is built for it per request.
 *
 * @example
 * // fastify
 * app.all('/mcp', async (req, reply) => {
 *   reply.hijack();
 *   await handleMcpHttp(req.raw, reply.raw, { baseUrl: 'http://127.0.0.1:8787', parsedBody: req.body });
 * });
 */
export function handleMcpHttp(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { baseUrl: string; parsedBody?: unknown; waitSeconds?: number },
): Promise<void> {
  let handler = shared.get(opts.baseUrl);
  if (!handler) {
    handler = new McpHttpHandler({
      baseUrl: opts.baseUrl,
      ...(opts.waitSeconds ? { waitSeconds: opts.waitSeconds } : {}),
    });
    shared.set(opts.baseUrl, handler);
  }
  return handler.handle(req, res, opts.parsedBody);
}
