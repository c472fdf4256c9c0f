/**
 * `readNumber` spelling by spelling, with the exact readings (mutation run on the merged
 * `normalize.ts`, issue 30): signs, currency affixes before and after, each grouping convention,
 * decimal marks, the ambiguous case, and what is refused and why.
 */
import { describe, expect, it } from 'vitest';
import { readNumber, sameText, skeleton, textViews } from '../src/normalize.js';

const read = (v: unknown) => {
  const r = readNumber(v);
  return r.kind === 'number' ? r.values : r.kind === 'absent' ? 'absent' : `not_comparable: ${r.why}`;
};

describe('readNumber: the readings of each spelling', () => {
  it.each([
    ['50000', [50000]],
    ['  50  ', [50]],
    ['0.5', [0.5]],
    ['+50', [50]],
    ['-1,234.50', [-1234.5]],
    ['\u221250', [-50]],
    ['- $50', [-50]],
    ['$-50', [-50]],
    ['$\u221250', [-50]],
    ['50 USD', [50]],
    ['usd 50', [50]],
    ['US$50', [50]],
    ['R$ 1.234,56', [1234.56]],
    ['50$US', [50]],
    ['€50.000,00', [50000]],
    ['1,234', [1234, 1.234]],
    ['1.234', [1234, 1.234]],
    ['1.234.567', [1234567]],
    ['1,234,567', [1234567]],
    ['1,23,45,678', [12345678]],
    ['1,234.5', [1234.5]],
    ['1.234,5', [1234.5]],
    ['1,2345', [1.2345]],
    ['1234,56', [1234.56]],
    ['1 234 567,89', [1234567.89]],
    ["50'000", [50000]],
    ['50’000.25', [50000.25]],
    ['1_000', [1000]],
    ['1e3', [1000]],
    ['1.5E2', [150]],
    ['１２３', [123]],
    [' 1e3 ', [1000]],
    ['1  234', [1234]],
    ['1,234.567', [1234.567]],
    ['12345,678', [12345.678]],
    ['12345.678', [12345.678]],
    [50_000, [50_000]],
    [-0.5, [-0.5]],
  ])('%j reads as %j', (v, want) => {
    expect(read(v)).toEqual(want);
  });

  it.each([
    ['fifty', 'not a number'],
    ['50k', 'not a number'],
    ['.5', 'not a number'],
    ['1,,2', 'not a number'],
    ['1.2.3', 'not a number'],
    ['12,3456,789', 'not a number'],
    ['1,23,4567', 'not a number'],
    ['1,234,56,789', 'not a number'],
    ['12 34', 'not a number'],
    ['1234.', 'not a number'],
    ['1,234,', 'not a number'],
    ['1234,567.5', 'not a number'],
    [`${'9'.repeat(400)}.5`, 'not a number'],
    ['50 XYZ', 'not a number'],
    ['XYZ 50', 'not a number'],
    ['-$-50', 'not a number'],
    ['', 'not a number'],
    [Number.POSITIVE_INFINITY, 'not finite'],
    [Number.NaN, 'not finite'],
    [null, 'null'],
    [[50], 'a list'],
    [{ v: 50 }, 'a object'],
    [true, 'a boolean'],
  ])('%j is not comparable (%s)', (v, why) => {
    expect(read(v)).toBe(`not_comparable: ${why}`);
  });

  it('undefined is absent', () => {
    expect(read(undefined)).toBe('absent');
  });
});

describe('text views', () => {
  it('as written, folded, skeleton; sameText by any', () => {
    expect(textViews('W\u200Bіre')).toEqual({ plain: 'Wіre', folded: 'Wire', skeleton: skeleton('wire') });
    expect(textViews('Café')).toMatchObject({ plain: 'Café', folded: 'Cafe' });
    expect(sameText('WIRE', 'wire')).toBe(true);
    expect(sameText('payrnent', 'payment')).toBe(true);
    expect(sameText('wire', 'fire')).toBe(false);
    expect(skeleton('PAYMENT')).toBe(skeleton('payment'));
    expect(skeleton('Wіre')).toBe('wire');
    // Characters without an ASCII look-alike stay as they are; marks are dropped.
    expect(textViews('中 € ß ñ').folded).toBe('中 € ß n');
    expect(textViews('Ｗｉｒｅ 1').folded).toBe('Wire 1');
  });
});
