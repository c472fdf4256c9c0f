import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { REPO_ROOT } from '../../../test-support/harness.js';

export const STDIO_BIN = join(REPO_ROOT, 'packages/mcp/dist/bin/stdio.js');
export const GATEWAY_BIN = join(REPO_ROOT, 'packages/mcp/dist/bin/gateway.js');
export const UPSTREAM_FIXTURE = join(REPO_ROOT, 'packages/mcp/test/fixtures/upstream.mjs');

export const suffix = () => randomBytes(4).toString('hex');

export type TransportKind = 'stdio' | 'http';

/** The environment a spawned MCP process gets: this one's, plus the given variables. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

/** An MCP client (the official SDK's) connected to HumanOS over stdio (the built bin) or Streamable HTTP. */
export async function connectHumanOS(kind: TransportKind, url: string, token: string | undefined): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  if (kind === 'stdio') {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [STDIO_BIN],
        env: childEnv({ HUMANOS_URL: url, HUMANOS_API_KEY: token ?? '', HUMANOS_MCP_WAIT_SECONDS: '5' }),
        stderr: 'pipe',
      }),
    );
  } else {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
  }
  return client;
}

/** Calls a tool and returns its structured content, failing the test on a tool error. */
// biome-ignore lint/suspicious/noExplicitAny: test answers are inspected freely
export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent;
}

/** The text of a tool result. */
export function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Polls until `check` returns a value or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
