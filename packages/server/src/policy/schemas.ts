import { type Static, Type as T } from 'typebox';
import {
  AuditFrequencySchema,
  EscalationPolicySchema,
  Nullable,
  named,
  PolicyOutcome,
  PolicySourceSchema,
  RiskView,
  view,
} from '../kernel/schemas.js';
import { PolicyFileSchema } from './policyFile.js';

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
    },
    'What the policy would do with this task: its risk, routing and gates (nothing is written)',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type PolicyEvaluation = Static<typeof PolicyEvaluation>;
export type PolicyDocumentView = Static<typeof PolicyDocumentView>;
