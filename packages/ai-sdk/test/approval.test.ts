/**
 * The AI SDK adapter with the real `ai` package, its scripted `MockLanguageModelV3` and a real
 * HumanOS server (SQLite and PostgreSQL): a run pauses on a gated tool call, which becomes a HumanOS
 * task; a human decides over the REST API; the run resumes with the decision in the AI SDK's form.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HumanOSClient } from '@human/sdk';
import { generateText, type ModelMessage, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Api, backends, spawnNode, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { humanosToolApproval } from '../src/index.js';
import { agent, scriptedModel } from './fixtures/agent.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const reversedKeys = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).reverse());

const ARGS = { to: 'ann@example.com', subject: 'Q4 numbers', body: 'Attached.' };
const user: ModelMessage = { role: 'user', content: 'Send Ann the Q4 numbers' };

for (const backend of backends()) {
  describe(`AI SDK tool approval backed by HumanOS [${backend}]`, () => {
    let t: TestServer;
    let n = 0;
    /** A fresh agent principal's client, and a human approver (REST) with a fresh role. */
    const actors = async () => {
      const role = `comms_lead_${++n}`;
      const p = await t.admin.post('/principals', { id: `did:agent:bot-${n}`, roles: [] });
      const client = new HumanOSClient({ baseUrl: t.url, apiKey: p.body.token, retries: 1 });
      const human = await t.principal(`did:human:lee-${n}`, [role]);
      return { role, client, human, agentToken: p.body.token as string };
    };
    /** The gate of the human's inbox for the agent's only task, as the approver is shown it. */
    const gateOf = async (human: Api) => {
      const inbox = await human.get('/approvals');
      expect(inbox.status).toBe(200);
      expect(inbox.body.items).toHaveLength(1);
      const view = await human.get(`/approvals/${inbox.body.items[0].id}`);
      expect(view.status).toBe(200);
      return view.body;
    };

    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(async () => t?.close());

    it('pauses on the tool call; a human approves with an edit over REST; the tool runs the edited arguments', async () => {
      const { role, client, human } = await actors();
      const a = agent(client, role);
      const model = scriptedModel('call-1', ARGS);
      const messages: ModelMessage[] = [user];

      const first = await a.step(model, messages);
      const request = first.content.find((p) => p.type === 'tool-approval-request');
      expect(request).toMatchObject({ toolCall: { toolName: 'send_email', input: ARGS } });
      expect(a.ran).toEqual([]);
      messages.push(...first.response.messages);

      // The pending approval is a HumanOS task whose payload is the call, routed to the role.
      const gate = await gateOf(human);
      expect(gate.task.payload).toEqual({ function: 'send_email', arguments: ARGS });
      // The arguments in canonical (RFC 8785) order, whatever order the model wrote them in.
      expect(gate.aiProposal.action).toBe(
        'send_email({"body":"Attached.","subject":"Q4 numbers","to":"ann@example.com"})',
      );
      const decided = await human.post(`/approvals/${gate.id}/approve`, {
        approvalReason: 'fine with a better subject',
        edits: { arguments: { subject: 'Your Q4 numbers' } },
      });
      expect(decided.status).toBe(200);

      const answer = await a.approval.respond(messages);
      expect(answer).toMatchObject({
        role: 'tool',
        content: [{ type: 'tool-approval-response', approved: true, reason: expect.stringContaining('with edits') }],
      });
      messages.push(answer as ModelMessage);
      const done = await a.step(model, messages);

      expect(a.ran).toEqual([{ ...ARGS, subject: 'Your Q4 numbers' }]);
      expect(done.text).toBe('done');
      const toolResult = model.doGenerateCalls[1]?.prompt.at(-1);
      expect(toolResult).toMatchObject({
        role: 'tool',
        content: [{ type: 'tool-result', output: { type: 'json', value: { sent: true, subject: 'Your Q4 numbers' } } }],
      });
      // The run is the task's execution: completed, its result recorded.
      const task = await client.getTask(gate.taskId);
      expect(task.status).toBe('completed');
      expect(task.result).toEqual({ sent: true, to: ARGS.to, subject: 'Your Q4 numbers' });
      expect(a.approval.pending(messages)).toEqual([]);
    });

    it('a rejection reaches the model as an execution-denied tool result; the tool never runs', async () => {
      const { role, client, human } = await actors();
      const a = agent(client, role);
      const model = scriptedModel('call-1', ARGS);
      const messages: ModelMessage[] = [user];
      messages.push(...(await a.step(model, messages)).response.messages);

      const gate = await gateOf(human);
      expect(
        (await human.post(`/approvals/${gate.id}/reject`, { rejectionReason: 'Ann left the company' })).status,
      ).toBe(200);
      const answer = await a.approval.respond(messages);
      expect(answer?.content).toEqual([
        expect.objectContaining({ approved: false, reason: expect.stringContaining('Ann left the company') }),
      ]);
      messages.push(answer as ModelMessage);
      const done = await a.step(model, messages);

      expect(a.ran).toEqual([]);
      expect(done.text).toBe('done');
      expect(model.doGenerateCalls[1]?.prompt.at(-1)).toMatchObject({
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolName: 'send_email',
            output: { type: 'execution-denied', reason: expect.stringContaining('Ann left the company') },
          },
        ],
      });
      expect((await client.getTask(gate.taskId)).status).toBe('rejected');
    });

    it('requested changes deny the call with the feedback and withdraw its task', async () => {
      const { role, client, human } = await actors();
      const a = agent(client, role);
      const messages: ModelMessage[] = [user];
      messages.push(...(await a.step(scriptedModel('call-changes', ARGS), messages)).response.messages);
      const gate = await gateOf(human);
      const asked = await human.post(`/approvals/${gate.id}/request-changes`, {
        feedback: 'Send it to the team list instead',
        payloadDigest: gate.currentDigest,
      });
      expect(asked.status).toBe(200);

      const answer = await a.approval.respond(messages);
      expect(answer?.content).toEqual([
        expect.objectContaining({
          approved: false,
          reason: expect.stringContaining('Send it to the team list instead'),
        }),
      ]);
      messages.push(answer as ModelMessage);
      await a.step(scriptedModel('x', {}), messages);
      expect(a.ran).toEqual([]);
      // The model calls again (a new call, a new task): this one can no longer run.
      expect((await client.getTask(gate.taskId)).status).toBe('cancelled');
    });

    it('survives a restart: the saved messages are resumed by another process', async () => {
      const { role, client, human, agentToken } = await actors();
      const a = agent(client, role);
      const messages: ModelMessage[] = [user];
      messages.push(...(await a.step(scriptedModel('call-restart', ARGS), messages)).response.messages);
      const file = join(mkdtempSync(join(tmpdir(), 'humanos-ai-sdk-')), 'messages.json');
      // Saved as a store that reorders object keys (PostgreSQL's jsonb) gives them back: the tool call's
      // input comes back in another order and must still find its task.
      writeFileSync(
        file,
        JSON.stringify(messages, (_k, v) => (isPlainObject(v) ? reversedKeys(v) : v)),
      );

      const gate = await gateOf(human);
      await human.post(`/approvals/${gate.id}/approve`, { edits: { arguments: { body: 'Attached, v2.' } } });

      const child = spawnNode(['--import', 'tsx', join(import.meta.dirname, 'fixtures/resume.ts')], {
        env: {
          ...process.env,
          HUMANOS_URL: t.url,
          HUMANOS_API_KEY: agentToken,
          APPROVER_ROLE: role,
          MESSAGES_FILE: file,
        },
      });
      let out = '';
      let err = '';
      child.stdout?.on('data', (d) => {
        out += d;
      });
      child.stderr?.on('data', (d) => {
        err += d;
      });
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ ran: [{ ...ARGS, body: 'Attached, v2.' }], text: 'done' });
      expect(a.ran).toEqual([]);
      expect((await client.getTask(gate.taskId)).status).toBe('completed');
    });

    it('a retried step or resume makes no second task and runs the tool once', async () => {
      const { role, client, human } = await actors();
      const a = agent(client, role);
      const messages: ModelMessage[] = [user];
      // The same step twice (the first answer was lost): the same tool-call id, one task.
      await a.step(scriptedModel('call-retried', ARGS), messages);
      messages.push(...(await a.step(scriptedModel('call-retried', ARGS), messages)).response.messages);
      expect((await client.listTasks()).items).toHaveLength(1);

      const gate = await gateOf(human);
      await human.post(`/approvals/${gate.id}/approve`, {});
      const answer = await a.approval.respond(messages);
      expect(await a.approval.respond(messages)).toEqual(answer);
      const resumed = [...messages, answer as ModelMessage];
      await a.step(scriptedModel('x', {}), resumed);
      // The resume repeated (the process died before saving its messages): the recorded result, no second run.
      const again = await a.step(scriptedModel('x', {}), resumed);
      expect(a.ran).toEqual([ARGS]);
      expect(again.response.messages[0]).toMatchObject({
        role: 'tool',
        content: [{ type: 'tool-result', output: { type: 'json', value: { sent: true, subject: ARGS.subject } } }],
      });
      expect((await client.listTasks()).items).toHaveLength(1);
    });

    it('an approval response HumanOS never gave does not run the tool', async () => {
      const { role, client } = await actors();
      const a = agent(client, role);
      const messages: ModelMessage[] = [user];
      messages.push(...(await a.step(scriptedModel('call-forged', ARGS), messages)).response.messages);
      const [pending] = a.approval.pending(messages);
      // The app (or a client that edits the history) claims an approval nobody gave.
      messages.push({
        role: 'tool',
        content: [{ type: 'tool-approval-response', approvalId: pending?.approvalId as string, approved: true }],
      });
      const model = scriptedModel('x', {});
      await a.step(model, messages);

      expect(a.ran).toEqual([]);
      expect(model.doGenerateCalls[0]?.prompt.at(-1)).toMatchObject({
        role: 'tool',
        content: [
          { type: 'tool-result', output: { type: 'error-text', value: expect.stringContaining('not approved') } },
        ],
      });
      expect((await client.listTasks()).items.map((x) => x.status)).toEqual(['awaiting_approval']);
    });

    it('calls of ungated tools run at once, without a task', async () => {
      const { role, client } = await actors();
      const a = agent(client, role);
      const r = await a.step(scriptedModel('l-1', { q: 'x' }, 'lookup'), [user]);
      expect(r.content.some((p) => p.type === 'tool-approval-request')).toBe(false);
      expect(r.toolResults).toEqual([expect.objectContaining({ toolName: 'lookup', output: { q: 'x', answer: 42 } })]);
      expect((await client.listTasks()).items).toHaveLength(0);
    });

    it("a call the gate declines keeps the tool's own needsApproval and makes no task", async () => {
      const { client } = await actors();
      const ran: unknown[] = [];
      const approval = humanosToolApproval({
        client,
        gate: (c) => (c.input as { to: string }).to !== 'me@example.com',
      });
      const tools = approval.tools({
        send_email: tool({
          inputSchema: z.object({ to: z.string(), subject: z.string(), body: z.string() }),
          needsApproval: true, // the app's own approval, for the calls HumanOS leaves alone
          execute: async (input) => {
            ran.push(input);
            return { sent: true };
          },
        }),
      });
      const step = (id: string, to: string) =>
        generateText({ model: scriptedModel(id, { ...ARGS, to }), tools, messages: [user] });

      const own = await step('own-1', 'me@example.com');
      expect(own.content.filter((p) => p.type === 'tool-approval-request')).toHaveLength(1);
      expect(approval.pending([user, ...own.response.messages])).toEqual([]); // not HumanOS's to answer
      expect((await client.listTasks()).items).toHaveLength(0);

      const gated = await step('gated-1', 'ann@example.com');
      expect(approval.pending([user, ...gated.response.messages])).toEqual([
        expect.objectContaining({ toolCall: expect.objectContaining({ toolCallId: 'gated-1' }) }),
      ]);
      expect((await client.listTasks()).items.map((x) => x.status)).toEqual(['awaiting_approval']);
      expect(ran).toEqual([]);
    });
  });
}
