/**
 * Server policy and gate planning: pure functions from (what the client asked, what the server's
 * policy demands, the assessed risk) to the gates a task gets. The effective requirement is the
 * stricter of client and policy: an agent can tighten, never loosen.
 */
import { type HumanInLoop, maxRisk, type RiskAssessment, type RiskLevel, riskRank } from './model.js';

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

export type AuditFrequency = 'always' | 'daily' | 'weekly' | 'monthly';

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
  rules: PolicyRule[];
}

export const BUILTIN_POLICY: PolicyDocument = { name: 'builtin-default', version: 1, rules: [] };

export interface GateSpec {
  roles: string[];
  required: number;
  reason: string | null;
  timeoutSec: number | null;
  escalationPolicy: 'auto' | 'reject' | null;
  escalateTo: string | null;
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

/** How strict a plan is: distinct human approvals it needs, then number of steps. */
function strictness(steps: GateSpec[]): [number, number] {
  return [steps.reduce((n, s) => n + s.required, 0), steps.length];
}

function stricter(a: GateSpec[], b: GateSpec[]): boolean {
  const [x1, x2] = strictness(a);
  const [y1, y2] = strictness(b);
  return x1 > y1 || (x1 === y1 && x2 > y2);
}

function minTimeout(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Share of unattended tasks queued for a spot-check, by `auditFrequency`. */
export const AUDIT_SAMPLE_RATE: Record<AuditFrequency, number> = { always: 1, daily: 0.5, weekly: 0.2, monthly: 0.05 };

/** Deterministic sampling by task id, so a replay or a test gets the same answer. */
export function inAuditSample(taskId: string, frequency: AuditFrequency): boolean {
  return fnv1a(taskId) / 0x100000000 < AUDIT_SAMPLE_RATE[frequency];
}

/**
 * Plans a task's gates: the client's requirement, raised to whatever the matching policy rules and
 * the built-in floor (high or critical risk always needs a human) demand.
 *
 * @example
 * const plan = planGates({ humanInLoop: { approverRole: 'dba_lead' } }, task, risk, BUILTIN_POLICY, 'approver', null);
 * plan.steps // [{ roles: ['dba_lead'], required: 1, … }]
 */
export function planGates(
  client: ClientRequirement,
  task: { description: string; requiredCapabilities: readonly string[]; payload: unknown; confidence: number | null },
  assessed: RiskAssessment,
  policy: PolicyDocument,
  source: 'built-in' | 'file',
): GatePlan {
  const defaultRole = policy.defaultApproverRole ?? 'approver';
  const hitl = client.humanInLoop ?? {};
  const matched = policy.rules.filter((r) => ruleMatches(r, task, assessed));

  // Policy rules may raise the risk and add factors, never lower them.
  let risk = assessed;
  for (const r of matched) {
    risk = {
      level: r.require.riskLevel ? maxRisk(risk.level, r.require.riskLevel) : risk.level,
      factors: [...new Set([...risk.factors, ...(r.require.riskFactors ?? [])])],
      mitigations: risk.mitigations,
    };
  }
  const critical = riskRank(risk.level) >= riskRank('high') || risk.factors.includes('irreversible_action');

  const clientTimeout = hitl.approvalTimeout ?? null;
  const clientEscalation = hitl.escalationPolicy ?? null;
  const clientEscalateTo = hitl.escalateTo ?? client.autoEscalation?.escalateTo ?? null;
  const spec = (roles: string[], required: number, reason: string | null, timeout: number | null): GateSpec => ({
    roles,
    required,
    reason,
    timeoutSec: timeout,
    escalationPolicy: clientEscalation,
    escalateTo: clientEscalateTo,
  });

  // 1. What the client asked for.
  let mode: string = hitl.approvalRequired ?? 'before_execution';
  let clientSteps: GateSpec[];
  let reason: string;
  if (client.approvalChain?.length) {
    clientSteps = client.approvalChain.map((s) => spec([s.role], 1, s.reason ?? null, s.timeout ?? clientTimeout));
    mode = 'approval_chain';
    reason = `client requested a ${client.approvalChain.length}-step approval chain`;
  } else if (client.approvalPolicy) {
    const q = client.approvalPolicy;
    clientSteps = [spec([...new Set(q.eligible)], q.required, null, q.timeout ?? clientTimeout)];
    mode = 'threshold';
    reason = `client requested ${q.required} approvals from ${q.eligible.join(', ')}`;
  } else if (hitl.enabled === false) {
    clientSteps = [];
    mode = 'none';
    reason = 'humanInLoop.enabled is false';
  } else if (hitl.approvalRequired === 'critical_only' && !critical) {
    clientSteps = [];
    reason = 'critical_only: risk is not high or irreversible, auto-approved';
  } else if (!client.humanInLoop && client.autoEscalation?.confidenceThreshold !== undefined) {
    mode = 'confidence';
    const t = client.autoEscalation.confidenceThreshold;
    if (task.confidence !== null && task.confidence >= t) {
      clientSteps = [];
      reason = `confidence ${task.confidence} ≥ threshold ${t}, auto-approved`;
    } else {
      clientSteps = [
        spec(
          [client.autoEscalation.escalateTo ?? defaultRole],
          1,
          client.autoEscalation.escalationMessage ?? null,
          null,
        ),
      ];
      reason =
        task.confidence === null
          ? `no confidence given; threshold ${t} needs a human`
          : `confidence ${task.confidence} < threshold ${t}`;
    }
  } else {
    clientSteps = [spec([hitl.approverRole ?? defaultRole], 1, null, clientTimeout)];
    reason = `client requested ${mode} approval`;
  }

  // 2. What the policy demands: the strictest matching rule, then the built-in floor.
  let steps = clientSteps;
  let floorApplied = false;
  const applied: string[] = [];
  let policyTimeout: number | null = null;
  for (const r of matched) {
    const q = r.require;
    let ruleSteps: GateSpec[] = [];
    if (q.approvalChain?.length)
      ruleSteps = q.approvalChain.map((s) => spec([s.role], 1, s.reason ?? null, s.timeout ?? q.timeout ?? null));
    else if (q.quorum) ruleSteps = [spec([...new Set(q.quorum.eligible)], q.quorum.required, null, q.timeout ?? null)];
    else if (q.approverRole) ruleSteps = [spec([q.approverRole], 1, null, q.timeout ?? null)];
    for (const s of ruleSteps) {
      if (q.escalationPolicy) s.escalationPolicy = q.escalationPolicy;
      if (q.escalateTo) s.escalateTo = q.escalateTo;
    }
    if (q.timeout !== undefined) policyTimeout = minTimeout(policyTimeout, q.timeout);
    applied.push(r.id);
    if (ruleSteps.length && stricter(ruleSteps, steps)) {
      steps = ruleSteps;
      floorApplied = true;
      reason = `policy rule ${r.id}${r.description ? ` (${r.description})` : ''} requires ${describe(ruleSteps)}`;
    }
  }
  if (steps.length === 0 && riskRank(risk.level) >= riskRank('high')) {
    steps = [spec([hitl.approverRole ?? defaultRole], 1, null, clientTimeout)];
    floorApplied = true;
    reason = `policy floor: ${risk.level} risk requires human approval`;
  }
  // A policy timeout shortens every step's deadline; it never lengthens the client's.
  if (policyTimeout !== null) for (const s of steps) s.timeoutSec = minTimeout(s.timeoutSec, policyTimeout);

  const audit = steps.length === 0 && client.auditFrequency !== undefined;
  return {
    steps,
    audit,
    risk,
    policy: {
      id: policy.name,
      version: policy.version,
      source,
      rulesApplied: applied,
      gateRequired: steps.length > 0,
      floorApplied,
      approvalRequired: mode,
      approverRole: steps[0]?.roles.join(', ') ?? null,
      reason,
    },
  };
}

function describe(steps: GateSpec[]): string {
  if (steps.length > 1) return `a chain: ${steps.map((s) => s.roles.join('/')).join(' → ')}`;
  const s = steps[0] as GateSpec;
  return s.required > 1 ? `${s.required} of ${s.roles.join(', ')}` : `approval by ${s.roles.join(', ')}`;
}
