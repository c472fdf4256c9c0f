/**
 * The app under test: LangGraph's prebuilt ReAct agent with one gated tool, a scripted chat model
 * (LangChain's FakeListChatModel answering from a script of messages; no network) and the SQLite
 * checkpointer. Also run as a process of its own by the restart test (`node --import tsx agent-app.ts
 * …`): it starts a thread, reports its task, waits for the human, and is killed while it waits.
 */
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { HumanOSClient } from '@human/sdk';
import type { BaseMessage } from '@langchain/core/messages';
import { AIMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { z } from 'zod';
import { HumanOSApprovals } from '../src/index.js';

/** LangChain's fake list model, answering from a script of AI messages; it records what it was shown. */
export class ScriptedModel extends FakeListChatModel {
  readonly seen: BaseMessage[][] = [];
  private readonly script: AIMessage[];

  constructor(...script: AIMessage[]) {
    super({ responses: [] });
    this.script = script;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the script already holds the tool calls
  override bindTools(): any {
    return this;
  }

  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push([...messages]);
    const next = this.script.shift();
    if (!next) throw new Error('the script has no more replies');
    return { generations: [{ message: next, text: next.text }] };
  }
}

export function callWire(amount: number, to: string, id = 'call_wire_1'): AIMessage {
  return new AIMessage({
    content: `Paying ${to} as the invoice says.`,
    tool_calls: [{ name: 'wire', args: { amount, to }, id, type: 'tool_call' }],
  });
}

export type WireCall = { amount: number; to: string };

/** The tool: records each call (in memory, or in a file when it runs in another process). */
export function makeWire(log: WireCall[] = [], logFile?: string) {
  return tool(
    async ({ amount, to }: WireCall) => {
      log.push({ amount, to });
      if (logFile) appendFileSync(logFile, `${JSON.stringify({ amount, to })}\n`);
      return `wired ${amount} to ${to}`;
    },
    { name: 'wire', description: 'Wires money to a payee.', schema: z.object({ amount: z.number(), to: z.string() }) },
  );
}

export function makeAgent(
  model: ScriptedModel,
  approvals: HumanOSApprovals,
  wire: ReturnType<typeof makeWire>,
  file: string,
) {
  return createReactAgent({
    llm: model,
    tools: [approvals.tool(wire)],
    checkpointer: SqliteSaver.fromConnString(file),
  });
}

/** The child: starts the thread, reports its task, then waits for the human — until it is killed. */
async function child([url, token, role, file, thread, logFile]: string[]): Promise<void> {
  const approvals = new HumanOSApprovals(new HumanOSClient({ baseUrl: url as string, apiKey: token as string }), {
    approverRole: role as string,
  });
  const agent = makeAgent(new ScriptedModel(callWire(5000, 'ACME')), approvals, makeWire([], logFile), file as string);
  const config = { configurable: { thread_id: thread } };
  await agent.invoke({ messages: [{ role: 'user', content: 'Pay invoice 42 to ACME' }] }, config);
  const pending = await approvals.pending(agent, config);
  process.stdout.write(`${JSON.stringify(pending.map((p) => ({ task: p.taskId, approval: p.approvalId })))}\n`);
  await approvals.resume(agent, config); // blocks: the test kills the process here
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await child(process.argv.slice(2));
