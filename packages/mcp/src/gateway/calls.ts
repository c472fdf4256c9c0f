import { createHash } from 'node:crypto';
import { type CreateTaskInput, type Execution, HumanOSApiError, type Task } from '@human/sdk';
import { canonicalJson } from '@humanos/core';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpHumanOSClient } from '../client.js';
import { type Extra, progress } from '../context.js';
import { rejectedMessage } from '../outcome.js';
import type { GatePlan, GatewayConfig } from './config.js';

/** A `tools/call` as the client sent it. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** The request's `_meta`: `humanos/idempotencyKey` names the call explicitly, `humanos/reasoning` explains it. */
  meta: Record<string, unknown> | undefined;
}

/** What a gated call's task records as its result: the upstream tool's answer. */
interface RecordedCall {
  tool: string;
  executionId: string;
  /** The arguments that ran (the approved ones), so a replay can say when a human edited them. */
  arguments?: Record<string, unknown>;
  toolResult?: CallToolResult;
  truncated?: boolean;
  text?: string;
}

const FINISHED = new Set(['completed', 'failed', 'rejected', 'expired', 'cancelled', 'overridden']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function text(message: string, meta: Record<string, unknown>, isError = true): CallToolResult {
  return { isError, content: [{ type: 'text', text: message }], _meta: meta };
}

/**
 * A gated call's identity: the tool and its arguments as canonical JSON (RFC 8785), hashed — never the
 * agent's reasoning or the request's `_meta`, so the same call rephrased is the same call.
 *
 * @example
 * callIdentity({ name: 'delete_file', arguments: { path: '/a', force: true } })
 *   === callIdentity({ name: 'delete_file', arguments: { force: true, path: '/a' } }) // true
 */
export function callIdentity(call: Pick<ToolCall, 'name' | 'arguments'>): string {
  return createHash('sha256')
    .update(canonicalJson({ tool: call.name, arguments: call.arguments }))
    .digest('hex')
    .slice(0, 40);
}

/** The task a gated call becomes: its payload is the tool and its arguments, which the human may edit. */
function taskInput(call: ToolCall, plan: GatePlan, description: string | undefined): CreateTaskInput {
  const args = JSON.stringify(call.arguments);
  const reasoning = call.meta?.['humanos/reasoning'];
  return {
    description: `Run the MCP tool "${call.name}"${description ? ` (${description.split('\n')[0]})` : ''}`.slice(
      0,
      2000,
    ),
    payload: { tool: call.name, arguments: call.arguments },
    humanInLoop: {
      enabled: true,
      approvalRequired: 'before_execution',
      ...(plan.approverRole ? { approverRole: plan.approverRole } : {}),
      ...(plan.timeout ? { approvalTimeout: plan.timeout } : {}),
      ...(plan.escalationPolicy ? { escalationPolicy: plan.escalationPolicy } : {}),
      ...(plan.escalateTo ? { escalateTo: plan.escalateTo } : {}),
    },
    aiProposal: {
      action: `${call.name}(${args.length > 1800 ? `${args.slice(0, 1800)}…` : args})`,
      ...(typeof reasoning === 'string' ? { reasoning: reasoning.slice(0, 10_000) } : {}),
    },
    riskAssessment: { level: plan.risk, factors: ['mcp_tool_call'] },
  };
}

/**
 * Gated tool calls: each becomes a HumanOS task (payload `{tool, arguments}`), and the upstream tool
 * runs only once a human approved it, only with the approved arguments, and only once per call: a
 * retried call (same tool and arguments — whatever its reasoning or other `_meta` — or the same
 * `_meta["humanos/idempotencyKey"]`) finds the same task — waiting, running or finished — instead of making a new one. Finished calls are
 * answered from the record for `reuseWindowSeconds` (by the server's clock); after that, the same
 * arguments are a new call that needs a new approval.
 */
export class GatedCalls {
  private readonly running = new Map<string, Promise<CallToolResult>>();
  private readonly generations = new Map<string, number>();
  /** The task each idempotency key made for each call, as this process learned it. */
  private readonly byKey = new Map<string, string>();

  constructor(
    private readonly humanos: McpHumanOSClient,
    private readonly upstream: Client,
    private readonly config: GatewayConfig,
  ) {}

  private get waitMs(): number {
    return (this.config.waitSeconds ?? 50) * 1000;
  }

  /** Puts a call to a human and runs it if approved, answering within the wait budget. */
  async call(call: ToolCall, plan: GatePlan, toolDescription: string | undefined, extra: Extra) {
    const deadline = Date.now() + this.waitMs;
    const taskId = await this.taskFor(call, taskInput(call, plan, toolDescription));
    return this.drive(taskId, call, deadline, extra);
  }

  /**
   * The task of this call: the live one for its identity (`callIdentity`, or the explicit key), or a
   * fresh generation once the last is stale. The same call rephrased — other reasoning, other `_meta`
   * — finds the task the first phrasing opened: the key names only the tool and its arguments.
   */
  private async taskFor(call: ToolCall, input: CreateTaskInput): Promise<string> {
    const explicit = call.meta?.['humanos/idempotencyKey'];
    const id = typeof explicit === 'string' && explicit ? explicit.slice(0, 100) : undefined;
    const base = `mcp-gateway:${call.name.slice(0, 60)}:${id ?? callIdentity(call)}`;
    const windowMs = (this.config.reuseWindowSeconds ?? 600) * 1000;
    for (let gen = this.generations.get(base) ?? 0; gen < 10_000; gen++) {
      const taskId = await this.createOrFind(input, gen ? `${base}#${gen}` : base, call);
      this.generations.set(base, gen);
      if (id) return taskId;
      const task = await this.humanos.getTask(taskId);
      if (!FINISHED.has(task.status)) return task.id;
      if (this.humanos.serverNow() - Date.parse(String(task.updatedAt)) <= windowMs) return task.id;
    }
    throw new Error(`too many generations of ${base}`);
  }

  /**
   * Creates the call's task under `key`, or finds the one the key already made. The server replays a
   * key only for the very same body, and the body carries the agent's reasoning, which a rephrased
   * call changes: then (`idempotency_key_reused`) the task is the gateway's newest with this call's
   * proposed payload. Keys this process used are remembered, so that look-up is needed only after a
   * restart or from another gateway.
   */
  private async createOrFind(input: CreateTaskInput, key: string, call: ToolCall): Promise<string> {
    // Remembered per key and call: an explicit key reused for other arguments must still be refused.
    const memo = `${key}\n${callIdentity(call)}`;
    const known = this.byKey.get(memo);
    if (known) return known;
    let taskId: string;
    try {
      taskId = (await this.humanos.createTask(input, { idempotencyKey: key })).taskId;
    } catch (e) {
      if (!(e instanceof HumanOSApiError) || e.code !== 'idempotency_key_reused') throw e;
      const found = await this.findCall(call);
      if (!found) throw e; // an explicit key reused for another call: a real conflict
      taskId = found;
    }
    this.byKey.set(memo, taskId);
    return taskId;
  }

  /** The gateway's newest task (of its last 1 000) that proposed exactly this call. */
  private async findCall(call: ToolCall): Promise<string | undefined> {
    const want = canonicalJson({ tool: call.name, arguments: call.arguments });
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await this.humanos.listTasks({ limit: 100, ...(cursor ? { cursor } : {}) });
      const hit = r.items.find((t) => canonicalJson(t.proposedPayload) === want);
      if (hit) return hit.id;
      if (!r.nextCursor) return undefined;
      cursor = r.nextCursor;
    }
    return undefined;
  }

  /** Moves the call along until it has an answer or the wait budget runs out. */
  private async drive(taskId: string, call: ToolCall, deadline: number, extra: Extra): Promise<CallToolResult> {
    const meta = { 'humanos/taskId': taskId };
    for (;;) {
      const mine = this.running.get(taskId);
      if (mine) return mine;
      const task = await this.humanos.getTask(taskId);
      const left = deadline - Date.now();
      switch (task.status) {
        case 'awaiting_approval':
          if (left <= 0 || extra.signal.aborted) return this.pending(task, call, meta);
          await this.humanos
            .decision(taskId, Math.min(15, Math.ceil(left / 1000)), extra.signal)
            .catch(() => sleep(1000));
          await progress(extra, this.waitMs - (deadline - Date.now()), this.waitMs, 'waiting for human approval');
          continue;
        case 'approved': {
          const result = await this.execute(task, call);
          if (result) return result;
          continue;
        }
        case 'executing':
        case 'paused':
          if (left <= 0 || extra.signal.aborted) return this.pending(task, call, meta);
          await sleep(Math.min(1000, left));
          continue;
        case 'completed':
        case 'failed':
          return replayed(task, call, meta);
        default:
          return this.refused(task, call, meta);
      }
    }
  }

  private pending(task: Task, call: ToolCall, meta: Record<string, unknown>): CallToolResult {
    const gate = task.approvals.find((g) => g.status === 'pending');
    const waiting =
      task.status === 'awaiting_approval'
        ? `is waiting for human approval (approver role ${gate?.approverRole ?? 'per policy'}, deadline ${gate?.expiresAt ?? 'none'})`
        : 'was approved and is running now';
    return text(
      `HumanOS: this call to ${call.name} ${waiting}; task ${task.id}. It has NOT finished. Call ${call.name} ` +
        'again with exactly the same arguments to get the outcome: it runs at most once, however often you call.',
      { ...meta, 'humanos/status': 'pending' },
    );
  }

  private async refused(task: Task, call: ToolCall, meta: Record<string, unknown>): Promise<CallToolResult> {
    const m = { ...meta, 'humanos/status': task.status };
    if (task.status === 'rejected') {
      const d = await this.humanos.decision(task.id, 0);
      const why = rejectedMessage(d.rejectedBy, d.rejectionReason, d.feedback);
      return text(`HumanOS: the call to ${call.name} was NOT run. ${why}`, {
        ...m,
        'humanos/reason': d.rejectionReason,
      });
    }
    if (task.status === 'expired') {
      return text(
        `HumanOS: nobody approved this call to ${call.name} before its deadline, so it expired and was NOT run.`,
        m,
      );
    }
    return text(`HumanOS: the call to ${call.name} was NOT run: its approval task is ${task.status}.`, m);
  }

  /** Starts the execution and runs it; undefined when another caller started it first. */
  private async execute(task: Task, call: ToolCall): Promise<CallToolResult | undefined> {
    let execution: Execution;
    try {
      execution = await this.humanos.startExecution(task.id, { leaseSeconds: this.config.leaseSeconds ?? 120 });
    } catch (e) {
      if (e instanceof HumanOSApiError && e.code === 'invalid_state') return undefined;
      throw e;
    }
    const run = this.runUpstream(task, execution, call);
    this.running.set(task.id, run);
    try {
      return await run;
    } finally {
      this.running.delete(task.id);
    }
  }

  /** Runs the upstream tool with the approved arguments under the execution, and records the outcome. */
  private async runUpstream(task: Task, execution: Execution, call: ToolCall): Promise<CallToolResult> {
    const ids = { executionId: execution.executionId, leaseId: execution.leaseId };
    const meta = { 'humanos/taskId': task.id, 'humanos/executionId': execution.executionId };
    const approved = execution.payload as { tool?: unknown; arguments?: unknown };
    if (approved.tool !== call.name || !isObject(approved.arguments)) {
      await this.humanos.failTask(task.id, { message: 'the approved payload does not name this tool' }, ids);
      return text(`HumanOS: the approved payload does not name ${call.name} with arguments; NOT run.`, meta);
    }
    const leaseSeconds = this.config.leaseSeconds ?? 120;
    const beat = setInterval(
      () => {
        void this.humanos.heartbeat(task.id, { leaseId: execution.leaseId, leaseSeconds }).catch(() => {});
      },
      (leaseSeconds * 1000) / 3,
    );
    let result: CallToolResult;
    try {
      result = (await this.upstream.callTool(
        { name: call.name, arguments: approved.arguments, _meta: { ...meta, 'humanos/grant': execution.grant } },
        undefined,
        { timeout: (this.config.toolTimeoutSeconds ?? 600) * 1000 },
      )) as CallToolResult;
    } catch (e) {
      const message = `the upstream tool failed: ${(e as Error).message}`;
      await this.humanos.failTask(task.id, { message, executionId: execution.executionId }, ids);
      return text(`HumanOS: ${call.name} was approved and started, but ${message}.`, meta);
    } finally {
      clearInterval(beat);
    }
    const rec = {
      tool: call.name,
      executionId: execution.executionId,
      arguments: approved.arguments,
      toolResult: result,
    };
    await this.record(task.id, rec, ids);
    return annotate(result, call, approved.arguments, meta);
  }

  /** Records the tool's answer as the task's completion (or failure), shortened if the server refuses its size. */
  private async record(taskId: string, rec: RecordedCall, ids: { executionId: string; leaseId: string }) {
    const finish = (r: RecordedCall) =>
      r.toolResult?.isError ? this.humanos.failTask(taskId, r, ids) : this.humanos.completeTask(taskId, r, ids);
    try {
      await finish(rec);
    } catch (e) {
      if (!(e instanceof HumanOSApiError) || e.status !== 413) throw e;
      const all = (rec.toolResult?.content ?? []).map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
      await finish({
        tool: rec.tool,
        executionId: rec.executionId,
        arguments: rec.arguments,
        truncated: true,
        text: all.slice(0, 20_000),
        toolResult: {
          isError: rec.toolResult?.isError ?? false,
          content: [{ type: 'text', text: all.slice(0, 20_000) }],
        },
      });
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The upstream answer, with a note when the human changed the arguments, and the task ids in `_meta`. */
function annotate(
  result: CallToolResult,
  call: ToolCall,
  approvedArgs: Record<string, unknown> | undefined,
  meta: Record<string, unknown>,
  extra: string[] = [],
): CallToolResult {
  const edited = approvedArgs !== undefined && canonicalJson(approvedArgs) !== canonicalJson(call.arguments);
  const notes = [
    ...(edited
      ? [`HumanOS: a human approved this call with EDITED arguments; what ran was ${JSON.stringify(approvedArgs)}.`]
      : []),
    ...extra,
  ].map((t) => ({ type: 'text' as const, text: t }));
  return { ...result, content: [...(result.content ?? []), ...notes], _meta: { ...(result._meta ?? {}), ...meta } };
}

/** A finished call answered from its record: it is never run again (and still says when the arguments were edited). */
function replayed(task: Task, call: ToolCall, meta: Record<string, unknown>): CallToolResult {
  const rec = (task.status === 'completed' ? task.result : task.error) as RecordedCall | { message?: string } | null;
  const m = { ...meta, 'humanos/status': task.status, 'humanos/replayed': true };
  if (rec && 'toolResult' in rec && rec.toolResult) {
    const note = `HumanOS: this call already ran (task ${task.id}, ${task.status}); this is its recorded result. It was not run again.`;
    return annotate(rec.toolResult, call, rec.arguments, m, [note]);
  }
  const why = rec && 'message' in rec && rec.message ? rec.message : 'no details recorded';
  return text(
    `HumanOS: this call was approved but did not complete (${task.status}): ${why}. It will not be run again.`,
    m,
  );
}
