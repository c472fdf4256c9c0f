import { Type as T } from 'typebox';
import { Enum, Nullable, PolicyOutcome, RiskView, view } from '../kernel/schemas.js';
import { PolicyFileSchema } from './policyFile.js';

/** Response schemas of the policy routes (the dry run takes the create-task body). */
export const PolicyDocumentView = view(
  { source: Enum(['built-in', 'file'] as const), policy: PolicyFileSchema },
  'The policy document in force and where it came from',
);
export const PolicyEvaluation = view(
  {
    policy: PolicyOutcome,
    riskAssessment: RiskView,
    routing: Nullable(view({ approverRole: T.String() }, 'The routing gate that would come first')),
    gates: T.Array(
      view(
        {
          step: T.Integer(),
          approverRoles: T.Array(T.String()),
          required: T.Integer(),
          reason: Nullable(T.String()),
          timeout: Nullable(T.Integer({ description: 'Seconds' })),
          escalationPolicy: Nullable(Enum(['auto', 'reject'] as const)),
          escalateTo: Nullable(T.String()),
        },
        'A gate that would open',
      ),
    ),
    audit: Nullable(
      view(
        { frequency: Enum(['always', 'daily', 'weekly', 'monthly'] as const), sampleRate: T.Number() },
        'The spot-check sample of a task that would run unattended',
      ),
    ),
  },
  'What the policy would do with this task: its risk, routing and gates (nothing is written)',
);
