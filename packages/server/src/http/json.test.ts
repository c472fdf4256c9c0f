import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrictJson, strictJsonProblem } from './json.js';

describe('strict JSON: duplicate keys, non-finite numbers, unsafe integers, __proto__', () => {
  it.each([
    ['{"a":1,"a":2}', 'duplicate_key', 'a'],
    ['{"a":{"b":1,"c":2,"b":3}}', 'duplicate_key', 'a.b'],
    ['[{"x":1},{"y":2,"y":2}]', 'duplicate_key', '[1].y'],
    ['{"approvedBy":"did:human:eve","reason":"ok","approvedBy":"did:human:ann"}', 'duplicate_key', 'approvedBy'],
    // compared after unescaping
    ['{"a":1,"\\u0061":2}', 'duplicate_key', 'a'],
    ['{"\\"":1,"\\u0022":2}', 'duplicate_key', '"'],
    ['[1e400]', 'non_finite_number', '[0]'],
    ['{"amount":-1e400}', 'non_finite_number', 'amount'],
    ['{"a":[0,1,{"b":1E+309}]}', 'non_finite_number', 'a[2].b'],
    [`{"n":1${'0'.repeat(400)}}`, 'non_finite_number', 'n'],
    ['{"n":9007199254740993}', 'unsafe_integer', 'n'],
    ['{"n":-9007199254740992}', 'unsafe_integer', 'n'],
    ['{"n":9007199254740991.5}', 'unsafe_integer', 'n'],
    ['{"n":9007199254740993.0}', 'unsafe_integer', 'n'],
    ['[1,12345678901234567890]', 'unsafe_integer', '[1]'],
    [`{"a":{"b":[-${'9'.repeat(200)}]}}`, 'unsafe_integer', 'a.b[0]'],
    ['{"__proto__":{"admin":true}}', 'forbidden_key', '__proto__'],
    ['{"a":{"\\u005f_proto__":1}}', 'forbidden_key', 'a.__proto__'],
  ])('%s → %s at %s', (text, reason, path) => {
    expect(strictJsonProblem(text)).toMatchObject({ reason, path });
  });

  it.each([
    '{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}',
    '{"a":"\\"a\\":1,\\"a\\":2","b":"}{[],:"}',
    '{"a\\\\":1,"a":2}',
    '[1e308,-1e308,1e-400,0.5,-0,1.2345678901234567e19]',
    '[9007199254740991,-9007199254740991,9007199254740990.5,0.1,1e21,9.007199254740993e15]',
    '{"": 1, " ": 2}',
    ' { "a" : [ ] , "b" : { } } ',
    '"just a string"',
    '42',
    'null',
  ])('accepts %s', (text) => {
    expect(strictJsonProblem(text)).toBeUndefined();
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it('unparsable or empty text is bad_request; the strict findings are validation_failed', () => {
    expect(() => parseStrictJson('{"a":')).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => parseStrictJson('  ')).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => parseStrictJson('{"a":1,"a":1}')).toThrow(
      expect.objectContaining({ code: 'validation_failed', details: { reason: 'duplicate_key', path: 'a' } }),
    );
  });

  /** Whether JSON.stringify writes a number of `v` beyond ±(2⁵³−1) without an exponent (it does below 1e21). */
  const plainUnsafe = (v: unknown): boolean =>
    typeof v === 'number'
      ? Math.abs(v) > Number.MAX_SAFE_INTEGER && Math.abs(v) < 1e21
      : typeof v === 'object' && v !== null && Object.values(v).some(plainUnsafe);
  const json = fc
    .jsonValue({ maxDepth: 5 })
    .filter((v) => !JSON.stringify(v).includes('"__proto__"') && !plainUnsafe(v));

  it('property: any JSON.stringify output passes and parses to the same value', () => {
    fc.assert(
      fc.property(json, fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : undefined);
        expect(strictJsonProblem(text)).toBeUndefined();
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('property: a key repeated in any object of any document is found', () => {
    const withObject = fc
      .tuple(fc.dictionary(fc.string(), json, { minKeys: 1, maxKeys: 5 }), json, fc.nat())
      .filter(([o]) => !Object.keys(o).includes('__proto__'));
    fc.assert(
      fc.property(withObject, ([obj, other, pick]) => {
        const keys = Object.keys(obj);
        const dup = keys[pick % keys.length] as string;
        const inner = `${JSON.stringify(obj).slice(0, -1)},${JSON.stringify(dup)}:${JSON.stringify(other)}}`;
        const text = JSON.stringify({ wrap: [1, { deep: '__HOLE__' }] }).replace('"__HOLE__"', () => inner);
        expect(JSON.parse(text)).toBeTruthy();
        expect(strictJsonProblem(text)).toMatchObject({ reason: 'duplicate_key', path: `wrap[1].deep.${dup}` });
      }),
      { numRuns: 300 },
    );
  });

  it('property: an integer beyond ±(2^53−1) anywhere is refused; one within is accepted exactly', () => {
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    const unsafe = fc
      .tuple(fc.bigInt({ min: limit + 1n, max: 10n ** 40n }), fc.boolean())
      .map(([n, neg]) => (neg ? -n : n));
    const safe = fc.bigInt({ min: -limit, max: limit });
    fc.assert(
      fc.property(json, unsafe, safe, (v, big, ok) => {
        const text = `{"before":${JSON.stringify(v)},"n":[${big}]}`;
        expect(strictJsonProblem(text)).toMatchObject({ reason: 'unsafe_integer', path: 'n[0]' });
        const fine = `{"before":${JSON.stringify(v)},"n":[${ok}]}`;
        expect(strictJsonProblem(fine)).toBeUndefined();
        expect((parseStrictJson(fine) as { n: number[] }).n[0]).toBe(Number(ok));
      }),
      { numRuns: 300 },
    );
  });

  it('property: a number beyond the double range anywhere is found', () => {
    const huge = fc.tuple(fc.constantFrom('', '-'), fc.integer({ min: 309, max: 99999 })).map(([s, e]) => `${s}1e${e}`);
    fc.assert(
      fc.property(json, huge, (v, n) => {
        const text = `{"before":${JSON.stringify(v)},"n":[${n}]}`;
        expect(strictJsonProblem(text)).toMatchObject({ reason: 'non_finite_number', path: 'n[0]' });
      }),
      { numRuns: 300 },
    );
  });
});
