/**
 * HumanOS behind the AI SDK's tool approval (a tool's `needsApproval`, and the
 * `tool-approval-request` / `tool-approval-response` parts; `ai` 6 and 7).
 *
 * The AI SDK pauses a run on a tool call that needs approval: the call returns with a
 * `tool-approval-request` part, the app appends a `tool-approval-response` to the messages and calls
 * again. Here each such request is a HumanOS task — payload `{function, arguments}`, the tool's name
 * and input, created under an idempotency key derived from the tool-call id, so every retry finds
 * the same task — that the server's policy routes to its approvers. {@link HumanOSToolApproval.respond}
 * turns their decision into the `tool-approval-response` message, and the wrapped tools run the
 * approved call as the task's execution: with the arguments the human approved (edits included),
 * once, with its result recorded in the ledger.
 */
import { createHash } from 'node:crypto';
import type { AiProposal, ApprovalOutcome, CreateTaskInput } from '@human/sdk';
import { defaultHumanOSClient, type HumanOSClient } from '@human/sdk';
import { canonicalJson } from '@humanos/core';
import type { ModelMessage, ToolApprovalResponse, ToolModelMessage, ToolSet } from 'ai';

/** One tool call as the adapter sees it (the fields every AI SDK tool call has). */
export interface ToolCallInfo {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/** A `tool-approval-request` of the messages that has no `tool-approval-response` yet. */
export interface PendingToolApproval {
  approvalId: string;
  toolCall: ToolCallInfo;
}

/** How to create the HumanOS task of a tool call (every field of `createTask` but the call's own). */
export interface HumanOSToolApprovalOptions
  extends Omit<CreateTaskInput, 'description' | 'payload' | 'aiProposal' | 'requiredCapabilities'> {
  /** The client, acting as the agent; default the one behind `HumanOS` (HUMANOS_URL / HUMANOS_API_KEY). */
  client?: HumanOSClient;
  /**
   * Which calls need a human: tool names, or a function of the call. Default: every call of the
   * tools you pass to {@link HumanOSToolApproval.tools}.
   */
  gate?: readonly string[] | ((call: ToolCallInfo) => boolean);
  /**
   * Prefix of the idempotency keys (e.g. the conversation's id), for providers whose tool-call ids
   * repeat across conversations. Keys are per principal.
   */
  scope?: string;
  /** The task's description; default `Run send_email({"to":…})`. */
  describe?: (call: ToolCallInfo) => string;
  /** Reasoning, confidence, alternatives shown to the approver (a pure function of the call: retries must send the same task). */
  proposal?: (call: ToolCallInfo) => Omit<AiProposal, 'action'>;
}

/** Options of {@link HumanOSToolApproval.respond}. */
export interface RespondOptions {
  /** Stop waiting after this many ms; `respond` then resolves `undefined`. Default: wait until decided. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A tool's `execute`, as the AI SDK calls it. */
type Execute = (input: unknown, options: { toolCallId: string }) => unknown;

/** A tool's `needsApproval` as the adapter sets it (the options of `ai` 6 and 7 both have `toolCallId`). */
type NeedsApproval = (input: unknown, options: { toolCallId: string }) => Promise<boolean>;

const MAX_KEY = 200;
const MAX_DESCRIPTION = 2000;

/** The HumanOS side of the AI SDK's tool approval; see {@link humanosToolApproval}. */
export class HumanOSToolApproval {
  readonly #options: HumanOSToolApprovalOptions;
  #gatedNames: Set<string> | undefined;

  constructor(options: HumanOSToolApprovalOptions = {}) {
    this.#options = options;
    this.#gatedNames = Array.isArray(options.gate) ? new Set(options.gate as string[]) : undefined;
  }

  get client(): HumanOSClient {
    return this.#options.client ?? defaultHumanOSClient();
  }

  /**
   * The tools, each gated one pausing the run for approval and running only as its approved HumanOS
   * task: its `needsApproval` creates the call's task (the same one on every retry) and asks the AI
   * SDK to pause; its `execute` runs with the approved arguments (the human's edits included), once
   * (a repeated resume returns the recorded result), and never when HumanOS has not approved it,
   * whatever the messages say. A tool's own `needsApproval` is replaced for the calls HumanOS gates:
   * the policy on the server decides who approves them.
   */
  tools<T extends ToolSet>(tools: T): T {
    if (!this.#gatedNames && !this.#options.gate) this.#gatedNames = new Set(Object.keys(tools));
    const out: Record<string, unknown> = {};
    for (const [name, tool] of Object.entries(tools)) {
      const execute = (tool as { execute?: Execute }).execute;
      out[name] =
        execute && this.mayGate(name)
          ? {
              ...tool,
              needsApproval: this.needsApproval(name, (tool as { needsApproval?: unknown }).needsApproval),
              execute: (input: unknown, options: { toolCallId: string }) => this.run(name, input, options, execute),
            }
          : tool;
    }
    return out as T;
  }

  /**
   * The approval requests in `messages` that have no response yet (the run is paused on them), for
   * the calls HumanOS gates (all of them until `gate` or {@link tools} says which).
   *
   * @example
   * for (const p of approval.pending(messages)) console.log(p.toolCall.toolName, p.toolCall.input);
   */
  pending(messages: readonly ModelMessage[]): PendingToolApproval[] {
    const calls = new Map<string, ToolCallInfo>();
    const requests: { approvalId: string; toolCallId: string }[] = [];
    const answered = new Set<string>();
    for (const m of messages) {
      if (typeof m.content === 'string') continue;
      for (const part of m.content) {
        if (part.type === 'tool-call') calls.set(part.toolCallId, part);
        // `ai` 7 also records calls its `toolApproval` approved by itself (`isAutomatic`): nobody is asked.
        else if (part.type === 'tool-approval-request' && !('isAutomatic' in part && part.isAutomatic))
          requests.push(part);
        else if (part.type === 'tool-approval-response') answered.add(part.approvalId);
      }
    }
    const known = this.#gatedNames !== undefined || this.#options.gate !== undefined;
    return requests.flatMap((r) => {
      const toolCall = calls.get(r.toolCallId);
      if (answered.has(r.approvalId) || !toolCall || (known && !this.gates(toolCall))) return [];
      return [{ approvalId: r.approvalId, toolCall }];
    });
  }

  /**
   * Waits for the humans' decisions on every pending approval of `messages` and resolves with the
   * `tool` message that answers them (append it and call the model again), or `undefined` when
   * nothing is pending or `timeoutMs` ran out first. A rejection is `approved: false` with the
   * approver's reason, which the AI SDK hands to the model as the `execution-denied` result.
   *
   * @example
   * const answer = await approval.respond(messages);
   * if (answer) messages.push(answer);
   */
  async respond(messages: readonly ModelMessage[], opts: RespondOptions = {}): Promise<ToolModelMessage | undefined> {
    const pending = this.pending(messages);
    if (pending.length === 0) return undefined;
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    const content: ToolApprovalResponse[] = [];
    for (const p of pending) {
      const taskId = await this.task(p.toolCall);
      const left = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      const outcome = await this.client.waitForApproval(taskId, {
        ...(left === undefined ? {} : { timeoutMs: left }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      if (!outcome.decided) return undefined;
      if (outcome.changesRequested) {
        // The model answers a change request with a new call (a new task); this one will not run.
        await this.client.cancelTask(taskId, { reason: 'changes requested: the agent calls again' }).catch(() => {});
      }
      content.push(response(p, outcome));
    }
    return { role: 'tool', content };
  }

  /**
   * The task of a call: created on first sight, found again (same key, same body) on every retry. The
   * input is taken in canonical order (RFC 8785): messages saved in a store that reorders keys
   * (PostgreSQL's `jsonb`) still describe the same task.
   */
  async task(call: ToolCallInfo): Promise<string> {
    const canonical = { ...call, input: JSON.parse(canonicalJson(call.input ?? null)) as unknown };
    const created = await this.client.createTask(this.taskInput(canonical), {
      idempotencyKey: this.key(call.toolCallId),
    });
    return created.id;
  }

  private taskInput(call: ToolCallInfo): CreateTaskInput {
    const { client: _c, gate: _g, scope: _s, describe: d, proposal, ...task } = this.#options;
    const action = describeCall(call);
    const description = d ? d(call) : `Run ${action}`;
    return {
      ...task,
      description: description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description,
      payload: { function: call.toolName, arguments: call.input },
      aiProposal: { ...proposal?.(call), action },
    };
  }

  private key(toolCallId: string): string {
    const key = `ai-sdk:${this.#options.scope ? `${this.#options.scope}:` : ''}${toolCallId}`;
    if (key.length <= MAX_KEY) return key;
    return `ai-sdk:sha256:${createHash('sha256').update(key).digest('hex')}`;
  }

  private gates(call: ToolCallInfo): boolean {
    const gate = this.#options.gate;
    if (typeof gate === 'function') return gate(call);
    return this.#gatedNames?.has(call.toolName) ?? false;
  }

  /**
   * The `needsApproval` of a gated tool: a call HumanOS gates gets its task and pauses the run; any
   * other call of the tool (a `gate` function that declines it) keeps the tool's own setting.
   */
  private needsApproval(name: string, own: unknown): NeedsApproval {
    return async (input, options) => {
      const call = { toolCallId: options.toolCallId, toolName: name, input };
      if (!this.gates(call)) {
        return typeof own === 'function' ? Boolean(await (own as NeedsApproval)(input, options)) : own === true;
      }
      await this.task(call);
      return true;
    };
  }

  private mayGate(name: string): boolean {
    return typeof this.#options.gate === 'function' || (this.#gatedNames?.has(name) ?? false);
  }

  /** Runs an approved call as its task's execution, with the approved arguments. */
  private async run(name: string, input: unknown, options: { toolCallId: string }, execute: Execute): Promise<unknown> {
    const call = { toolCallId: options.toolCallId, toolName: name, input };
    if (!this.gates(call)) return execute(input, options);
    const taskId = await this.task(call);
    const state = await this.client.tasks.decision(taskId);
    // A resume repeated after the tool ran (a crash before the messages were saved) gets the recorded
    // result: an approved call runs once.
    if (state.status === 'completed') return (await this.client.getTask(taskId)).result;
    if (!state.approved) {
      throw new Error(`HumanOS has not approved ${name} (task ${taskId} is ${state.status}); it was not run`);
    }
    let output: unknown;
    await this.client.executeTask(taskId, {
      handler: async (payload) => {
        output = await final(execute(approvedArguments(payload, name), options));
        // Recorded as the task's result (sent as JSON); a tool without a value records null.
        return output === undefined ? null : output;
      },
    });
    return output;
  }
}

/**
 * HumanOS as the approver of AI SDK tool calls.
 *
 * @example
 * const approval = humanosToolApproval({ humanInLoop: { approverRole: 'comms_lead' } });
 * const tools = approval.tools({ send_email: sendEmail });
 * const first = await generateText({ model, tools, messages });
 * messages.push(...first.response.messages);        // persist them: the run is paused
 * const answer = await approval.respond(messages);  // the humans decide in HumanOS
 * if (answer) messages.push(answer);
 * const done = await generateText({ model, tools, messages });
 */
export function humanosToolApproval(options: HumanOSToolApprovalOptions = {}): HumanOSToolApproval {
  return new HumanOSToolApproval(options);
}

function response(p: PendingToolApproval, o: ApprovalOutcome): ToolApprovalResponse {
  const name = p.toolCall.toolName;
  if (o.approved) {
    const edited = o.edits && Object.keys(o.edits).length > 0 ? ' with edits' : '';
    return {
      type: 'tool-approval-response',
      approvalId: p.approvalId,
      approved: true,
      reason: `Approved by ${o.approvedBy ?? 'policy'}${edited}`,
    };
  }
  const why = o.changesRequested
    ? `${o.changesRequestedBy ?? 'The approver'} asked for changes to ${name}: ${o.feedback ?? ''}. Call it again with the changes.`
    : o.expired
      ? `Nobody approved ${name} in time; it was not run.`
      : o.cancelled
        ? `The request to run ${name} was withdrawn; it was not run.`
        : `${o.rejectedBy ?? 'The approver'} rejected ${name}: ${o.rejectionReason ?? 'no reason given'}. Do not retry it unchanged.`;
  return { type: 'tool-approval-response', approvalId: p.approvalId, approved: false, reason: why };
}

/** `send_email({"to":"ann@example.com"})`, for the task's description and proposed action. */
function describeCall(call: ToolCallInfo): string {
  const text = `${call.toolName}(${JSON.stringify(call.input) ?? ''})`;
  return text.length > MAX_DESCRIPTION - 4 ? `${text.slice(0, MAX_DESCRIPTION - 5)}…` : text;
}

/** The approved payload's arguments; refuses a payload that is not this tool's call. */
function approvedArguments(payload: Record<string, unknown>, name: string): unknown {
  if (payload.function !== name || !('arguments' in payload)) {
    throw new Error(`the approved payload is not a call of ${name}`);
  }
  return payload.arguments;
}

/** A tool's output: its value, or the last value of a streaming tool (what the AI SDK treats as final). */
async function final(out: unknown): Promise<unknown> {
  if (out && typeof out === 'object' && Symbol.asyncIterator in out) {
    let last: unknown;
    for await (const v of out as AsyncIterable<unknown>) last = v;
    return last;
  }
  return out;
}
