import {
  APPROVAL_ID_PATTERN,
  APPROVAL_STATUSES,
  DID_PATTERN,
  RISK_LEVELS,
  TASK_ID_PATTERN,
  TASK_STATUSES,
  WEBHOOK_ID_PATTERN,
} from '@humanos/core';
import { Type as T } from 'typebox';

/**
 * Request schemas: the single place where input is validated. Every object is closed
 * (`additionalProperties: false`) so an unknown field such as `"status": "approved"` on create is a
 * 400, not silently ignored. Strings are bounded so nothing unbounded reaches the store.
 */
const ROLE = T.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: 'A role name, e.g. `finance_manager`' });
const TEXT = (max: number, extra: Record<string, unknown> = {}) => T.String({ maxLength: max, ...extra });
const closed = { additionalProperties: false } as const;

export const Did = T.String({ pattern: DID_PATTERN, description: 'Principal DID, e.g. `did:human:john-dba`' });
export const TaskIdParams = T.Object({ taskId: T.String({ pattern: TASK_ID_PATTERN }) }, closed);
export const ApprovalIdParams = T.Object({ approvalId: T.String({ pattern: APPROVAL_ID_PATTERN }) }, closed);

const JsonObject = T.Object({}, { additionalProperties: true, description: 'Any JSON object' });

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
    description: TEXT(2000, { minLength: 1 }),
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

export const ApproveBody = T.Object(
  {
    approvedBy: T.Optional(Did),
    approvalReason: T.Optional(TEXT(5000)),
    feedback: T.Optional(TEXT(5000)),
    edits: T.Optional(
      T.Object({}, { additionalProperties: true, description: 'RFC 7386 JSON merge patch over the payload' }),
    ),
    assignTo: T.Optional(Did),
  },
  closed,
);

export const RejectBody = T.Object(
  {
    rejectedBy: T.Optional(Did),
    rejectionReason: TEXT(5000),
    feedback: T.Optional(TEXT(5000)),
  },
  closed,
);

const TOKEN_LIFETIME = T.Integer({
  minimum: 60,
  maximum: 366 * 86_400,
  description: 'Seconds the token stays valid (60 s to a year); omitted: until rotated or disabled',
});

export const CreatePrincipalBody = T.Object(
  {
    id: Did,
    kind: T.Optional(T.Union([T.Literal('human'), T.Literal('agent')])),
    roles: T.Array(ROLE, { maxItems: 64 }),
    publicKey: T.Optional(T.String({ pattern: '^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$' })),
    capabilities: T.Optional(T.Array(ROLE, { maxItems: 64 })),
    tokenExpiresIn: T.Optional(TOKEN_LIFETIME),
  },
  closed,
);

export const RotateTokenBody = T.Object({ expiresIn: T.Optional(TOKEN_LIFETIME) }, closed);

export const PrincipalIdParams = T.Object({ principalId: Did }, closed);

export const UpdatePrincipalBody = T.Object(
  {
    roles: T.Optional(T.Array(ROLE, { maxItems: 64 })),
    disabled: T.Optional(T.Boolean({ description: 'true refuses the token everywhere; false allows it again' })),
  },
  closed,
);

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
export const CapabilitiesBody = T.Object({ capabilities: T.Array(ROLE, { maxItems: 64 }) }, closed);

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
export const CancelBody = T.Object({ reason: TEXT(5000, { minLength: 1 }) }, closed);
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

const LIMIT = T.Optional(T.Integer({ minimum: 1, maximum: 200, default: 50 }));
const CURSOR = T.Optional(T.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }));

export const ListTasksQuery = T.Object(
  { status: T.Optional(T.Union(TASK_STATUSES.map((s) => T.Literal(s)))), limit: LIMIT, cursor: CURSOR },
  closed,
);
export const InboxQuery = T.Object(
  { status: T.Optional(T.Union(APPROVAL_STATUSES.map((s) => T.Literal(s)))), limit: LIMIT, cursor: CURSOR },
  closed,
);
export const WaitQuery = T.Object({ wait: T.Optional(T.Number({ minimum: 0, maximum: 60 })) }, closed);
export const EventsQuery = T.Object({ after: T.Optional(T.Integer({ minimum: -1 })) }, closed);

export const EntriesQuery = T.Object(
  { start: T.Integer({ minimum: 0 }), end: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);
export const InclusionQuery = T.Object(
  { index: T.Integer({ minimum: 0 }), size: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);
export const ConsistencyQuery = T.Object(
  { from: T.Integer({ minimum: 1 }), to: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);

const EVENT_PATTERN = T.String({
  pattern: '^(\\*|[a-z_]+\\.\\*|[a-z_]+\\.[a-z_]+)$',
  description: '`*`, a family such as `approval.*`, or one type such as `approval.requested`',
});

export const CreateWebhookBody = T.Object(
  {
    url: T.String({ minLength: 1, maxLength: 2000, pattern: '^https?://', description: 'Where events are POSTed' }),
    events: T.Optional(T.Array(EVENT_PATTERN, { minItems: 1, maxItems: 50, description: 'Default `["*"]`' })),
    secret: T.Optional(
      T.String({ minLength: 16, maxLength: 200, description: 'HMAC key; generated (and shown once) if absent' }),
    ),
  },
  closed,
);

export const WebhookIdParams = T.Object({ webhookId: T.String({ pattern: WEBHOOK_ID_PATTERN }) }, closed);
export const DeliveryParams = T.Object(
  {
    webhookId: T.String({ pattern: WEBHOOK_ID_PATTERN }),
    deliveryId: T.String({ pattern: '^delivery:[0-9a-f]{24}$' }),
  },
  closed,
);
export const DeliveriesQuery = T.Object(
  {
    status: T.Optional(T.Union([T.Literal('pending'), T.Literal('delivered'), T.Literal('failed')])),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })),
  },
  closed,
);
