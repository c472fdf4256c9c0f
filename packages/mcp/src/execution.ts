import { HumanOSApiError } from '@human/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { McpHumanOSClient } from './client.js';
import { type Extra, type Lease, progress, type ToolContext } from './context.js';
import { guarded, ok } from './results.js';
import { TASK_ID } from './tools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The lease of this session's execution of the task, starting the execution when the task is approved
 * and not yet running. Undefined when it runs already but was started elsewhere (another session):
 * completion still works for the same principal, heartbeats need the lease.
 */
async function ensureExecution(ctx: ToolContext, client: McpHumanOSClient, taskId: string): Promise<Lease | undefined> {
  const known = ctx.leases.get(taskId);
  if (known) return known;
  try {
    const e = await client.startExecution(taskId, { leaseSeconds: ctx.leaseSeconds });
    const lease: Lease = {
      executionId: e.executionId,
      leaseId: e.leaseId,
      leaseExpiresAt: e.leaseExpiresAt,
      payload: e.payload,
      payloadDigest: e.payloadDigest,
      grant: e.grant,
    };
    ctx.leases.set(taskId, lease);
    ctx.changed(taskId);
    return lease;
  } catch (e) {
    if (e instanceof HumanOSApiError && e.code === 'invalid_state') {
      const task = await client.getTask(taskId);
      if (task.status === 'executing' || task.status === 'paused') return undefined;
    }
    throw e;
  }
}

function registerStartExecution(mcp: McpServer, ctx: ToolContext): void {
  mcp.registerTool(
    'start_execution',
    {
      title: 'Start carrying out an approved task',
      description:
        'Call right before you carry out an APPROVED task. Returns the approved payload (the only thing you may ' +
        'do - it includes any human edits), an executionId to use as the idempotency key of the side effect, and ' +
        'the signed execution grant. Calling it again in this session returns the same execution.',
      inputSchema: { taskId: TASK_ID },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ taskId }, extra) =>
      guarded(async () => {
        const client = ctx.clientFor(extra);
        const lease = await ensureExecution(ctx, client, taskId);
        if (!lease) {
          const task = await client.getTask(taskId);
          return ok({
            taskId,
            status: task.status,
            executionId: (task.execution as { executionId?: string } | null)?.executionId ?? null,
            approvedPayload: task.approvedPayload,
            message:
              'This task is already running (started outside this session). Use approvedPayload; finish it with ' +
              'complete_task or fail_task.',
          });
        }
        return ok({
          taskId,
          status: 'executing',
          executionId: lease.executionId,
          approvedPayload: lease.payload,
          payloadDigest: lease.payloadDigest,
          leaseExpiresAt: lease.leaseExpiresAt,
          grant: lease.grant,
          message:
            'Carry out exactly approvedPayload now, using executionId as the idempotency key of the side effect. ' +
            'Then call complete_task with the result (or fail_task).',
        });
      }),
  );
}

/** Heartbeats while a human reviews a low-confidence pause, within the wait budget. */
async function waitWhilePaused(ctx: ToolContext, extra: Extra, taskId: string, lease: Lease) {
  const client = ctx.clientFor(extra);
  const deadline = Date.now() + ctx.waitSeconds * 1000;
  while (Date.now() < deadline && !extra.signal.aborted) {
    await sleep(Math.min(2000, Math.max(0, deadline - Date.now())));
    const beat = await client.heartbeat(taskId, { leaseId: lease.leaseId, leaseSeconds: ctx.leaseSeconds });
    if (beat.action === 'continue') return beat;
    await progress(extra, ctx.waitSeconds - (deadline - Date.now()) / 1000, ctx.waitSeconds, 'a human is reviewing');
  }
  return undefined;
}

function registerReportProgress(mcp: McpServer, ctx: ToolContext): void {
  mcp.registerTool(
    'report_progress',
    {
      title: 'Report progress and confidence while executing',
      description:
        'While carrying out an approved task, report progress and your current confidence (0..1). If confidence ' +
        "drops below the task's threshold, the task PAUSES and a human reviews it: this call then waits (up to " +
        `${ctx.waitSeconds} s) and tells you to continue, to keep waiting (call again), or to stop because a ` +
        'human took over.',
      inputSchema: {
        taskId: TASK_ID,
        progress: z.string().max(1000).optional().describe('What is done so far, in a sentence.'),
        confidence: z.number().min(0).max(1).optional().describe('Your confidence now that the outcome is right.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    ({ taskId, progress: text, confidence }, extra) =>
      guarded(async () => {
        const client = ctx.clientFor(extra);
        const lease = await ensureExecution(ctx, client, taskId);
        if (!lease) {
          throw new Error(
            'this execution was started outside this MCP session, so its lease is unknown here; progress cannot ' +
              'be reported, but complete_task and fail_task still work',
          );
        }
        try {
          let beat = await client.heartbeat(taskId, {
            leaseId: lease.leaseId,
            leaseSeconds: ctx.leaseSeconds,
            ...(text === undefined ? {} : { progress: text }),
            ...(confidence === undefined ? {} : { confidence }),
          });
          if (beat.action === 'wait') {
            ctx.changed(taskId);
            beat = (await waitWhilePaused(ctx, extra, taskId, lease)) ?? beat;
          }
          return ok({
            taskId,
            status: beat.status,
            action: beat.action,
            message:
              beat.action === 'continue'
                ? 'Continue with the approved payload.'
                : 'PAUSED: a human is reviewing your low confidence. Do not continue; call report_progress again ' +
                  '(without confidence) to keep waiting for the review.',
          });
        } catch (e) {
          if (e instanceof HumanOSApiError && (e.code === 'task_overridden' || e.code === 'lease_lost')) {
            ctx.leases.delete(taskId);
            ctx.changed(taskId);
            return ok({ taskId, action: 'stop', reason: e.code, message: `STOP: ${e.message}` });
          }
          throw e;
        }
      }),
  );
}

/** Completes or fails the task with this session's lease (starting the execution first when only approved). */
async function finish(
  ctx: ToolContext,
  extra: Extra,
  taskId: string,
  outcome: 'complete' | 'fail',
  value: unknown,
): Promise<Record<string, unknown>> {
  const client = ctx.clientFor(extra);
  const lease = await ensureExecution(ctx, client, taskId);
  const ids = lease ? { executionId: lease.executionId, leaseId: lease.leaseId } : {};
  const task =
    outcome === 'complete' ? await client.completeTask(taskId, value, ids) : await client.failTask(taskId, value, ids);
  ctx.leases.delete(taskId);
  ctx.changed(taskId);
  return { taskId, status: task.status, executionId: lease?.executionId ?? null };
}

function registerFinishTools(mcp: McpServer, ctx: ToolContext): void {
  mcp.registerTool(
    'complete_task',
    {
      title: 'Record that an approved task was done',
      description:
        'After carrying out an approved task, record its result. This finishes the task in the signed ledger. ' +
        'Only call it for work that was approved and actually done.',
      inputSchema: {
        taskId: TASK_ID,
        result: z.unknown().optional().describe('What came out (any JSON), e.g. {"rowsDeleted": 120}.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    ({ taskId, result }, extra) =>
      guarded(async () => ok({ ...(await finish(ctx, extra, taskId, 'complete', result)), message: 'Recorded.' })),
  );
  mcp.registerTool(
    'fail_task',
    {
      title: 'Record that an approved task failed',
      description: 'If carrying out an approved task failed, record why. This finishes the task as failed.',
      inputSchema: {
        taskId: TASK_ID,
        error: z.string().min(1).max(5000).describe('What went wrong, in a sentence.'),
        details: z.record(z.string(), z.unknown()).optional().describe('Any structured details (JSON object).'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    ({ taskId, error, details }, extra) =>
      guarded(async () =>
        ok({
          ...(await finish(ctx, extra, taskId, 'fail', { message: error, ...(details ? { details } : {}) })),
          message: 'Recorded as failed.',
        }),
      ),
  );
}

/** `start_execution`, `report_progress`, `complete_task` and `fail_task`. */
export function registerExecutionTools(mcp: McpServer, ctx: ToolContext): void {
  registerStartExecution(mcp, ctx);
  registerReportProgress(mcp, ctx);
  registerFinishTools(mcp, ctx);
}
