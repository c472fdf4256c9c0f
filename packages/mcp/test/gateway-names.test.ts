import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { createGatewayServer, type GatewayConfig, McpHumanOSClient, normalizeToolName, planFor } from '../src/index.js';
import { suffix, textOf } from './helpers.js';

const LISTED: Tool[] = [
  {
    name: 'delete_file',
    description: 'Deletes a file.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    annotations: { destructiveHint: true, readOnlyHint: false },
  },
  {
    name: 'read_file',
    description: 'Reads a file.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    annotations: { readOnlyHint: true },
  },
  // Not annotated: only the (lower-case) rule `remove_*` gates it.
  { name: 'Remove_All', description: 'Removes everything.', inputSchema: { type: 'object' } },
];

/**
 * A careless upstream (written with the official SDK's low-level server): it lists three tools but
 * runs whatever it is asked, resolving names loosely (case, white space, invisible characters) and
 * running the unlisted `purge_all` too. Every run is recorded.
 */
async function lenientUpstream(ran: string[]): Promise<Client> {
  const server = new Server({ name: 'lenient', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: LISTED }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const loose = req.params.name
      .normalize('NFKC')
      .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
      .trim()
      .toLowerCase();
    ran.push(loose);
    return { content: [{ type: 'text', text: `ran ${loose}` }] };
  });
  const [mine, theirs] = InMemoryTransport.createLinkedPair();
  await server.connect(theirs);
  const client = new Client({ name: 'humanos-gateway', version: '1' });
  await client.connect(mine);
  return client;
}

const CONFIG: GatewayConfig = {
  default: 'destructive',
  rules: [
    { tools: 'delete_tmp_*', gate: false },
    { tools: 'delete_*', approverRole: 'ops_lead', risk: 'high' },
    { tools: 'remove_*', approverRole: 'ops_lead', risk: 'critical' },
  ],
  waitSeconds: 1,
};

/** Variants of the gated `delete_file`: case, white space, invisible and compatibility characters. */
const VARIANTS = [
  'DELETE_FILE',
  'Delete_File',
  'delete_file ',
  ' delete_file',
  'delete_file\n',
  'delete\u200B_file',
  'delete_file\uFEFF',
  '\uFF44\uFF45\uFF4C\uFF45\uFF54\uFF45_file', // fullwidth "ｄｅｌｅｔｅ"
  'delete_\uFB01le', // the "ﬁ" ligature
];

for (const backend of backends()) {
  describe(`gateway tool names fail closed [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let upstream: Client;
    let client: Client;
    const ran: string[] = [];

    beforeAll(async () => {
      t = await startTestServer(backend);
      await t.principal(`did:human:ops-${suffix()}`, ['ops_lead']);
      agent = await t.principal(`did:agent:gw-names-${suffix()}`, []);
      upstream = await lenientUpstream(ran);
      const gateway = createGatewayServer({
        upstream,
        humanos: new McpHumanOSClient({ baseUrl: t.url, apiKey: agent.token }),
        config: CONFIG,
      });
      const [mine, theirs] = InMemoryTransport.createLinkedPair();
      await gateway.connect(theirs);
      client = new Client({ name: 'test-agent', version: '1.0.0' });
      await client.connect(mine);
    });
    afterAll(async () => {
      await client?.close();
      await upstream?.close();
      await t?.close();
    });

    const call = async (name: string) =>
      (await client.callTool({ name, arguments: { path: '/srv/data' } })) as CallToolResult;

    it.each(VARIANTS.map((v) => [JSON.stringify(v), v]))(
      'a variant %s of the gated delete_file is refused: not run, no task',
      async (_label, name) => {
        const before = await t.fingerprint();
        const r = await call(name);
        expect(r.isError).toBe(true);
        expect(r._meta?.['humanos/status']).toBe('unknown_tool');
        expect(textOf(r)).toMatch(/lists no tool named .* NOT run.*"delete_file"/s);
        expect(ran).toEqual([]);
        expect(await t.fingerprint()).toBe(before);
      },
    );

    it('an unlisted name (purge_all) the upstream would run is refused: not run, no task', async () => {
      const before = await t.fingerprint();
      for (const name of ['purge_all', 'PURGE_ALL', 'delete_tmp_cache']) {
        const r = await call(name);
        expect(r.isError, name).toBe(true);
        expect(r._meta?.['humanos/status']).toBe('unknown_tool');
        expect(textOf(r)).toMatch(/tools\/list shows/);
      }
      expect(ran).toEqual([]);
      expect(await t.fingerprint()).toBe(before);
    });

    it('a listed tool whose name differs in case from a gating rule is gated (Remove_All by remove_*)', async () => {
      const r = await call('Remove_All');
      expect(r.isError).toBe(true);
      expect(r._meta?.['humanos/status']).toBe('pending');
      const task = (await t.admin.get(`/tasks/${r._meta?.['humanos/taskId']}`)).body;
      expect(task).toMatchObject({
        status: 'awaiting_approval',
        payload: { tool: 'Remove_All' },
        riskAssessment: { level: 'critical' },
      });
      expect(ran).toEqual([]);
    });

    it('the exact names still behave: delete_file is gated, read_file passes through', async () => {
      const gated = await call('delete_file');
      expect(gated._meta?.['humanos/status']).toBe('pending');
      expect(ran).toEqual([]);
      const read = await call('read_file');
      expect(read.isError).toBeFalsy();
      expect(textOf(read)).toBe('ran read_file');
      expect(ran).toEqual(['read_file']);
    });
  });
}

describe('gateway rule matching', () => {
  const known = LISTED[0] as Tool;

  it('normalizes names: NFKC, invisible characters removed, trimmed, case folded', () => {
    for (const v of VARIANTS) expect(normalizeToolName(v), JSON.stringify(v)).toBe('delete_file');
    expect(normalizeToolName('STRAßE')).toBe('strasse');
    expect(normalizeToolName('read_file')).toBe('read_file');
  });

  it('rules match normalized names and patterns', () => {
    expect(planFor(CONFIG, 'DELETE_FILE', known)).toMatchObject({ approverRole: 'ops_lead', risk: 'high' });
    expect(planFor({ rules: [{ tools: 'Delete_*' }] }, 'delete_file', known)).toMatchObject({ risk: 'high' });
    expect(planFor(CONFIG, 'read_file', LISTED[1])).toBeNull();
  });

  it('a tool the upstream does not list is never let through, even when a pass rule names it', () => {
    expect(planFor(CONFIG, 'delete_tmp_x', undefined)).toEqual({ risk: 'high' });
    expect(planFor({ default: 'none' }, 'purge_all', undefined)).toEqual({ risk: 'high' });
    expect(planFor({ default: 'none', approverRole: 'ops_lead' }, 'purge_all', undefined)).toEqual({
      risk: 'high',
      approverRole: 'ops_lead',
    });
    expect(planFor(CONFIG, 'DELETE_X', undefined)).toMatchObject({ approverRole: 'ops_lead' });
  });
});
