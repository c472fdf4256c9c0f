import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_POLICY,
  type ClientRequirement,
  covers,
  type GateSpec,
  mergeSteps,
  type PolicyDocument,
  type PolicyRule,
  planGates,
} from '../src/policy.js';
import { assessRisk } from '../src/risk.js';

const ROLES = ['intern', 'clerk', 'finance_manager', 'cfo', 'sre'] as const;
const role = fc.constantFrom(...ROLES);
const roles = fc.uniqueArray(role, { minLength: 1, maxLength: 3 });

const task = (payload: Record<string, unknown> = {}, description = 'Wire funds to vendor') => ({
  description,
  requiredCapabilities: [] as string[],
  payload,
  confidence: null as number | null,
});
const risk = (t: ReturnType<typeof task>) => assessRisk(t);

/** The attacks of issue 12, as a policy and requests. */
const WIRE: PolicyDocument = {
  name: 'p',
  version: 1,
  escalationLadder: { sre: 'cto' },
  rules: [
    {
      id: 'large-wire',
      match: { payload: [{ path: 'amount', gt: 10000 }] },
      require: { approvalChain: [{ role: 'finance_manager' }, { role: 'cfo' }] },
    },
  ],
};

describe('planGates: the policy floor compares requirements, not counts', () => {
  const wire = task({ amount: 50000 });
  it('three interns do not replace finance_manager → cfo', () => {
    const plan = planGates(
      { approvalChain: [{ role: 'intern' }, { role: 'intern' }, { role: 'intern' }] },
      wire,
      risk(wire),
      WIRE,
      'file',
    );
    expect(plan.steps.map((s) => s.roles.join())).toEqual(['intern', 'intern', 'intern', 'finance_manager', 'cfo']);
    expect(plan.policy.requirements.filter((r) => r.origin === 'policy').map((r) => r.roles)).toEqual([
      ['finance_manager'],
      ['cfo'],
    ]);
  });
  it('a 2-intern quorum does not replace a CFO approver rule', () => {
    const policy: PolicyDocument = {
      name: 'p',
      version: 1,
      rules: [{ id: 'cfo', match: {}, require: { approverRole: 'cfo' } }],
    };
    const plan = planGates(
      { approvalPolicy: { type: 'threshold', required: 2, eligible: ['intern'] } },
      wire,
      risk(wire),
      policy,
      'file',
    );
    expect(plan.steps.map((s) => [s.roles.join(), s.required])).toEqual([
      ['intern', 2],
      ['cfo', 1],
    ]);
  });
  it("the agent's escalateTo never rides on a policy gate", () => {
    const policy: PolicyDocument = {
      name: 'p',
      version: 1,
      rules: [{ id: 'sre', match: {}, require: { quorum: { required: 2, eligible: ['sre'] }, timeout: 2 } }],
    };
    const plan = planGates(
      { humanInLoop: { escalationPolicy: 'auto', escalateTo: 'intern' } },
      wire,
      risk(wire),
      policy,
      'file',
    );
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ roles: ['sre'], required: 2, escalateTo: null, origin: 'policy' });
  });
  it('enabled: false is upgraded to the policy gates and says which rule applied', () => {
    const plan = planGates({ humanInLoop: { enabled: false } }, wire, risk(wire), WIRE, 'file');
    expect(plan.steps.map((s) => s.roles.join())).toEqual(['finance_manager', 'cfo']);
    expect(plan.policy).toMatchObject({ floorApplied: true, rulesApplied: ['large-wire'] });
    expect(plan.policy.reason).toContain('large-wire');
  });
  it('high risk with no gate asked gets the default role, not one the agent names', () => {
    const t = task({ amount: 250000 }, 'Wire transfer to account 42');
    const plan = planGates(
      { humanInLoop: { enabled: false, approverRole: 'intern' } },
      t,
      risk(t),
      BUILTIN_POLICY,
      'built-in',
    );
    expect(plan.steps).toEqual([expect.objectContaining({ roles: ['approver'], origin: 'floor' })]);
  });
  it('a client step one of whose roles a policy step covers folds into it', () => {
    const policy: PolicyDocument = {
      name: 'p',
      version: 1,
      rules: [{ id: 'q', match: {}, require: { quorum: { required: 2, eligible: ['clerk', 'sre'] } } }],
    };
    const plan = planGates({ humanInLoop: { approverRole: 'clerk' } }, wire, risk(wire), policy, 'file');
    expect(plan.steps).toHaveLength(1);
  });
});

describe('mergeSteps', () => {
  const s = (r: string[], required = 1): GateSpec => ({
    roles: r,
    required,
    reason: null,
    timeoutSec: null,
    escalationPolicy: null,
    escalateTo: null,
  });
  it('keeps both orders and drops covered steps', () => {
    const merged = mergeSteps([s(['cfo'])], [s(['finance_manager']), s(['cfo'])]);
    expect(merged.map((x) => x.roles.join())).toEqual(['finance_manager', 'cfo']);
  });
  it('covers needs every approver eligible and enough of them', () => {
    expect(covers(s(['cfo'], 2), s(['cfo', 'sre']))).toBe(true);
    expect(covers(s(['cfo', 'sre'], 2), s(['cfo']))).toBe(false);
    expect(covers(s(['cfo'], 1), s(['cfo'], 2))).toBe(false);
  });
});

// ---- model-based: whatever the agent sends, every policy role, count and order is present ----------

const chainRule = fc.record({
  approvalChain: fc.array(
    role.map((r) => ({ role: r })),
    { minLength: 1, maxLength: 3 },
  ),
});
const quorumRule = roles.chain((eligible) =>
  fc.integer({ min: 1, max: eligible.length }).map((required) => ({ quorum: { required, eligible } })),
);
const singleRule = role.map((r) => ({ approverRole: r }));
const rule: fc.Arbitrary<PolicyRule> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 5 }),
    threshold: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
    require: fc.oneof(chainRule, quorumRule, singleRule),
    escalateTo: fc.option(role, { nil: undefined }),
    timeout: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
  })
  .map(({ id, threshold, require, escalateTo, timeout }) => ({
    id,
    match: threshold === undefined ? {} : { payload: [{ path: 'amount', gt: threshold }] },
    require: { ...require, ...(escalateTo ? { escalateTo } : {}), ...(timeout ? { timeout } : {}) },
  }));
const policyDoc: fc.Arbitrary<PolicyDocument> = fc
  .array(rule, { maxLength: 3 })
  // Distinct ids: the test finds a step's rule by its id.
  .map((rules) => ({ name: 'm', version: 1, rules: rules.map((r, i) => ({ ...r, id: `r${i}` })) }));

const client: fc.Arbitrary<ClientRequirement> = fc.record(
  {
    humanInLoop: fc.record(
      {
        enabled: fc.boolean(),
        approvalRequired: fc.constantFrom('before_execution', 'all_decisions', 'critical_only') as fc.Arbitrary<
          'before_execution' | 'all_decisions' | 'critical_only'
        >,
        approverRole: role,
        escalationPolicy: fc.constantFrom('auto', 'reject') as fc.Arbitrary<'auto' | 'reject'>,
        escalateTo: role,
        approvalTimeout: fc.integer({ min: 1, max: 10_000 }),
      },
      { requiredKeys: [] },
    ),
    approvalChain: fc.array(
      role.map((r) => ({ role: r })),
      { minLength: 1, maxLength: 4 },
    ),
    approvalPolicy: roles.chain((eligible) =>
      fc.integer({ min: 1, max: 3 }).map((required) => ({ type: 'threshold' as const, required, eligible })),
    ),
    autoEscalation: fc.record({ confidenceThreshold: fc.double({ min: 0, max: 1, noNaN: true }), escalateTo: role }),
  },
  { requiredKeys: [] },
);

/** The steps a rule demands, computed independently of the planner. */
function demanded(r: PolicyRule): { roles: string[]; required: number }[] {
  const q = r.require;
  if (q.approvalChain?.length) return q.approvalChain.map((s) => ({ roles: [s.role], required: 1 }));
  if (q.quorum) return [{ roles: [...new Set(q.quorum.eligible)], required: q.quorum.required }];
  if (q.approverRole) return [{ roles: [q.approverRole], required: 1 }];
  return [];
}

/** Each demanded step is covered by a later effective step than the one before it. */
function presentInOrder(steps: GateSpec[], want: { roles: string[]; required: number }[]): boolean {
  let at = 0;
  for (const w of want) {
    const i = steps.findIndex(
      (s, j) => j >= at && s.required >= w.required && s.roles.every((x) => w.roles.includes(x)),
    );
    if (i < 0) return false;
    at = i + 1;
  }
  return true;
}

describe('planGates model: the effective gates are never weaker than the policy', () => {
  it('every matching rule’s roles, counts and order are present; policy gates escalate only as the policy says', () => {
    fc.assert(
      fc.property(
        policyDoc,
        client,
        fc.integer({ min: 0, max: 200_000 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
        (policy, req, amount, confidence) => {
          const t = { ...task({ amount }), confidence };
          const assessed = risk(t);
          const plan = planGates(req, t, assessed, policy, 'file');
          for (const r of policy.rules) {
            const applies = r.match.payload === undefined || amount > (r.match.payload[0]?.gt ?? 0);
            if (!applies) continue;
            expect(plan.policy.rulesApplied).toContain(r.id);
            expect(presentInOrder(plan.steps, demanded(r))).toBe(true);
          }
          const clientTarget = req.humanInLoop?.escalateTo ?? req.autoEscalation?.escalateTo;
          for (const s of plan.steps.filter((x) => x.origin !== 'client')) {
            const ruleTarget = policy.rules.find((r) => r.id === s.rule)?.require.escalateTo ?? null;
            expect(s.escalateTo).toBe(ruleTarget);
            if (clientTarget !== undefined && ruleTarget !== clientTarget) expect(s.escalateTo).not.toBe(clientTarget);
          }
          if (plan.risk.level === 'high' || plan.risk.level === 'critical')
            expect(plan.steps.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
