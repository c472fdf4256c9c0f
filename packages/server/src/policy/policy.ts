import type { ApprovalWarning } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { CreateTaskInput } from './input.js';
import { evaluatePolicy } from './plan.js';
import type { PolicyDocumentView, PolicyEvaluation } from './schemas.js';
import { plannedGates, undecidableGates, undecidablePolicy } from './undecidable.js';

/** The policy in force: reading it (admin or auditor) and dry runs of a task body against it (anyone). */
export class Policy {
  constructor(private readonly deps: FeatureDeps) {}

  /** The policy document in force (admin or auditor), with where it came from. */
  document(actor: Principal): PolicyDocumentView {
    this.deps.access.requireAuditor(actor, 'reading the policy');
    return { source: this.deps.policySource, policy: this.deps.policy };
  }

  /**
   * See `evaluatePolicy`: writes nothing. Its `warnings` name the gates nobody could decide if the
   * caller created the task now (`gate_undecidable`: the caller, as requester, is not counted).
   */
  async evaluate(actor: Principal, input: CreateTaskInput): Promise<PolicyEvaluation> {
    const r = evaluatePolicy(this.deps, input);
    const gates = plannedGates(
      r.gates.map((g) => ({
        roles: g.approverRoles,
        required: g.required,
        reason: g.reason,
        timeoutSec: g.timeout,
        escalationPolicy: g.escalationPolicy,
        escalateTo: g.escalateTo,
      })),
      r.routing?.approverRole ?? null,
      r.audit ? this.deps.access.auditorRole : null,
    );
    const excluded = new Set([actor.id, ...(input.onBehalfOf ? [input.onBehalfOf] : [])]);
    return { ...r, warnings: await undecidableGates(this.deps.db, gates, excluded) };
  }

  /** The loaded policy's gates that no enabled human can decide now (start-up logs them once). */
  undecidable(): Promise<ApprovalWarning[]> {
    return undecidablePolicy(this.deps.db, this.deps.policy);
  }
}
