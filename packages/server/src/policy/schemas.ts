import { Type as T } from 'typebox';
import { JsonObject, Nullable, view } from '../kernel/schemas.js';
import { PolicyOutcome } from '../tasks/schemas.js';

/** Response schemas of the policy routes (the dry run takes the create-task body). */
export const PolicyDocumentView = view(
  { source: T.Union([T.Literal('built-in'), T.Literal('file')]), policy: JsonObject },
  'The policy document in force and where it came from',
);
export const PolicyEvaluation = view(
  {
    policy: PolicyOutcome,
    riskAssessment: JsonObject,
    routing: Nullable(JsonObject),
    gates: T.Array(JsonObject),
  },
  'What the policy would do with this task: its risk, routing and gates (nothing is written)',
);
