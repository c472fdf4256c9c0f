import {
  AUDIT_SAMPLE_RATE,
  assessTask,
  type GateSpec,
  type HumanInLoop,
  type PolicyDocument,
  planGates,
} from '@humanos/core';
import type { FeatureDeps } from '../kernel/deps.js';
import type { CreateTaskInput, PlannedTaskInput } from './input.js';
import type { PolicyEvaluation } from './schemas.js';

/**
 * The description a task gets when its body has none (the seed's Gradual Autonomy snippets create
 * tasks with autonomy settings only): the proposal's action, else the capabilities it needs, else
 * "Untitled task". Approvers always see what the agent did say; nothing is invented.
 *
 * @example
 * defaultDescription({ requiredCapabilities: ['devops'] }) // 'Task needing devops'
 */
export function defaultDescription(input: CreateTaskInput): string {
  if (input.description !== undefined) return input.description;
  if (input.aiProposal?.action) return input.aiProposal.action;
  const caps = input.requiredCapabilities ?? [];
  return caps.length ? `Task needing ${caps.join(', ')}` : 'Untitled task';
}

/** The body with the server's defaults filled in (today: the description). */
export function withDefaults(input: CreateTaskInput): PlannedTaskInput {
  return { ...input, description: defaultDescription(input) };
}

/** The role the escalation ladder ends at: the admins. */
export const LADDER_TOP = 'admin';

/**
 * Where a gate for `role` escalates when it times out under `escalationPolicy: 'auto'` and nobody
 * named a target: the policy's ladder (`escalationLadder[role]`), else the admins; a gate that is
 * already the admins' has nowhere to go (it expires).
 *
 * @example
 * ladderTarget({ escalationLadder: { finance_manager: 'cfo' } }, 'finance_manager') // 'cfo'
 * ladderTarget({}, 'cfo') // 'admin'
 */
export function ladderTarget(policy: Pick<PolicyDocument, 'escalationLadder'>, role: string): string | undefined {
  const next = policy.escalationLadder?.[role];
  if (next !== undefined) return next;
  return role === LADDER_TOP ? undefined : LADDER_TOP;
}

/**
 * What the matched rules say about deciding the task's gates: a gate is bulk-approvable only when it
 * is the policy's and every rule that matched says `bulkApprovable` (a stricter rule that matched too,
 * whose gate the merge folded into this one, keeps it out of a batch); `minReviewSeconds` is the
 * strictest of the matched rules', on every step.
 *
 * @example
 * reviewFlags(plan.steps, policy, ['small-refund']) // steps[0].bulkApprovable === true
 */
export function reviewFlags(steps: GateSpec[], policy: PolicyDocument, rulesApplied: readonly string[]): void {
  const applied = policy.rules.filter((r) => rulesApplied.includes(r.id));
  const bulk = applied.length > 0 && applied.every((r) => r.bulkApprovable === true);
  const minReview = Math.max(0, ...applied.map((r) => r.require.minReviewSeconds ?? 0));
  for (const s of steps) {
    s.bulkApprovable = bulk && s.origin === 'policy';
    s.minReviewSeconds = minReview > 0 ? minReview : null;
  }
}

/** What policy and risk assessment make of a task body: the gates it gets (shared by create and dry run). */
export function planTask(input: PlannedTaskInput, policy: PolicyDocument, policySource: 'built-in' | 'file') {
  const hitl: HumanInLoop = input.humanInLoop ?? {};
  const payload = input.payload ?? {};
  const requiredCapabilities = input.requiredCapabilities ?? [];
  // The built-in rules, one level up where the agent's text disagrees with the payload (issue 25):
  // the policy's rules and floor then see the raised risk.
  const { risk: assessed, warnings } = assessTask(
    {
      description: input.description,
      requiredCapabilities,
      payload,
      text: { action: input.aiProposal?.action ?? null, reasoning: input.aiProposal?.reasoning ?? null },
    },
    input.riskAssessment,
    policy.risk,
  );
  const plan = planGates(
    input,
    {
      description: input.description,
      requiredCapabilities,
      payload,
      confidence: input.aiProposal?.confidence ?? null,
    },
    assessed,
    policy,
    policySource,
  );
  reviewFlags(plan.steps, policy, plan.policy.rulesApplied);
  // `auto` without a target: say now where the gate will go (the create response and dry run show it).
  for (const step of plan.steps) {
    if (step.escalationPolicy === 'auto' && step.escalateTo === null) {
      step.escalateTo = ladderTarget(policy, step.roles[0] as string) ?? null;
    }
  }
  return { hitl, payload, requiredCapabilities, plan, warnings };
}

/**
 * A dry run of `createTask`: the policy that would apply, the risk, and the gates that would open,
 * with nothing created or recorded. Any principal may ask (agent developers, policy authors' CI).
 *
 * @example
 * const r = await evaluatePolicy(deps, { description: 'Wire $250,000', payload: { amount: 250000 } });
 * r.gates // [{ approverRoles: ['finance_manager'], … }, { approverRoles: ['cfo'], … }]
 */
export function evaluatePolicy(
  deps: Pick<FeatureDeps, 'policy' | 'policySource'>,
  body: CreateTaskInput,
): Omit<PolicyEvaluation, 'warnings'> {
  const input = withDefaults(body);
  const { hitl, plan } = planTask(input, deps.policy, deps.policySource);
  const routingRole = input.routing
    ? (input.routing.approverRole ?? hitl.approverRole ?? deps.policy.defaultApproverRole ?? 'approver')
    : null;
  return {
    policy: plan.policy,
    riskAssessment: plan.risk,
    routing: routingRole ? { approverRole: routingRole } : null,
    gates: plan.steps.map((g, i) => ({
      step: i + 1,
      approverRoles: g.roles,
      required: g.required,
      reason: g.reason,
      timeout: g.timeoutSec,
      escalationPolicy: g.escalationPolicy,
      escalateTo: g.escalateTo,
      bulkApprovable: g.bulkApprovable ?? false,
      minReviewSeconds: g.minReviewSeconds ?? null,
    })),
    // Unattended: a share of such tasks is queued for a human spot-check after the fact.
    audit: plan.audit
      ? {
          frequency: input.auditFrequency ?? 'always',
          sampleRate: AUDIT_SAMPLE_RATE[input.auditFrequency ?? 'always'],
        }
      : null,
  };
}
