import type { CreateTaskInput } from '@human/sdk';
import { displayLines, RISK_LEVELS, TASK_ID_PATTERN } from '@humanos/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type Extra, progress, type ToolContext, taskUri } from './context.js';
import { decisionView, taskSummary } from './outcome.js';
import { guarded, ok } from './results.js';

const ROLE = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{0,63}$/)
  .describe('A HumanOS role name, e.g. "finance_manager"');
export const TASK_ID = z
  .string()
  .regex(new RegExp(TASK_ID_PATTERN))
  .describe('The taskId request_approval returned, e.g. "task:human:0123456789abcdef01234567"');

const requestShape = {
  description: z
    .string()
    .min(1)
    .max(2000)
    .describe('What you want to do, in one plain sentence. This is the first thing the human approver reads.'),
  action: z.string().min(1).max(2000).optional().describe('The concrete action, e.g. "DELETE FROM orders WHERE ...".'),
  reasoning: z.string().max(10_000).optional().describe('Why this action is the right one; shown to the approver.'),
  confidence: z.number().min(0).max(1).optional().describe('Your honest confidence (0..1) that this is correct.'),
  alternatives: z.array(z.string().max(2000)).max(20).optional().describe('Other options you considered.'),
  alternativePayloads: z
    .array(z.record(z.string(), z.unknown()).nullable())
    .max(20)
    .optional()
    .describe(
      'The payload each alternative would run, by index of alternatives (null: text only). The human may approve ' +
        'one of them instead; wait_for_decision then says which, and approvedPayload is that alternative.',
    ),
  risk: z.enum(RISK_LEVELS).optional().describe('Your risk estimate; the server may raise it by policy.'),
  riskFactors: z.array(z.string().max(100)).max(50).optional().describe('e.g. ["irreversible_action"]'),
  payload: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'The exact parameters of the action (JSON object). The human may edit them; you must then use the approved ' +
        'payload that wait_for_decision returns, never your original.',
    ),
  capabilities: z
    .array(ROLE)
    .max(32)
    .optional()
    .describe('Leave empty when you will carry out the action yourself. Name capabilities only if a worker should.'),
  approverRole: ROLE.optional().describe('Who must approve (a role), e.g. "dba_lead". Default: the policy decides.'),
  approvalTimeout: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 3600)
    .optional()
    .describe('Seconds the approver has to decide.'),
  escalationPolicy: z
    .enum(['reject', 'auto'])
    .optional()
    .describe(
      'At the deadline: "reject" expires the request; "auto" hands it to escalateTo (or the policy\'s ladder).',
    ),
  escalateTo: ROLE.optional().describe('Role to escalate to when the deadline passes.'),
  approvalRequired: z
    .enum(['before_execution', 'all_decisions', 'critical_only'])
    .optional()
    .describe('When a human must approve. Default "before_execution".'),
  pauseBelowConfidence: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('While executing, a report_progress confidence below this pauses the task for a human review.'),
  reviewRole: ROLE.optional().describe('Who reviews such a pause (a role). Default: the approver role.'),
  onBehalfOf: z.string().max(200).optional().describe('DID of the human you act for, if any.'),
  idempotencyKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Reuse the same key when you retry after an error: only one request is ever created for a key.'),
};

type RequestArgs = { [K in keyof typeof requestShape]: z.infer<(typeof requestShape)[K]> };

/** The REST create body; `autoEscalation` is part of the API though not of the SDK's input type. */
function createInput(a: RequestArgs): CreateTaskInput {
  const body: CreateTaskInput & { autoEscalation?: Record<string, unknown> } = {
    description: a.description,
    ...(a.capabilities ? { requiredCapabilities: a.capabilities } : {}),
    ...(a.payload ? { payload: a.payload } : {}),
    ...(a.onBehalfOf ? { onBehalfOf: a.onBehalfOf } : {}),
    humanInLoop: {
      enabled: true,
      approvalRequired: a.approvalRequired ?? 'before_execution',
      ...(a.approverRole ? { approverRole: a.approverRole } : {}),
      ...(a.approvalTimeout ? { approvalTimeout: a.approvalTimeout } : {}),
      ...(a.escalationPolicy ? { escalationPolicy: a.escalationPolicy } : {}),
      ...(a.escalateTo ? { escalateTo: a.escalateTo } : {}),
    },
    ...(a.pauseBelowConfidence === undefined
      ? {}
      : {
          autoEscalation: {
            enabled: true,
            confidenceThreshold: a.pauseBelowConfidence,
            ...(a.reviewRole || a.approverRole ? { escalateTo: a.reviewRole ?? a.approverRole } : {}),
          },
        }),
    aiProposal: {
      ...(a.action ? { action: a.action } : {}),
      ...(a.reasoning !== undefined ? { reasoning: a.reasoning } : {}),
      ...(a.confidence !== undefined ? { confidence: a.confidence } : {}),
      ...(a.alternatives ? { alternatives: a.alternatives } : {}),
      ...(a.alternativePayloads ? { alternativePayloads: a.alternativePayloads } : {}),
    },
    ...(a.risk || a.riskFactors
      ? {
          riskAssessment: {
            ...(a.risk ? { level: a.risk } : {}),
            ...(a.riskFactors ? { factors: a.riskFactors } : {}),
          },
        }
      : {}),
  };
  return body;
}

function registerRequestApproval(mcp: McpServer, ctx: ToolContext): void {
  mcp.registerTool(
    'request_approval',
    {
      title: 'Ask a human to approve an action',
      description:
        'Ask a human to approve an action BEFORE you take it (anything destructive, costly, external or hard to ' +
        'undo). Returns at once with a taskId; then call wait_for_decision with it. Put the exact parameters in ' +
        'payload: the human may edit them and you must then use the approved payload.',
      inputSchema: requestShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args, extra) =>
      guarded(async () => {
        const client = ctx.clientFor(extra);
        const created = await client.createTask(
          createInput(args),
          args.idempotencyKey ? { idempotencyKey: args.idempotencyKey } : {},
        );
        const gate = created.approvalRequest;
        const approved = created.status === 'approved';
        return ok({
          taskId: created.taskId,
          approvalId: gate?.id ?? null,
          status: created.status,
          approverRole: gate?.approverRole ?? null,
          deadline: gate?.expiresAt ?? null,
          risk: gate?.riskAssessment?.level ?? null,
          resource: taskUri(created.taskId),
          message: approved
            ? 'The policy approved this without a human. Call wait_for_decision to get the approved payload.'
            : 'Waiting for a human. Call wait_for_decision with this taskId; do not act before it says approved.',
        });
      }),
  );
}

/** Long-polls the decision in rounds of at most 15 s (sending progress between rounds) within `seconds`. */
async function awaitDecision(ctx: ToolContext, extra: Extra, taskId: string, seconds: number) {
  const client = ctx.clientFor(extra);
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const left = Math.floor((deadline - Date.now()) / 1000);
    const state = await client.decision(taskId, Math.max(0, Math.min(15, left)), extra.signal);
    if (state.decided || left <= 15 || extra.signal.aborted) return state;
    await progress(extra, seconds - left + 15, seconds, 'still waiting for a human decision');
  }
}

function registerWaitForDecision(mcp: McpServer, ctx: ToolContext): void {
  mcp.registerTool(
    'wait_for_decision',
    {
      title: 'Wait for the human decision',
      description:
        `Wait (up to ${ctx.waitSeconds} s per call) for the human decision on a task and return where it stands: ` +
        '"pending" (call again), "approved" (with approvedPayload - use it exactly -, edits, approver, reason and ' +
        'signed provenance), "changes_requested" (with feedback: revise with revise_request), "rejected" (with the ' +
        'reason: do not act; adapt), "expired" or "cancelled" (do not act).',
      inputSchema: {
        taskId: TASK_ID,
        waitSeconds: z
          .number()
          .int()
          .min(0)
          .max(ctx.waitSeconds)
          .optional()
          .describe(`Seconds to wait at most in this call (default and maximum ${ctx.waitSeconds}).`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ taskId, waitSeconds }, extra) =>
      guarded(async () => {
        const state = await awaitDecision(ctx, extra, taskId, waitSeconds ?? ctx.waitSeconds);
        return ok(await decisionView(ctx.clientFor(extra), state));
      }),
  );
}

function registerGetTask(mcp: McpServer, ctx: ToolContext): void {
  mcp.registerTool(
    'get_task',
    {
      title: 'Look at a task',
      description:
        'Get a task you can see: its status (awaiting_approval, approved, executing, paused, completed, failed, ' +
        'rejected, expired, cancelled, overridden, changes_requested), proposed and approved payloads, decisions, result or error, ' +
        'and for each approval request the payload as the human approver sees it (whatWillExecute).',
      inputSchema: { taskId: TASK_ID },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ taskId }, extra) => guarded(async () => ok(await shownTask(ctx.clientFor(extra), taskId))),
  );
}

/**
 * A task with, for each of its approval requests, the payload as the approver sees it (`display`,
 * the same rendering as Slack, e-mail and the console) and as lines of text (`whatWillExecute`):
 * what the human is asked to approve, not what the agent's text says.
 */
async function shownTask(client: ReturnType<ToolContext['clientFor']>, taskId: string) {
  const task = await client.getTask(taskId);
  const summary = taskSummary(task);
  const details = await Promise.all(task.approvals.map((g) => client.getApproval(g.id)));
  const approvals = (summary.approvals as Record<string, unknown>[]).map((a, i) => {
    const display = details[i]?.display;
    return display ? { ...a, display, whatWillExecute: displayLines(display) } : a;
  });
  return { ...summary, approvals };
}

const reviseShape = {
  taskId: TASK_ID,
  payload: requestShape.payload.unwrap().describe('The changed parameters of the action (the whole JSON object).'),
  action: requestShape.action,
  reasoning: requestShape.reasoning.describe('How this version addresses the feedback; shown to the approver.'),
  confidence: requestShape.confidence,
  alternatives: requestShape.alternatives,
  alternativePayloads: requestShape.alternativePayloads,
};

function registerReviseRequest(mcp: McpServer, ctx: ToolContext): void {
  mcp.registerTool(
    'revise_request',
    {
      title: 'Revise a request a human asked you to change',
      description:
        'After wait_for_decision answered "changes_requested", send the changed version of the same request: the ' +
        'human approvers are asked again (nothing approved before counts). Then call wait_for_decision again.',
      inputSchema: reviseShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args, extra) =>
      guarded(async () => {
        const { taskId, payload, ...proposal } = args;
        const revised = await ctx.clientFor(extra).reviseTask(taskId, {
          payload,
          aiProposal: {
            ...(proposal.action ? { action: proposal.action } : {}),
            ...(proposal.reasoning !== undefined ? { reasoning: proposal.reasoning } : {}),
            ...(proposal.confidence !== undefined ? { confidence: proposal.confidence } : {}),
            ...(proposal.alternatives ? { alternatives: proposal.alternatives } : {}),
            ...(proposal.alternativePayloads ? { alternativePayloads: proposal.alternativePayloads } : {}),
          },
        });
        return ok({
          taskId,
          approvalId: revised.approvalRequest?.id ?? null,
          status: revised.status,
          version: revised.version,
          diff: revised.diff,
          message: `Version ${revised.version} is waiting for a human. Call wait_for_decision with this taskId.`,
        });
      }),
  );
}

/** `request_approval`, `wait_for_decision`, `revise_request` and `get_task`. */
export function registerApprovalTools(mcp: McpServer, ctx: ToolContext): void {
  registerRequestApproval(mcp, ctx);
  registerReviseRequest(mcp, ctx);
  registerWaitForDecision(mcp, ctx);
  registerGetTask(mcp, ctx);
}
