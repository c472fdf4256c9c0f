import { type Static, Type as T } from 'typebox';
import {
  ApprovalWarningSchema,
  AuditFrequencySchema,
  closed,
  Did,
  Enum,
  EscalationPolicySchema,
  JsonObject,
  Nullable,
  named,
  PolicyOutcome,
  PolicySourceSchema,
  RiskLevelSchema,
  RiskView,
  ROLE,
  TEXT,
  view,
} from '../kernel/schemas.js';
import { PolicyFileSchema } from './policyFile.js';

/** Which of the agent's steps need a human (`humanInLoop.approvalRequired`). */
export const ApprovalRequirementSchema = named(
  'ApprovalRequirement',
  Enum(['before_execution', 'all_decisions', 'critical_only'] as const, 'Which steps need an approval'),
);

/** The create-task body (`POST /tasks`), which the policy plans; also the body of the dry run `POST /policy/evaluate`. */
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
            alternativePayloads: T.Optional(
              T.Array(Nullable(JsonObject), {
                maxItems: 20,
                description:
                  'The payload each alternative would execute, by index of `alternatives` (null: text only); an approver may approve one instead (`approve {alternative: i}`)',
              }),
            ),
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

/** Response schemas of the policy routes (the dry run takes the create-task body). */
export const PolicyDocumentView = named(
  'PolicyDocument',
  view(
    { source: PolicySourceSchema, policy: named('PolicyFile', PolicyFileSchema) },
    'The policy document in force and where it came from',
  ),
);
export const PolicyEvaluation = named(
  'PolicyEvaluation',
  view(
    {
      policy: PolicyOutcome,
      riskAssessment: RiskView,
      routing: Nullable(view({ approverRole: T.String() }, 'The routing gate that would come first')),
      gates: T.Array(
        named(
          'PlannedGate',
          view(
            {
              step: T.Integer(),
              approverRoles: T.Array(T.String()),
              required: T.Integer(),
              reason: Nullable(T.String()),
              timeout: Nullable(T.Integer({ description: 'Seconds' })),
              escalationPolicy: Nullable(EscalationPolicySchema),
              escalateTo: Nullable(T.String()),
              bulkApprovable: T.Boolean({ description: 'Every matched rule marks it `bulkApprovable`' }),
              minReviewSeconds: Nullable(
                T.Integer({ description: 'The strictest `minReviewSeconds` of the matched rules' }),
              ),
            },
            'A gate that would open',
          ),
        ),
      ),
      audit: Nullable(
        view(
          { frequency: AuditFrequencySchema, sampleRate: T.Number() },
          'The spot-check sample of a task that would run unattended',
        ),
      ),
      warnings: T.Array(ApprovalWarningSchema, {
        description: '`gate_undecidable`: gates no enabled human other than the caller could decide now',
      }),
    },
    'What the policy would do with this task: its risk, routing and gates (nothing is written)',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type PolicyEvaluation = Static<typeof PolicyEvaluation>;
export type PolicyDocumentView = Static<typeof PolicyDocumentView>;
