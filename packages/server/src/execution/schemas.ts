import { type Static, Type as T } from 'typebox';
import { GateView } from '../approvals/schemas.js';
import {
  closed,
  Did,
  Enum,
  IsoTime,
  Items,
  JsonObject,
  Nullable,
  named,
  PolicyOutcome,
  ROLE,
  TaskStatusSchema,
  TEXT,
  view,
} from '../kernel/schemas.js';

/** Request schemas of the execution routes: claims, leases, in-run decisions, override, completion, feedback. */
export const InRunDecisionBody = named(
  'InRunDecisionBody',
  T.Object(
    {
      action: TEXT(2000, { minLength: 1 }),
      reasoning: T.Optional(T.Union([TEXT(10_000), T.Null()])),
      confidence: T.Optional(T.Union([T.Number({ minimum: 0, maximum: 1 }), T.Null()])),
      alternatives: T.Optional(T.Array(TEXT(2000), { maxItems: 20 })),
      payload: T.Optional(JsonObject),
    },
    closed,
  ),
);

const LEASE_SECONDS = T.Optional(
  T.Integer({ minimum: 5, maximum: 3600, description: 'Lease length without a heartbeat' }),
);
const LEASE_ID = T.String({ pattern: '^lease:[0-9a-f]{24}$' });

export const ExecuteBody = named(
  'ExecuteBody',
  T.Object({ payload: T.Optional(JsonObject), leaseSeconds: LEASE_SECONDS }, closed),
);
export const ClaimBody = named(
  'ClaimBody',
  T.Object(
    {
      capabilities: T.Array(ROLE, { maxItems: 64 }),
      limit: T.Optional(T.Integer({ minimum: 1, maximum: 50 })),
      leaseSeconds: LEASE_SECONDS,
    },
    closed,
  ),
);
export const HeartbeatBody = named(
  'HeartbeatBody',
  T.Object(
    {
      leaseId: LEASE_ID,
      confidence: T.Optional(T.Number({ minimum: 0, maximum: 1 })),
      progress: T.Optional(TEXT(1000)),
      leaseSeconds: LEASE_SECONDS,
    },
    closed,
  ),
);
export const OverrideBody = named(
  'OverrideBody',
  T.Object(
    { overriddenBy: T.Optional(Did), reason: TEXT(5000, { minLength: 1 }), continueExecution: T.Boolean() },
    closed,
  ),
);
/** How good a finished run was, in a human's judgement. */
export const FeedbackQualitySchema = named(
  'FeedbackQuality',
  Enum(['poor', 'fair', 'good', 'excellent'] as const, 'How good the run was'),
);
export const FeedbackBody = named(
  'FeedbackBody',
  T.Object(
    {
      quality: FeedbackQualitySchema,
      correctness: T.Optional(T.Boolean()),
      comments: T.Optional(TEXT(5000)),
      improvements: T.Optional(T.Array(TEXT(2000), { maxItems: 50 })),
    },
    closed,
  ),
);
export const CalibrationQuery = T.Object({ agent: Did, capability: T.Optional(ROLE) }, closed);
export const CompleteBody = named(
  'CompleteBody',
  T.Object(
    { result: T.Optional(T.Unknown()), executionId: T.Optional(TEXT(100)), leaseId: T.Optional(LEASE_ID) },
    closed,
  ),
);
export const FailBody = named(
  'FailBody',
  T.Object(
    { error: T.Optional(T.Unknown()), executionId: T.Optional(TEXT(100)), leaseId: T.Optional(LEASE_ID) },
    closed,
  ),
);

/* Response schemas. */

/** The signed permission to run: the decisions it rests on, under a checkpoint (`signature` by `signer`). */
export const SignedGrant = named(
  'SignedGrant',
  view(
    {
      type: T.Literal('humanos.execution-grant/v1'),
      origin: T.String(),
      taskId: T.String(),
      executionId: T.String(),
      attempt: T.Integer(),
      executor: T.String(),
      payloadDigest: T.String(),
      decisions: T.Array(T.Integer(), { description: 'Ledger indexes of the signed decisions counted' }),
      checkpointSize: T.Integer({ description: 'Size of the signed checkpoint the decisions were checked against' }),
      grantedAt: IsoTime,
      signature: T.String({ description: 'Ed25519 over the canonical grant without `signature` and `signer`' }),
      signer: T.String({ description: 'The server’s `did:key`' }),
    },
    'The signed execution grant',
  ),
);
/** An execution grant: the approved payload, the lease, and the signed permission to run it. */
export const ExecutionGrant = named(
  'ExecutionGrant',
  view(
    {
      taskId: T.String(),
      executionId: T.String({ description: 'Stable across attempts: the idempotency key of the side effect' }),
      leaseId: T.String(),
      leaseExpiresAt: IsoTime,
      attempt: T.Integer(),
      status: T.Literal('executing'),
      description: T.String(),
      requiredCapabilities: T.Array(T.String()),
      payload: JsonObject,
      payloadDigest: T.String(),
      grant: SignedGrant,
    },
    'The execution grant: the approved payload, the lease to heartbeat, and the signed grant naming its decisions',
  ),
);
export const ClaimResult = named(
  'ClaimResult',
  Items(ExecutionGrant, 'The tasks claimed (possibly none), each with its grant'),
);
export const HeartbeatResult = named(
  'HeartbeatResult',
  view(
    {
      taskId: T.String(),
      status: TaskStatusSchema,
      action: named(
        'HeartbeatAction',
        Enum(['continue', 'wait'] as const, '`wait` while a review is pending (the task is paused)'),
      ),
      leaseExpiresAt: IsoTime,
      approvalRequest: T.Optional(GateView),
    },
    'Whether to continue, the renewed lease, and the review request when the run is paused',
  ),
);
export const InRunDecisionResult = named(
  'InRunDecisionResult',
  T.Union(
    [
      named(
        'InRunDecisionApproved',
        view(
          {
            taskId: T.String(),
            status: T.Literal('approved'),
            autoApproved: T.Literal(true),
            payload: JsonObject,
            payloadDigest: T.String(),
            ledgerIndex: T.Integer({ description: 'Where the auto-approval is recorded' }),
            policy: PolicyOutcome,
          },
          'Approved by policy at once, and recorded',
        ),
      ),
      named(
        'InRunDecisionPending',
        view(
          {
            taskId: T.String(),
            status: T.Literal('pending'),
            autoApproved: T.Literal(false),
            decisionId: T.String({ description: 'The first step’s approval request id' }),
            approvalRequest: GateView,
            approvalChain: T.Optional(T.Array(GateView, { description: 'Every step, when there are several' })),
            policy: PolicyOutcome,
          },
          'Pending: the approval request (and the chain of steps) a human decides',
        ),
      ),
    ],
    { description: 'The in-run decision: approved by policy at once, or pending with its approval request' },
  ),
);
export const OverrideResult = named(
  'OverrideResult',
  view(
    {
      taskId: T.String(),
      status: TaskStatusSchema,
      overriddenBy: Nullable(T.String()),
      continueExecution: T.Boolean(),
    },
    'The task after the override',
  ),
);
export const FeedbackResult = named(
  'Feedback',
  view(
    {
      taskId: T.String(),
      principal: T.String(),
      quality: FeedbackQualitySchema,
      correctness: T.Optional(T.Boolean()),
      comments: T.Optional(T.String()),
      improvements: T.Optional(T.Array(T.String())),
      confidence: Nullable(
        T.Number({ description: 'The confidence the agent proposed with, judged by this feedback' }),
      ),
      recordedAt: IsoTime,
    },
    'The feedback as recorded',
  ),
);
const Rate = Nullable(T.Number());
const StageCalibration = named(
  'StageCalibration',
  view({ samples: T.Integer(), brierScore: Rate }, 'Calibration of the confidences stated at one stage'),
);
export const CalibrationReport = named(
  'CalibrationReport',
  view(
    {
      agent: T.String(),
      capability: Nullable(T.String()),
      samples: T.Integer({ description: 'Stated confidences judged by a human’s correctness verdict' }),
      brierScore: Rate,
      reliability: T.Array(
        named(
          'ReliabilityBin',
          view(
            {
              from: T.Number(),
              to: T.Number(),
              count: T.Integer(),
              meanConfidence: Rate,
              observedAccuracy: Rate,
            },
            'One bin of the reliability curve',
          ),
        ),
      ),
      approvalRate: Rate,
      editRate: Rate,
      rejectionRate: Rate,
      overrideRate: Rate,
      recommendedAutonomy: named(
        'RecommendedAutonomy',
        Enum(
          ['all_decisions', 'before_execution', 'critical_only', 'confidence'] as const,
          'The autonomy the evidence supports',
        ),
      ),
      evidence: T.Array(T.String()),
      byStage: view(
        { creation: StageCalibration, heartbeat: StageCalibration, decision: StageCalibration },
        'Calibration by where the confidence was stated',
      ),
    },
    'How well the agent’s stated confidence predicted approval and quality',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type ExecutionGrant = Static<typeof ExecutionGrant>;
export type ClaimResult = Static<typeof ClaimResult>;
export type HeartbeatResult = Static<typeof HeartbeatResult>;
export type InRunDecisionResult = Static<typeof InRunDecisionResult>;
export type OverrideResult = Static<typeof OverrideResult>;
export type FeedbackResult = Static<typeof FeedbackResult>;
export type CalibrationReport = Static<typeof CalibrationReport>;
