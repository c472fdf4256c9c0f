import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assessRisk,
  compilePattern,
  gateRisk,
  type PolicyRule,
  type RiskAssessment,
  readNumber,
  ruleMatch,
  skeleton,
  UnsupportedPattern,
} from '../src/index.js';

const LOW: RiskAssessment = { level: 'low', factors: [], mitigations: [] };
const rule = (match: PolicyRule['match']): PolicyRule => ({ id: 'r', match, require: { approverRole: 'cfo' } });
const task = (payload: unknown, description = 'Wire to ACME') => ({ description, requiredCapabilities: [], payload });

/** The ways people and systems write an amount: locales' grouping and decimals, currency symbols and codes. */
const LOCALES = ['en-US', 'de-DE', 'fr-FR', 'de-CH', 'en-IN', 'it-IT', 'es-ES', 'pl-PL', 'sv-SE', 'ja-JP'];
function formattings(n: number): string[] {
  const out: string[] = [];
  for (const locale of LOCALES) {
    out.push(new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n));
    for (const currency of ['EUR', 'USD', 'CHF'])
      for (const currencyDisplay of ['symbol', 'code'] as const)
        out.push(
          new Intl.NumberFormat(locale, {
            style: 'currency',
            currency,
            currencyDisplay,
            minimumFractionDigits: 2,
            maximumFractionDigits: 2,
          }).format(n),
        );
  }
  const fixed = n.toFixed(2);
  out.push(fixed, fixed.replace('.', ','), `${fixed} USD`, `EUR ${fixed}`);
  // Full-width digits (NFKC makes them ASCII).
  out.push([...fixed].map((c) => (/\d/.test(c) ? String.fromCharCode(0xff10 + Number(c)) : c)).join(''));
  return out;
}

describe('numbers: every formatting of an amount compares as that amount', () => {
  it('readNumber reads the issue’s spellings', () => {
    expect(readNumber('50000')).toEqual({ kind: 'number', values: [50000] });
    expect(readNumber('50,000.00')).toEqual({ kind: 'number', values: [50000] });
    expect(readNumber('€50.000,00')).toEqual({ kind: 'number', values: [50000] });
    expect(readNumber("50'000")).toEqual({ kind: 'number', values: [50000] });
    expect(readNumber('50 000 USD')).toEqual({ kind: 'number', values: [50000] });
    expect(readNumber('12,34,567.00')).toEqual({ kind: 'number', values: [1234567] });
    // One separator with three digits: both conventions are read.
    expect(readNumber('1,234')).toEqual({ kind: 'number', values: [1234, 1.234] });
    for (const v of ['fifty thousand', '50k', '5O,000', 'XYZ 50', '', '1,2,3', null, {}, [], true])
      expect(readNumber(v).kind, JSON.stringify(v)).toBe('not_comparable');
    expect(readNumber(undefined).kind).toBe('absent');
  });

  it('property: for every formatting of a number, `gt` matches iff the number does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000_00, max: 10_000_000_00 }).map((c) => c / 100),
        fc.integer({ min: 0, max: 1_000_000 }),
        (n, threshold) => {
          const r = rule({ payload: [{ path: 'amount', gt: threshold }] });
          for (const amount of [n, ...formattings(n)]) {
            const m = ruleMatch(r, task({ amount }), LOW);
            expect(m.matches, `${JSON.stringify(amount)} > ${threshold}`).toBe(n > threshold);
            expect(m.flags, JSON.stringify(amount)).toEqual([]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: an amount written with an ambiguous separator never dodges a rule (either reading matches)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 999_999 }), fc.integer({ min: 0, max: 2_000_000 }), (n, threshold) => {
        const r = rule({ payload: [{ path: 'amount', gt: threshold }] });
        for (const amount of [n.toLocaleString('en-US'), n.toLocaleString('de-DE')]) {
          const m = ruleMatch(r, task({ amount }), LOW);
          if (n > threshold) expect(m.matches, amount).toBe(true);
        }
      }),
    );
  });

  it('a value a rule names that cannot be compared matches (fail closed) and is flagged; an absent one does not', () => {
    const r = rule({ payload: [{ path: 'amount', gt: 10000 }] });
    for (const amount of ['fifty thousand', '50k', { value: 50000 }, [50000], null, true]) {
      const m = ruleMatch(r, task({ amount }), LOW);
      expect(m.matches, JSON.stringify(amount)).toBe(true);
      expect(m.flags).toEqual([expect.objectContaining({ rule: 'r', path: 'payload.amount', code: 'not_comparable' })]);
    }
    expect(ruleMatch(r, task({ other: 1 }), LOW)).toEqual({ matches: false, flags: [] });
    // Readings that disagree: the stricter applies, flagged.
    const amb = ruleMatch(rule({ payload: [{ path: 'amount', lt: 10 }] }), task({ amount: '1,234' }), LOW);
    expect(amb.matches).toBe(true);
    expect(amb.flags[0]?.code).toBe('ambiguous_number');
  });

  it('eq and in compare numbers by value and text as it reads', () => {
    expect(
      ruleMatch(rule({ payload: [{ path: 'amount', eq: 50000 }] }), task({ amount: '€50.000,00' }), LOW).matches,
    ).toBe(true);
    const op = rule({ payload: [{ path: 'op', in: ['wire', 'transfer'] }] });
    for (const v of ['Wіre', 'W\u200Bire', 'ｗｉｒｅ', 'WIRE'])
      expect(ruleMatch(op, task({ op: v }), LOW).matches, v).toBe(true);
    expect(ruleMatch(op, task({ op: 'refund' }), LOW).matches).toBe(false);
  });
});

describe('text: descriptionMatches and the risk rules see through homoglyphs, invisibles and widths', () => {
  it('Wіre (Cyrillic і), W\\u200Bire, full-width ｗｉｒｅ and payrnent match; the original is untouched', () => {
    const r = rule({ descriptionMatches: 'wire|payment' });
    for (const d of ['Wіre to ACME', 'W\u200Bire to ACME', 'ｗｉｒｅ to ACME', 'W\u202Eire', 'payrnent due', 'Wíre'])
      expect(ruleMatch(r, task({}, d), LOW).matches, d).toBe(true);
    expect(ruleMatch(r, task({}, 'Tag tickets'), LOW).matches).toBe(false);
    expect(skeleton('Wіre')).toBe(skeleton('wire'));
  });

  it('the risk rules read the same views and the same numbers', () => {
    const risk = assessRisk({
      description: 'W\u200Bіre funds to vendor',
      requiredCapabilities: [],
      payload: { amount: '50,000.00' },
    });
    expect(risk.factors).toEqual(
      expect.arrayContaining(['irreversible_action', 'financial_transaction', 'large_amount']),
    );
    expect(risk.level).toBe('high');
    const unreadable = assessRisk({ description: 'Pay', requiredCapabilities: [], payload: { amount: '5O,000' } });
    expect(unreadable.factors).toContain('unreadable_amount');
    // Dates and references beside money are not amounts.
    const dated = assessRisk({ description: 'x', requiredCapabilities: [], payload: { payment_date: '2024-01-05' } });
    expect(dated.factors).not.toContain('unreadable_amount');
  });
});

describe('patterns: RE2, linear time; what it cannot run is refused', () => {
  it('the ReDoS pattern compiles and a 10 000-character input returns', () => {
    const p = compilePattern(String.raw`(wire|transfer)\s+(\w+\s*)+to vendor`);
    expect(p.test(`wire ${'a'.repeat(10_000)}!`)).toBe(false);
    expect(p.test('Wire the March invoice to vendor')).toBe(true);
  });

  it('backreferences and lookaround are refused with unsupported_regex; an unvalidated one applies, flagged', () => {
    for (const bad of [String.raw`(a)\1`, '(?=wire)', '(?<=x)wire', '(?!x)y']) {
      expect(() => compilePattern(bad), bad).toThrow(UnsupportedPattern);
      try {
        compilePattern(bad);
      } catch (e) {
        expect((e as UnsupportedPattern).code).toBe('unsupported_regex');
      }
      const m = ruleMatch(rule({ descriptionMatches: bad }), task({}), LOW);
      expect(m).toMatchObject({ matches: true, flags: [{ code: 'unsupported_pattern', path: 'description' }] });
    }
  });
});

describe('gateRisk: an in-run decision gate is at its own risk, at least the task’s', () => {
  it('a stored assessment, else one made from the proposal; other gates decide the task', () => {
    const wire = { action: 'Wire funds to vendor', payload: { amount: 50000 } };
    expect(gateRisk({ kind: 'decision', proposal: wire }, LOW).level).toBe('high');
    expect(
      gateRisk({ kind: 'decision', proposal: { ...wire, risk: { level: 'critical', factors: ['x'] } } }, LOW),
    ).toMatchObject({
      level: 'critical',
      factors: ['x'],
    });
    const high: RiskAssessment = { level: 'high', factors: ['y'], mitigations: [] };
    expect(gateRisk({ kind: 'decision', proposal: { action: 'Tag', payload: {} } }, high).level).toBe('high');
    expect(gateRisk({ kind: 'execution', proposal: wire }, LOW)).toBe(LOW);
  });
});
