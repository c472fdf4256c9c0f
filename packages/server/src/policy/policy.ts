import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { CreateTaskInput } from '../tasks/input.js';
import { evaluatePolicy } from './plan.js';
import type { PolicyDocumentView, PolicyEvaluation } from './schemas.js';

/** The policy in force: reading it (admin or auditor) and dry runs of a task body against it (anyone). */
export class Policy {
  constructor(private readonly deps: FeatureDeps) {}

  /** The policy document in force (admin or auditor), with where it came from. */
  document(actor: Principal): PolicyDocumentView {
    this.deps.access.requireAuditor(actor, 'reading the policy');
    return { source: this.deps.policySource, policy: this.deps.policy };
  }

  /** See `evaluatePolicy`: writes nothing. */
  evaluate(_actor: Principal, input: CreateTaskInput): PolicyEvaluation {
    return evaluatePolicy(this.deps, input);
  }
}
