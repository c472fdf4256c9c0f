/**
 * The agent under test: one payment tool gated by HumanOS, the Agents SDK's ScriptedModel, and a file
 * that records each run of the tool. Imported by the tests, and run as a script by the restart test
 * (`node --import tsx payments-app.ts pause|resume <dir>`) so that pausing and resuming happen in two
 * real processes.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HumanOSClient } from '@human/sdk';
import { Agent, RunState, run, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { HumanOSApprovals, type NeedsApproval } from '../src/index.js';
import { assistantMessage, functionCall, ScriptedModel } from './scriptedModel.js';

// No network: traces would go to OpenAI's exporter.
setTracingDisabled(true);

export interface ToolRun {
  to: string;
  amount: number;
  memo: string;
}

/** The payments agent; each run of `send_payment` appends its arguments to `runsFile`. */
export function makeAgent(
  runsFile: string,
  approvals: HumanOSApprovals,
  model: ScriptedModel,
  needsApproval?: boolean | 'policy' | NeedsApproval,
): Agent {
  const sendPayment = tool({
    name: 'send_payment',
    description: 'Sends a payment.',
    parameters: z.object({ to: z.string(), amount: z.number().int(), memo: z.string() }),
    execute: ({ to, amount, memo }) => {
      appendFileSync(runsFile, `${JSON.stringify({ to, amount, memo })}\n`);
      return `paid ${amount} to ${to}`;
    },
  });
  return new Agent({
    name: 'payments',
    instructions: 'Pay invoices.',
    model,
    tools: [approvals.gate(sendPayment, needsApproval === undefined ? {} : { needsApproval })],
  });
}

export function toolRuns(runsFile: string): ToolRun[] {
  if (!existsSync(runsFile)) return [];
  return readFileSync(runsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ToolRun);
}

export function payCall(callId: string, args: ToolRun) {
  return functionCall('send_payment', { ...args }, { callId });
}

function client(): HumanOSClient {
  return new HumanOSClient({ baseUrl: process.env.HUMANOS_URL, apiKey: process.env.HUMANOS_API_KEY });
}

/** Process 1: runs until the approval, makes its task, saves the state, exits. */
async function pause(dir: string, callId: string): Promise<void> {
  const approvals = new HumanOSApprovals({ client: client(), approverRole: process.env.APPROVER_ROLE as string });
  const model = new ScriptedModel([[payCall(callId, { to: 'ACME', amount: 500, memo: 'invoice 42' })]]);
  const result = await run(makeAgent(join(dir, 'runs.jsonl'), approvals, model), 'Pay ACME 500 for invoice 42');
  const pending = await approvals.submit(result);
  writeFileSync(join(dir, 'state.json'), result.state.toString());
  process.stdout.write(`${JSON.stringify({ taskIds: pending.map((p) => p.taskId) })}\n`);
}

/** Process 2: loads the saved state, applies the decision, finishes the run. */
async function resume(dir: string): Promise<void> {
  const approvals = new HumanOSApprovals({ client: client(), approverRole: process.env.APPROVER_ROLE as string });
  const model = new ScriptedModel([[assistantMessage('Paid.')]]);
  const agent = makeAgent(join(dir, 'runs.jsonl'), approvals, model);
  const state = await RunState.fromString(agent, readFileSync(join(dir, 'state.json'), 'utf8'));
  const resolutions = await approvals.resolve(state, { timeoutMs: 20_000 });
  const result = await run(agent, state);
  process.stdout.write(
    `${JSON.stringify({
      outcomes: resolutions.map((r) => r.outcome),
      taskIds: resolutions.map((r) => r.pending.taskId),
      final: result.finalOutput,
      toolOutputs: functionOutputs(model),
    })}\n`,
  );
}

/** The tool results the model was sent on its last call, as text. */
export function functionOutputs(model: ScriptedModel): string[] {
  const input = model.lastCall?.request.input;
  if (!Array.isArray(input)) return [];
  return input
    .filter((i) => i.type === 'function_call_result')
    .map((i) => {
      const out = (i as { output: unknown }).output;
      if (typeof out === 'string') return out;
      return String((out as { text?: unknown }).text ?? JSON.stringify(out));
    });
}

// Run as a script (not imported by a test): `pause <dir> <call id>` or `resume <dir>`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [step, dir, callId] = process.argv.slice(2);
  if (step === 'pause') await pause(dir as string, callId as string);
  else await resume(dir as string);
}
