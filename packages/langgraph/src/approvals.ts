/**
 * The driver: pending interrupts become HumanOS tasks, decisions resume the thread.
 *
 * Everything the driver needs is in two durable places — the thread's checkpoint (the interrupt
 * values) and HumanOS (the tasks and their decisions) — so any process can pick a thread up: the one
 * that started it ({@link HumanOSApprovals.run}), another one after a restart ({@link
 * HumanOSApprovals.resume}), a worker that checks threads now and then (`resume(…, { wait: false })`),
 * or a webhook receiver ({@link HumanOSApprovals.handleWebhook}). Each pending interrupt maps to one
 * task through an idempotency key made of the thread id and the tool call id (or the interrupt id),
 * so asking again — after a crash, from a second process, for a retried call — finds the same task.
 */
import { createHash } from 'node:crypto';
import {
  type ApprovalOutcome,
  type CreateTaskInput,
  HumanOSApiError,
  type HumanOSClient,
  verifyWebhookSignature,
} from '@human/sdk';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { Command, type Interrupt, type LangGraphRunnableConfig } from '@langchain/langgraph';
import {
  APPROVAL,
  type ApprovalValue,
  DECISION,
  type Decision,
  type DecisionStatus,
  type JsonObject,
  TOOL_CALL,
  type ToolCallValue,
} from './graph.js';
import { gateToolCall, reasoningFor } from './tools.js';
import { gatedTool } from './wrapper.js';

/** Webhook events after which a task may be decided (a chain step, a rejection, an expiry, …). */
const DECIDING_EVENTS: ReadonlySet<string> = new Set([
  'approval.decided',
  'approval.expired',
  'approval.cancelled',
  'task.changes_requested',
  'task.cancelled',
]);

/** The part of a compiled graph the driver uses. */
export interface ResumableGraph {
  getState(config: LangGraphRunnableConfig): Promise<{ tasks: ReadonlyArray<{ interrupts: Interrupt[] }> }>;
  invoke(input: unknown, config: LangGraphRunnableConfig): Promise<unknown>;
}

/** One interrupt of a thread and the HumanOS task that asks a human about it. */
export interface PendingApproval {
  threadId: string;
  interrupt: Interrupt;
  taskId: string;
  /** The task's gate open now (after an escalation, the new one); undefined when none is open. */
  approvalId: string | undefined;
}

export interface HumanOSApprovalsOptions {
  /** Who approves (`humanInLoop.approverRole`); server policy may add more. */
  approverRole?: string;
  /** Further HITL options (`approvalTimeout`, `escalationPolicy`, …). */
  humanInLoop?: CreateTaskInput['humanInLoop'];
  /** Capabilities the tasks name (policy may gate on them). */
  requiredCapabilities?: string[];
  /** The agent's risk claim for its tool calls (the server's rules are a floor). */
  riskAssessment?: CreateTaskInput['riskAssessment'];
  /** The task description of a tool call. Default `Run send_email(to="…")`. */
  describe?: (value: ToolCallValue) => string;
}

/** `wait`: block until decided (true), for at most that many ms (a number), or only look (false). */
export type Wait = boolean | number;

function threadOf(config: LangGraphRunnableConfig): string {
  const thread = config.configurable?.thread_id;
  if (thread === undefined || thread === null) {
    throw new TypeError('config.configurable.thread_id is required: approvals belong to a thread');
  }
  return String(thread);
}

function describeCall(tool: string, args: JsonObject): string {
  const text = `${tool}(${Object.entries(args)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')})`;
  return text.length <= 2000 ? text : `${text.slice(0, 1997)}...`;
}

function decisionOf(a: ApprovalOutcome): Decision | undefined {
  if (a.timedOut || !(a.decided || a.changesRequested)) return undefined;
  const [status, who]: [DecisionStatus, string | null] = a.approved
    ? ['approved', a.approvedBy]
    : a.changesRequested
      ? ['changes_requested', a.changesRequestedBy]
      : a.expired
        ? ['expired', null]
        : a.cancelled
          ? ['cancelled', null]
          : ['rejected', a.rejectedBy];
  const d: Decision = { type: DECISION, status, taskId: a.taskId };
  if (a.approved && a.approvedPayload) d.payload = a.approvedPayload as JsonObject;
  if (a.edits) d.edits = a.edits as JsonObject;
  if (who) d.decidedBy = who;
  if (a.rejectionReason) d.reason = a.rejectionReason;
  if (a.feedback) d.feedback = a.feedback;
  return d;
}

/**
 * HumanOS as the place a LangGraph.js graph's approvals are answered.
 *
 * In the graph: {@link tool} wraps a tool (`createReactAgent({ llm, tools: [approvals.tool(t)] })`);
 * {@link requestApproval} asks for any other payload. Outside: {@link run}, {@link resume},
 * {@link handleWebhook}.
 *
 * @example
 * const approvals = new HumanOSApprovals(new HumanOSClient(), { approverRole: 'finance' });
 * const agent = createReactAgent({ llm, tools: [approvals.tool(wire)], checkpointer });
 * const result = await approvals.run(agent, { messages: [['user', 'Pay invoice 42']] }, config);
 */
export class HumanOSApprovals {
  constructor(
    readonly client: HumanOSClient,
    readonly options: HumanOSApprovalsOptions = {},
  ) {}

  /**
   * The tool, gated: each call waits for a human and runs with the approved arguments.
   *
   * @example
   * const agent = createReactAgent({ llm, tools: [approvals.tool(sendEmail)], checkpointer });
   */
  tool(tool: StructuredToolInterface): StructuredToolInterface {
    return gatedTool(tool, (call, run, state) =>
      gateToolCall(this.client, call, run, { reasoning: reasoningFor(state, call.id ?? '') }),
    );
  }

  /** The task (`createTask` input) and idempotency key of an interrupt: a function of the thread
   * and the stored interrupt value only, so every process computes the same ones. */
  taskFor(threadId: string, intr: Interrupt): { input: CreateTaskInput; idempotencyKey: string } {
    const v = (intr.value ?? {}) as Partial<ToolCallValue> & Partial<ApprovalValue> & { type?: string };
    const o = this.options;
    let ref: string;
    let input: CreateTaskInput;
    if (v.type === TOOL_CALL) {
      const call = v as ToolCallValue;
      ref = call.tool_call_id;
      const action = describeCall(call.tool, call.arguments);
      input = {
        description: (o.describe ? o.describe(call) : `Run ${action}`).slice(0, 2000),
        payload: { tool: call.tool, arguments: call.arguments, langgraph: { thread_id: threadId, tool_call_id: ref } },
        aiProposal: { action, ...(call.reasoning ? { reasoning: call.reasoning } : {}) },
      };
    } else {
      ref = intr.id ?? '';
      const origin = { thread_id: threadId, interrupt_id: ref };
      if (v.type === APPROVAL && v.payload && 'langgraph' in v.payload) {
        throw new TypeError("a payload to approve cannot have a 'langgraph' key (the adapter's)");
      }
      input =
        v.type === APPROVAL
          ? {
              description: String(v.description).slice(0, 2000),
              payload: { ...v.payload, langgraph: origin },
              ...(v.aiProposal && Object.keys(v.aiProposal).length ? { aiProposal: v.aiProposal } : {}),
              ...(v.riskAssessment ? { riskAssessment: v.riskAssessment } : {}),
            }
          : {
              description:
                typeof intr.value === 'string' ? intr.value : `Approve the paused step of thread ${threadId}`,
              payload: { value: intr.value ?? null, langgraph: origin },
            };
    }
    if (!input.riskAssessment && o.riskAssessment) input.riskAssessment = o.riskAssessment;
    const hitl = { ...o.humanInLoop, ...(o.approverRole ? { approverRole: o.approverRole } : {}) };
    if (Object.keys(hitl).length) input.humanInLoop = hitl;
    if (o.requiredCapabilities?.length) input.requiredCapabilities = o.requiredCapabilities;
    const idempotencyKey = `langgraph-${createHash('sha256').update(`${threadId}\0${ref}`).digest('hex')}`;
    return { input, idempotencyKey };
  }

  /** The thread's pending interrupts, each with its HumanOS task (made now, or found again). */
  async pending(graph: ResumableGraph, config: LangGraphRunnableConfig): Promise<PendingApproval[]> {
    const threadId = threadOf(config);
    const state = await graph.getState(config);
    const out: PendingApproval[] = [];
    for (const intr of state.tasks.flatMap((t) => t.interrupts)) {
      const { input, idempotencyKey } = this.taskFor(threadId, intr);
      const created = await this.client.createTask(input, { idempotencyKey });
      // Asked again (a later round, another process), the create answers as it did the first time:
      // its gate may since have escalated or handed over to a chain's next step. The gate asking now
      // is the task's pending one.
      const now = await this.client.decision(created.id, 0);
      out.push({ threadId, interrupt: intr, taskId: created.id, approvalId: now.approvalRequest?.id ?? undefined });
    }
    return out;
  }

  /** The task's decision (see {@link Wait}); undefined while undecided. */
  async decision(taskId: string, wait: Wait = true): Promise<Decision | undefined> {
    const outcome =
      wait === false
        ? { ...(await this.client.decision(taskId, 0)), timedOut: false }
        : await this.client.waitForApproval(taskId, wait === true ? {} : { timeoutMs: wait });
    return decisionOf(outcome);
  }

  /**
   * Resumes the thread with the decisions on its pending interrupts and returns `invoke`'s result
   * (which may hold new `__interrupt__`s); undefined when nothing was decided (or pending).
   * `wait: true` blocks until every pending interrupt is decided (a waiter); `false` only looks and
   * resumes what is decided (a worker's round); a number (ms) bounds the wait.
   *
   * @example
   * // In a fresh process after a restart, over the same checkpointer:
   * const result = await approvals.resume(agent, { configurable: { thread_id: 'invoice-42' } });
   */
  async resume(graph: ResumableGraph, config: LangGraphRunnableConfig, opts: { wait?: Wait } = {}): Promise<unknown> {
    const pending = await this.pending(graph, config);
    const decisions = await Promise.all(pending.map((p) => this.decision(p.taskId, opts.wait ?? true)));
    const answers: Record<string, Decision> = {};
    pending.forEach((p, i) => {
      const d = decisions[i];
      if (d && p.interrupt.id) answers[p.interrupt.id] = d;
    });
    if (!Object.keys(answers).length) return undefined;
    for (const [i, p] of pending.entries()) {
      const isCall = (p.interrupt.value as { type?: string } | undefined)?.type === TOOL_CALL;
      // The model answers with a new call (a new task); this one will never run.
      if (isCall && decisions[i]?.status === 'changes_requested') await this.withdraw(p.taskId);
    }
    return graph.invoke(new Command({ resume: answers }), config);
  }

  /**
   * Runs the thread to its end: each pause becomes HumanOS tasks, each decision resumes it. Returns
   * the final result, or the paused one when `wait` ran out before a decision.
   */
  async run(
    graph: ResumableGraph,
    input: unknown,
    config: LangGraphRunnableConfig,
    opts: { wait?: Wait } = {},
  ): Promise<unknown> {
    let result = await graph.invoke(input, config);
    for (;;) {
      const resumed = await this.resume(graph, config, opts);
      if (resumed === undefined) return result;
      result = resumed;
    }
  }

  /**
   * Resumes the thread a HumanOS webhook delivery is about, once its task is decided. Verifies the
   * Standard Webhooks signature over the raw body (throws a TypeError when it does not verify: answer
   * 401), finds the thread from the task's proposed payload, and resumes it without waiting. Returns
   * what {@link resume} returns (undefined for events that decide nothing). Safe to receive twice.
   *
   * @example
   * app.post('/hooks/humanos', express.raw({ type: 'application/json' }), async (req, res) => {
   *   await approvals.handleWebhook(agent, req.body.toString('utf8'), req.headers, process.env.HOOK_SECRET);
   *   res.sendStatus(204);
   * });
   */
  async handleWebhook(
    graph: ResumableGraph,
    body: string,
    headers: Parameters<typeof verifyWebhookSignature>[1],
    secret: string,
    opts: { configFor?: (threadId: string) => LangGraphRunnableConfig } = {},
  ): Promise<unknown> {
    if (!verifyWebhookSignature(secret, headers, body)) throw new TypeError('the webhook delivery does not verify');
    const event = (JSON.parse(body) as { data?: { event?: { type?: string; taskId?: string | null } } }).data?.event;
    if (!event?.taskId || !DECIDING_EVENTS.has(String(event.type))) return undefined;
    let task: Awaited<ReturnType<HumanOSClient['getTask']>>;
    try {
      task = await this.client.getTask(event.taskId);
    } catch (e) {
      // Another agent's task: a subscription receives every task's events.
      if (e instanceof HumanOSApiError && (e.status === 403 || e.status === 404)) return undefined;
      throw e;
    }
    const origin = (task.proposedPayload as JsonObject).langgraph as { thread_id?: unknown } | undefined;
    if (typeof origin?.thread_id !== 'string') return undefined; // not a task of a LangGraph thread
    const config = opts.configFor?.(origin.thread_id) ?? { configurable: { thread_id: origin.thread_id } };
    return this.resume(graph, config, { wait: false });
  }

  private async withdraw(taskId: string): Promise<void> {
    try {
      await this.client.cancelTask(taskId, { reason: 'changes were requested: the agent makes a new call' });
    } catch {
      // already over: either way it will not run
    }
  }
}
