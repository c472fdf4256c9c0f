import { type Static, Type as T } from 'typebox';
import { GateView } from '../approvals/schemas.js';
import {
  AiProposalView,
  AuditFrequencySchema,
  CURSOR,
  closed,
  Did,
  Enum,
  EscalationPolicySchema,
  IsoTime,
  JsonObject,
  JsonObjectOf,
  LIMIT,
  Nullable,
  named,
  Page,
  PolicyOutcome,
  RiskLevelSchema,
  RiskView,
  ROLE,
  TaskStatusSchema,
  TEXT,
  view,
} from '../kernel/schemas.js';

/** Which of the agent's steps need a human (`humanInLoop.approvalRequired`). */
export const ApprovalRequirementSchema = named(
  'ApprovalRequirement',
  Enum(['before_execution', 'all_decisions', 'critical_only'] as const, 'Which steps need an approval'),
);

/** Request schemas of the task routes (also the body of `POST /policy/evaluate`). */
export const HumanInLoopSchema = named(
  'HumanInLoop',
  T.Object(
    {
      enabled: T.Optional(T.Boolean()),
      approvalRequired: T.Optional(ApprovalRequirementSchema),
      approverRole: T.Optional(ROLE),
      approvalTimeout: T.Optional(T.Integer({ minimum: 1, maximum: 30 * 24 * 3600, description: 'Seconds to decide' })),
      escalationPolicy: T.Optional(EscalationPolicySchema),
      escalateTo: T.Optional(ROLE),
      showAIReasoning: T.Optional(T.Boolean()),
      requireExplicitFeedback: T.Optional(T.Boolean()),
      requireExplicitReason: T.Optional(T.Boolean()),
    },
    closed,
  ),
);

export const CreateTaskBody = named(
  'CreateTaskBody',
  T.Object(
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
      auditFrequency: T.Optional(AuditFrequencySchema),
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
            level: T.Optional(RiskLevelSchema),
            factors: T.Optional(T.Array(TEXT(100), { maxItems: 50 })),
            mitigations: T.Optional(T.Array(TEXT(200), { maxItems: 50 })),
          },
          closed,
        ),
      ),
    },
    closed,
  ),
);

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
      payload: JsonObjectOf('The payload as it stands (with approvers’ edits)'),
      proposedPayload: JsonObjectOf('The payload as the agent proposed it'),
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
    },
    'The created task: its status and policy, the first open approval request, and the chain when there are several',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type TaskView = Static<typeof TaskView>;
export type TaskPage = Static<typeof TaskPage>;
export type CreatedTask = Static<typeof CreatedTask>;
