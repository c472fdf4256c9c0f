/**
 * Tool calls that go through HumanOS: the gate around each call of a gated tool.
 *
 * A gated call pauses its node with `interrupt({type: 'humanos.tool_call', tool, arguments,
 * tool_call_id, …})`. Resumed with an approval, the tool runs inside a HumanOS execution: the server
 * grants the *approved* payload (the human's edits included) from its signed decisions, the tool runs
 * with exactly those arguments, and the task is completed with the tool's result (or failed with its
 * error). A resume value alone therefore never makes a tool run: the grant does. Resumed with anything
 * else, the tool never runs and the model gets a `ToolMessage` with `status: 'error'` saying who
 * decided what and why.
 */
import type { HumanOSClient } from '@human/sdk';
import { HumanOSApiError } from '@human/sdk';
import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { type Command, getConfig, interrupt } from '@langchain/langgraph';
import { type Decision, type JsonObject, jsonable, readDecision, TOOL_CALL, type ToolCallValue } from './graph.js';

/** A tool call as the model made it. */
export interface ToolCallLike {
  name: string;
  args: JsonObject;
  id?: string;
}

/** Runs the tool with the given (approved) arguments. */
export type RunTool = (args: JsonObject) => Promise<ToolMessage | Command>;

/** Where an approved call belongs: the payload's `langgraph` block, which no edit may change. */
interface Origin {
  thread_id: string;
  tool_call_id: string;
}

/** The tool answered with an error message: the HumanOS task fails with it, the model gets it. */
class ToolFailed extends Error {
  constructor(readonly toolMessage: ToolMessage) {
    super(String(toolMessage.content).slice(0, 2000));
  }
}

/** The text of the AI message that made this call (shown to the approver as the AI's reasoning). */
export function reasoningFor(state: unknown, toolCallId: string): string | undefined {
  const messages = (state as { messages?: unknown[] } | undefined)?.messages ?? [];
  for (const m of [...messages].reverse()) {
    if (AIMessage.isInstance(m) && m.tool_calls?.some((c) => c.id === toolCallId)) {
      return m.text.trim() || undefined;
    }
  }
  return undefined;
}

/** What the model reads when the call did not run. */
export function rejectionText(tool: string, d: Decision): string {
  const who = d.decidedBy ?? 'a human reviewer';
  if (d.status === 'changes_requested')
    return `${who} asked for changes to ${tool}: ${d.feedback ?? ''}. Call it again with the changes.`;
  if (d.status === 'expired') return `The approval request for ${tool} expired without a decision; it was not run.`;
  if (d.status === 'cancelled') return `The request to run ${tool} was withdrawn; it was not run.`;
  return `${tool} was rejected by ${who}: ${d.reason ?? 'no reason given'}`;
}

/**
 * Pauses on `call` until a human decided; then runs it (`run(arguments)`) or explains why not.
 *
 * @example
 * const out = await gateToolCall(client, toolCall, (args) => tool.invoke({ ...toolCall, args }));
 */
export async function gateToolCall(
  client: HumanOSClient,
  call: ToolCallLike,
  run: RunTool,
  opts: { reasoning?: string } = {},
): Promise<ToolMessage | Command> {
  if (!call.id) throw new TypeError(`the call of ${call.name} has no id: a tool call needs one to be approved`);
  const value: ToolCallValue = {
    type: TOOL_CALL,
    tool: call.name,
    arguments: jsonable(call.args ?? {}, `an argument of ${call.name}`),
    tool_call_id: call.id,
    ...(opts.reasoning ? { reasoning: opts.reasoning } : {}),
  };
  const decision = readDecision(interrupt(value));
  if (decision.status !== 'approved') {
    return new ToolMessage({
      content: rejectionText(call.name, decision),
      tool_call_id: call.id,
      name: call.name,
      status: 'error',
    });
  }
  const threadId = getConfig()?.configurable?.thread_id;
  return execute(client, decision, call.name, { thread_id: String(threadId), tool_call_id: call.id }, run);
}

/** The arguments of the approved payload, once it is certain it approves this very call (this tool,
 * this call id, this thread): a resume value naming another approved task runs nothing. */
export function approvedArguments(payload: JsonObject, tool: string, origin: Origin): JsonObject {
  const got = payload.langgraph as Partial<Origin> | undefined;
  if (payload.tool !== tool || got?.thread_id !== origin.thread_id || got?.tool_call_id !== origin.tool_call_id) {
    throw new HumanOSApiError(
      'payload_mismatch',
      409,
      `the approved payload is not the call ${origin.tool_call_id} of ${tool}`,
    );
  }
  const args = payload.arguments;
  if (!args || typeof args !== 'object' || Array.isArray(args)) {
    throw new HumanOSApiError('payload_mismatch', 409, 'the approved payload has no arguments object');
  }
  return args as JsonObject;
}

async function execute(
  client: HumanOSClient,
  d: Decision,
  tool: string,
  origin: Origin,
  run: RunTool,
): Promise<ToolMessage | Command> {
  const task = await client.getTask(d.taskId);
  // Checked before an execution starts, so a resume value naming another thread's approved task
  // neither runs this tool nor uses up (or fails) that task's execution.
  approvedArguments(task.payload as JsonObject, tool, origin);
  if (task.status === 'completed') {
    // The tool ran and HumanOS recorded it, but the process died before the graph saved that:
    // answer with the recorded result instead of running it twice.
    const content = (task.result as { content?: unknown } | null)?.content ?? task.result;
    return new ToolMessage({
      content: typeof content === 'string' ? content : JSON.stringify(content),
      tool_call_id: origin.tool_call_id,
      name: tool,
    });
  }
  let out: ToolMessage | Command | undefined;
  try {
    await client.executeTask(d.taskId, {
      handler: async (payload) => {
        out = await run(approvedArguments(payload, tool, origin));
        if (ToolMessage.isInstance(out) && out.status === 'error') throw new ToolFailed(out);
        return ToolMessage.isInstance(out) ? { content: out.content } : { command: String(out) };
      },
    });
  } catch (e) {
    if (e instanceof ToolFailed) return e.toolMessage;
    throw e;
  }
  return out as ToolMessage | Command;
}
