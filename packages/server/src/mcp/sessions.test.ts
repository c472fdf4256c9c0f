import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { ConfigError, loadConfig } from '../config.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
};
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };

const CAP = 3;
const IDLE_S = 60;
const suffix = () => randomBytes(4).toString('hex');

for (const backend of backends()) {
  describe(`/mcp session caps and idle lifetime [${backend}]`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend, {
        HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL: String(CAP),
        HUMANOS_MCP_SESSION_IDLE_SECONDS: String(IDLE_S),
      });
    });
    afterAll(async () => t?.close());

    const agent = (name: string) => t.principal(`did:agent:${name}-${suffix()}`, []);
    const post = async (who: Api, body: unknown, session?: string) => {
      const r = await fetch(`${t.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${who.token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}),
        },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, headers: r.headers, text, session: r.headers.get('mcp-session-id') };
    };
    const open = async (who: Api) => {
      const r = await post(who, INIT);
      expect(r.status, r.text).toBe(200);
      expect(r.session).toBeTruthy();
      return r.session as string;
    };
    const sdkClient = async (who: Api) => {
      const c = new Client({ name: 'other', version: '1' });
      const headers = { authorization: `Bearer ${who.token}` };
      await c.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers } }));
      return c;
    };

    it('an agent past its cap gets 429 too_many_mcp_sessions with Retry-After; another principal still opens one', async () => {
      const flooder = await agent('flood');
      for (let i = 0; i < CAP; i++) await open(flooder);
      const before = await t.fingerprint();
      const refused = await post(flooder, INIT);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.session).toBeNull();
      const problem = JSON.parse(refused.text);
      expect(problem).toMatchObject({ status: 429, code: 'too_many_mcp_sessions', limit: CAP });
      expect(problem.detail).toContain(`holds ${CAP} open MCP sessions`);
      // The clock has not moved: the first session can be reaped after the whole idle lifetime.
      expect(refused.headers.get('retry-after')).toBe(String(IDLE_S));
      expect(await t.fingerprint()).toBe(before);

      // Another principal is unaffected, with the official SDK client.
      const other = await agent('other');
      const client = await sdkClient(other);
      try {
        expect((await client.listTools()).tools.map((x) => x.name)).toContain('request_approval');
      } finally {
        await client.close();
      }
      // The official client sees the refusal as an error naming the code.
      await expect(sdkClient(flooder)).rejects.toThrow(/429|too_many_mcp_sessions/);
    });

    it('a concurrent burst of initializations opens exactly the cap', async () => {
      const burst = await agent('burst');
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(burst, INIT)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(CAP);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20 - CAP);
    });

    it('an idle session is reaped after the idle lifetime (service clock), which frees its slot', async () => {
      const bot = await agent('idle');
      const [kept, idle1, idle2] = [await open(bot), await open(bot), await open(bot)];
      t.clock.advance(30_000);
      // A request keeps a session alive.
      expect((await post(bot, LIST, kept)).status).toBe(200);
      t.clock.advance(IDLE_S * 1000 - 30_000);
      // idle1 and idle2 have been idle for the whole lifetime: gone. `kept` was seen 30 s ago.
      expect((await post(bot, LIST, idle1)).status).toBe(404);
      expect((await post(bot, LIST, kept)).status).toBe(200);
      t.clock.advance(1000);
      // idle2 is reaped before the admission check, so two new sessions fit beside `kept`.
      await open(bot);
      await open(bot);
      const refused = await post(bot, INIT);
      expect(refused.status).toBe(429);
      // `kept` was last seen 1 s ago and the new ones just now: it is the first to expire.
      expect(refused.headers.get('retry-after')).toBe(String(IDLE_S - 1));
      expect((await post(bot, LIST, idle2)).status).toBe(404);
    });
  });
}

describe('/mcp session settings are checked at start-up', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('accepted');
  };

  it('defaults: 8 per principal, 1000 in all, 300 s idle', () => {
    expect(loadConfig({}).mcp).toEqual({ maxSessionsPerPrincipal: 8, maxSessions: 1000, sessionIdleSeconds: 300 });
  });

  it.each([
    [{ HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL: '0' }, 'HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL'],
    [{ HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL: 'lots' }, 'HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL'],
    [
      { HUMANOS_MCP_MAX_SESSIONS: '10', HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL: '11' },
      'HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL',
    ],
    [{ HUMANOS_MCP_SESSION_IDLE_SECONDS: '5' }, 'HUMANOS_MCP_SESSION_IDLE_SECONDS'],
    [{ HUMANOS_MCP_SESSION_IDLE_SECONDS: '-1' }, 'HUMANOS_MCP_SESSION_IDLE_SECONDS'],
    [{ HUMANOS_MCP_MAX_SESSIONS: '0' }, 'HUMANOS_MCP_MAX_SESSIONS'],
  ])('%o is refused naming %s', (env, setting) => {
    expect(refusal(env).setting).toBe(setting);
  });
});
