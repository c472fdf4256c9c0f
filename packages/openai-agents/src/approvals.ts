/**
 * HumanOS as the place the OpenAI Agents SDK's tool approvals are answered.
 *
 * The Agents SDK pauses a run on a tool whose `needsApproval` says so: the result carries
 * `interruptions`, and the app approves or rejects each on the `RunState` (which it may serialise with
 * `toString()` and resume later). That keeps the pending approval in the app's memory, with one
 * approver, no policy, no audit and no way to edit the call's arguments. Here each interruption becomes
 * a HumanOS task (the tool's name and arguments as its payload), the server's policy decides who
 * approves, the decision is applied to the run state, and the tool runs through HumanOS's execution
 * with exactly the approved arguments (edits included), recorded in the signed ledger.
 */
import type { AiProposalInput, ApprovalOutcome, CreateTaskInput, HumanOSClient, JsonObject } from '@human/sdk';
import { denialOf } from '@human/sdk';
import { canonicalJson } from '@humanos/core';
import type {
  FunctionTool,
  RunContext,
  RunResult,
  RunState,
  RunToolApprovalItem,
  StreamedRunResult,
} from '@openai/agents';

/** A tool call as the human sees it: the task's payload. */
export interface ToolCall {
  function: string;
  arguments: JsonObject;
}

/** The Agents SDK's per-call approval policy: `(runContext, arguments, callId) => needs a human`. */
export type NeedsApproval = (runContext: RunContext, input: unknown, callId?: string) => Promise<boolean>;

export interface HumanOSApprovalsOptions {
  /** The agent's HumanOS client (an agent principal's token). */
  client: HumanOSClient;
  /** Who approves (`humanInLoop.approverRole`); the server's policy may add more. */
  approverRole?: string;
  /** Further HITL options (`approvalTimeout`, `escalationPolicy`, …). */
  humanInLoop?: CreateTaskInput['humanInLoop'];
  /** The task description, or a function of the call; default `Run tool({...})`. */
  description?: string | ((call: ToolCall) => string);
  /**
   * The AI's view of a call (reasoning, confidence, alternatives), shown to the approver. It must give
   * the same answer for the same call: a retry finds its task by the task's body.
   */
  proposal?: (call: ToolCall) => Partial<AiProposalInput>;
  riskAssessment?: CreateTaskInput['riskAssessment'];
  /**
   * The first part of each task's idempotency key (`<prefix>:<tool>:<call id>`); default
   * `openai-agents`. The OpenAI API's call ids are unique; a model whose ids repeat needs a per-run prefix.
   */
  keyPrefix?: string;
  /** The text the model reads for a call not approved; default who rejected it and why (`denialOf`). */
  rejectionMessage?: (call: ToolCall, outcome: ApprovalOutcome, taskId: string) => string;
  /**
   * When a human edited the arguments, append a sentence saying so (with the arguments the tool ran
   * with) to a string tool output, so the model does not report its own version. Default true.
   */
  noteEdits?: boolean;
}

/** One interruption of a run and the HumanOS task that decides it. */
export interface PendingApproval {
  item: RunToolApprovalItem;
  callId: string;
  call: ToolCall;
  taskId: string;
}

/**
 * What {@link HumanOSApprovals.resolve} did with one interruption: `approved` (the tool will run with
 * the approved arguments), `rejected` (with `message`, which the model reads as the tool's rejection)
 * or `pending` (no decision yet; the interruption is left as it was).
 */
export interface Resolution {
  pending: PendingApproval;
  outcome: 'approved' | 'rejected' | 'pending';
  decision: ApprovalOutcome;
  message?: string;
}

// Any run and any tool, whatever their context and output types: the adapter never reads the context,
// and the framework's own constraints (`TAgent extends Agent<any, any>`) leave no narrower type.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyState = RunState<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: see above
type Source = AnyState | RunResult<any, any> | StreamedRunResult<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyFunctionTool = FunctionTool<any, any, any>;

const MAX_DESCRIPTION = 2000;

/**
 * Answers an Agents SDK run's tool approvals from HumanOS.
 *
 * @example
 * const approvals = new HumanOSApprovals({ client, approverRole: 'finance_lead' });
 * const agent = new Agent({ name: 'payments', tools: [approvals.gate(sendPayment)] });
 * let result = await run(agent, 'Pay ACME 500 EUR');
 * while (result.interruptions.length) {
 *   await approvals.resolve(result.state); // a task per interruption; waits; approves or rejects
 *   result = await run(agent, result.state);
 * }
 */
export class HumanOSApprovals {
  readonly client: HumanOSClient;
  readonly #o: HumanOSApprovalsOptions;
  /** call id -> task id, for this process; another process finds the task by its idempotency key. */
  readonly #tasks = new Map<string, string>();

  constructor(options: HumanOSApprovalsOptions) {
    this.client = options.client;
    this.#o = options;
  }

  /**
   * A copy of `tool` whose calls need a HumanOS approval and run with the approved arguments.
   *
   * `needsApproval`: `true` (every call, the default), `'policy'` (only when HumanOS's policy would
   * open a gate for the call; see {@link policy}) or your own function. An approved call runs through
   * HumanOS's execution: the tool receives the arguments the server grants (the human's edits applied),
   * its output is recorded as the task's result, and a call that already ran (a run resumed twice from
   * one saved state) returns the recorded result instead of running again.
   *
   * @example
   * const payments = approvals.gate(sendPayment, { needsApproval: 'policy' });
   */
  gate<T extends AnyFunctionTool>(tool: T, options: { needsApproval?: boolean | 'policy' | NeedsApproval } = {}): T {
    const rule = options.needsApproval ?? true;
    const needsApproval: NeedsApproval =
      rule === 'policy' ? this.policy(tool.name) : typeof rule === 'function' ? rule : async () => rule;
    return { ...tool, needsApproval, invoke: this.#invoker(tool) };
  }

  /**
   * A `needsApproval` that asks HumanOS: a call needs a human when the policy's dry run of its task
   * (`POST /policy/evaluate`; nothing is written) plans at least one gate.
   *
   * @example
   * const lookup = tool({ name: 'lookup', parameters, execute, needsApproval: approvals.policy('lookup') });
   */
  policy(toolName: string): NeedsApproval {
    return async (_ctx, input) => {
      const plan = await this.client.evaluatePolicy(this.#taskBody({ function: toolName, arguments: asJson(input) }));
      return plan.gates.length > 0;
    };
  }

  #invoker(tool: AnyFunctionTool): AnyFunctionTool['invoke'] {
    return async (runContext, input, details) => {
      const callId = details?.toolCall?.callId;
      if (!callId || runContext.isToolApproved({ toolName: tool.name, callId }) !== true) {
        // The policy let this call through without a human: it runs as the model asked.
        return tool.invoke(runContext, input, details);
      }
      const call: ToolCall = { function: tool.name, arguments: asJson(JSON.parse(input || '{}')) };
      const taskId = await this.#taskId(callId, call);
      const task = await this.client.getTask(taskId);
      if (task.status === 'completed') return task.result; // it ran before this resume: never twice
      let ran: { args: JsonObject; value: unknown } | undefined;
      await this.client.executeTask(taskId, {
        handler: async (payload) => {
          const args = approvedArguments(call, payload);
          const value = await tool.invoke(runContext, JSON.stringify(args), details);
          ran = { args, value };
          // The server stores JSON: a tool that returns nothing completes with null.
          return value === undefined ? null : value;
        },
      });
      if (!ran) throw new Error(`${tool.name}: the execution ran no handler`);
      if (
        this.#o.noteEdits !== false &&
        typeof ran.value === 'string' &&
        canonicalJson(ran.args) !== canonicalJson(call.arguments)
      ) {
        return `${ran.value}\n(A human edited the arguments before approving; ${tool.name} ran with ${JSON.stringify(ran.args)}.)`;
      }
      return ran.value;
    };
  }

  /**
   * Makes sure each function-tool interruption of a run has its HumanOS task, and returns them.
   *
   * Safe to repeat, in this process or another one: a task's idempotency key comes from the tool
   * call's id, so a retry (or a resumed process) finds the task it made before, never a second one.
   * Call it before saving the state, so the approvers see the request while the run is on disk.
   *
   * @example
   * await approvals.submit(result);
   * await writeFile('run.json', result.state.toString());
   */
  async submit(source: Source): Promise<PendingApproval[]> {
    const items = 'getInterruptions' in source ? source.getInterruptions() : source.interruptions;
    const out: PendingApproval[] = [];
    for (const item of items) {
      const { callId, call } = callOf(item);
      out.push({ item, callId, call, taskId: await this.#taskId(callId, call) });
    }
    return out;
  }

  /**
   * Applies HumanOS's decisions to a run state's interruptions: approve, or reject with the message
   * the model will read. Creates missing tasks first (like {@link submit}).
   *
   * With `wait` (default) each undecided task is waited for (long-poll), up to `timeoutMs` each when
   * given; `wait: false` only looks. Undecided interruptions stay pending on the state. A request for
   * changes, an expiry or a withdrawal counts as a rejection (the model may call the tool again); a
   * request for changes also withdraws the task.
   *
   * @example
   * await approvals.resolve(result.state);
   * result = await run(agent, result.state);
   */
  async resolve(state: AnyState, options: { wait?: boolean; timeoutMs?: number } = {}): Promise<Resolution[]> {
    const out: Resolution[] = [];
    for (const pending of await this.submit(state)) {
      const decision =
        options.wait === false
          ? { ...(await this.client.decision(pending.taskId)), timedOut: false }
          : await this.client.waitForApproval(
              pending.taskId,
              options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
            );
      out.push(await this.#apply(state, pending, decision));
    }
    return out;
  }

  async #apply(state: AnyState, pending: PendingApproval, decision: ApprovalOutcome): Promise<Resolution> {
    if (decision.approved) {
      state.approve(pending.item);
      return { pending, outcome: 'approved', decision };
    }
    if (!decision.decided && !decision.changesRequested) return { pending, outcome: 'pending', decision };
    if (decision.changesRequested) {
      // The model answers the feedback with a new call; this request is over.
      await this.client
        .cancelTask(pending.taskId, { reason: 'changes requested: the agent will call again' })
        .catch(() => {});
    }
    const message = this.#o.rejectionMessage
      ? this.#o.rejectionMessage(pending.call, decision, pending.taskId)
      : denialOf(pending.taskId, pending.call.function, decision).message;
    state.reject(pending.item, { message });
    return { pending, outcome: 'rejected', decision, message };
  }

  async #taskId(callId: string, call: ToolCall): Promise<string> {
    const known = this.#tasks.get(callId);
    if (known) return known;
    const prefix = this.#o.keyPrefix ?? 'openai-agents';
    const task = await this.client.createTask(this.#taskBody(call), {
      idempotencyKey: `${prefix}:${call.function}:${callId}`,
    });
    this.#tasks.set(callId, task.id);
    return task.id;
  }

  /** The task of a call; the same call always gives the same body (its retries find it). */
  #taskBody(call: ToolCall): CreateTaskInput {
    const o = this.#o;
    const action = describeCall(call);
    const text = typeof o.description === 'function' ? o.description(call) : (o.description ?? `Run ${action}`);
    const humanInLoop = { ...o.humanInLoop, ...(o.approverRole ? { approverRole: o.approverRole } : {}) };
    return {
      description: text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text,
      payload: { function: call.function, arguments: call.arguments },
      aiProposal: { action, ...o.proposal?.(call) },
      ...(Object.keys(humanInLoop).length ? { humanInLoop } : {}),
      ...(o.riskAssessment ? { riskAssessment: o.riskAssessment } : {}),
    };
  }
}

function callOf(item: RunToolApprovalItem): { callId: string; call: ToolCall } {
  const raw = item.rawItem;
  if (raw.type !== 'function_call') {
    throw new TypeError(`${item.name}: only function-tool approvals can be answered from HumanOS, not ${raw.type}`);
  }
  if (!raw.callId) throw new TypeError(`${item.name}: the tool call has no call id`);
  return {
    callId: raw.callId,
    call: { function: item.name ?? raw.name, arguments: asJson(JSON.parse(raw.arguments || '{}')) },
  };
}

/** `send_payment({"to":"ACME","amount":500})`, at most 2000 characters. */
function describeCall(call: ToolCall): string {
  const text = `${call.function}(${JSON.stringify(call.arguments)})`;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 3)}...` : text;
}

function asJson(value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('tool arguments must be a JSON object');
  }
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** The arguments of the approved payload; an edit may change arguments, never the tool. */
function approvedArguments(call: ToolCall, payload: JsonObject): JsonObject {
  if (payload.function !== call.function) {
    throw new Error(`payload_mismatch: the approved call is ${String(payload.function)}, not ${call.function}`);
  }
  const args = payload.arguments;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new Error('payload_mismatch: the approved payload has no arguments object');
  }
  return args as JsonObject;
}
