import type { ClientRequirement, HumanInLoop, RiskAssessment } from '@humanos/core';

/** A create-task request body, as validated by `CreateTaskBody` (policy/schemas.ts). */
export interface CreateTaskInput extends ClientRequirement {
  /** Optional on the wire; `withDefaults` (policy/plan.ts) names the task when it is missing. */
  description?: string;
  /** Ask a human to approve which resource gets the task before anything else. */
  routing?: { approverRole?: string };
  requiredCapabilities?: string[];
  humanInLoop?: HumanInLoop;
  payload?: unknown;
  onBehalfOf?: string;
  aiProposal?: {
    action?: string;
    reasoning?: string | null;
    confidence?: number | null;
    alternatives?: string[];
    alternativePayloads?: (object | null)[];
  };
  riskAssessment?: Partial<RiskAssessment>;
}

/** A create-task body after the server's defaults: it always has a description. */
export type PlannedTaskInput = CreateTaskInput & { description: string };
