/**
 * Which policy rules apply to a task (`ruleMatches`): every matcher at its boundary, and a
 * model-based test of all matchers together against an independent oracle (issue 30: the planner's
 * property test used only `gt`, so an `eq` on a string or a `riskAtLeast` could stop matching unseen).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RiskAssessment, RiskLevel } from '../src/model.js';
import { type PayloadCondition, type PolicyRule, planGates, ruleMatches } from '../src/policy.js';

const LEVELS: RiskLevel[] = ['low', 'medium', 'high', 'critical'];
const lowRisk: RiskAssessment = { level: 'low', factors: [], mitigations: [] };
const task = (payload: unknown, description = 'Tidy up', caps: string[] = []) => ({
  description,
  requiredCapabilities: caps,
  payload,
  confidence: null,
});
const holds = (c: Omit<PayloadCondition, 'path'> & { path?: string }, payload: unknown) =>
  ruleMatches({ id: 'r', match: { payload: [{ path: 'v', ...c }] }, require: {} }, task(payload), lowRisk);

describe('payload conditions: eq and in', () => {
  it('eq matches a string, and only that string', () => {
    expect(holds({ eq: 'production' }, { v: 'production' })).toBe(true);
    expect(holds({ eq: 'production' }, { v: 'staging' })).toBe(false);
    expect(holds({ eq: 'production' }, {})).toBe(false);
  });
  it('eq matches a number and a boolean', () => {
    expect(holds({ eq: 5 }, { v: 5 })).toBe(true);
    expect(holds({ eq: 5 }, { v: 6 })).toBe(false);
    expect(holds({ eq: true }, { v: true })).toBe(true);
    expect(holds({ eq: true }, { v: false })).toBe(false);
  });
  it('in matches a string or a number of its list', () => {
    expect(holds({ in: ['prod', 'production'] }, { v: 'production' })).toBe(true);
    expect(holds({ in: ['prod', 'production'] }, { v: 'dev' })).toBe(false);
    expect(holds({ in: [1, 2] }, { v: 2 })).toBe(true);
    expect(holds({ in: [1, 2] }, { v: 3 })).toBe(false);
    expect(holds({ in: [] }, { v: 3 })).toBe(false);
  });
  it('eq and a range together both have to hold', () => {
    expect(holds({ in: [5, 50], gt: 10 }, { v: 50 })).toBe(true);
    expect(holds({ in: [5, 50], gt: 10 }, { v: 5 })).toBe(false);
  });
});

describe('payload conditions: ranges at their boundaries', () => {
  it('gt is strict, gte inclusive', () => {
    expect([9, 10, 10.5].map((v) => holds({ gt: 10 }, { v }))).toEqual([false, false, true]);
    expect([9.99, 10, 11].map((v) => holds({ gte: 10 }, { v }))).toEqual([false, true, true]);
  });
  it('lt is strict, lte inclusive', () => {
    expect([9, 10, 11].map((v) => holds({ lt: 10 }, { v }))).toEqual([true, false, false]);
    expect([9, 10, 10.01].map((v) => holds({ lte: 10 }, { v }))).toEqual([true, true, false]);
  });
  it('a range holds only between its bounds', () => {
    expect([0, 1, 5, 9, 10].map((v) => holds({ gte: 1, lt: 10 }, { v }))).toEqual([false, true, true, true, false]);
  });
  it.each([
    ['gt', { gt: 0 }],
    ['gte', { gte: 0 }],
    ['lt', { lt: 10 }],
    ['lte', { lte: 10 }],
  ])('%s alone decides: a value outside it does not match, a missing value never does', (_, c) => {
    expect(holds(c, { v: 5 })).toBe(true);
    expect(holds(c, { v: 'gt' in c || 'gte' in c ? -1 : 11 })).toBe(false);
    expect(holds(c, {})).toBe(false);
  });
});

describe('payload paths', () => {
  it('a dot path reads nested objects; it never reads through arrays, null or a value', () => {
    const r = (payload: unknown) =>
      ruleMatches(
        { id: 'r', match: { payload: [{ path: 'transfer.amount', gt: 100 }] }, require: {} },
        task(payload),
        lowRisk,
      );
    expect(r({ transfer: { amount: 500 } })).toBe(true);
    expect(r({ transfer: [{ amount: 500 }] })).toBe(false);
    expect(r({ transfer: null })).toBe(false);
    expect(r({ transfer: 500 })).toBe(false);
    expect(r([{ transfer: { amount: 500 } }])).toBe(false);
    expect(r(null)).toBe(false);
    // Nor the properties of a string or a number (`name.length`, `n.toFixed`).
    const len = { id: 'r', match: { payload: [{ path: 'name.length', gt: 0 }] }, require: {} };
    expect(ruleMatches(len, task({ name: 'abc' }), lowRisk)).toBe(false);
  });
  it('every condition of a rule has to hold', () => {
    const rule: PolicyRule = {
      id: 'r',
      match: {
        payload: [
          { path: 'env', eq: 'production' },
          { path: 'amount', gte: 100 },
        ],
      },
      require: {},
    };
    expect(ruleMatches(rule, task({ env: 'production', amount: 100 }), lowRisk)).toBe(true);
    expect(ruleMatches(rule, task({ env: 'production', amount: 99 }), lowRisk)).toBe(false);
    expect(ruleMatches(rule, task({ env: 'staging', amount: 100 }), lowRisk)).toBe(false);
  });
});

describe('task and risk matchers', () => {
  const at = (level: RiskLevel, factors: string[] = []): RiskAssessment => ({ level, factors, mitigations: [] });
  const rule = (match: PolicyRule['match']): PolicyRule => ({ id: 'r', match, require: {} });
  it('riskAtLeast matches its level and above, never below', () => {
    for (const [i, floor] of LEVELS.entries()) {
      expect(LEVELS.map((l) => ruleMatches(rule({ riskAtLeast: floor }), task({}), at(l)))).toEqual(
        LEVELS.map((_, j) => j >= i),
      );
    }
  });
  it('capabilities: any one of the listed ones', () => {
    const r = rule({ capabilities: ['payments', 'iam'] });
    expect(ruleMatches(r, task({}, 'x', ['db', 'iam']), lowRisk)).toBe(true);
    expect(ruleMatches(r, task({}, 'x', ['db']), lowRisk)).toBe(false);
    expect(ruleMatches(r, task({}, 'x', []), lowRisk)).toBe(false);
  });
  it('descriptionMatches: a case-insensitive pattern', () => {
    const r = rule({ descriptionMatches: 'wire' });
    expect(ruleMatches(r, task({}, 'WIRE funds'), lowRisk)).toBe(true);
    expect(ruleMatches(r, task({}, 'Tidy up'), lowRisk)).toBe(false);
  });
  it('riskFactors: any one of the listed ones', () => {
    const r = rule({ riskFactors: ['large_amount', 'production_data'] });
    expect(ruleMatches(r, task({}), at('low', ['production_data']))).toBe(true);
    expect(ruleMatches(r, task({}), at('critical', ['irreversible_action']))).toBe(false);
  });
  it('an empty match applies to every task; all given matchers must hold', () => {
    expect(ruleMatches(rule({}), task({}), lowRisk)).toBe(true);
    const both = rule({ capabilities: ['iam'], riskAtLeast: 'high' });
    expect(ruleMatches(both, task({}, 'x', ['iam']), at('high'))).toBe(true);
    expect(ruleMatches(both, task({}, 'x', ['iam']), at('medium'))).toBe(false);
    expect(ruleMatches(both, task({}, 'x', []), at('high'))).toBe(false);
  });
});

// ---- model-based: every matcher against an independent oracle ------------------------------------

/**
 * Each path holds one type (numbers, words, booleans) or is missing, and conditions compare it with
 * its own type: how a value of another type compares (fail open or fail closed) is the policy's
 * normalisation, tested where it is defined.
 */
const value = {
  a: fc.option(fc.integer({ min: -3, max: 13 }), { nil: undefined }),
  b: fc.option(fc.constantFrom('production', 'staging', 'prod'), { nil: undefined }),
  c: fc.option(fc.boolean(), { nil: undefined }),
};
const bound = fc.integer({ min: 0, max: 10 });
const atLeastOne = (c: PayloadCondition) => Object.keys(c).length > 1;
const condition: fc.Arbitrary<PayloadCondition> = fc.oneof(
  fc
    .record(
      {
        path: fc.constant('a'),
        eq: bound,
        in: fc.array(bound, { maxLength: 3 }),
        gt: bound,
        gte: bound,
        lt: bound,
        lte: bound,
      },
      { requiredKeys: ['path'] },
    )
    .filter(atLeastOne),
  fc
    .record(
      {
        path: fc.constant('b'),
        eq: fc.constantFrom('production', 'staging'),
        in: fc.array(fc.constantFrom('production', 'prod'), { maxLength: 3 }),
      },
      { requiredKeys: ['path'] },
    )
    .filter(atLeastOne),
  fc.record({ path: fc.constant('n.c'), eq: fc.boolean() }),
);
const level = fc.constantFrom(...LEVELS);
const factor = fc.constantFrom('large_amount', 'production_data', 'irreversible_action');
const ruleArb: fc.Arbitrary<PolicyRule> = fc
  .record(
    {
      capabilities: fc.array(fc.constantFrom('pay', 'iam', 'db'), { minLength: 1, maxLength: 2 }),
      descriptionMatches: fc.constantFrom('wire', 'delete', '^tidy'),
      payload: fc.array(condition, { minLength: 1, maxLength: 3 }),
      riskAtLeast: level,
      riskFactors: fc.array(factor, { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: [] },
  )
  .map((match) => ({ id: 'r', match, require: { approverRole: 'cfo' } }));

/** What a condition means, written independently of the planner. */
function oracleCondition(payload: Record<string, unknown>, c: PayloadCondition): boolean {
  const v = c.path === 'n.c' ? (payload.n as Record<string, unknown> | undefined)?.c : payload[c.path];
  const checks: boolean[] = [];
  if (c.eq !== undefined) checks.push(v === c.eq);
  if (c.in !== undefined) checks.push(c.in.some((x) => x === v));
  const n = typeof v === 'number' ? v : Number.NaN; // NaN fails every comparison
  if (c.gt !== undefined) checks.push(n > c.gt);
  if (c.gte !== undefined) checks.push(n >= c.gte);
  if (c.lt !== undefined) checks.push(n < c.lt);
  if (c.lte !== undefined) checks.push(n <= c.lte);
  return checks.every(Boolean);
}

function oracle(rule: PolicyRule, t: ReturnType<typeof task>, r: RiskAssessment): boolean {
  const m = rule.match;
  const payload = t.payload as Record<string, unknown>;
  return (
    (m.capabilities === undefined || m.capabilities.some((c) => t.requiredCapabilities.includes(c))) &&
    (m.descriptionMatches === undefined || new RegExp(m.descriptionMatches, 'i').test(t.description)) &&
    (m.payload === undefined || m.payload.every((c) => oracleCondition(payload, c))) &&
    (m.riskAtLeast === undefined || LEVELS.indexOf(r.level) >= LEVELS.indexOf(m.riskAtLeast)) &&
    (m.riskFactors === undefined || m.riskFactors.some((f) => r.factors.includes(f)))
  );
}

describe('ruleMatches model: every matcher, alone and together', () => {
  it('matches exactly when the oracle says so, and the planner applies exactly the matching rules', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 3 }),
        fc.record({ a: value.a, b: value.b, n: fc.record({ c: value.c }) }),
        fc.constantFrom('Wire funds', 'Delete rows', 'Tidy up'),
        fc.uniqueArray(fc.constantFrom('pay', 'iam', 'db')),
        level,
        fc.uniqueArray(factor),
        (rules0, payload, description, caps, lvl, factors) => {
          const rules = rules0.map((r, i) => ({ ...r, id: `r${i}` }));
          const t = task(payload, description, caps);
          const r: RiskAssessment = { level: lvl, factors, mitigations: [] };
          const want = rules.filter((x) => oracle(x, t, r)).map((x) => x.id);
          expect(rules.filter((x) => ruleMatches(x, t, r)).map((x) => x.id)).toEqual(want);
          const plan = planGates({}, t, r, { name: 'm', version: 1, rules }, 'file');
          expect(plan.policy.rulesApplied).toEqual(want);
          // A matching rule's gate is there: the CFO, of origin policy.
          expect(plan.steps.some((s) => s.origin === 'policy' && s.roles.includes('cfo'))).toBe(want.length > 0);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
