import { RISK_LEVELS, TASK_STATUSES } from '@humanos/core';
import { Type as T } from 'typebox';
import { GateView } from '../approvals/schemas.js';
import {
  CURSOR,
  closed,
  Did,
  Enum,
  IsoTime,
  JsonObject,
  LIMIT,
  Nullable,
  Page,
  ROLE,
  TaskStatusSchema,
  TEXT,
  view,
} from '../kernel/schemas.js';

/** Request schemas of the task routes (also the body of `POST /policy/evaluate`). */
export const HumanInLoopSchema = T.Object(
  {
    enabled: T.Optional(T.Boolean()),
    approvalRequired: T.Optional(
      T.Union([T.Literal('before_execution'), T.Literal('all_decisions'), T.Literal('critical_only')]),
    ),
    approverRole: T.Optional(ROLE),
    approvalTimeout: T.Optional(T.Integer({ minimum: 1, maximum: 30 * 24 * 3600, description: 'Seconds to decide' })),
    escalationPolicy: T.Optional(T.Union([T.Literal('auto'), T.Literal('reject')])),
    escalateTo: T.Optional(ROLE),
    showAIReasoning: T.Optional(T.Boolean()),
    requireExplicitFeedback: T.Optional(T.Boolean()),
    requireExplicitReason: T.Optional(T.Boolean()),
  },
  closed,
);

export const CreateTaskBody = T.Object(
  {
    // Optional: without one the server names the task from its proposal or capabilities (defaultDescription).
    description: T.Optional(TEXT(2000, { minLength: 1 })),
    requiredCapabilities: T.Optional(T.Array(ROLE, { maxItems: 32 })),
    humanInLoop: T.Optional(HumanInLoopSchema),
    payload: T.Optional(JsonObject),
    onBehalfOf: T.Optional(Did),
    approvalChain: T.Optional(
      T.Array(
        T.Object(
          {
            role: ROLE,
            reason: T.Optional(TEXT(500)),
            timeout: T.Optional(
              T.Integer({ minimum: 1, maximum: 30 * 24 * 3600, description: 'Seconds this step has once it opens' }),
            ),
          },
          closed,
        ),
        { minItems: 1, maxItems: 10 },
      ),
    ),
    approvalPolicy: T.Optional(
      T.Object(
        {
          type: T.Literal('threshold'),
          required: T.Integer({ minimum: 1, maximum: 20 }),
          eligible: T.Array(ROLE, { minItems: 1, maxItems: 20 }),
          timeout: T.Optional(T.Integer({ minimum: 1, maximum: 30 * 24 * 3600 })),
        },
        closed,
      ),
    ),
    autoEscalation: T.Optional(
      T.Object(
        {
          enabled: T.Optional(T.Boolean()),
          confidenceThreshold: T.Optional(T.Number({ minimum: 0, maximum: 1 })),
          escalateTo: T.Optional(ROLE),
          escalationMessage: T.Optional(TEXT(1000)),
        },
        closed,
      ),
    ),
    routing: T.Optional(T.Object({ approverRole: T.Optional(ROLE) }, closed)),
    auditFrequency: T.Optional(
      T.Union([T.Literal('always'), T.Literal('daily'), T.Literal('weekly'), T.Literal('monthly')]),
    ),
    aiProposal: T.Optional(
      T.Object(
        {
          action: T.Optional(TEXT(2000, { minLength: 1 })),
          reasoning: T.Optional(T.Union([TEXT(10_000), T.Null()])),
          confidence: T.Optional(T.Union([T.Number({ minimum: 0, maximum: 1 }), T.Null()])),
          alternatives: T.Optional(T.Array(TEXT(2000), { maxItems: 20 })),
        },
        closed,
      ),
    ),
    riskAssessment: T.Optional(
      T.Object(
        {
          level: T.Optional(T.Union(RISK_LEVELS.map((l) => T.Literal(l)))),
          factors: T.Optional(T.Array(TEXT(100), { maxItems: 50 })),
          mitigations: T.Optional(T.Array(TEXT(200), { maxItems: 50 })),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const ListTasksQuery = T.Object(
  { status: T.Optional(T.Union(TASK_STATUSES.map((s) => T.Literal(s)))), limit: LIMIT, cursor: CURSOR },
  closed,
);
export const CancelBody = T.Object({ reason: TEXT(5000, { minLength: 1 }) }, closed);

/* Response schemas. */

/** A task as `GET /tasks/{id}` (and the routes that return the task) show it. */
export const TaskView = view(
  {
    id: T.String({ description: '`task:human:…`' }),
    taskId: T.String(),
    description: T.String(),
    status: TaskStatusSchema,
    requester: T.String(),
    requiredCapabilities: T.Array(T.String()),
    payload: T.Unknown({ description: 'The payload as it stands (with approvers’ edits)' }),
    approvedPayload: T.Unknown(),
    aiProposal: JsonObject,
    confidence: Nullable(T.Number({ description: 'The latest confidence the executor reported, else the proposal’s' })),
    approvals: T.Array(GateView),
    result: T.Unknown(),
    error: T.Unknown(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  'A task: its request, policy, payloads, proposal, gates with decisions, and outcome',
);
export const TaskPage = Page(TaskView, 'A page of tasks');
/** Which policy planned a task's gates, and how. */
export const PolicyOutcome = view(
  {
    id: T.String(),
    version: T.Integer(),
    source: Enum(['built-in', 'file'] as const),
    rulesApplied: T.Array(T.String()),
    gateRequired: T.Boolean(),
  },
  'The policy that planned the gates: its id and version, the rules that matched, whether a gate is required',
);
/** The 201 (or the replayed 200) of `POST /tasks`. */
export const CreatedTask = view(
  {
    taskId: T.String({ description: '`task:human:…`' }),
    status: TaskStatusSchema,
    policy: PolicyOutcome,
    approvalRequest: T.Optional(GateView),
    approvalChain: T.Optional(T.Array(GateView)),
  },
  'The created task: its status and policy, the first open approval request, and the chain when there are several',
);
