import { type Static, Type as T } from 'typebox';
import { GateView, PayloadChangeView } from '../approvals/schemas.js';
import {
  AiProposalView,
  ApprovalWarningSchema,
  CURSOR,
  closed,
  IsoTime,
  JsonObject,
  LIMIT,
  Nullable,
  named,
  Page,
  PolicyOutcome,
  RiskView,
  TaskStatusSchema,
  TEXT,
  view,
} from '../kernel/schemas.js';

/** Request schemas of the task routes; the create-task body is the policy's input (policy/schemas.ts). */
import { CreateTaskBody } from '../policy/schemas.js';

export { CreateTaskBody };

import { HumanInLoopSchema } from '../policy/schemas.js';

export const ListTasksQuery = T.Object({ status: T.Optional(TaskStatusSchema), limit: LIMIT, cursor: CURSOR }, closed);
export const CancelBody = named('CancelBody', T.Object({ reason: TEXT(5000, { minLength: 1 }) }, closed));

/* Response schemas. */

/** A task as `GET /tasks/{id}` (and the routes that return the task) show it. */
export const TaskView = named(
  'Task',
  view(
    {
      id: T.String({ description: '`task:human:…`' }),
      taskId: T.String(),
      description: T.String(),
      requiredCapabilities: T.Array(T.String()),
      status: TaskStatusSchema,
      requester: T.String(),
      onBehalfOf: Nullable(T.String({ description: 'The human the agent acts for' })),
      humanInLoop: named(
        'HumanInLoopSettings',
        view(HumanInLoopSchema.properties, 'The approval settings the task was created with'),
      ),
      policy: PolicyOutcome,
      payload: JsonObject,
      proposedPayload: JsonObject,
      approvedPayload: Nullable(JsonObject),
      payloadDigest: Nullable(T.String({ description: 'The approved payload’s digest' })),
      aiProposal: AiProposalView,
      riskAssessment: RiskView,
      confidence: Nullable(
        T.Number({ description: 'The latest confidence the executor reported, else the proposal’s' }),
      ),
      lease: Nullable(
        view({ attempt: T.Integer(), expiresAt: Nullable(IsoTime) }, 'The running attempt’s lease, while it has one'),
      ),
      overriddenBy: Nullable(T.String()),
      assignedTo: Nullable(T.String({ description: 'The resource a routing decision assigned' })),
      approvals: T.Array(GateView),
      execution: Nullable(
        view(
          {
            executionId: T.String({ description: 'Stable across attempts' }),
            executor: Nullable(T.String({ description: 'null between attempts (a lost lease was reclaimed)' })),
          },
          'The execution: its id and who runs the current attempt',
        ),
      ),
      result: T.Unknown(),
      error: T.Unknown(),
      createdAt: IsoTime,
      updatedAt: IsoTime,
    },
    'A task: its request, policy, payloads, proposal, gates with decisions, and outcome',
  ),
);
export const TaskPage = named('TaskPage', Page(TaskView, 'A page of tasks'));
/** The 201 (or the replayed 200) of `POST /tasks`. */
export const CreatedTask = named(
  'CreatedTask',
  view(
    {
      taskId: T.String({ description: '`task:human:…`' }),
      status: TaskStatusSchema,
      policy: PolicyOutcome,
      approvalRequest: T.Optional(GateView),
      approvalChain: T.Optional(T.Array(GateView)),
      warnings: T.Array(ApprovalWarningSchema, {
        description:
          'Where the agent’s text disagrees with the payload (the risk was raised one level for it) and `gate_undecidable` for a gate no enabled human can decide; `[]` when none',
      }),
    },
    'The created task: its status and policy, the first open approval request, and the chain when there are several',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type TaskView = Static<typeof TaskView>;
export type TaskPage = Static<typeof TaskPage>;
export type CreatedTask = Static<typeof CreatedTask>;

/* Revise (issue 26): the agent answers requested changes with a new version. */

export const ReviseTaskBody = named(
  'ReviseTaskBody',
  T.Object(
    {
      payload: JsonObject,
      aiProposal: CreateTaskBody.properties.aiProposal,
      riskAssessment: CreateTaskBody.properties.riskAssessment,
    },
    closed,
  ),
);
export const RevisedTask = named(
  'RevisedTask',
  view(
    {
      taskId: T.String(),
      status: TaskStatusSchema,
      version: T.Integer({ description: 'The new version (2 after the first revision)' }),
      previousDigest: T.String({ description: 'The digest of the version changes were requested for' }),
      payloadDigest: T.String({ description: 'The digest of the revised payload' }),
      diff: T.Array(PayloadChangeView, { description: 'From the previous version to this one' }),
      policy: PolicyOutcome,
      approvalRequest: T.Optional(GateView),
      approvalChain: T.Optional(T.Array(GateView)),
    },
    'The revised task: a new version awaiting fresh approvals of every gate',
  ),
);
export type RevisedTask = Static<typeof RevisedTask>;
