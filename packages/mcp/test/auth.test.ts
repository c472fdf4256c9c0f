import { spawnSync } from 'node:child_process';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { childEnv, connectHumanOS, STDIO_BIN, suffix, textOf } from './helpers.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** Authentication does not depend on the backend: SQLite is enough here. */
describe('who may use the HumanOS MCP server', () => {
  let t: TestServer;
  let agent: Api;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:auth-${suffix()}`, []);
  });
  afterAll(async () => t?.close());

  const post = (headers: Record<string, string>, body: unknown = INIT) =>
    fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify(body),
    });

  it('HTTP without a token is refused with 401 and a Bearer challenge', async () => {
    const r = await post({});
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expect(connectHumanOS('http', t.url, undefined)).rejects.toThrow();
  });

  it('HTTP with a wrong token is refused with 401, and nothing changes', async () => {
    const before = await t.fingerprint();
    const r = await post({ authorization: 'Bearer not-a-real-token-0123456789' });
    expect(r.status).toBe(401);
    expect((await r.json()).error.message).toMatch(/refused the token/);
    await expect(connectHumanOS('http', t.url, 'wrong-token-0123456789abcdef')).rejects.toThrow();
    expect(await t.fingerprint()).toBe(before);
  });

  it("a session belongs to its token: another principal's token gets 404 for it", async () => {
    const r = await post({ authorization: `Bearer ${agent.token}` });
    expect(r.status).toBe(200);
    const session = r.headers.get('mcp-session-id');
    expect(session).toBeTruthy();
    await r.body?.cancel();
    const other = await t.principal(`did:agent:other-${suffix()}`, []);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const hijack = await post(
      {
        authorization: `Bearer ${other.token}`,
        'mcp-session-id': session as string,
        'mcp-protocol-version': '2025-06-18',
      },
      list,
    );
    expect(hijack.status).toBe(404);
    const mine = await post(
      {
        authorization: `Bearer ${agent.token}`,
        'mcp-session-id': session as string,
        'mcp-protocol-version': '2025-06-18',
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    );
    expect(mine.status).toBe(202);
  });

  it('HTTP without a session and without initialize is a 400', async () => {
    const r = await post({ authorization: `Bearer ${agent.token}` }, { jsonrpc: '2.0', id: 3, method: 'tools/list' });
    expect(r.status).toBe(400);
  });

  it('a disabled principal can no longer act through an open session', async () => {
    const bot = await t.principal(`did:agent:doomed-${suffix()}`, []);
    const mcp = await connectHumanOS('http', t.url, bot.token);
    try {
      expect((await mcp.listTools()).tools.length).toBeGreaterThan(0);
      const id = (await bot.get('/me')).body.id as string;
      expect((await t.admin.req('PATCH', `/principals/${encodeURIComponent(id)}`, { disabled: true })).status).toBe(
        200,
      );
      const r = await mcp.callTool({ name: 'request_approval', arguments: { description: 'anything' } }).then(
        (x) => textOf(x as CallToolResult),
        (e: Error) => e.message,
      );
      expect(r).toMatch(/unauthorized|401|refused/i);
      expect((await t.admin.get('/tasks')).body.items.some((x: { requester: string }) => x.requester === id)).toBe(
        false,
      );
    } finally {
      await mcp.close().catch(() => {});
    }
  });

  it('stdio without HUMANOS_API_KEY exits at once with missing_api_key', () => {
    const r = spawnSync(process.execPath, [STDIO_BIN], {
      env: childEnv({ HUMANOS_URL: t.url, HUMANOS_API_KEY: '' }),
      input: '',
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing_api_key/);
  });

  it('stdio with a wrong token: every tool call is refused as unauthorized', async () => {
    const mcp = await connectHumanOS('stdio', t.url, 'wrong-token-0123456789abcdef');
    try {
      const r = (await mcp.callTool({
        name: 'request_approval',
        arguments: { description: 'Delete everything' },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/unauthorized/);
    } finally {
      await mcp.close();
    }
  });
});
