/**
 * Server policy and gate planning: pure functions from (what the client asked, what the server's
 * policy demands, the assessed risk) to the gates a task gets. The effective requirement is the
 * stricter of client and policy: an agent can tighten, never loosen.
 */
import type { AuditFrequency } from './audit.js';
import { type HumanInLoop, maxRisk, type RiskAssessment, type RiskLevel, riskRank } from './model.js';
import type { RiskThresholds } from './risk.js';

export interface ChainStep {
  role: string;
  reason?: string;
  /** Seconds this step has to decide once it opens. */
  timeout?: number;
}

export interface ThresholdPolicy {
  type: 'threshold';
  required: number;
  eligible: string[];
  timeout?: number;
}

export interface AutoEscalation {
  enabled?: boolean;
  confidenceThreshold?: number;
  escalateTo?: string;
  escalationMessage?: string;
}

/** What a client may ask for on create (the seed's fields). */
export interface ClientRequirement {
  humanInLoop?: HumanInLoop;
  approvalChain?: ChainStep[];
  approvalPolicy?: ThresholdPolicy;
  autoEscalation?: AutoEscalation;
  auditFrequency?: AuditFrequency;
}

export interface PayloadCondition {
  /** Dot path into the payload, e.g. `amount` or `transfer.amount`. */
  path: string;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: string | number | boolean;
  in?: (string | number)[];
}

export interface PolicyRule {
  id: string;
  description?: string;
  match: {
    capabilities?: string[];
    descriptionMatches?: string;
    payload?: PayloadCondition[];
    riskAtLeast?: RiskLevel;
    riskFactors?: string[];
  };
  require: {
    approverRole?: string;
    approvalChain?: ChainStep[];
    quorum?: { required: number; eligible: string[] };
    timeout?: number;
    escalationPolicy?: 'auto' | 'reject';
    escalateTo?: string;
    riskLevel?: RiskLevel;
    riskFactors?: string[];
  };
}

export interface PolicyDocument {
  name: string;
  version: number;
  defaultApproverRole?: string;
  auditorRole?: string;
  /** Who a gate escalates to when it times out and the task names no `escalateTo`. */
  escalationLadder?: Record<string, string>;
  /** Thresholds of the built-in risk rules (large amounts, data sizes). */
  risk?: RiskThresholds;
  rules: PolicyRule[];
}

export const BUILTIN_POLICY: PolicyDocument = { name: 'builtin-default', version: 1, rules: [] };

export interface GateSpec {
  roles: string[];
  required: number;
  reason: string | null;
  timeoutSec: number | null;
  escalationPolicy: 'auto' | 'reject' | null;
  /** Where it escalates at expiry; for policy gates only the policy's (rule or ladder), never the agent's. */
  escalateTo: string | null;
  /** Who demanded this gate: a policy rule, the built-in risk floor, or the client. */
  origin?: 'policy' | 'floor' | 'client';
  /** The policy rule, for `origin: 'policy'`. */
  rule?: string;
}

/** One step of the effective requirement, as the create response and the dry run report it. */
export interface Requirement {
  step: number;
  roles: string[];
  required: number;
  origin: 'policy' | 'floor' | 'client' | undefined;
  rule: string | null;
}

export interface GatePlan {
  /** Sequential steps; empty when the task runs without a human gate. */
  steps: GateSpec[];
  /** Queue a non-blocking spot-check for the auditor role. */
  audit: boolean;
  risk: RiskAssessment;
  policy: {
    id: string;
    version: number;
    source: 'built-in' | 'file';
    rulesApplied: string[];
    gateRequired: boolean;
    floorApplied: boolean;
    approvalRequired: string;
    approverRole: string | null;
    reason: string;
    /** Every step of the effective requirement and who demanded it. */
    requirements: Requirement[];
  };
}

function getPath(payload: unknown, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function conditionHolds(payload: unknown, c: PayloadCondition): boolean {
  const v = getPath(payload, c.path);
  if (c.eq !== undefined && v !== c.eq) return false;
  if (c.in !== undefined && !c.in.includes(v as string | number)) return false;
  const numeric = c.gt !== undefined || c.gte !== undefined || c.lt !== undefined || c.lte !== undefined;
  if (numeric) {
    if (typeof v !== 'number') return false;
    if (c.gt !== undefined && !(v > c.gt)) return false;
    if (c.gte !== undefined && !(v >= c.gte)) return false;
    if (c.lt !== undefined && !(v < c.lt)) return false;
    if (c.lte !== undefined && !(v <= c.lte)) return false;
  }
  return true;
}

/** Whether `rule` applies to a task. */
export function ruleMatches(
  rule: PolicyRule,
  task: { description: string; requiredCapabilities: readonly string[]; payload: unknown },
  risk: RiskAssessment,
): boolean {
  const m = rule.match;
  if (m.capabilities && !m.capabilities.some((c) => task.requiredCapabilities.includes(c))) return false;
  if (m.descriptionMatches && !new RegExp(m.descriptionMatches, 'i').test(task.description)) return false;
  if (m.payload && !m.payload.every((c) => conditionHolds(task.payload, c))) return false;
  if (m.riskAtLeast && riskRank(risk.level) < riskRank(m.riskAtLeast)) return false;
  if (m.riskFactors && !m.riskFactors.some((f) => risk.factors.includes(f))) return false;
  return true;
}

function minTimeout(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * Whether gate `a` satisfies everything gate `b` demands: every person who can approve `a` could
 * approve `b` (a's roles ⊆ b's roles) and `a` needs at least as many of them. One person fills at
 * most one seat per task, so a covered step adds nothing.
 */
export function covers(a: Pick<GateSpec, 'roles' | 'required'>, b: Pick<GateSpec, 'roles' | 'required'>): boolean {
  return a.required >= b.required && a.roles.every((r) => b.roles.includes(r));
}

/** A client step is folded into a step one of its roles may decide (its wish is honoured loosely). */
function foldsInto(a: GateSpec, b: GateSpec): boolean {
  return a.required >= b.required && a.roles.some((r) => b.roles.includes(r));
}

/**
 * Merges `add` into `steps` keeping both orders: each step of `add` is matched, in order, by a later
 * step that `matches` it, or inserted where it must come. Nothing in `steps` is removed or weakened.
 */
export function mergeSteps(
  steps: readonly GateSpec[],
  add: readonly GateSpec[],
  matches: (have: GateSpec, want: GateSpec) => boolean = covers,
): GateSpec[] {
  const out = [...steps];
  let at = 0;
  for (const want of add) {
    const i = out.findIndex((have, j) => j >= at && matches(have, want));
    if (i >= 0) at = i + 1;
    else out.splice(at++, 0, want);
  }
  return out;
}

type Task = {
  description: string;
  requiredCapabilities: readonly string[];
  payload: unknown;
  confidence: number | null;
};

/** Policy rules may raise the risk and add factors, never lower them. */
function raisedRisk(assessed: RiskAssessment, matched: readonly PolicyRule[]): RiskAssessment {
  let risk = assessed;
  for (const r of matched) {
    risk = {
      level: r.require.riskLevel ? maxRisk(risk.level, r.require.riskLevel) : risk.level,
      factors: [...new Set([...risk.factors, ...(r.require.riskFactors ?? [])])],
      mitigations: risk.mitigations,
    };
  }
  return risk;
}

/**
 * The steps one policy rule requires. Their escalation comes from the rule (else the policy's
 * ladder, at expiry), never from the agent.
 */
function ruleSteps(r: PolicyRule, clientEscalation: 'auto' | 'reject' | null): GateSpec[] {
  const q = r.require;
  const spec = (roles: string[], required: number, reason: string | null, timeout: number | null): GateSpec => ({
    roles,
    required,
    reason: reason ?? `policy rule ${r.id}${r.description ? `: ${r.description}` : ''}`,
    timeoutSec: timeout,
    escalationPolicy: q.escalationPolicy ?? clientEscalation,
    escalateTo: q.escalateTo ?? null,
    origin: 'policy',
    rule: r.id,
  });
  if (q.approvalChain?.length)
    return q.approvalChain.map((s) => spec([s.role], 1, s.reason ?? null, s.timeout ?? q.timeout ?? null));
  if (q.quorum) return [spec([...new Set(q.quorum.eligible)], q.quorum.required, null, q.timeout ?? null)];
  if (q.approverRole) return [spec([q.approverRole], 1, null, q.timeout ?? null)];
  return [];
}

/** What the client asked for: its steps (its own escalation target applies to these only) and mode. */
function clientPlan(
  client: ClientRequirement,
  task: Task,
  critical: boolean,
  defaultRole: string,
): { steps: GateSpec[]; mode: string; reason: string; implicit: boolean } {
  const hitl = client.humanInLoop ?? {};
  const timeout = hitl.approvalTimeout ?? null;
  const spec = (roles: string[], required: number, reason: string | null, t: number | null): GateSpec => ({
    roles,
    required,
    reason,
    timeoutSec: t,
    escalationPolicy: hitl.escalationPolicy ?? null,
    escalateTo: hitl.escalateTo ?? client.autoEscalation?.escalateTo ?? null,
    origin: 'client',
  });
  const mode = hitl.approvalRequired ?? 'before_execution';
  if (client.approvalChain?.length) {
    const steps = client.approvalChain.map((s) => spec([s.role], 1, s.reason ?? null, s.timeout ?? timeout));
    return {
      steps,
      mode: 'approval_chain',
      reason: `client requested a ${steps.length}-step approval chain`,
      implicit: false,
    };
  }
  if (client.approvalPolicy) {
    const q = client.approvalPolicy;
    const steps = [spec([...new Set(q.eligible)], q.required, null, q.timeout ?? timeout)];
    return {
      steps,
      mode: 'threshold',
      reason: `client requested ${q.required} approvals from ${q.eligible.join(', ')}`,
      implicit: false,
    };
  }
  if (hitl.enabled === false)
    return { steps: [], mode: 'none', reason: 'humanInLoop.enabled is false', implicit: false };
  if (hitl.approvalRequired === 'critical_only' && !critical)
    return {
      steps: [],
      mode,
      reason: 'critical_only: risk is not high or irreversible, auto-approved',
      implicit: false,
    };
  const auto = client.autoEscalation;
  if (!client.humanInLoop && auto?.confidenceThreshold !== undefined) {
    const t = auto.confidenceThreshold;
    if (task.confidence !== null && task.confidence >= t)
      return {
        steps: [],
        mode: 'confidence',
        reason: `confidence ${task.confidence} ≥ threshold ${t}, auto-approved`,
        implicit: false,
      };
    const why =
      task.confidence === null
        ? `no confidence given; threshold ${t} needs a human`
        : `confidence ${task.confidence} < threshold ${t}`;
    return {
      steps: [spec([auto.escalateTo ?? defaultRole], 1, auto.escalationMessage ?? null, null)],
      mode: 'confidence',
      reason: why,
      implicit: false,
    };
  }
  const steps = [spec([hitl.approverRole ?? defaultRole], 1, null, timeout)];
  return { steps, mode, reason: `client requested ${mode} approval`, implicit: hitl.approverRole === undefined };
}

/**
 * Plans a task's gates. The effective requirement is the policy's gates — every matching rule's
 * roles, counts and order — plus whatever the client adds; a client request can add gates or
 * approvers, never replace or weaken a policy gate. High or critical risk always needs a human (the
 * built-in floor). Escalation targets of policy gates come from the policy, never from the agent.
 *
 * @example
 * const plan = planGates({ humanInLoop: { approverRole: 'dba_lead' } }, task, risk, BUILTIN_POLICY, 'built-in');
 * plan.steps // [{ roles: ['dba_lead'], required: 1, origin: 'client', … }]
 */
export function planGates(
  client: ClientRequirement,
  task: Task,
  assessed: RiskAssessment,
  policy: PolicyDocument,
  source: 'built-in' | 'file',
): GatePlan {
  const defaultRole = policy.defaultApproverRole ?? 'approver';
  const hitl = client.humanInLoop ?? {};
  const matched = policy.rules.filter((r) => ruleMatches(r, task, assessed));
  const risk = raisedRisk(assessed, matched);
  const critical = riskRank(risk.level) >= riskRank('high') || risk.factors.includes('irreversible_action');
  const asked = clientPlan(client, task, critical, defaultRole);

  // 1. The policy's gates: every matching rule's steps, merged in order; a policy timeout only shortens.
  let policySteps: GateSpec[] = [];
  let policyTimeout: number | null = null;
  for (const r of matched) {
    policySteps = mergeSteps(policySteps, ruleSteps(r, hitl.escalationPolicy ?? null));
    if (r.require.timeout !== undefined) policyTimeout = minTimeout(policyTimeout, r.require.timeout);
  }
  // 2. The built-in floor: high risk needs a human, of the policy's default role (not one the agent picks).
  if (policySteps.length === 0 && asked.steps.length === 0 && riskRank(risk.level) >= riskRank('high')) {
    policySteps = [
      {
        roles: [defaultRole],
        required: 1,
        reason: `policy floor: ${risk.level} risk requires human approval`,
        timeoutSec: hitl.approvalTimeout ?? null,
        escalationPolicy: hitl.escalationPolicy ?? null,
        escalateTo: null,
        origin: 'floor',
      },
    ];
  }
  // 3. Plus what the client adds (its implicit default gate is dropped when the policy names gates).
  const clientSteps = asked.implicit && policySteps.length > 0 ? [] : asked.steps;
  const steps = mergeSteps(policySteps, clientSteps, foldsInto);
  if (policyTimeout !== null) for (const s of steps) s.timeoutSec = minTimeout(s.timeoutSec, policyTimeout);

  // The policy raised the requirement when the client's own steps do not already cover its gates.
  const floorApplied = mergeSteps(asked.steps, policySteps).length > asked.steps.length;
  const byPolicy = steps.filter((s) => s.origin !== 'client');
  return {
    steps,
    audit: steps.length === 0 && client.auditFrequency !== undefined,
    risk,
    policy: {
      id: policy.name,
      version: policy.version,
      source,
      rulesApplied: matched.map((r) => r.id),
      gateRequired: steps.length > 0,
      floorApplied,
      approvalRequired: asked.mode,
      approverRole: steps[0]?.roles.join(', ') ?? null,
      reason: floorApplied ? `${policyReason(matched, byPolicy)}; ${asked.reason}` : asked.reason,
      requirements: steps.map((s, i) => ({
        step: i + 1,
        roles: s.roles,
        required: s.required,
        origin: s.origin,
        rule: s.rule ?? null,
      })),
    },
  };
}

function policyReason(matched: readonly PolicyRule[], steps: readonly GateSpec[]): string {
  if (matched.length === 0) return (steps[0] as GateSpec).reason as string;
  const rules = matched.map((r) => `${r.id}${r.description ? ` (${r.description})` : ''}`).join(', ');
  return `policy rule${matched.length > 1 ? 's' : ''} ${rules} require${matched.length > 1 ? '' : 's'} ${describe(steps)}`;
}

function describe(steps: readonly GateSpec[]): string {
  if (steps.length > 1)
    return `a chain: ${steps.map((s) => (s.required > 1 ? `${s.required} of ${s.roles.join('/')}` : s.roles.join('/'))).join(' → ')}`;
  const s = steps[0] as GateSpec;
  return s.required > 1 ? `${s.required} of ${s.roles.join(', ')}` : `approval by ${s.roles.join(', ')}`;
}
