import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DisplayTemplate,
  displayLines,
  displayTemplate,
  displayTemplateProblems,
  formatDate,
  formatMoney,
  humanLabel,
  payloadLeaves,
  renderPayload,
  valueAt,
} from '../src/display.js';

const REFUND = { amount: 2499, currency: 'EUR', iban: 'DE89370400440532013000' };
const MONEY: DisplayTemplate = {
  id: 'refunds',
  match: { capabilities: ['refunds'] },
  fields: [
    { path: '/amount', label: 'Amount', format: 'money', currencyPath: '/currency', minorUnits: true },
    { path: '/iban', label: 'IBAN', format: 'identifier' },
  ],
};
const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);

describe('renderPayload', () => {
  it('without a template: every field verbatim, numbers as JSON writes them, the IBAN untouched', () => {
    const d = renderPayload(REFUND);
    expect(d.fields.map((f) => [f.path, f.label, f.text, f.format])).toEqual([
      ['/amount', 'Amount', '2499', 'number'],
      ['/currency', 'Currency', 'EUR', 'text'],
      ['/iban', 'IBAN', 'DE89370400440532013000', 'identifier'],
    ]);
    expect(d).toMatchObject({ hiddenFields: 0, tooLarge: false, template: null });
  });

  it('money in minor units reads EUR 24.99; without minorUnits EUR 2,499.00; the currency is not listed again', () => {
    const d = renderPayload(REFUND, { template: MONEY });
    expect(d.template).toBe('refunds');
    expect(d.fields.map((f) => `${f.label}: ${f.text}`)).toEqual(['Amount: EUR 24.99', 'IBAN: DE89370400440532013000']);
    const whole = renderPayload(REFUND, {
      template: { id: 't', fields: [{ path: '/amount', format: 'money', currencyPath: '/currency' }] },
    });
    expect(whole.fields[0]?.text).toBe('EUR 2,499.00');
    expect(formatMoney(2499, 'JPY', true)).toBe('JPY 2,499');
    expect(formatMoney(1, 'EUR', true)).toBe('EUR 0.01');
    expect(formatMoney(9007199254740991, 'EUR', true)).toBe('EUR 90,071,992,547,409.91');
    expect(formatMoney(2499, 'XXXX', true)).toBeUndefined();
  });

  it('a money field whose currency is unreadable falls back to the number, and the currency stays listed', () => {
    const d = renderPayload(
      { amount: 2499, currency: 'euro' },
      { template: { id: 't', fields: [{ path: '/amount', format: 'money', currencyPath: '/currency' }] } },
    );
    expect(d.fields.map((f) => [f.path, f.text, f.format])).toEqual([
      ['/amount', '2499', 'number'],
      ['/currency', 'euro', 'text'],
    ]);
  });

  it('template fields first in template order, then the rest in canonical key order', () => {
    const d = renderPayload(
      { z: 1, b: { y: 2, a: 3 }, a: 4 },
      { template: { id: 't', fields: [{ path: '/z', label: 'Zed' }, { path: '/b/y' }, { path: '/missing' }] } },
    );
    expect(d.fields.map((f) => f.path)).toEqual(['/z', '/b/y', '/a', '/b/a']);
    expect(d.fields[1]?.label).toBe('B › Y');
  });

  it('dates in unambiguous UTC text; identifiers of every kind verbatim', () => {
    expect(formatDate('2026-12-06T15:00:00+02:00')).toBe('Sun 6 Dec 2026 13:00:00 UTC');
    expect(formatDate('2026-02-30')).toBeUndefined();
    const d = renderPayload({
      at: '2026-12-06',
      email: 'Ann.Smith@Example.com',
      host: 'payments-api.prod.internal',
      order: 'ORD-000123',
      id: '0123',
    });
    expect(Object.fromEntries(d.fields.map((f) => [f.path, [f.text, f.format]]))).toEqual({
      '/at': ['Sun 6 Dec 2026', 'date'],
      '/email': ['Ann.Smith@Example.com', 'identifier'],
      '/host': ['payments-api.prod.internal', 'identifier'],
      '/order': ['ORD-000123', 'identifier'],
      '/id': ['0123', 'identifier'],
    });
  });

  it('marks edited fields: the field, a field inside an edited object, an object holding an edit, money by its currency', () => {
    const d = renderPayload(
      { amount: 5, currency: 'EUR', to: { iban: 'x', name: 'n' }, note: 'keep' },
      {
        template: { id: 't', fields: [{ path: '/amount', format: 'money', currencyPath: '/currency' }] },
        edited: ['/currency', '/to'],
      },
    );
    expect(Object.fromEntries(d.fields.map((f) => [f.path, f.edited]))).toEqual({
      '/amount': true,
      '/to/iban': true,
      '/to/name': true,
      '/note': false,
    });
    expect(renderPayload({ a: 1 }, { edited: [''] }).fields[0]?.edited).toBe(true);
  });

  it('a 200-field payload shows the first fields and counts the rest: too large for one click', () => {
    const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${String(i).padStart(3, '0')}`, i]));
    const d = renderPayload(big, { maxFields: 30 });
    expect(d.fields).toHaveLength(30);
    expect(d).toMatchObject({ hiddenFields: 170, tooLarge: true });
    expect(displayLines(d, 'https://h.example/approvals/1').at(-1)).toBe(
      '… 170 more fields not shown — open in HumanOS: https://h.example/approvals/1',
    );
  });

  it('long values are cut, with the characters not shown; invisible characters are revealed', () => {
    const d = renderPayload({ note: 'a'.repeat(1000), to: 'DE89\u202E1234' }, { maxChars: 100 });
    expect(d.fields[0]).toMatchObject({ text: 'a'.repeat(100), truncated: 900 });
    expect(d.fields[1]?.text).toBe('DE89⟦U+202E⟧1234');
    expect(displayLines(d)[0]).toBe(`Note: ${'a'.repeat(100)}… (900 more characters — open in HumanOS)`);
  });

  it('odd payloads render: a primitive, an empty object, a template on a subtree', () => {
    expect(renderPayload(7).fields).toEqual([
      { path: '', label: 'Payload', text: '7', format: 'number', edited: false, truncated: 0 },
    ]);
    expect(renderPayload({}).fields[0]?.text).toBe('{}');
    const d = renderPayload({ to: { a: 1, b: [2] }, x: 1 }, { template: { id: 't', fields: [{ path: '/to' }] } });
    expect(d.fields.map((f) => [f.path, f.text])).toEqual([
      ['/to', '{"a":1,"b":[2]}'],
      ['/x', '1'],
    ]);
  });

  it('labels humanise keys', () => {
    expect(humanLabel('/customerId')).toBe('Customer ID');
    expect(humanLabel('/line_items/0/unit-price')).toBe('Line items › #1 › Unit price');
    expect(humanLabel('/a~1b')).toBe('A/b');
  });
});

describe('renderPayload properties', () => {
  const options = fc.record({
    maxFields: fc.integer({ min: 0, max: 12 }),
    maxChars: fc.integer({ min: 1, max: 40 }),
  });

  it('never throws; every leaf is listed or counted in hiddenFields; truncation is exact', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), options, (payload, o) => {
        const d = renderPayload(payload, o);
        const leaves = payloadLeaves(payload).map(([p]) => p);
        const listed = leaves.filter((l) => d.fields.some((f) => within(l, f.path)));
        expect(listed.length + d.hiddenFields).toBe(leaves.length);
        expect(d.tooLarge).toBe(d.hiddenFields > 0);
        expect(d.fields.length).toBeLessThanOrEqual(o.maxFields);
        for (const f of d.fields) {
          expect(Array.from(f.text).length).toBeLessThanOrEqual(o.maxChars);
          const whole = renderPayload(valueAt(payload, f.path), { maxChars: 1e9 }).fields;
          if (whole.length === 1)
            expect(Array.from(f.text).length + f.truncated).toBe(Array.from(whole[0]?.text ?? '').length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with any template (valid or not): never throws, no leaf lost, same result twice', () => {
    const field = fc.record(
      {
        path: fc.oneof(fc.constantFrom('/a', '/b', '/a/0', '', '/c/d', '/~', '/x~1y'), fc.string()),
        label: fc.string(),
        format: fc.constantFrom('money', 'date', 'identifier', 'number', 'text', 'boolean', 'json'),
        currencyPath: fc.constantFrom('/c', '/a', '/nope'),
        minorUnits: fc.boolean(),
      },
      { requiredKeys: ['path'] },
    );
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }),
        fc.array(field, { maxLength: 5 }),
        options,
        fc.array(fc.constantFrom('/a', '', '/b/0', '/c'), { maxLength: 3 }),
        (payload, fields, o, edited) => {
          const template = { id: 't', fields };
          const d = renderPayload(payload, { ...o, template, edited });
          expect(renderPayload(payload, { ...o, template, edited })).toEqual(d);
          const leaves = payloadLeaves(payload).map(([p]) => p);
          const shownMoney = fields.filter(
            (f) => f.format === 'money' && d.fields.some((x) => x.path === f.path && x.format === 'money'),
          );
          const covers = [...d.fields.map((f) => f.path), ...shownMoney.flatMap((f) => f.currencyPath ?? [])];
          const listed = leaves.filter((l) => covers.some((c) => within(l, c)));
          expect(listed.length + d.hiddenFields).toBe(leaves.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('display templates in the policy', () => {
  it('the first template whose matcher (the rules’ syntax) matches the task', () => {
    const other: DisplayTemplate = { id: 'deploys', match: { descriptionMatches: 'deploy' }, fields: [{ path: '/x' }] };
    const risk = { level: 'medium' as const, factors: [], mitigations: [] };
    const task = { description: 'Refund EUR 24.99', requiredCapabilities: ['refunds'], payload: REFUND };
    expect(displayTemplate([other, MONEY], task, risk)?.id).toBe('refunds');
    expect(displayTemplate([other], task, risk)).toBeNull();
    expect(displayTemplate(undefined, task, risk)).toBeNull();
    const big: DisplayTemplate = { ...MONEY, id: 'big', match: { payload: [{ path: 'amount', gt: 1000 }] } };
    expect(displayTemplate([big], task, risk)?.id).toBe('big');
  });

  it('reports bad templates', () => {
    expect(displayTemplateProblems([MONEY])).toEqual([]);
    expect(
      displayTemplateProblems([
        { id: 'a', match: {}, fields: [{ path: 'amount' }, { path: '/x', currency: 'EUR' }] },
        {
          id: 'a',
          match: {},
          fields: [
            { path: '/m', format: 'money' },
            { path: '/m', format: 'money', currency: 'EURO' },
          ],
        },
      ]),
    ).toEqual([
      'display template a, field "amount": path is not a JSON pointer (RFC 6901, e.g. "/amount")',
      'display template a, field "/x": currency, currencyPath and minorUnits belong to format "money"',
      'display template a appears twice',
      'display template a, field "/m": format "money" needs currency or currencyPath',
      'display template a, field "/m": listed twice',
      'display template a, field "/m": "EURO" is not an ISO 4217 currency code',
    ]);
  });
});
