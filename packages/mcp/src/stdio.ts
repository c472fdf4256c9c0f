import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { McpHumanOSClient } from './client.js';
import { HumanOSMcpError } from './errors.js';
import { createHumanOSMcpServer } from './server.js';

export interface RunStdioOptions {
  /** HumanOS base URL. Default: `HUMANOS_URL`, else `http://127.0.0.1:8787`. */
  baseUrl?: string;
  /** The agent's token. Default: `HUMANOS_API_KEY` (required). */
  apiKey?: string;
  /** Longest a `wait_for_decision` call waits, in seconds. Default: `HUMANOS_MCP_WAIT_SECONDS`, else 50. */
  waitSeconds?: number;
  /** Streams to speak MCP on. Default: this process's stdin/stdout. */
  stdin?: Readable;
  stdout?: Writable;
  /** Environment to read the defaults from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** A running stdio MCP server. */
export interface RunningMcp {
  /** Resolves when the client closes the connection (stdin ends). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the HumanOS MCP server over stdio (what `humanos mcp` and the `humanos-mcp` bin run). The
 * agent's token comes from `HUMANOS_API_KEY`; a missing token fails at once with `missing_api_key`.
 *
 * @example
 * // humanos-mcp, or from the CLI:  const mcp = await runStdio(); await mcp.closed;
 * const mcp = await runStdio({ baseUrl: 'https://humanos.example.com', apiKey: process.env.AGENT_TOKEN });
 */
export async function runStdio(opts: RunStdioOptions = {}): Promise<RunningMcp> {
  const env = opts.env ?? process.env;
  const apiKey = opts.apiKey ?? env.HUMANOS_API_KEY;
  if (!apiKey) {
    throw new HumanOSMcpError('missing_api_key', 'set HUMANOS_API_KEY to the agent token HumanOS issued');
  }
  const waitSeconds = opts.waitSeconds ?? (env.HUMANOS_MCP_WAIT_SECONDS ? Number(env.HUMANOS_MCP_WAIT_SECONDS) : 50);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 1) {
    throw new HumanOSMcpError('invalid_arguments', `waitSeconds must be a positive number, not ${waitSeconds}`);
  }
  const client = new McpHumanOSClient({ baseUrl: opts.baseUrl ?? env.HUMANOS_URL, apiKey });
  const server = createHumanOSMcpServer({ client, waitSeconds });
  const transport = new StdioServerTransport(opts.stdin, opts.stdout);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = chain(server.server.onclose, resolve);
  });
  await server.connect(transport);
  // Say early (on stderr; stdout is the protocol) when the token is refused, rather than at the first call.
  void client
    .me()
    .catch((e: Error) => process.stderr.write(`humanos-mcp: HumanOS did not accept the token: ${e.message}\n`));
  (opts.stdin ?? process.stdin).once('end', () => void server.close());
  return { closed, close: () => server.close() };
}

function chain(first: (() => void) | undefined, then: () => void): () => void {
  return () => {
    first?.();
    then();
  };
}
