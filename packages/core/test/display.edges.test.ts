/**
 * The edges of what an approver is shown (`display.ts`), pinned one by one: each case below was a
 * mutant StrykerJS found surviving the rest of the suite (docs/mutation.md) — a sign dropped from a
 * negative amount, a date that does not exist shown as one, a pointer past an array's end answering a
 * value, a count said in the wrong number, a template setting silently accepted.
 */
import { describe, expect, it } from 'vitest';
import {
  currencyDigits,
  displayLines,
  displayTemplateProblems,
  formatDate,
  formatMoney,
  humanLabel,
  isJsonPointer,
  renderPayload,
  valueAt,
} from '../src/display.js';

const template = (fields: object[]) => ({ template: { id: 't', match: {}, fields } as never });

describe('money: the sign, zero and exactness', () => {
  it('a negative amount keeps its sign, in minor units and not; zero is never negative', () => {
    expect(formatMoney(-2499, 'EUR', true)).toBe('-EUR 24.99');
    expect(formatMoney(-2499, 'EUR', false)).toBe('-EUR 2,499.00');
    expect(formatMoney(-5, 'JPY', true)).toBe('-JPY 5');
    expect(formatMoney(0, 'EUR', true)).toBe('EUR 0.00');
    expect(formatMoney(7, 'EUR', true)).toBe('EUR 0.07');
  });

  it('minor units past 2^53 are refused (they would not be exact); a major-unit amount is shown as JSON has it', () => {
    expect(formatMoney(2 ** 53 + 2, 'EUR', true)).toBeUndefined();
    expect(formatMoney(2 ** 53 + 2, 'EUR', false)).toBe('EUR 9,007,199,254,740,994.00');
  });

  it('only ISO 4217 codes Intl knows, in capitals, are currencies', () => {
    expect(currencyDigits('XYZ')).toBeUndefined();
    expect(currencyDigits('eur')).toBeUndefined();
    expect(currencyDigits('JPY')).toBe(0);
    expect(formatMoney(5, 'XYZ', false)).toBeUndefined();
  });
});

describe('dates that do not exist are not shown as dates', () => {
  it('month 00 (which JavaScript rolls back a year) and an impossible date-time are refused', () => {
    expect(formatDate('2026-00-15')).toBeUndefined();
    expect(formatDate('2026-02-30')).toBeUndefined();
    expect(formatDate('2026-13-45T99:99Z')).toBeUndefined();
  });

  it('a date-time with a space instead of T, and with an offset, in UTC', () => {
    expect(formatDate('2026-12-06 13:00:00Z')).toBe('Sun 6 Dec 2026 13:00:00 UTC');
    expect(formatDate('2026-12-06T13:00:00+02:00')).toBe('Sun 6 Dec 2026 11:00:00 UTC');
  });
});

describe('JSON pointers', () => {
  it('array indexes: in range only, no leading zero, no "-"; object keys unescaped (~1 is /, ~0 is ~)', () => {
    const doc = { a: [1, 2], 'a/b': { 'c~d': 5 }, o: { length: 1 } };
    expect(valueAt(doc, '/a/1')).toBe(2);
    expect(valueAt(doc, '/a/2')).toBeUndefined();
    expect(valueAt(doc, '/a/01')).toBeUndefined();
    expect(valueAt(doc, '/a/-')).toBeUndefined();
    expect(valueAt(doc, '/a/length')).toBeUndefined();
    expect(valueAt(doc, '/o/length')).toBe(1);
    expect(valueAt(doc, '/a~1b/c~0d')).toBe(5);
  });

  it('what is not a pointer points at nothing', () => {
    expect(isJsonPointer('a')).toBe(false);
    expect(isJsonPointer('/a~2')).toBe(false);
    expect(isJsonPointer('/a~')).toBe(false);
    expect(isJsonPointer('')).toBe(true);
    expect(valueAt({ a: 1 }, 'a')).toBeUndefined();
    expect(valueAt({ 'a~2': 1 }, '/a~2')).toBeUndefined();
  });

  it('labels count list items from 1 and unescape keys', () => {
    expect(humanLabel('/items/0')).toBe('Items › #1');
    expect(humanLabel('/x/10')).toBe('X › #11');
    expect(humanLabel('/a~1b')).toBe('A/b');
    expect(humanLabel('/ship_to-addr')).toBe('Ship to addr');
    expect(humanLabel('/ship__to')).toBe('Ship to');
    expect(humanLabel('/x/100')).toBe('X › #101');
    expect(humanLabel('/a0')).toBe('A0');
    expect(humanLabel('/0a')).toBe('0a');
  });
});

describe('a template format the value cannot take falls back to the value’s own', () => {
  it('each format, with a value of another type', () => {
    const p = {
      s: '12',
      n: 1,
      o: { a: 1 },
      w: 'x',
      five: 5,
      yes: true,
      nil: null,
      day: '2026-12-06',
      nope: 'nope',
      id: 5,
    };
    const r = renderPayload(
      p,
      template([
        { path: '/s', format: 'number' },
        { path: '/n', format: 'boolean' },
        { path: '/o', format: 'json' },
        { path: '/w', format: 'json' },
        { path: '/five', format: 'text' },
        { path: '/yes', format: 'text' },
        { path: '/nil', format: 'text' },
        { path: '/id', format: 'identifier' },
        { path: '/day', format: 'date' },
        { path: '/nope', format: 'date' },
      ]),
    );
    expect(r.fields.map((f) => [f.path, f.format, f.text])).toEqual([
      ['/s', 'identifier', '12'],
      ['/n', 'number', '1'],
      ['/o', 'json', '{"a":1}'],
      ['/w', 'json', '"x"'],
      ['/five', 'text', '5'],
      ['/yes', 'text', 'true'],
      ['/nil', 'json', 'null'],
      ['/id', 'number', '5'],
      ['/day', 'date', 'Sun 6 Dec 2026'],
      ['/nope', 'text', 'nope'],
    ]);
  });

  it('a boolean is shown as a boolean; a field listed twice, or inside one listed, is shown once', () => {
    expect(renderPayload({ ok: true }).fields.map((f) => [f.format, f.text])).toEqual([['boolean', 'true']]);
    const r = renderPayload(
      { a: 1, b: { c: 2 } },
      template([{ path: '/a' }, { path: '/a' }, { path: '/b' }, { path: '/b/c' }]),
    );
    expect(r.fields.map((f) => f.path)).toEqual(['/a', '/b']);
  });

  it('money in minor units that is not an integer is not money: shown as the number, its currency listed', () => {
    const r = renderPayload(
      { amount: 24.5, currency: 'EUR' },
      template([{ path: '/amount', format: 'money', currencyPath: '/currency', minorUnits: true }]),
    );
    expect(r.fields.map((f) => [f.path, f.format, f.text])).toEqual([
      ['/amount', 'number', '24.5'],
      ['/currency', 'text', 'EUR'],
    ]);
  });

  it('currencyPath on a field that is not money neither formats it nor hides the currency', () => {
    const r = renderPayload(
      { amount: 2499, currency: 'EUR' },
      template([{ path: '/amount', format: 'number', currencyPath: '/currency' }]),
    );
    expect(r.fields.map((f) => [f.path, f.format, f.text])).toEqual([
      ['/amount', 'number', '2499'],
      ['/currency', 'text', 'EUR'],
    ]);
  });

  it('a money field is edited when its currency is, and only then', () => {
    const money = template([{ path: '/amount', format: 'money', currencyPath: '/currency', minorUnits: true }]);
    const payload = { amount: 2499, currency: 'EUR' };
    expect(renderPayload(payload, { ...money, edited: ['/currency'] }).fields.map((f) => [f.text, f.edited])).toEqual([
      ['EUR 24.99', true],
    ]);
    expect(renderPayload(payload, money).fields.map((f) => [f.text, f.edited])).toEqual([['EUR 24.99', false]]);
  });
});

describe('what is not shown is said, exactly', () => {
  it('a value of exactly maxChars is whole; one more is cut by one', () => {
    expect(renderPayload({ a: 'abcde' }, { maxChars: 5 }).fields[0]).toMatchObject({ text: 'abcde', truncated: 0 });
    expect(renderPayload({ a: 'abcdef' }, { maxChars: 5 }).fields[0]).toMatchObject({ text: 'abcde', truncated: 1 });
  });

  it('exactly maxFields fields hide nothing; one more is counted', () => {
    expect(renderPayload({ a: 1, b: 2 }, { maxFields: 2 })).toMatchObject({ hiddenFields: 0, tooLarge: false });
    expect(renderPayload({ a: 1, b: 2, c: 3 }, { maxFields: 2 })).toMatchObject({ hiddenFields: 1, tooLarge: true });
  });

  it('text lines say "1 more character" / "field", else the plural, with the link when there is one', () => {
    expect(displayLines(renderPayload({ a: 'abcdef', b: 2, c: 3 }, { maxChars: 5, maxFields: 2 }), 'L')).toEqual([
      'A: abcde… (1 more character — open in HumanOS: L)',
      'B: 2',
      '… 1 more field not shown — open in HumanOS: L',
    ]);
    expect(displayLines(renderPayload({ a: 'abcdefg', b: 2, c: 3, d: 4 }, { maxChars: 5, maxFields: 2 }))).toEqual([
      'A: abcde… (2 more characters — open in HumanOS)',
      'B: 2',
      '… 2 more fields not shown — open in HumanOS',
    ]);
  });

  it('"(empty payload)" only when there is nothing at all, not when every field is hidden', () => {
    expect(displayLines({ fields: [], hiddenFields: 0, tooLarge: false, template: null })).toEqual(['(empty payload)']);
    expect(displayLines(renderPayload({ a: 1 }, { maxFields: 0 }))).toEqual([
      '… 1 more field not shown — open in HumanOS',
    ]);
    expect(displayLines(renderPayload({}))).toEqual(['Payload: {}']);
  });
});

describe('display template problems', () => {
  it('each money-only setting on another format, and a currencyPath that is not a pointer', () => {
    const at = (path: string) => `display template t, field "${path}"`;
    expect(
      displayTemplateProblems([
        {
          id: 't',
          match: {},
          fields: [
            { path: '/a', format: 'number', minorUnits: true },
            { path: '/b', format: 'text', currencyPath: '/c' },
            { path: '/m', format: 'money', currencyPath: 'currency' },
          ],
        },
      ]),
    ).toEqual([
      `${at('/a')}: currency, currencyPath and minorUnits belong to format "money"`,
      `${at('/b')}: currency, currencyPath and minorUnits belong to format "money"`,
      `${at('/m')}: currencyPath is not a JSON pointer`,
    ]);
  });
});
