import type { Readable, Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type ServerCapabilities,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { McpHumanOSClient } from '../client.js';
import type { Extra } from '../context.js';
import { HumanOSMcpError } from '../errors.js';
import { toolError } from '../results.js';
import { VERSION } from '../server.js';
import { GatedCalls } from './calls.js';
import { type GatewayConfig, loadGatewayConfig, normalizeToolName, parseGatewayConfig, planFor } from './config.js';

/** The MCP server behind the gateway: a command to start (stdio), or a Streamable HTTP URL. */
export type UpstreamSpec =
  | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { url: string; headers?: Record<string, string> };

/** Environment variables the upstream server never sees: the gateway's HumanOS credentials. */
const PRIVATE_ENV = ['HUMANOS_API_KEY', 'HUMANOS_ADMIN_TOKEN'];

/**
 * Connects an MCP client to the upstream server. A stdio upstream inherits this process's
 * environment without the HumanOS token, so the server behind the gateway cannot act on HumanOS.
 */
export async function connectUpstream(upstream: UpstreamSpec): Promise<Client> {
  const client = new Client({ name: 'humanos-gateway', version: VERSION }, { capabilities: {} });
  if ('url' in upstream) {
    const headers = upstream.headers ?? {};
    await client.connect(new StreamableHTTPClientTransport(new URL(upstream.url), { requestInit: { headers } }));
    return client;
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !PRIVATE_ENV.includes(k)) env[k] = v;
  await client.connect(
    new StdioClientTransport({
      command: upstream.command,
      args: upstream.args ?? [],
      env: { ...env, ...(upstream.env ?? {}) },
      stderr: 'inherit',
      ...(upstream.cwd ? { cwd: upstream.cwd } : {}),
    }),
  );
  return client;
}

export interface GatewayServerOptions {
  /** A connected client of the upstream MCP server. */
  upstream: Client;
  /** HumanOS, acting as the gateway's agent principal (it requests approval and executes). */
  humanos: McpHumanOSClient;
  config?: GatewayConfig;
}

/** The upstream's tools by name, refreshed on a miss so annotations are current. */
class ToolCache {
  private tools = new Map<string, Tool>();
  constructor(private readonly upstream: Client) {}

  remember(tools: Tool[]): void {
    for (const t of tools) this.tools.set(t.name, t);
  }

  /** Listed tools whose names differ from `name` only in case, white space or Unicode form. */
  lookalikes(name: string): string[] {
    const key = normalizeToolName(name);
    return [...this.tools.keys()].filter((n) => n !== name && normalizeToolName(n) === key);
  }

  async get(name: string): Promise<Tool | undefined> {
    if (!this.tools.has(name)) {
      let cursor: string | undefined;
      do {
        const page = await this.upstream.listTools(cursor ? { cursor } : {});
        this.remember(page.tools);
        cursor = page.nextCursor;
      } while (cursor);
    }
    return this.tools.get(name);
  }

  clear(): void {
    this.tools.clear();
  }
}

/** Passes a call straight through, relaying the upstream's progress to the client. */
function passThrough(upstream: Client, params: { name: string; arguments?: Record<string, unknown> }, extra: Extra) {
  const token = extra._meta?.progressToken;
  return upstream.callTool(params, undefined, {
    signal: extra.signal,
    timeout: 600_000,
    resetTimeoutOnProgress: true,
    ...(token === undefined
      ? {}
      : {
          onprogress: (p) =>
            void extra
              .sendNotification({ method: 'notifications/progress', params: { ...p, progressToken: token } })
              .catch(() => {}),
        }),
  }) as Promise<CallToolResult>;
}

/**
 * The answer to a call of a tool the upstream does not list under exactly that name: it is NOT run
 * and no task is made. An upstream might resolve `DELETE_FILE` or `"delete_file "` to `delete_file`
 * (or run a hidden `purge_all`), so such a name must never pass as an ungated tool; and a human
 * cannot judge a tool nobody described, so it is refused rather than put to one.
 */
function unknownTool(name: string, lookalikes: string[]): CallToolResult {
  const hint = lookalikes.length
    ? ` The upstream lists ${lookalikes.map((n) => JSON.stringify(n)).join(', ')}: call it by that exact name.`
    : ' Call one of the tools tools/list shows, by its exact name.';
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `HumanOS gateway: the upstream lists no tool named ${JSON.stringify(name)}, so the call was NOT run.${hint}`,
      },
    ],
    _meta: { 'humanos/status': 'unknown_tool' },
  };
}

/** Resources and prompts of the upstream, passed through unchanged when it has them. */
function proxyExtras(server: Server, upstream: Client, caps: ServerCapabilities): void {
  if (caps.resources) {
    server.setRequestHandler(ListResourcesRequestSchema, (req) => upstream.listResources(req.params));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, (req) => upstream.listResourceTemplates(req.params));
    server.setRequestHandler(ReadResourceRequestSchema, (req) => upstream.readResource(req.params));
  }
  if (caps.prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, (req) => upstream.listPrompts(req.params));
    server.setRequestHandler(GetPromptRequestSchema, (req) => upstream.getPrompt(req.params));
  }
}

/**
 * The approval gateway as an MCP server: `tools/list` is the upstream's, unchanged; `tools/call` of
 * a name the upstream does not list exactly is refused (never run); of a tool the config gates
 * (rules compare normalized names, see {@link planFor}) becomes a HumanOS task and runs upstream
 * only as approved (see {@link GatedCalls}); any other call passes straight through.
 *
 * @example
 * const upstream = await connectUpstream({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv'] });
 * const server = createGatewayServer({ upstream, humanos: new McpHumanOSClient(), config: { default: 'destructive' } });
 * await server.connect(new StdioServerTransport());
 */
export function createGatewayServer(opts: GatewayServerOptions): Server {
  const { upstream, humanos } = opts;
  const config = opts.config ?? {};
  const caps = upstream.getServerCapabilities() ?? {};
  const server = new Server(
    { name: 'humanos-gateway', version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        ...(caps.resources ? { resources: {} } : {}),
        ...(caps.prompts ? { prompts: {} } : {}),
      },
      ...(upstream.getInstructions() ? { instructions: upstream.getInstructions() } : {}),
    },
  );
  const tools = new ToolCache(upstream);
  const gated = new GatedCalls(humanos, upstream, config);
  server.setRequestHandler(ListToolsRequestSchema, async (req) => {
    const page = await upstream.listTools(req.params);
    tools.remember(page.tools);
    return page;
  });
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const { name } = req.params;
    const args = req.params.arguments ?? {};
    try {
      const tool = await tools.get(name);
      if (!tool) return unknownTool(name, tools.lookalikes(name));
      const plan = planFor(config, name, tool);
      if (!plan) return await passThrough(upstream, { name, arguments: args }, extra);
      return await gated.call({ name, arguments: args, meta: req.params._meta }, plan, tool?.description, extra);
    } catch (e) {
      return toolError(e);
    }
  });
  upstream.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    tools.clear();
    await server.sendToolListChanged().catch(() => {});
  });
  proxyExtras(server, upstream, caps);
  return server;
}

export interface RunGatewayOptions {
  upstream: UpstreamSpec;
  /** The gateway config, or the path of its JSON file. Default: `HUMANOS_GATEWAY_CONFIG`, else gate destructive tools. */
  config?: GatewayConfig | string;
  /** HumanOS base URL. Default `HUMANOS_URL`. */
  baseUrl?: string;
  /** The gateway's agent token. Default `HUMANOS_API_KEY` (required). */
  apiKey?: string;
  stdin?: Readable;
  stdout?: Writable;
}

/** A running gateway. */
export interface RunningGateway {
  /** Resolves when the client or the upstream closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

function resolveConfig(config: GatewayConfig | string | undefined): GatewayConfig {
  if (typeof config === 'string') return loadGatewayConfig(config);
  if (config) return parseGatewayConfig(config);
  const path = process.env.HUMANOS_GATEWAY_CONFIG;
  return path ? loadGatewayConfig(path) : {};
}

/**
 * Runs the approval gateway on stdio (what `humanos mcp-gateway -- <command>` and the
 * `humanos-mcp-gateway` bin run): starts or connects the upstream MCP server and serves its tools,
 * gated by `config`, to the MCP client on this process's stdin/stdout.
 *
 * @example
 * const gw = await runGateway({ upstream: { command: 'node', args: ['files-server.js'] }, config: 'gateway.json' });
 * await gw.closed;
 */
export async function runGateway(opts: RunGatewayOptions): Promise<RunningGateway> {
  const apiKey = opts.apiKey ?? process.env.HUMANOS_API_KEY;
  if (!apiKey) throw new HumanOSMcpError('missing_api_key', 'set HUMANOS_API_KEY to the gateway agent token');
  const config = resolveConfig(opts.config);
  const humanos = new McpHumanOSClient({ baseUrl: opts.baseUrl ?? process.env.HUMANOS_URL, apiKey });
  let upstream: Client;
  try {
    upstream = await connectUpstream(opts.upstream);
  } catch (e) {
    throw new HumanOSMcpError(
      'upstream_failed',
      `cannot start or reach the upstream MCP server: ${(e as Error).message}`,
    );
  }
  const server = createGatewayServer({ upstream, humanos, config });
  let done!: () => void;
  const closed = new Promise<void>((resolve) => {
    done = resolve;
  });
  const close = async () => {
    await Promise.allSettled([server.close(), upstream.close()]);
    done();
  };
  server.onclose = () => void close();
  upstream.onclose = () => void close();
  await server.connect(new StdioServerTransport(opts.stdin, opts.stdout));
  (opts.stdin ?? process.stdin).once('end', () => void close());
  return { closed, close };
}
