import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { childEnv, GATEWAY_BIN, suffix, textOf, UPSTREAM_FIXTURE } from './helpers.js';

interface Logged {
  tool: string;
  args: { path: string };
  meta: Record<string, unknown> | null;
  env: { humanosKey: string | null };
}

for (const backend of backends()) {
  describe(`approval gateway over stdio [${backend}]`, () => {
    let t: TestServer;
    let approver: Api;
    let gatewayAgent: Api;
    let dir: string;
    let log: string;
    let gateway: Client;
    let direct: Client;

    const calls = (): Logged[] =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Logged)
        : [];
    const deletes = (path: string) => calls().filter((c) => c.tool === 'delete_file' && c.args.path === path);
    const callTool = async (name: string, args: Record<string, unknown>) =>
      (await gateway.callTool({ name, arguments: args })) as CallToolResult;
    const approvalOf = async (taskId: string): Promise<string> => {
      const task = await t.admin.get(`/tasks/${taskId}`);
      return task.body.approvals.find((g: { kind: string }) => g.kind === 'execution').id;
    };

    beforeAll(async () => {
      t = await startTestServer(backend);
      approver = await t.principal(`did:human:ops-${suffix()}`, ['ops_lead']);
      gatewayAgent = await t.principal(`did:agent:gateway-${suffix()}`, []);
      dir = mkdtempSync(join(tmpdir(), 'humanos-gw-'));
      log = join(dir, 'calls.jsonl');
      const config = join(dir, 'gateway.json');
      writeFileSync(
        config,
        JSON.stringify({
          rules: [{ tools: 'delete_*', approverRole: 'ops_lead', risk: 'high', timeout: 600 }],
          waitSeconds: 2,
        }),
      );
      gateway = new Client({ name: 'test-agent', version: '1.0.0' });
      await gateway.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [GATEWAY_BIN, '--config', config, '--', process.execPath, UPSTREAM_FIXTURE],
          env: childEnv({ HUMANOS_URL: t.url, HUMANOS_API_KEY: gatewayAgent.token as string, UPSTREAM_LOG: log }),
          stderr: 'pipe',
        }),
      );
      direct = new Client({ name: 'direct', version: '1.0.0' });
      await direct.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [UPSTREAM_FIXTURE],
          env: childEnv({ UPSTREAM_LOG: join(dir, 'direct.jsonl') }),
        }),
      );
    });
    afterAll(async () => {
      await gateway?.close();
      await direct?.close();
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('proxies tools/list unchanged', async () => {
      expect(await gateway.listTools()).toEqual(await direct.listTools());
    });

    it('a harmless tool passes straight through, with no task', async () => {
      const before = (await gatewayAgent.get('/tasks')).body.items.length;
      const r = await callTool('read_file', { path: '/etc/hosts' });
      expect(r.isError).toBeFalsy();
      expect(textOf(r)).toBe('contents of /etc/hosts');
      expect(calls().filter((c) => c.tool === 'read_file')).toHaveLength(1);
      expect((await gatewayAgent.get('/tasks')).body.items.length).toBe(before);
    });

    it('a gated call runs only after approval, with the edited arguments, exactly once across retries', async () => {
      const first = await callTool('delete_file', { path: '/srv/data/customers.db' });
      expect(first.isError).toBe(true);
      expect(first._meta?.['humanos/status']).toBe('pending');
      expect(textOf(first)).toMatch(/NOT finished.*call delete_file again with exactly the same arguments/is);
      const taskId = first._meta?.['humanos/taskId'] as string;
      expect(taskId).toMatch(/^task:human:/);
      const task = (await t.admin.get(`/tasks/${taskId}`)).body;
      expect(task).toMatchObject({
        status: 'awaiting_approval',
        requester: expect.stringMatching(/^did:agent:gateway-/),
        payload: { tool: 'delete_file', arguments: { path: '/srv/data/customers.db' } },
        riskAssessment: { level: 'high' },
      });

      // A retry while pending finds the same task and still does not run.
      const retry = await callTool('delete_file', { path: '/srv/data/customers.db' });
      expect(retry._meta?.['humanos/taskId']).toBe(taskId);
      expect(calls().filter((c) => c.tool === 'delete_file')).toHaveLength(0);

      const approved = await approver.post(`/approvals/${await approvalOf(taskId)}/approve`, {
        approvalReason: 'only the temp copy',
        edits: { arguments: { path: '/srv/data/customers.db.tmp' } },
      });
      expect(approved.status).toBe(200);

      // Two concurrent retries after the approval: one runs, both get the result (which one runs is up to
      // the race; the other shares the run or replays its record), and both say the arguments were edited.
      const [a, b] = await Promise.all([
        callTool('delete_file', { path: '/srv/data/customers.db' }),
        callTool('delete_file', { path: '/srv/data/customers.db' }),
      ]);
      for (const r of [a, b]) {
        expect(r.isError).toBeFalsy();
        expect(textOf(r)).toMatch(/^deleted \/srv\/data\/customers\.db\.tmp/);
        expect(r._meta?.['humanos/taskId']).toBe(taskId);
        expect(textOf(r)).toMatch(/EDITED arguments/);
      }
      expect(deletes('/srv/data/customers.db')).toHaveLength(0);
      const ran = deletes('/srv/data/customers.db.tmp');
      expect(ran).toHaveLength(1);
      const done = (await t.admin.get(`/tasks/${taskId}`)).body;
      expect(done.status).toBe('completed');
      expect(ran[0]?.meta?.['humanos/executionId']).toBe(done.execution.executionId);
      expect(ran[0]?.env.humanosKey).toBeNull();
      expect(done.result.toolResult.content[0].text).toBe('deleted /srv/data/customers.db.tmp');

      // Later retries replay the record.
      const later = await callTool('delete_file', { path: '/srv/data/customers.db' });
      expect(later.isError).toBeFalsy();
      expect(later._meta?.['humanos/replayed']).toBe(true);
      expect(textOf(later)).toMatch(/already ran.*not run again/s);
      expect(textOf(later)).toMatch(/EDITED arguments; what ran was \{"path":"\/srv\/data\/customers\.db\.tmp"\}/);
      expect(calls().filter((c) => c.tool === 'delete_file')).toHaveLength(1);
    });

    it('after a rejection the tool never runs, and the error carries the reason', async () => {
      const first = await callTool('delete_file', { path: '/etc/passwd' });
      const taskId = first._meta?.['humanos/taskId'] as string;
      const r = await approver.post(`/approvals/${await approvalOf(taskId)}/reject`, {
        rejectionReason: 'never delete system files',
      });
      expect(r.status).toBe(200);
      for (let i = 0; i < 2; i++) {
        const out = await callTool('delete_file', { path: '/etc/passwd' });
        expect(out.isError).toBe(true);
        expect(out._meta?.['humanos/status']).toBe('rejected');
        expect(textOf(out)).toMatch(/NOT run.*REJECTED.*never delete system files/s);
      }
      expect(deletes('/etc/passwd')).toHaveLength(0);
    });

    it('the same call rephrased (other reasoning, other _meta) finds its pending, then its approved task', async () => {
      const args = { path: '/srv/reports/q3.csv' };
      const say = (c: Client, reasoning: string, more: Record<string, unknown> = {}) =>
        c.callTool({
          name: 'delete_file',
          arguments: args,
          _meta: { 'humanos/reasoning': reasoning, ...more },
        }) as Promise<CallToolResult>;
      const first = await say(gateway, 'The Q3 report is superseded by q3-final.csv.');
      const taskId = first._meta?.['humanos/taskId'] as string;
      expect(first._meta?.['humanos/status']).toBe('pending');
      // Same tool and arguments, in another key order, reasoned differently, with other _meta.
      const again = (await gateway.callTool({
        name: 'delete_file',
        arguments: { ...args },
        _meta: { 'humanos/reasoning': 'Cleaning up: q3.csv is an old draft.', 'trace-id': 'abc-123' },
      })) as CallToolResult;
      expect(again._meta?.['humanos/taskId']).toBe(taskId);
      // A gateway that never saw the first call (restarted, or a second instance) finds it too.
      const other = new Client({ name: 'test-agent-2', version: '1.0.0' });
      await other.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [GATEWAY_BIN, '--config', join(dir, 'gateway.json'), '--', process.execPath, UPSTREAM_FIXTURE],
          env: childEnv({ HUMANOS_URL: t.url, HUMANOS_API_KEY: gatewayAgent.token as string, UPSTREAM_LOG: log }),
          stderr: 'pipe',
        }),
      );
      try {
        expect((await say(other, 'A third way to put it.'))._meta?.['humanos/taskId']).toBe(taskId);
        const mine = (await gatewayAgent.get('/tasks')).body.items.filter(
          (x: { payload: { arguments?: { path?: string } } }) => x.payload.arguments?.path === args.path,
        );
        expect(mine).toHaveLength(1);
        // The human sees the first phrasing's reasoning.
        expect(mine[0].aiProposal.reasoning).toBe('The Q3 report is superseded by q3-final.csv.');
        expect(
          (await approver.post(`/approvals/${await approvalOf(taskId)}/approve`, { approvalReason: 'superseded' }))
            .status,
        ).toBe(200);
        const ran = await say(other, 'Yet another rephrasing after the approval.');
        expect(ran.isError).toBeFalsy();
        expect(ran._meta?.['humanos/taskId']).toBe(taskId);
        const replay = await say(gateway, 'And once more.');
        expect(replay._meta?.['humanos/taskId']).toBe(taskId);
        expect(replay._meta?.['humanos/replayed']).toBe(true);
        expect(deletes(args.path)).toHaveLength(1);
      } finally {
        await other.close();
      }
    });

    it('the same arguments much later are a new call that needs a new approval', async () => {
      t.clock.advance(11 * 60_000);
      const again = await callTool('delete_file', { path: '/etc/passwd' });
      expect(again._meta?.['humanos/status']).toBe('pending');
      const first = (await gatewayAgent.get('/tasks')).body.items.filter(
        (x: { payload: { arguments?: { path?: string } } }) => x.payload.arguments?.path === '/etc/passwd',
      );
      expect(first).toHaveLength(2);
      expect(deletes('/etc/passwd')).toHaveLength(0);
    });
  });
}
