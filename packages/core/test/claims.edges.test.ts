/**
 * The edges of the text/payload check (`claims.ts`), pinned one by one: each case below was a mutant
 * StrykerJS found surviving the rest of the suite (docs/mutation.md) — a token found inside a longer
 * one, a currency code missed for a space around it, a host name not read as one, a float's last bit
 * counted as another amount, a warning past the cap, the sentence the approver reads.
 */
import { describe, expect, it } from 'vitest';
import { MAX_WARNINGS, payloadFacts, textClaims, textPayloadWarnings } from '../src/claims.js';

/** Each warning as [claimed, actual, field, message]. */
const warned = (description: string, payload: unknown, more: { action?: string; reasoning?: string } = {}) =>
  textPayloadWarnings({ description, ...more }, payload).map((w) => [
    w.claimed,
    w.actual ?? null,
    w.field ?? null,
    w.message,
  ]);
const claimed = (description: string, payload: unknown) => warned(description, payload).map((w) => w[0]);

describe('a token is found only whole', () => {
  it('not inside a longer id, on either side; beside punctuation or a character of another kind it is whole', () => {
    expect(claimed('Close ticket C-1042', { t: 'C-10420' })).toEqual(['C-1042']);
    expect(claimed('Close ticket C-1042', { t: 'XC-1042' })).toEqual(['C-1042']);
    expect(claimed('Close ticket C-1042', { t: 'ref:C-1042.' })).toEqual([]);
    expect(claimed('Close ticket C-1042', { t: 'C-1042a' })).toEqual([]); // a digit then a letter: a boundary
    expect(claimed('Close ticket C-1042', { t: 'C-10420 and C-1042' })).toEqual([]); // the second occurrence
    expect(claimed('Close ticket C-1042', { t: '9C-1042' })).toEqual([]); // a digit then a letter, before it
  });
});

describe('numbers', () => {
  it('a figure with a thousands separator is the payload number; a payload string with one is too', () => {
    expect(claimed('Pay 1,200', { amount: 1200 })).toEqual([]);
    expect(claimed('Pay EUR 1200', { amount: '1,200', currency: 'EUR' })).toEqual([]);
  });

  it('a float artefact in the payload is the same amount (relative tolerance), a cent off is not', () => {
    expect(claimed('Pay 1234567.89', { amount: 123456789 * 0.01 })).toEqual([]);
    expect(claimed('Pay 1234567.89', { amount: 1234567.88 })).toEqual(['1234567.89']);
    // 100000000.08999999: relative to the amount, not to 1 (a bound of 1e-9 absolute would flag it).
    expect(claimed('Pay 100000000.09', { amount: 100000000.02 + 0.07 })).toEqual([]);
  });

  it('figures written inside payload strings count, with minor units from an enclosing minorUnits flag', () => {
    expect(claimed('Refund EUR 24.99', { note: 'refund 24.99', currency: 'EUR' })).toEqual([]);
    expect(claimed('Refund EUR 24.99', { minorUnits: true, note: 'refund EUR 2499' })).toEqual([]);
  });

  it('a bare JSON value as the payload is checked too', () => {
    expect(warned('Pay 6', 5)).toEqual([['6', null, null, 'The description mentions 6, but no payload value is 6.']]);
    expect(claimed('Pay 5', 5)).toEqual([]);
  });

  it('minor units declared by the key of a payload string: "EUR 2499" under refund_cents is EUR 24.99', () => {
    expect(claimed('Refund EUR 24.99', { refund_cents: 'EUR 2499' })).toEqual([]);
    expect(claimed('Refund EUR 24.99', { refund: 'EUR 2499' })).toEqual(['EUR 24.99']);
  });
});

describe('currencies in the payload', () => {
  it('a code is read with spaces around it and in any case under a currency key; elsewhere only as a code', () => {
    expect(claimed('Refund EUR 24.99', { amount: 2499, minorUnits: true, currency: 'eur ' })).toEqual([]);
    expect(claimed('Refund EUR 5', { amount: 5, note: 'EUR' })).toEqual([]);
    expect(warned('Refund EUR 5', { amount: 5, note: 'eur' })).toEqual([
      ['EUR', null, null, 'The description says EUR, but the payload names no currency.'],
    ]);
  });

  it('the field a warning points at is an RFC 6901 pointer: "~" and "/" in a key are escaped', () => {
    expect(warned('USD 5', { amount: 5, 'a~b': { currency: 'EUR' } })[0]?.[2]).toBe('/a~0b/currency');
    expect(warned('USD 5', { amount: 5, 'pay/currency': 'EUR' })[0]?.[2]).toBe('/pay~1currency');
  });

  it('not a code under a currency key is no currency; a symbol with spaces stands for its currency', () => {
    expect(claimed('Refund EUR 5', { amount: 5, currency: 'EURO' })).toEqual(['EUR']);
    expect(claimed('Refund EUR 5', { amount: 5, currency: ' € ' })).toEqual([]);
  });
});

describe('what is an identifier', () => {
  it('host names: three labels, or two under a known ending', () => {
    expect(claimed('Deploy to api.example.com', { host: 'api.example.org' })).toEqual(['api.example.com']);
    expect(claimed('Deploy to example.com', { host: 'example.org' })).toEqual(['example.com']);
    expect(claimed('Deploy to api.example.com', { host: 'api.example.com' })).toEqual([]);
    expect(claimed('Deploy to a.example.com', { host: 'b.example.com' })).toEqual(['a.example.com']);
    expect(claimed('Restart db.prod.internal', { host: 'db.stage.internal' })).toEqual(['db.prod.internal']);
  });

  it('letters with three digits are an id; with two they are a word', () => {
    expect(claimed('restore ab123', { x: 'ab124' })).toEqual(['ab123']);
    expect(claimed('restore ab12', { x: 'ab13' })).toEqual([]);
  });

  it('joined ids need a digit and four characters; dates are ids; short words and quantities are not', () => {
    expect(claimed('close A-12', { t: 'A-13' })).toEqual(['A-12']);
    expect(claimed('close A-1', { t: 'A-3' })).toEqual([]);
    expect(claimed('on 2024-01-05', { date: '2024-01-06' })).toEqual(['2024-01-05']);
    expect(claimed('Ship AB12', { order: 'x' })).toEqual([]);
    expect(claimed('Grow to 500mb', { size: 'x' })).toEqual([]);
  });

  it('an IBAN written in groups is the same IBAN; a version with a v is the bare version', () => {
    expect(claimed('IBAN DE89 3704 0044 0532 0130 00', { iban: 'DE89370400440532013000' })).toEqual([]);
    expect(claimed('ver v2.3.1', { v: '2.3.1' })).toEqual([]);
  });

  it('an environment written in capitals or joined is still one', () => {
    expect(warned('deploy to PRE-PROD', { env: 'staging' })).toEqual([
      ['PRE-PROD', 'staging', '/env', 'The description says PRE-PROD, but the payload names staging at /env.'],
    ]);
  });
});

describe('what the approver reads: one sentence per kind of disagreement', () => {
  it('amount, currency, figure, identifier, environment', () => {
    expect(warned('Refund EUR 24.99', { amount: 2500, currency: 'EUR', minorUnits: true })).toEqual([
      [
        'EUR 24.99',
        '2500',
        '/amount',
        'The description says EUR 24.99, but the payload’s amount is 2500 at /amount (minor units).',
      ],
    ]);
    expect(warned('USD 5', { amount: 5, currency: 'EUR' })).toEqual([
      ['USD', 'EUR', '/currency', 'The description says USD, but the payload’s currency is EUR at /currency.'],
    ]);
    expect(warned('Pay $5', { amount: 5, currency: 'EUR' })).toEqual([
      ['$5', 'EUR', '/currency', 'The description says $5, but the payload’s currency is EUR at /currency.'],
    ]);
    expect(warned('USD 5', { amount: 5 })).toEqual([
      ['USD', null, null, 'The description says USD, but the payload names no currency.'],
    ]);
    expect(warned('mentions 77', { a: 5 })).toEqual([
      ['77', null, null, 'The description mentions 77, but no payload value is 77.'],
    ]);
    expect(warned('IBAN DE89370400440532013000', { iban: 'DE89370400440532013001' })).toEqual([
      [
        'DE89370400440532013000',
        'DE89370400440532013001',
        '/iban',
        'The description names DE89370400440532013000, but the payload’s IBAN is DE89370400440532013001 at /iban.',
      ],
    ]);
    expect(warned('mail ann@example.com', { to: 'bob@example.com' })).toEqual([
      [
        'ann@example.com',
        'bob@example.com',
        '/to',
        'The description names ann@example.com, but the payload’s e-mail address is bob@example.com at /to.',
      ],
    ]);
    // A long payload value is shown cut at 120 characters.
    const long = `bob@example.com ${'x'.repeat(200)}`;
    expect(warned('mail ann@example.com', { to: long })[0]?.[1]).toBe(`${long.slice(0, 120)}…`);
    expect(warned('mail ann@example.com', { to: 'x' })).toEqual([
      ['ann@example.com', null, null, 'The description names ann@example.com, which the payload does not contain.'],
    ]);
    expect(warned('deploy to prod', { env: 'x' })).toEqual([
      ['prod', null, null, 'The description says prod, but the payload names no environment.'],
    ]);
  });
});

describe('bounds', () => {
  it('the same claim in two sources, in another case, is one warning; at most MAX_WARNINGS, exactly', () => {
    expect(claimed('close C-1042', { x: 1 })).toEqual(['C-1042']);
    expect(warned('close C-1042', { x: 1 }, { reasoning: 'c-1042 is stale' })).toHaveLength(1);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `ID-${1000 + i}`).join(' ');
    expect(warned(ids(MAX_WARNINGS + 10), { x: 1 })).toHaveLength(MAX_WARNINGS);
    expect(textClaims(ids(100))).toHaveLength(MAX_WARNINGS * 4);
  });

  it('a payload is read up to 512 KiB of text: a claim about what lies beyond is flagged, never passed', () => {
    const big = { a: 'x'.repeat(600_000), b: 'C-1042' };
    expect(claimed('Close ticket C-1042', big)).toEqual(['C-1042']);
    expect(claimed('Close ticket C-1042', { a: 'x'.repeat(1000), b: 'C-1042' })).toEqual([]);
  });

  it('a payload is read up to 20 000 values: a claim about one past them is flagged', () => {
    const values = (at: number) => Array.from({ length: 20_050 }, (_, i) => (i === at ? 'C-1042' : i));
    expect(claimed('Close ticket C-1042', { v: values(10) })).toEqual([]);
    expect(claimed('Close ticket C-1042', { v: values(20_040) })).toEqual(['C-1042']);
    expect(payloadFacts({ v: values(0) }).numbers.length).toBeLessThan(20_000);
  });
});
