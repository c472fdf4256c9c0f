import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { connectUpstream, createGatewayServer, McpHumanOSClient } from '../src/index.js';
import { upstreamServer } from './fixtures/upstream.mjs';
import { eventually, suffix, textOf } from './helpers.js';

/** An upstream MCP server over Streamable HTTP (stateless), recording every call in memory. */
async function httpUpstream(record: (c: { tool: string; args: { path: string } }) => void): Promise<HttpServer> {
  const http = createServer(async (req, res) => {
    const server = upstreamServer(record);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return http;
}

for (const backend of backends()) {
  describe(`approval gateway with an HTTP upstream [${backend}]`, () => {
    let t: TestServer;
    let approver: Api;
    let agent: Api;
    let http: HttpServer;
    let upstream: Client;
    let gateway: Server;
    let client: Client;
    const ran: { tool: string; args: { path: string } }[] = [];

    beforeAll(async () => {
      t = await startTestServer(backend);
      approver = await t.principal(`did:human:ops-${suffix()}`, ['ops_lead']);
      agent = await t.principal(`did:agent:gw-http-${suffix()}`, []);
      http = await httpUpstream((c) => ran.push(c));
      upstream = await connectUpstream({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp` });
      gateway = createGatewayServer({
        upstream,
        humanos: new McpHumanOSClient({ baseUrl: t.url, apiKey: agent.token }),
        config: { default: 'destructive', approverRole: 'ops_lead', waitSeconds: 20 },
      });
      const [mine, theirs] = InMemoryTransport.createLinkedPair();
      await gateway.connect(theirs);
      client = new Client({ name: 'test-agent', version: '1.0.0' });
      await client.connect(mine);
    });
    afterAll(async () => {
      await client?.close();
      await upstream?.close();
      await new Promise((r) => http?.close(r));
      await t?.close();
    });

    it('gates the tool its annotations call destructive (no rule needed); the read-only one passes', async () => {
      const read = (await client.callTool({ name: 'read_file', arguments: { path: '/a' } })) as CallToolResult;
      expect(textOf(read)).toBe('contents of /a');
      expect(ran.map((c) => c.tool)).toEqual(['read_file']);
    });

    it('an approval that lands while the call waits answers that same call with the result', async () => {
      const pending = client.callTool({ name: 'delete_file', arguments: { path: '/b' } }) as Promise<CallToolResult>;
      const task = await eventually(async () => {
        const items = (await agent.get('/tasks')).body.items as { id: string; status: string }[];
        return items.find((x) => x.status === 'awaiting_approval');
      });
      expect(ran.filter((c) => c.tool === 'delete_file')).toHaveLength(0);
      const view = (await t.admin.get(`/tasks/${task.id}`)).body;
      const r = await approver.post(`/approvals/${view.approvals[0].id}/approve`, { approvalReason: 'ok' });
      expect(r.status).toBe(200);
      const out = await pending;
      expect(out.isError).toBeFalsy();
      expect(textOf(out)).toBe('deleted /b');
      const deleted = ran.filter((c) => c.tool === 'delete_file');
      expect(deleted).toMatchObject([{ tool: 'delete_file', args: { path: '/b' } }]);
      expect((await agent.get(`/tasks/${task.id}`)).body.status).toBe('completed');
    });

    it('a tool that answers with an error fails the task; a retry replays the failure and does not run again', async () => {
      const pending = client.callTool({
        name: 'delete_file',
        arguments: { path: '/readonly/x' },
      }) as Promise<CallToolResult>;
      const task = await eventually(async () => {
        const items = (await agent.get('/tasks')).body.items as { id: string; status: string }[];
        return items.find((x) => x.status === 'awaiting_approval');
      });
      const view = (await t.admin.get(`/tasks/${task.id}`)).body;
      expect(
        (await approver.post(`/approvals/${view.approvals[0].id}/approve`, { approvalReason: 'try' })).status,
      ).toBe(200);
      const out = await pending;
      expect(out.isError).toBe(true);
      expect(textOf(out)).toBe('permission denied');
      const failed = (await agent.get(`/tasks/${task.id}`)).body;
      expect(failed.status).toBe('failed');
      expect(failed.error.toolResult).toMatchObject({ isError: true, content: [{ text: 'permission denied' }] });
      const retry = (await client.callTool({
        name: 'delete_file',
        arguments: { path: '/readonly/x' },
      })) as CallToolResult;
      expect(retry.isError).toBe(true);
      expect(retry._meta).toMatchObject({ 'humanos/replayed': true, 'humanos/status': 'failed' });
      expect(textOf(retry)).toMatch(/^permission denied\n.*not run again/s);
      expect(ran.filter((c) => c.args.path === '/readonly/x')).toHaveLength(1);
    });

    it('an explicit idempotency key names the call: the same key with other arguments is refused', async () => {
      const key = `order-${suffix()}`;
      const first = client.callTool({
        name: 'delete_file',
        arguments: { path: '/c' },
        _meta: { 'humanos/idempotencyKey': key, 'humanos/reasoning': 'cleanup of order files' },
      }) as Promise<CallToolResult>;
      const task = await eventually(async () => {
        const items = (await agent.get('/tasks')).body.items as { id: string; status: string }[];
        return items.find((x) => x.status === 'awaiting_approval');
      });
      expect((await t.admin.get(`/tasks/${task.id}`)).body.aiProposal.reasoning).toBe('cleanup of order files');
      expect((await agent.post(`/tasks/${task.id}/cancel`, { reason: 'not needed' })).status).toBe(200);
      const cancelled = await first;
      expect(cancelled.isError).toBe(true);
      expect(cancelled._meta).toMatchObject({ 'humanos/taskId': task.id, 'humanos/status': 'cancelled' });
      expect(textOf(cancelled)).toMatch(/NOT run/);
      const other = (await client.callTool({
        name: 'delete_file',
        arguments: { path: '/d' },
        _meta: { 'humanos/idempotencyKey': key },
      })) as CallToolResult;
      expect(other.isError).toBe(true);
      expect(textOf(other)).toMatch(/idempotency_key_reused/);
      expect(ran.filter((c) => c.args.path === '/c' || c.args.path === '/d')).toHaveLength(0);
    });
  });
}
