/**
 * Gate planning (`planGates`) on the paths the model-based test does not reach: string and risk
 * matchers that put a gate in place, the confidence threshold, `critical_only`, a rule raising the
 * risk, how a client step folds into a policy step (and when it must not), timeouts, and what the
 * plan reports (issue 30).
 */
import { describe, expect, it } from 'vitest';
import type { RiskAssessment } from '../src/model.js';
import {
  BUILTIN_POLICY,
  type ClientRequirement,
  type GateSpec,
  mergeSteps,
  type PolicyDocument,
  type PolicyRule,
  planGates,
} from '../src/policy.js';
import { assessRisk } from '../src/risk.js';

const task = (description: string, payload: unknown = {}, confidence: number | null = null) => ({
  description,
  requiredCapabilities: [] as string[],
  payload,
  confidence,
});
type Task = ReturnType<typeof task>;
const policyOf = (rules: PolicyRule[], extra: Partial<PolicyDocument> = {}): PolicyDocument => ({
  name: 'p',
  version: 3,
  rules,
  ...extra,
});
const plan = (client: ClientRequirement, t: Task, policy: PolicyDocument = BUILTIN_POLICY) =>
  planGates(client, t, assessRisk(t), policy, policy === BUILTIN_POLICY ? 'built-in' : 'file');
const roles = (steps: GateSpec[]) => steps.map((s) => (s.required > 1 ? `${s.required}×${s.roles}` : s.roles.join()));

const TIDY = task('Tidy up the staging cache');
const HIGH = task('Refund the customer', { amount: 10_000 }); // financial + large amount: high

describe('a rule on a string puts its gate in place', () => {
  const ENV = policyOf([
    { id: 'prod-cfo', match: { payload: [{ path: 'env', eq: 'production' }] }, require: { approverRole: 'cfo' } },
  ]);
  it('eq "production" → cfo: the task gets the CFO, not the default approver', () => {
    const p = plan({}, task('Tidy up', { env: 'production' }), ENV);
    expect(roles(p.steps)).toEqual(['cfo']);
    expect(p.policy.rulesApplied).toEqual(['prod-cfo']);
  });
  it('…also when the agent asks for no human', () => {
    const p = plan({ humanInLoop: { enabled: false } }, task('Tidy up', { env: 'production' }), ENV);
    expect(roles(p.steps)).toEqual(['cfo']);
    expect(p.policy).toMatchObject({ gateRequired: true, floorApplied: true });
  });
  it('in ["prod", "production"] → cfo', () => {
    const IN = policyOf([
      { id: 'in', match: { payload: [{ path: 'env', in: ['prod', 'production'] }] }, require: { approverRole: 'cfo' } },
    ]);
    expect(roles(plan({ humanInLoop: { enabled: false } }, task('Tidy up', { env: 'prod' }), IN).steps)).toEqual([
      'cfo',
    ]);
    expect(plan({ humanInLoop: { enabled: false } }, task('Tidy up', { env: 'dev' }), IN).steps).toEqual([]);
  });
});

describe('riskAtLeast puts its gate in place at the boundary', () => {
  const CFO = policyOf([{ id: 'risky', match: { riskAtLeast: 'high' }, require: { approverRole: 'cfo' } }]);
  it('a high-risk task gets the CFO, not the default approver of the floor', () => {
    const p = plan({ humanInLoop: { enabled: false } }, HIGH, CFO);
    expect(p.risk.level).toBe('high');
    expect(p.steps).toEqual([expect.objectContaining({ roles: ['cfo'], origin: 'policy', rule: 'risky' })]);
  });
  it('a medium-risk task does not', () => {
    const p = plan({ humanInLoop: { enabled: false } }, task('Refund the customer'), CFO);
    expect(p.risk.level).toBe('medium');
    expect(p.steps).toEqual([]);
  });
});

describe('the confidence threshold', () => {
  const auto = (t: Task, extra: ClientRequirement = {}) =>
    plan({ autoEscalation: { confidenceThreshold: 0.8, escalateTo: 'sre', escalationMessage: 'look' }, ...extra }, t);
  it('a confidence at the threshold is auto-approved', () => {
    const p = auto(task('Tidy up', {}, 0.8));
    expect(p.steps).toEqual([]);
    expect(p.policy).toMatchObject({
      approvalRequired: 'confidence',
      gateRequired: false,
      reason: 'confidence 0.8 ≥ threshold 0.8, auto-approved',
    });
  });
  it('a confidence below it asks the escalation role, with the escalation message', () => {
    const p = auto(task('Tidy up', {}, 0.79));
    expect(p.steps).toEqual([
      expect.objectContaining({
        roles: ['sre'],
        required: 1,
        reason: 'look',
        timeoutSec: null,
        origin: 'client',
        escalateTo: 'sre',
      }),
    ]);
    expect(p.policy.reason).toBe('confidence 0.79 < threshold 0.8');
  });
  it('no confidence at all needs a human; without an escalation role, the default one', () => {
    const p = plan({ autoEscalation: { confidenceThreshold: 0.5 } }, task('Tidy up'));
    expect(p.steps).toEqual([expect.objectContaining({ roles: ['approver'], reason: null })]);
    expect(p.policy).toMatchObject({
      approvalRequired: 'confidence',
      reason: 'no confidence given; threshold 0.5 needs a human',
    });
  });
  it('an explicit humanInLoop overrides the threshold', () => {
    const p = auto(task('Tidy up', {}, 0.99), { humanInLoop: { approverRole: 'clerk' } });
    expect(roles(p.steps)).toEqual(['clerk']);
    expect(p.policy.approvalRequired).toBe('before_execution');
  });
  it('a high-risk task is never auto-approved by confidence', () => {
    expect(roles(auto({ ...HIGH, confidence: 1 }).steps)).toEqual(['approver']);
  });
});

describe('critical_only', () => {
  const co = (t: Task, policy?: PolicyDocument) =>
    plan({ humanInLoop: { approvalRequired: 'critical_only' } }, t, policy);
  it('a low- or medium-risk, reversible task is auto-approved', () => {
    // A refund moves money and is irreversible since issue 25; a restart is medium and reversible.
    for (const t of [TIDY, task('Restart the payments-api pods in prod')]) {
      const p = co(t);
      expect(p.steps).toEqual([]);
      expect(p.policy).toMatchObject({
        approvalRequired: 'critical_only',
        reason: 'critical_only: risk is not high or irreversible, auto-approved',
      });
    }
  });
  it('a high-risk task gets the approver', () => {
    const p = co(HIGH);
    expect(p.steps).toEqual([expect.objectContaining({ roles: ['approver'], origin: 'client' })]);
    expect(p.policy).toMatchObject({
      approvalRequired: 'critical_only',
      reason: 'client requested critical_only approval',
    });
  });
  it('an irreversible action below high risk gets the approver', () => {
    // Was `low` before issue 25 (a deletion weighed 1); deletions are medium now.
    const t = task('Delete the cache');
    expect(assessRisk(t).level).toBe('medium');
    expect(roles(co(t).steps)).toEqual(['approver']);
  });
  it('a rule raising the risk to high makes the task critical', () => {
    const raise = policyOf([{ id: 'raise', match: { descriptionMatches: 'staging' }, require: { riskLevel: 'high' } }]);
    const p = co(TIDY, raise);
    expect(p.risk.level).toBe('high');
    expect(roles(p.steps)).toEqual(['approver']);
  });
  it('a rule adding the irreversible factor makes the task critical', () => {
    const raise = policyOf([{ id: 'raise', match: {}, require: { riskFactors: ['irreversible_action'] } }]);
    const p = co(TIDY, raise);
    expect(p.risk).toMatchObject({ level: 'low', factors: ['irreversible_action'] });
    expect(roles(p.steps)).toEqual(['approver']);
  });
});

describe('a rule raises the risk, never lowers it', () => {
  it('riskLevel raises: the floor then demands a human although the agent asked for none', () => {
    const raise = policyOf([{ id: 'raise', match: {}, require: { riskLevel: 'critical', riskFactors: ['x', 'x'] } }]);
    const p = plan({ humanInLoop: { enabled: false } }, TIDY, raise);
    expect(p.risk.level).toBe('critical');
    expect(p.risk.factors).toEqual(['x']);
    expect(p.steps).toEqual([
      expect.objectContaining({
        roles: ['approver'],
        origin: 'floor',
        reason: 'policy floor: critical risk requires human approval',
      }),
    ]);
  });
  it('a lower riskLevel leaves a high risk high', () => {
    const lower = policyOf([{ id: 'lower', match: {}, require: { riskLevel: 'low' } }]);
    const p = plan({ humanInLoop: { enabled: false } }, HIGH, lower);
    expect(p.risk.level).toBe('high');
    expect(roles(p.steps)).toEqual(['approver']);
  });
  it('several matching rules raise in turn; factors keep the agent’s', () => {
    const two = policyOf([
      { id: 'a', match: {}, require: { riskLevel: 'medium', riskFactors: ['f1'] } },
      { id: 'b', match: {}, require: { riskLevel: 'low', riskFactors: ['f2'] } },
    ]);
    const claimed: RiskAssessment = { level: 'low', factors: ['own'], mitigations: ['m'] };
    const p = planGates({}, TIDY, claimed, two, 'file');
    expect(p.risk).toEqual({ level: 'medium', factors: ['own', 'f1', 'f2'], mitigations: ['m'] });
  });
});

describe('folding a client step into a policy step', () => {
  const CFO = policyOf([{ id: 'cfo', match: {}, require: { approverRole: 'cfo' } }]);
  it('a 3-of-N request does not fold into a 1-approver step', () => {
    const p = plan(
      { approvalPolicy: { type: 'threshold', required: 3, eligible: ['cfo', 'clerk', 'sre'] } },
      TIDY,
      CFO,
    );
    expect(roles(p.steps)).toEqual(['3×cfo,clerk,sre', 'cfo']);
    expect(p.policy.requirements).toEqual([
      { step: 1, roles: ['cfo', 'clerk', 'sre'], required: 3, origin: 'client', rule: null },
      { step: 2, roles: ['cfo'], required: 1, origin: 'policy', rule: 'cfo' },
    ]);
  });
  it('a 1-approver request for the same role folds into it (equal counts)', () => {
    const p = plan({ humanInLoop: { approverRole: 'cfo' } }, TIDY, CFO);
    expect(roles(p.steps)).toEqual(['cfo']);
    expect(p.steps[0]?.origin).toBe('policy');
  });
  it('a request for a role the policy step does not have is added before it', () => {
    const p = plan({ humanInLoop: { approverRole: 'clerk' } }, TIDY, CFO);
    expect(roles(p.steps)).toEqual(['clerk', 'cfo']);
  });
  it('the implicit default gate is dropped when the policy names gates', () => {
    expect(roles(plan({}, TIDY, CFO).steps)).toEqual(['cfo']);
    expect(roles(plan({ humanInLoop: { approverRole: 'approver' } }, TIDY, CFO).steps)).toEqual(['approver', 'cfo']);
  });
  it('mergeSteps matches each wanted step after the one before it', () => {
    const s = (r: string): GateSpec => ({
      roles: [r],
      required: 1,
      reason: null,
      timeoutSec: null,
      escalationPolicy: null,
      escalateTo: null,
    });
    const merged = mergeSteps([s('a'), s('b')], [s('b'), s('a')]);
    expect(merged.map((x) => x.roles.join())).toEqual(['a', 'b', 'a']);
    expect(mergeSteps([s('a'), s('b')], [s('a'), s('b')]).map((x) => x.roles.join())).toEqual(['a', 'b']);
  });
});

describe('timeouts and escalation of policy gates', () => {
  it('a policy timeout only shortens; the shortest of several rules wins', () => {
    const two = policyOf([
      { id: 'a', match: {}, require: { approverRole: 'cfo', timeout: 100 } },
      { id: 'b', match: {}, require: { approverRole: 'sre', timeout: 50 } },
    ]);
    const p = plan({ humanInLoop: { approverRole: 'clerk', approvalTimeout: 30 } }, TIDY, two);
    expect(p.steps.map((s) => [s.roles.join(), s.timeoutSec])).toEqual([
      ['clerk', 30],
      // Independent rules' steps: each rule's own order is kept, not the order between rules.
      ['sre', 50],
      ['cfo', 50],
    ]);
    const long = plan({ humanInLoop: { approverRole: 'clerk', approvalTimeout: 600 } }, TIDY, two);
    expect(long.steps.map((s) => s.timeoutSec)).toEqual([50, 50, 50]);
  });
  it('a chain step’s own timeout and reason come first, then the rule’s', () => {
    const chain = policyOf([
      {
        id: 'c',
        description: 'two steps',
        match: {},
        require: {
          approvalChain: [{ role: 'fm', timeout: 10, reason: 'first' }, { role: 'cfo' }],
          timeout: 99,
          escalationPolicy: 'reject',
          escalateTo: 'cto',
        },
      },
    ]);
    const p = plan({ humanInLoop: { escalationPolicy: 'auto' } }, TIDY, chain);
    expect(p.steps).toEqual([
      {
        roles: ['fm'],
        required: 1,
        reason: 'first',
        timeoutSec: 10,
        escalationPolicy: 'reject',
        escalateTo: 'cto',
        origin: 'policy',
        rule: 'c',
      },
      {
        roles: ['cfo'],
        required: 1,
        reason: 'policy rule c: two steps',
        timeoutSec: 99,
        escalationPolicy: 'reject',
        escalateTo: 'cto',
        origin: 'policy',
        rule: 'c',
      },
    ]);
  });
  it('without its own, a policy gate takes the client’s escalation policy but never its target', () => {
    const q = policyOf([{ id: 'q', match: {}, require: { quorum: { required: 2, eligible: ['sre', 'sre', 'dba'] } } }]);
    const p = plan({ humanInLoop: { escalationPolicy: 'auto', escalateTo: 'intern' } }, TIDY, q);
    expect(p.steps).toEqual([
      {
        roles: ['sre', 'dba'],
        required: 2,
        reason: 'policy rule q',
        timeoutSec: null,
        escalationPolicy: 'auto',
        escalateTo: null,
        origin: 'policy',
        rule: 'q',
      },
    ]);
  });
  it('a rule without an approver adds no gate', () => {
    const none = policyOf([{ id: 'tag', match: {}, require: { riskFactors: ['tagged'] } }]);
    expect(plan({ humanInLoop: { enabled: false } }, TIDY, none).steps).toEqual([]);
  });
});

describe('what the client asks for', () => {
  it('a chain: one step per role, each with its timeout or the request’s', () => {
    const p = plan(
      {
        approvalChain: [
          { role: 'a', timeout: 5 },
          { role: 'b', reason: 'why' },
        ],
        humanInLoop: { approvalTimeout: 60, escalateTo: 'boss' },
      },
      TIDY,
    );
    expect(p.steps).toEqual([
      {
        roles: ['a'],
        required: 1,
        reason: null,
        timeoutSec: 5,
        escalationPolicy: null,
        escalateTo: 'boss',
        origin: 'client',
      },
      {
        roles: ['b'],
        required: 1,
        reason: 'why',
        timeoutSec: 60,
        escalationPolicy: null,
        escalateTo: 'boss',
        origin: 'client',
      },
    ]);
    expect(p.policy).toMatchObject({
      approvalRequired: 'approval_chain',
      reason: 'client requested a 2-step approval chain',
      floorApplied: false,
    });
  });
  it('a threshold: its eligible roles once each', () => {
    const p = plan({ approvalPolicy: { type: 'threshold', required: 2, eligible: ['a', 'b', 'a'], timeout: 7 } }, TIDY);
    expect(p.steps).toEqual([expect.objectContaining({ roles: ['a', 'b'], required: 2, timeoutSec: 7 })]);
    expect(p.policy).toMatchObject({
      approvalRequired: 'threshold',
      reason: 'client requested 2 approvals from a, b, a',
      approverRole: 'a, b',
    });
  });
  it('the default: the policy’s default role, the request’s timeout, the auto-escalation target', () => {
    const p = plan(
      { humanInLoop: { approvalTimeout: 60 }, autoEscalation: { escalateTo: 'boss' } },
      TIDY,
      policyOf([], { defaultApproverRole: 'ops' }),
    );
    expect(p.steps).toEqual([
      {
        roles: ['ops'],
        required: 1,
        reason: null,
        timeoutSec: 60,
        escalationPolicy: null,
        escalateTo: 'boss',
        origin: 'client',
      },
    ]);
    expect(p.policy).toMatchObject({
      approvalRequired: 'before_execution',
      reason: 'client requested before_execution approval',
    });
  });
  it('no human: no steps, an audit when asked', () => {
    const p = plan({ humanInLoop: { enabled: false }, auditFrequency: 'always' } as ClientRequirement, TIDY);
    expect(p).toMatchObject({ steps: [], audit: true });
    expect(p.policy).toMatchObject({
      approvalRequired: 'none',
      reason: 'humanInLoop.enabled is false',
      gateRequired: false,
      approverRole: null,
      floorApplied: false,
    });
    expect(plan({ humanInLoop: { enabled: false } }, TIDY).audit).toBe(false);
    expect(plan({ auditFrequency: 'always' } as ClientRequirement, TIDY).audit).toBe(false);
  });
});

describe('what the plan reports', () => {
  it('the policy, its version and source, and why the requirement was raised', () => {
    const one = policyOf([{ id: 'cfo', description: 'big money', match: {}, require: { approverRole: 'cfo' } }]);
    const p = plan({ humanInLoop: { approverRole: 'clerk' } }, TIDY, one);
    expect(p.policy).toMatchObject({
      id: 'p',
      version: 3,
      source: 'file',
      floorApplied: true,
      approverRole: 'clerk',
      reason: 'policy rule cfo (big money) requires approval by cfo; client requested before_execution approval',
    });
  });
  it('several rules: a chain, quorums written "n of roles"', () => {
    const two = policyOf([
      { id: 'a', match: {}, require: { approverRole: 'cfo' } },
      { id: 'b', match: {}, require: { quorum: { required: 2, eligible: ['x', 'y'] } } },
    ]);
    expect(plan({ humanInLoop: { enabled: false } }, TIDY, two).policy.reason).toBe(
      'policy rules a, b require a chain: 2 of x/y → cfo; humanInLoop.enabled is false',
    );
  });
  it('one quorum rule: "n of roles"', () => {
    const q = policyOf([{ id: 'q', match: {}, require: { quorum: { required: 2, eligible: ['x', 'y'] } } }]);
    expect(plan({ humanInLoop: { enabled: false } }, TIDY, q).policy.reason).toBe(
      'policy rule q requires 2 of x, y; humanInLoop.enabled is false',
    );
  });
  it('the floor names itself; built-in source', () => {
    const p = plan({ humanInLoop: { enabled: false } }, HIGH);
    expect(p.policy).toMatchObject({
      id: 'builtin-default',
      source: 'built-in',
      floorApplied: true,
      rulesApplied: [],
      reason: 'policy floor: high risk requires human approval; humanInLoop.enabled is false',
    });
  });
  it('the floor takes the request’s timeout and escalation policy, never its target', () => {
    const p = plan(
      { humanInLoop: { enabled: false, approvalTimeout: 42, escalationPolicy: 'reject', escalateTo: 'intern' } },
      HIGH,
    );
    expect(p.steps).toEqual([
      {
        roles: ['approver'],
        required: 1,
        reason: 'policy floor: high risk requires human approval',
        timeoutSec: 42,
        escalationPolicy: 'reject',
        escalateTo: null,
        origin: 'floor',
      },
    ]);
    expect(p.policy.requirements).toEqual([{ step: 1, roles: ['approver'], required: 1, origin: 'floor', rule: null }]);
  });
  it('a client request that already covers the policy is not "raised"', () => {
    const one = policyOf([{ id: 'cfo', match: {}, require: { approverRole: 'cfo' } }]);
    const p = plan({ approvalChain: [{ role: 'cfo' }] }, TIDY, one);
    expect(p.policy).toMatchObject({ floorApplied: false, reason: 'client requested a 1-step approval chain' });
  });
});

describe('the survivors of the first mutation run', () => {
  it('one of several roles: "approval by x, y", and "x/y" in a chain', () => {
    const one = policyOf([{ id: 'q', match: {}, require: { quorum: { required: 1, eligible: ['x', 'y'] } } }]);
    expect(plan({ humanInLoop: { enabled: false } }, TIDY, one).policy.reason).toBe(
      'policy rule q requires approval by x, y; humanInLoop.enabled is false',
    );
    const two = policyOf([...one.rules, { id: 'c', match: {}, require: { approverRole: 'cfo' } }]);
    expect(plan({ humanInLoop: { enabled: false } }, TIDY, two).policy.reason).toBe(
      'policy rules q, c require a chain: cfo → x/y; humanInLoop.enabled is false',
    );
  });
  it('a matching rule without risk factors adds none', () => {
    const cfo = policyOf([{ id: 'cfo', match: {}, require: { approverRole: 'cfo' } }]);
    const t = task('Delete the production cache');
    expect(plan({}, t, cfo).risk).toEqual(assessRisk(t));
  });
  it('a low confidence asks its escalation role beside the policy’s gate', () => {
    const cfo = policyOf([{ id: 'cfo', match: {}, require: { approverRole: 'cfo' } }]);
    const p = plan({ autoEscalation: { confidenceThreshold: 0.8, escalateTo: 'sre' } }, task('Tidy up', {}, 0.1), cfo);
    expect(roles(p.steps)).toEqual(['sre', 'cfo']);
  });
});
