/**
 * What a rule does with a value it cannot read cleanly, on the paths of the normalised matcher that
 * no other test reached (mutation run on the merged `policy.ts`, issue 30): a boolean against text, a
 * number against a rule written as text, a description past the matcher's limit (fail closed), a
 * path that names an inherited property, and the flag messages an approver sees in the gate's reason.
 */
import { describe, expect, it } from 'vitest';
import type { RiskAssessment } from '../src/model.js';
import { MAX_MATCHED_TEXT } from '../src/pattern.js';
import { type PayloadCondition, type PolicyRule, planGates, ruleMatch } from '../src/policy.js';

const LOW: RiskAssessment = { level: 'low', factors: [], mitigations: [] };
const rule = (match: PolicyRule['match'], id = 'r', approverRole = 'cfo'): PolicyRule => ({
  id,
  match,
  require: { approverRole },
});
const task = (payload: unknown, description = 'Tidy the cache') => ({
  description,
  requiredCapabilities: [] as string[],
  payload,
  confidence: null,
});
const on = (c: Omit<PayloadCondition, 'path'>, v: unknown) =>
  ruleMatch(rule({ payload: [{ path: 'v', ...c } as PayloadCondition] }), task({ v }), LOW);

describe('eq across types: booleans and text, numbers and text', () => {
  it('a boolean rule matches the text "true"/"false" as it reads, and only that word', () => {
    for (const v of ['true', ' TRUE ', 'Ｔｒｕｅ', 'tr\u200Bue'])
      expect(on({ eq: true }, v), v).toEqual({ matches: true, flags: [] });
    for (const v of ['false', ' False']) expect(on({ eq: true }, v), v).toEqual({ matches: false, flags: [] });
    expect(on({ eq: false }, ' false ')).toEqual({ matches: true, flags: [] });
    expect(on({ eq: false }, 'true')).toEqual({ matches: false, flags: [] });
  });

  it('a boolean rule on other text cannot compare it: the rule applies, flagged', () => {
    for (const v of ['yes', '', 'truth']) {
      const m = on({ eq: true }, v);
      expect(m.matches, v).toBe(true);
      expect(m.flags).toEqual([expect.objectContaining({ code: 'not_comparable', path: 'payload.v' })]);
    }
  });

  it('a boolean payload against a rule written as text: the text as it reads, trimmed', () => {
    expect(on({ eq: ' True ' }, true)).toEqual({ matches: true, flags: [] });
    expect(on({ eq: 'TRUE' }, false)).toEqual({ matches: false, flags: [] });
    expect(on({ in: ['no', ' false'] }, false)).toEqual({ matches: true, flags: [] });
  });

  it('a number payload against a rule written as text compares by value', () => {
    expect(on({ eq: '50,000.00' }, 50_000)).toEqual({ matches: true, flags: [] });
    expect(on({ eq: '50000' }, 50_000)).toEqual({ matches: true, flags: [] });
    expect(on({ eq: '50001' }, 50_000)).toEqual({ matches: false, flags: [] });
    expect(on({ eq: 'fifty thousand' }, 50_000)).toEqual({ matches: false, flags: [] });
    expect(on({ in: ['10', '7'] }, 7)).toEqual({ matches: true, flags: [] });
  });

  it('an eq on text that matches raises no flag (no numeric comparison is attempted)', () => {
    expect(on({ eq: 'production' }, 'production')).toEqual({ matches: true, flags: [] });
    expect(on({ in: ['prod', 'production'] }, 'Production')).toEqual({ matches: true, flags: [] });
  });
});

describe('paths name the payload’s own members only', () => {
  it('a path naming an inherited property (toString, constructor) is absent: no match, no flag', () => {
    for (const path of ['toString', 'constructor', 'a.hasOwnProperty', '__proto__']) {
      for (const c of [{ gt: 0 }, { eq: 'x' }, { eq: true }]) {
        const m = ruleMatch(rule({ payload: [{ path, ...c } as PayloadCondition] }), task({ a: {} }), LOW);
        expect(m, `${path} ${JSON.stringify(c)}`).toEqual({ matches: false, flags: [] });
      }
    }
  });
});

describe('a description past the matcher’s limit: the rule applies (fail closed), flagged', () => {
  it('longer than MAX_MATCHED_TEXT: matches even a pattern it does not contain, with text_too_long', () => {
    const long = 'x'.repeat(MAX_MATCHED_TEXT + 1);
    const m = ruleMatch(rule({ descriptionMatches: 'wire' }, 'wires'), task({}, long), LOW);
    expect(m).toEqual({
      matches: true,
      flags: [
        {
          rule: 'wires',
          path: 'description',
          code: 'text_too_long',
          message: `the description is longer than ${MAX_MATCHED_TEXT} characters: rule wires applies unmatched`,
        },
      ],
    });
    // At the limit it is matched for real.
    const at = 'x'.repeat(MAX_MATCHED_TEXT);
    expect(ruleMatch(rule({ descriptionMatches: 'wire' }), task({}, at), LOW)).toEqual({ matches: false, flags: [] });
  });
});

describe('flag messages: what the approver reads', () => {
  it('not_comparable names the path, the value as JSON and the rule', () => {
    const m = ruleMatch(rule({ payload: [{ path: 'amount', gt: 10 }] }, 'big'), task({ amount: { value: 5 } }), LOW);
    expect(m.flags[0]?.message).toBe('payload.amount is {"value":5}, which rule big cannot compare: the rule applies');
  });

  it('a value is shown up to 80 characters, longer ones cut with an ellipsis, invisibles revealed', () => {
    const msg = (v: string) => on({ gt: 1 }, v).flags[0]?.message;
    const exactly80 = `"${'a'.repeat(78)}"`; // JSON of a 78-character string: 80 characters
    expect(msg('a'.repeat(78))).toBe(`payload.v is ${exactly80}, which rule r cannot compare: the rule applies`);
    const s81 = `"${'b'.repeat(79)}"`;
    expect(msg('b'.repeat(79))).toBe(
      `payload.v is ${s81.slice(0, 80)}…, which rule r cannot compare: the rule applies`,
    );
    expect(msg('c'.repeat(500))?.length).toBeLessThan(160);
  });

  it('ambiguous_number names the path, the value and the rule', () => {
    const m = ruleMatch(rule({ payload: [{ path: 'amount', lt: 10 }] }, 'small'), task({ amount: '1,234' }), LOW);
    expect(m.flags).toEqual([
      {
        rule: 'small',
        path: 'payload.amount',
        code: 'ambiguous_number',
        message:
          'payload.amount is "1,234", which reads as more than one number: rule small applies on the stricter reading',
      },
    ]);
  });

  it('unsupported_pattern names the rule and why the engine refused the pattern', () => {
    const m = ruleMatch(rule({ descriptionMatches: '(a)\\1' }, 'backref'), task({}), LOW);
    expect(m.flags[0]?.message).toMatch(
      /^rule backref's descriptionMatches cannot run in the linear-time engine \(.+\): the rule applies$/,
    );
  });

  it('each gate’s reason carries the flags of its own rule, each in parentheses, and no other rule’s', () => {
    const rules = [
      rule(
        {
          payload: [
            { path: 'amount', gt: 10 },
            { path: 'fee', gt: 1 },
          ],
        },
        'money',
        'cfo',
      ),
      rule({ payload: [{ path: 'op', eq: 'wire' }] }, 'wires', 'treasury'),
    ];
    const t = task({ amount: 'lots', fee: 'some', op: 'wire' });
    const plan = planGates({}, t, LOW, { name: 'p', version: 1, rules }, 'file');
    const money = plan.steps.find((s) => s.rule === 'money');
    const wires = plan.steps.find((s) => s.rule === 'wires');
    expect(money?.roles).toEqual(['cfo']);
    expect(money?.reason).toBe(
      'policy rule money' +
        ' (payload.amount is "lots", which rule money cannot compare: the rule applies)' +
        ' (payload.fee is "some", which rule money cannot compare: the rule applies)',
    );
    expect(wires?.roles).toEqual(['treasury']);
    expect(wires?.reason).toBe('policy rule wires');
    expect(plan.policy.flags.map((f) => f.rule)).toEqual(['money', 'money']);
    // The plan's reason: why the gates, then each flag, separated.
    expect(plan.policy.reason).toMatch(
      /; payload\.amount is "lots", which rule money cannot compare: the rule applies; payload\.fee is "some", which rule money cannot compare: the rule applies$/,
    );
  });
});
