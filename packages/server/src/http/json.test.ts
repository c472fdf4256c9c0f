import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrictJson, strictJsonProblem } from './json.js';

describe('strict JSON: duplicate keys, non-finite numbers, __proto__', () => {
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
    ['{"__proto__":{"admin":true}}', 'forbidden_key', '__proto__'],
    ['{"a":{"\\u005f_proto__":1}}', 'forbidden_key', 'a.__proto__'],
  ])('%s → %s at %s', (text, reason, path) => {
    expect(strictJsonProblem(text)).toMatchObject({ reason, path });
  });

  it.each([
    '{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}',
    '{"a":"\\"a\\":1,\\"a\\":2","b":"}{[],:"}',
    '{"a\\\\":1,"a":2}',
    '[1e308,-1e308,1e-400,0.5,-0,12345678901234567890]',
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

  const json = fc.jsonValue({ maxDepth: 5 }).filter((v) => !JSON.stringify(v).includes('"__proto__"'));

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
