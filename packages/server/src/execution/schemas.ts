import { Type as T } from 'typebox';
import { GateView } from '../approvals/schemas.js';
import {
  closed,
  Did,
  Enum,
  IsoTime,
  Items,
  JsonObject,
  Nullable,
  ROLE,
  TaskStatusSchema,
  TEXT,
  view,
} from '../kernel/schemas.js';

/** Request schemas of the execution routes: claims, leases, in-run decisions, override, completion, feedback. */
export const InRunDecisionBody = T.Object(
  {
    action: TEXT(2000, { minLength: 1 }),
    reasoning: T.Optional(T.Union([TEXT(10_000), T.Null()])),
    confidence: T.Optional(T.Union([T.Number({ minimum: 0, maximum: 1 }), T.Null()])),
    alternatives: T.Optional(T.Array(TEXT(2000), { maxItems: 20 })),
    payload: T.Optional(JsonObject),
  },
  closed,
);

const LEASE_SECONDS = T.Optional(
  T.Integer({ minimum: 5, maximum: 3600, description: 'Lease length without a heartbeat' }),
);
const LEASE_ID = T.String({ pattern: '^lease:[0-9a-f]{24}$' });

export const ExecuteBody = T.Object({ payload: T.Optional(JsonObject), leaseSeconds: LEASE_SECONDS }, closed);
export const ClaimBody = T.Object(
  {
    capabilities: T.Array(ROLE, { maxItems: 64 }),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 50 })),
    leaseSeconds: LEASE_SECONDS,
  },
  closed,
);
export const HeartbeatBody = T.Object(
  {
    leaseId: LEASE_ID,
    confidence: T.Optional(T.Number({ minimum: 0, maximum: 1 })),
    progress: T.Optional(TEXT(1000)),
    leaseSeconds: LEASE_SECONDS,
  },
  closed,
);
export const OverrideBody = T.Object(
  { overriddenBy: T.Optional(Did), reason: TEXT(5000, { minLength: 1 }), continueExecution: T.Boolean() },
  closed,
);
export const FeedbackBody = T.Object(
  {
    quality: T.Union([T.Literal('poor'), T.Literal('fair'), T.Literal('good'), T.Literal('excellent')]),
    correctness: T.Optional(T.Boolean()),
    comments: T.Optional(TEXT(5000)),
    improvements: T.Optional(T.Array(TEXT(2000), { maxItems: 50 })),
  },
  closed,
);
export const CalibrationQuery = T.Object({ agent: Did, capability: T.Optional(ROLE) }, closed);
export const CompleteBody = T.Object(
  { result: T.Optional(T.Unknown()), executionId: T.Optional(TEXT(100)), leaseId: T.Optional(LEASE_ID) },
  closed,
);
export const FailBody = T.Object(
  { error: T.Optional(T.Unknown()), executionId: T.Optional(TEXT(100)), leaseId: T.Optional(LEASE_ID) },
  closed,
);

/* Response schemas. */

/** An execution grant: the approved payload, the lease, and the signed permission to run it. */
export const ExecutionGrant = view(
  {
    taskId: T.String(),
    executionId: T.String(),
    leaseId: T.String(),
    leaseExpiresAt: IsoTime,
    attempt: T.Integer(),
    status: T.Literal('executing'),
    description: T.String(),
    payload: T.Unknown({ description: 'The approved payload: run exactly this' }),
    payloadDigest: T.String(),
    grant: JsonObject,
  },
  'The execution grant: the approved payload, the lease to heartbeat, and the signed grant naming its decisions',
);
export const ClaimResult = Items(ExecutionGrant, 'The tasks claimed (possibly none), each with its grant');
export const HeartbeatResult = view(
  {
    taskId: T.String(),
    status: TaskStatusSchema,
    action: Enum(['continue', 'wait'] as const, '`wait` while a review is pending (the task is paused)'),
    leaseExpiresAt: IsoTime,
    approvalRequest: T.Optional(GateView),
  },
  'Whether to continue, the renewed lease, and the review request when the run is paused',
);
export const InRunDecisionResult = view(
  {
    taskId: T.String(),
    status: Enum(['approved', 'pending'] as const),
    autoApproved: T.Boolean(),
    approvalRequest: T.Optional(GateView),
    approvalChain: T.Optional(T.Array(GateView)),
  },
  'The in-run decision: approved by policy at once, or pending with its approval request',
);
export const OverrideResult = view(
  {
    taskId: T.String(),
    status: TaskStatusSchema,
    overriddenBy: Nullable(T.String()),
    continueExecution: T.Boolean(),
  },
  'The task after the override',
);
export const FeedbackResult = view(
  { taskId: T.String(), principal: T.String(), recordedAt: IsoTime },
  'The feedback as recorded',
);
export const CalibrationReport = view(
  { agent: T.String(), capability: Nullable(T.String()) },
  'How well the agent’s stated confidence predicted approval and quality',
);
