/**
 * The OpenAI Agents adapter with the real `@openai/agents` package, its ScriptedModel (no network, no
 * API key), and a real HumanOS server on SQLite and PostgreSQL: a run pauses on a tool call, a human
 * approves with an edit over the REST API and the tool runs with the edited arguments; a rejection
 * reaches the model as the framework's rejection and the tool never runs; a restart between pause and
 * resume (two processes, the state in a file) loses nothing; a retried interruption makes no second
 * task; the policy decides which calls need a human.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HumanOSClient } from '@human/sdk';
import { Agent, RunState, run, tool } from '@openai/agents';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Api,
  backends,
  REPO_ROOT,
  spawnNode,
  startTestServer,
  type TestServer,
} from '../../../test-support/harness.js';
import { HumanOSApprovals } from '../src/index.js';
import { functionOutputs, makeAgent, payCall, type ToolRun, toolRuns } from './payments-app.js';
import { assistantMessage, functionCall, ScriptedModel } from './scriptedModel.js';

const APP = join(REPO_ROOT, 'packages/openai-agents/test/payments-app.ts');

/** A fresh tool-call id, as the OpenAI API gives each call. */
const callId = () => `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

/** Runs the app script in its own process and returns its last line of output, parsed. */
function runApp(args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(['--import', 'tsx', APP, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`app ${args[0]} exited with ${code}:\n${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>);
    });
  });
}

for (const backend of backends()) {
  describe(`OpenAI Agents approvals answered by HumanOS [${backend}]`, () => {
    let t: TestServer;
    let dir: string;
    let role: string;
    let agentToken: string;
    let agentClient: HumanOSClient;
    let human: Api;
    let humanId: string;

    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(async () => t?.close());
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'humanos-oai-'));
      role = `finance_${randomUUID().slice(0, 8)}`;
      const agent = await t.admin.post('/principals', { id: `did:agent:${randomUUID()}`, roles: [], kind: 'agent' });
      agentToken = agent.body.token;
      agentClient = new HumanOSClient({ baseUrl: t.url, apiKey: agentToken, retries: 1 });
      humanId = `did:human:${randomUUID()}`;
      human = await t.principal(humanId, [role]);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** The human decides over plain HTTP: reads the gate (its digest), then decides it. */
    async function decide(
      taskId: string,
      verdict: 'approve' | 'reject' | 'request-changes',
      body: Record<string, unknown>,
    ) {
      const task = await human.get(`/tasks/${encodeURIComponent(taskId)}`);
      const gate = task.body.approvals[0].id as string;
      const view = await human.get(`/approvals/${encodeURIComponent(gate)}`);
      const r = await human.post(`/approvals/${encodeURIComponent(gate)}/${verdict}`, {
        ...body,
        payloadDigest: view.body.currentDigest,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }

    /**
     * Runs the payments agent until it pauses on `send_payment(args)` and submits the interruption;
     * the model then answers each later call with the next of `replies`.
     */
    async function paused(args: ToolRun, ...replies: string[]) {
      const runs = join(dir, 'runs.jsonl');
      const approvals = new HumanOSApprovals({ client: agentClient, approverRole: role });
      const model = new ScriptedModel([[payCall(callId(), args)], ...replies.map((r) => [assistantMessage(r)])]);
      const agent = makeAgent(runs, approvals, model);
      const result = await run(agent, `Pay ${args.to} ${args.amount}`);
      const [pending] = await approvals.submit(result);
      return { runs, approvals, model, agent, result, taskId: pending?.taskId as string };
    }

    it('pauses on the tool call; an approval with an edit resumes it with the edited arguments', async () => {
      const p = await paused({ to: 'ACME', amount: 500, memo: 'invoice 42' }, 'Paid.');
      const { runs, approvals, model, agent, result: first, taskId } = p;
      expect(first.interruptions.map((i) => i.name)).toEqual(['send_payment']);
      expect(toolRuns(runs)).toEqual([]);
      const task = await agentClient.getTask(taskId);
      expect(task.status).toBe('awaiting_approval');
      expect(task.payload).toEqual({
        function: 'send_payment',
        arguments: { to: 'ACME', amount: 500, memo: 'invoice 42' },
      });

      await decide(task.id, 'approve', { approvalReason: 'ok at 50', edits: { arguments: { amount: 50 } } });
      const [resolution] = await approvals.resolve(first.state, { timeoutMs: 20_000 });
      expect(resolution?.outcome).toBe('approved');
      expect(resolution?.decision.approvedBy).toBe(humanId);
      const result = await run(agent, first.state);

      expect(toolRuns(runs)).toEqual([{ to: 'ACME', amount: 50, memo: 'invoice 42' }]);
      expect(result.finalOutput).toBe('Paid.');
      const [output] = functionOutputs(model);
      expect(output).toMatch(
        /^paid 50 to ACME\n\(A human edited the arguments before approving; send_payment ran with /,
      );
      const done = await agentClient.getTask(task.id);
      expect(done.status).toBe('completed');
      expect(done.result).toBe('paid 50 to ACME');
      model.assertComplete();
    });

    it('a rejection reaches the model as the framework’s rejection, and the tool never runs', async () => {
      const p = await paused({ to: 'ACME', amount: 500, memo: '' }, 'Not paid.');
      const { runs, approvals, model, agent, result: first, taskId } = p;

      await decide(taskId, 'reject', { rejectionReason: 'ACME was paid yesterday' });
      const [resolution] = await approvals.resolve(first.state, { timeoutMs: 20_000 });
      expect(resolution?.outcome).toBe('rejected');
      const result = await run(agent, first.state);

      expect(toolRuns(runs)).toEqual([]);
      expect(result.finalOutput).toBe('Not paid.');
      expect(functionOutputs(model)).toEqual([
        `The human ${humanId} rejected send_payment: ACME was paid yesterday. Do not retry it unchanged.`,
      ]);
      const task = await agentClient.getTask(taskId);
      expect(task.status).toBe('rejected');
      expect(task.execution).toBeFalsy();
    });

    it('a request for changes reaches the model as a rejection and withdraws the task', async () => {
      const { runs, approvals, model, agent, result, taskId } = await paused(
        { to: 'ACME', amount: 500, memo: '' },
        'Will redo.',
      );

      await decide(taskId, 'request-changes', { feedback: 'Put the invoice number in the memo' });
      const [resolution] = await approvals.resolve(result.state, { timeoutMs: 20_000 });
      expect(resolution?.outcome).toBe('rejected');
      await run(agent, result.state);

      expect(toolRuns(runs)).toEqual([]);
      expect(functionOutputs(model)).toEqual([
        `The human ${humanId} asked for changes to send_payment: Put the invoice number in the memo. Call it again with the changes.`,
      ]);
      expect((await agentClient.getTask(taskId)).status).toBe('cancelled');
    });

    it('a restart between pause and resume loses nothing (the state in a file, two processes)', async () => {
      const env = { HUMANOS_URL: t.url, HUMANOS_API_KEY: agentToken, APPROVER_ROLE: role };
      const paused = await runApp(['pause', dir, callId()], env);
      const [taskId] = paused.taskIds as string[];
      expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toBeTruthy();
      expect(toolRuns(join(dir, 'runs.jsonl'))).toEqual([]);

      await decide(taskId as string, 'approve', {
        approvalReason: 'the legal name',
        edits: { arguments: { to: 'ACME GmbH' } },
      });
      const resumed = await runApp(['resume', dir], env);
      expect(resumed.taskIds).toEqual([taskId]); // the new process found the same task
      expect(resumed.outcomes).toEqual(['approved']);
      expect(resumed.final).toBe('Paid.');
      expect(toolRuns(join(dir, 'runs.jsonl'))).toEqual([{ to: 'ACME GmbH', amount: 500, memo: 'invoice 42' }]);
      expect((resumed.toolOutputs as string[])[0]).toMatch(/^paid 500 to ACME GmbH\n/);
      expect((await agentClient.listTasks()).items.map((x) => x.id)).toEqual([taskId]);
    });

    it('a retried interruption makes no second task', async () => {
      const model = new ScriptedModel([[payCall(callId(), { to: 'ACME', amount: 500, memo: '' })]]);
      const fresh = () => new HumanOSApprovals({ client: agentClient, approverRole: role });
      const result = await run(makeAgent(join(dir, 'runs.jsonl'), fresh(), model), 'Pay ACME 500');

      const first = await fresh().submit(result);
      const again = await fresh().submit(result); // as a new process would
      const undecided = await fresh().resolve(result.state, { wait: false });

      expect(again.map((p) => p.taskId)).toEqual(first.map((p) => p.taskId));
      expect(undecided.map((r) => [r.pending.taskId, r.outcome])).toEqual([[first[0]?.taskId, 'pending']]);
      expect(result.state.getInterruptions().map((i) => i.name)).toEqual(['send_payment']);
      expect((await agentClient.listTasks()).items.map((x) => x.id)).toEqual([first[0]?.taskId]);
    });

    it('a run resumed twice from one saved state runs the tool once', async () => {
      const { runs, approvals, model, agent, result, taskId } = await paused(
        { to: 'ACME', amount: 500, memo: '' },
        'Paid.',
        'Paid.',
      );
      await decide(taskId, 'approve', { approvalReason: 'ok' });
      await approvals.resolve(result.state, { timeoutMs: 20_000 });
      const saved = result.state.toString(); // approved, not yet run: a crash after the tool ran replays this

      await run(agent, result.state);
      const replayed = await run(agent, await RunState.fromString(agent, saved));

      expect(toolRuns(runs)).toEqual([{ to: 'ACME', amount: 500, memo: '' }]); // once
      expect(replayed.finalOutput).toBe('Paid.');
      expect(functionOutputs(model)).toEqual(['paid 500 to ACME']); // the recorded result
    });

    it('the policy decides which calls need a human (a dry run writes nothing)', async () => {
      const ran: string[] = [];
      const lookupInvoice = tool({
        name: 'lookup_invoice',
        description: 'Reads an invoice.',
        parameters: z.object({ number: z.number().int() }),
        execute: ({ number }) => {
          ran.push(`lookup_invoice ${number}`);
          return `invoice ${number}: 500 EUR to ACME`;
        },
      });
      const sendPayment = tool({
        name: 'send_payment',
        description: 'Sends a payment.',
        parameters: z.object({ to: z.string(), amount: z.number().int() }),
        execute: ({ to, amount }) => {
          ran.push(`send_payment ${to} ${amount}`);
          return 'paid';
        },
      });
      // The agent asks for no human; the policy still gates what it judges high risk (its floor).
      const approvals = new HumanOSApprovals({ client: agentClient, humanInLoop: { enabled: false } });
      const model = new ScriptedModel([
        [
          functionCall('lookup_invoice', { number: 42 }, { callId: callId() }),
          functionCall('send_payment', { to: 'ACME', amount: 500 }, { callId: callId() }),
        ],
      ]);
      const tools = [lookupInvoice, sendPayment].map((x) => approvals.gate(x, { needsApproval: 'policy' }));
      const result = await run(new Agent({ name: 'payments', model, tools }), 'Pay invoice 42');

      expect(ran).toEqual(['lookup_invoice 42']);
      expect(result.interruptions.map((i) => i.name)).toEqual(['send_payment']);
      expect((await agentClient.listTasks()).items).toEqual([]);
      const [pending] = await approvals.submit(result);
      expect((await agentClient.getTask(pending?.taskId as string)).status).toBe('awaiting_approval');
    });
  });
}
