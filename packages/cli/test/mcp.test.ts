import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestServer, type TestServer } from '../../../test-support/harness.js';

/** `humanos mcp` serves the HumanOS MCP server on stdio, with the agent's token (the MCP package tests the tools). */
describe('humanos mcp', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t?.close());

  it('lists the approval tools to an MCP client over stdio, and a request needs a human', async () => {
    const agent = await t.principal('did:agent:cli-mcp', []);
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(REPO_ROOT, 'packages/cli/dist/main.js'), 'mcp', '--url', t.url],
        env: { PATH: process.env.PATH ?? '', HUMANOS_API_KEY: agent.token as string },
        stderr: 'pipe',
      }),
    );
    try {
      const tools = (await client.listTools()).tools.map((x) => x.name);
      expect(tools).toEqual(expect.arrayContaining(['request_approval', 'wait_for_decision', 'get_task']));
      expect(tools.some((n) => /approve|reject|decide/.test(n))).toBe(false);
      const r = await client.callTool({
        name: 'request_approval',
        arguments: { description: 'Delete the staging bucket', payload: { bucket: 'staging' } },
      });
      expect(r.isError).toBeFalsy();
      const tasks = (await agent.get('/tasks')).body.items as { status: string }[];
      expect(tasks[0]?.status).toBe('awaiting_approval');
    } finally {
      await client.close();
    }
  });
});
