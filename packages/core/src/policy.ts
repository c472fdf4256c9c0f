import { maxRisk, type RiskAssessment, riskRank } from './model.js';
import { normalizeText, readNumber, sameText } from './normalize.js';
import { MAX_MATCHED_TEXT, policyPattern, UnsupportedPattern } from './pattern.js';
import { revealInvisible } from './text.js';

export * from './policyDocument.js';

import type { ClientRequirement, PayloadCondition, PolicyDocument, PolicyRule } from './policyDocument.js';

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
  /** Whether the console may batch it (every matched rule is `bulkApprovable`); default false. */
  bulkApprovable?: boolean;
  /** The strictest `minReviewSeconds` of the matched rules; absent or null: none. */
  minReviewSeconds?: number | null;
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
    /** What matched rules could not read and applied anyway (fail closed), or read two ways. */
    flags: PolicyFlag[];
  };
}

function getPath(payload: unknown, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    if (!Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Why a rule applied though the policy could not read what it names (fail closed), or read it two
 * ways and took the stricter. Shown in the policy outcome, the dry run and each gate's reason.
 */
export interface PolicyFlag {
  rule: string;
  /** What could not be read: `payload.amount`, `description`. */
  path: string;
  code: 'not_comparable' | 'ambiguous_number' | 'unsupported_pattern' | 'text_too_long';
  message: string;
}

/** One check of a condition: a clear yes or no, or a yes because it could not be read or read two ways. */
type Verdict = 'yes' | 'no' | 'not_comparable' | 'ambiguous';

/** Every reading of `v` tested: yes when all agree on yes, ambiguous (a yes, flagged) when they disagree. */
function numberVerdict(v: unknown, test: (n: number) => boolean): Verdict {
  const r = readNumber(v);
  if (r.kind !== 'number') return 'not_comparable';
  const each = r.values.map(test);
  return each.every(Boolean) ? 'yes' : each.some(Boolean) ? 'ambiguous' : 'no';
}

/** Whether a payload value is `want` to an `eq`/`in` rule: numbers by value, text as it reads. */
function sameValue(v: unknown, want: string | number | boolean): Verdict {
  if (typeof want === 'number') return numberVerdict(v, (n) => n === want);
  if (typeof v === 'boolean') return String(v) === normalizeText(String(want)).trim().toLowerCase() ? 'yes' : 'no';
  if (typeof want === 'boolean') {
    const t = typeof v === 'string' ? normalizeText(v).trim().toLowerCase() : null;
    return t === 'true' || t === 'false' ? (t === String(want) ? 'yes' : 'no') : 'not_comparable';
  }
  if (typeof v === 'string') return sameText(v, want) ? 'yes' : 'no';
  if (typeof v === 'number') {
    const w = readNumber(want);
    return w.kind === 'number' && w.values.includes(v) ? 'yes' : 'no';
  }
  return 'not_comparable';
}

function anyOf(verdicts: readonly Verdict[]): Verdict {
  for (const v of ['yes', 'ambiguous', 'not_comparable'] as const) if (verdicts.includes(v)) return v;
  return 'no';
}

/** A shown value: bounded, invisible characters revealed. */
function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return revealInvisible(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

/**
 * Whether a payload condition holds. Values are normalised first (`readNumber`, `sameText`); a value
 * that is present but cannot be compared makes the condition hold (the stricter side) with a flag.
 */
function conditionHolds(payload: unknown, c: PayloadCondition, rule: string): { holds: boolean; flag?: PolicyFlag } {
  const v = getPath(payload, c.path);
  if (v === undefined) return { holds: false };
  const verdicts: Verdict[] = [];
  if (c.eq !== undefined) verdicts.push(sameValue(v, c.eq));
  if (c.in !== undefined) verdicts.push(anyOf(c.in.map((w) => sameValue(v, w))));
  if (c.gt !== undefined || c.gte !== undefined || c.lt !== undefined || c.lte !== undefined)
    verdicts.push(
      numberVerdict(
        v,
        (n) =>
          (c.gt === undefined || n > c.gt) &&
          (c.gte === undefined || n >= c.gte) &&
          (c.lt === undefined || n < c.lt) &&
          (c.lte === undefined || n <= c.lte),
      ),
    );
  if (verdicts.includes('no')) return { holds: false };
  const path = `payload.${c.path}`;
  if (verdicts.includes('not_comparable'))
    return {
      holds: true,
      flag: {
        rule,
        path,
        code: 'not_comparable',
        message: `${path} is ${shown(v)}, which rule ${rule} cannot compare: the rule applies`,
      },
    };
  if (verdicts.includes('ambiguous'))
    return {
      holds: true,
      flag: {
        rule,
        path,
        code: 'ambiguous_number',
        message: `${path} is ${shown(v)}, which reads as more than one number: rule ${rule} applies on the stricter reading`,
      },
    };
  return { holds: true };
}

/** Whether the task's description matches a rule's pattern (RE2, in every view of the text). */
function descriptionHolds(rule: string, source: string, description: string): { holds: boolean; flag?: PolicyFlag } {
  const pattern = policyPattern(source);
  const path = 'description';
  if (pattern instanceof UnsupportedPattern)
    return {
      holds: true,
      flag: {
        rule,
        path,
        code: 'unsupported_pattern',
        message: `rule ${rule}'s descriptionMatches cannot run in the linear-time engine (${pattern.message}): the rule applies`,
      },
    };
  const r = pattern.test(description);
  if (r === 'too_long')
    return {
      holds: true,
      flag: {
        rule,
        path,
        code: 'text_too_long',
        message: `the description is longer than ${MAX_MATCHED_TEXT} characters: rule ${rule} applies unmatched`,
      },
    };
  return { holds: r };
}

type MatchTask = { description: string; requiredCapabilities: readonly string[]; payload: unknown };

/**
 * Whether `rule` applies to a task, and the flags of what it could not read. Every criterion must
 * hold; one that cannot be evaluated holds (fail closed) and is flagged.
 *
 * @example
 * ruleMatch(rule, { description: 'Wire', requiredCapabilities: [], payload: { amount: 'fifty thousand' } }, risk)
 * // { matches: true, flags: [{ code: 'not_comparable', path: 'payload.amount', … }] }
 */
export function ruleMatch(
  rule: Pick<PolicyRule, 'id' | 'match'>,
  task: MatchTask,
  risk: RiskAssessment,
): { matches: boolean; flags: PolicyFlag[] } {
  const m = rule.match;
  const no = { matches: false, flags: [] };
  if (m.capabilities && !m.capabilities.some((c) => task.requiredCapabilities.includes(c))) return no;
  if (m.riskAtLeast && riskRank(risk.level) < riskRank(m.riskAtLeast)) return no;
  if (m.riskFactors && !m.riskFactors.some((f) => risk.factors.includes(f))) return no;
  const checks = [
    ...(m.descriptionMatches ? [descriptionHolds(rule.id, m.descriptionMatches, task.description)] : []),
    ...(m.payload ?? []).map((c) => conditionHolds(task.payload, c, rule.id)),
  ];
  if (checks.some((c) => !c.holds)) return no;
  return { matches: true, flags: checks.flatMap((c) => (c.flag ? [c.flag] : [])) };
}

/** Whether `rule` applies to a task (see `ruleMatch`, which also says what it could not read). */
export function ruleMatches(rule: PolicyRule, task: MatchTask, risk: RiskAssessment): boolean {
  return ruleMatch(rule, task, risk).matches;
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
function ruleSteps(
  r: PolicyRule,
  clientEscalation: 'auto' | 'reject' | null,
  flags: readonly PolicyFlag[],
): GateSpec[] {
  const q = r.require;
  // The approver sees why the rule applied when it could not read a value.
  const unread = flags.map((f) => ` (${f.message})`).join('');
  const spec = (roles: string[], required: number, reason: string | null, timeout: number | null): GateSpec => ({
    roles,
    required,
    reason: `${reason ?? `policy rule ${r.id}${r.description ? `: ${r.description}` : ''}`}${unread}`,
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
  const results = policy.rules.map((r) => ({ rule: r, ...ruleMatch(r, task, assessed) }));
  const matched = results.filter((m) => m.matches).map((m) => m.rule);
  const flags = results.flatMap((m) => m.flags);
  const risk = raisedRisk(assessed, matched);
  const critical = riskRank(risk.level) >= riskRank('high') || risk.factors.includes('irreversible_action');
  const asked = clientPlan(client, task, critical, defaultRole);

  // 1. The policy's gates: every matching rule's steps, merged in order; a policy timeout only shortens.
  let policySteps: GateSpec[] = [];
  let policyTimeout: number | null = null;
  for (const r of matched) {
    const own = flags.filter((f) => f.rule === r.id);
    policySteps = mergeSteps(policySteps, ruleSteps(r, hitl.escalationPolicy ?? null, own));
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
      reason: [floorApplied ? `${policyReason(matched, byPolicy)}; ${asked.reason}` : asked.reason]
        .concat(flags.map((f) => f.message))
        .join('; '),
      requirements: steps.map((s, i) => ({
        step: i + 1,
        roles: s.roles,
        required: s.required,
        origin: s.origin,
        rule: s.rule ?? null,
      })),
      flags,
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
