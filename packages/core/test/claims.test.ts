/**
 * Where the agent's text and the payload disagree (`claims.ts`): amounts (minor units only where the
 * payload says so), currencies, figures, identifiers, environments; and bounded, total behaviour on
 * hostile input (property tests).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WARNINGS, payloadFacts, textClaims, textPayloadWarnings } from '../src/claims.js';

const warn = (description: string, payload: unknown, more: { action?: string; reasoning?: string } = {}) =>
  textPayloadWarnings({ description, ...more }, payload);
const claimed = (description: string, payload: unknown) => warn(description, payload).map((w) => w.claimed);

describe('amounts', () => {
  const task = 'Refund EUR 24.99 to customer C-1042';
  it('"EUR 24.99" is not 2499: flagged, pointing at the amount', () => {
    const w = warn(task, { amount: 2499, currency: 'EUR', iban: 'DE89370400440532013000', customer: 'C-1042' });
    expect(w).toEqual([
      {
        code: 'text_payload_mismatch',
        source: 'description',
        claimed: 'EUR 24.99',
        actual: '2499',
        field: '/amount',
        message: 'The description says EUR 24.99, but the payload’s amount is 2499 at /amount.',
      },
    ]);
  });
  it('minor units declared by `minorUnits: true` (beside or above) or a `cents`/`minor` key make 2499 read 24.99', () => {
    expect(claimed(task, { amount: 2499, currency: 'EUR', minorUnits: true, customer: 'C-1042' })).toEqual([]);
    expect(claimed(task, { minorUnits: true, refund: { amount: 2499, currency: 'EUR' }, customer: 'C-1042' })).toEqual(
      [],
    );
    for (const key of ['amount_cents', 'amountCents', 'amount_minor', 'amountMinor']) {
      expect(claimed(task, { [key]: 2499, currency: 'EUR', customer: 'C-1042' }), key).toEqual([]);
    }
    // Declared false, or declared on a sibling object: no.
    expect(claimed(task, { amount: 2499, currency: 'EUR', minorUnits: false, customer: 'C-1042' })).toEqual([
      'EUR 24.99',
    ]);
    expect(
      claimed(task, { a: { minorUnits: true }, b: { amount: 2499 }, currency: 'EUR', customer: 'C-1042' }),
    ).toEqual(['EUR 24.99']);
  });
  it('equal amounts in other spellings match: "$1,200.50" is 1200.5 and "1.200,50 €" too', () => {
    expect(claimed('Pay $1,200.50', { amount: 1200.5, currency: 'USD' })).toEqual([]);
    expect(claimed('Pay 1.200,50 €', { amount: '1,200.50', currency: 'EUR' })).toEqual([]);
    expect(claimed('Pay USD 50000', { total: 50_000, currency: 'usd' })).toEqual([]);
  });
  it('an amount with no payload value at all says so (actual null)', () => {
    expect(warn('Refund EUR 24.99', { currency: 'EUR', note: 'goodwill' })[0]).toMatchObject({
      claimed: 'EUR 24.99',
      actual: null,
      message: 'The description says EUR 24.99, but no payload value is 24.99.',
    });
  });
});

describe('currencies', () => {
  it('text USD, payload EUR: flagged with the payload’s currency', () => {
    expect(warn('Wire USD 500 to the vendor', { amount: 500, currency: 'EUR' })).toEqual([
      expect.objectContaining({ claimed: 'USD', actual: 'EUR', field: '/currency' }),
    ]);
  });
  it('a currency the payload does not name is flagged; symbols stand for their currencies', () => {
    expect(warn('Pay £40', { amount: 40 })[0]).toMatchObject({ claimed: 'GBP', actual: null });
    expect(claimed('Pay £40', { amount: 40, currency: 'GBP' })).toEqual([]);
    expect(claimed('Pay $40', { amount: 40, currency: 'CAD' })).toEqual([]);
    expect(claimed('Convert the balance to CHF', { to: 'CHF' })).toEqual([]);
    expect(claimed('Convert the balance to CHF', { to: 'EUR', currency: 'EUR' })).toEqual(['CHF']);
  });
  it('upper-case words that happen to be codes are not currencies ("ALL 3 files")', () => {
    expect(claimed('Delete ALL 3 files', { files: ['a', 'b', 'c'], count: 3 })).toEqual([]);
  });
});

describe('figures', () => {
  it('a figure in the description or action must be a payload value (or whole in a payload string)', () => {
    expect(claimed('Scale to 3 replicas', { replicas: 3 })).toEqual([]);
    expect(claimed('Scale to 3 replicas', { replicas: 5 })).toEqual(['3']);
    expect(claimed('Cancel order 12345', { order: 'ORD-12345' })).toEqual([]);
    expect(claimed('Cancel order 12345', { order: 'ORD-123456' })).toEqual(['12345']);
    expect(textPayloadWarnings({ action: 'Scale to 4 replicas' }, { replicas: 3 })[0]).toMatchObject({
      source: 'action',
      claimed: '4',
    });
  });
  it('the reasoning’s bare figures are its evidence, not claims; its ids and amounts are', () => {
    const r = warn(
      'Restart payments-api',
      { deployment: 'payments-api' },
      { reasoning: '3 OOM kills in 24h; see INC-4411' },
    );
    expect(r.map((w) => [w.source, w.claimed])).toEqual([['reasoning', 'INC-4411']]);
  });
  it('negative payload numbers match their size', () => {
    expect(claimed('Debit 20 from the account', { delta: -20 })).toEqual([]);
  });
});

describe('identifiers', () => {
  it('ids, e-mail addresses, hostnames, IBANs must occur in the payload as a whole', () => {
    const payload = {
      customer: 'C-1042',
      to: 'ops@example.com',
      host: 'db-1.internal.example.com',
      iban: 'DE89 3704 0044 0532 0130 00',
    };
    expect(
      claimed('Notify ops@example.com about C-1042 on db-1.internal.example.com, IBAN DE89370400440532013000', payload),
    ).toEqual([]);
    expect(claimed('Refund C-10420', payload)).toEqual(['C-10420']);
    expect(claimed('Refund C-104', payload)).toEqual(['C-104']);
  });
  it('another IBAN or e-mail address in the payload is shown as the actual value', () => {
    expect(warn('Wire to DE89370400440532013000', { iban: 'GB29NWBK60161331926819', amount: 1 })[0]).toMatchObject({
      claimed: 'DE89370400440532013000',
      actual: 'GB29NWBK60161331926819',
      field: '/iban',
    });
    expect(warn('Mail bob@example.com', { to: 'eve@evil.test' })[0]).toMatchObject({
      actual: 'eve@evil.test',
      field: '/to',
    });
  });
  it('dates match inside timestamps; versions with or without `v`', () => {
    expect(claimed('Run on 2024-01-05', { at: '2024-01-05T10:00:00Z' })).toEqual([]);
    expect(claimed('Deploy v2.3.1', { version: '2.3.1' })).toEqual([]);
  });
  it('lookalike letters in the text read as ASCII (Cyrillic С in С-1042)', () => {
    expect(claimed('Refund \u0421-1042', { customer: 'C-1042' })).toEqual([]);
  });
  it('not identifiers: quantities, words with hyphens, short tokens, file names without digits', () => {
    expect(textClaims('Copy 500GB in 24h with a 3x speed-up using config.yaml, e.g. the payments-api')).toEqual([]);
  });
});

describe('environments', () => {
  it('prod and production are one environment; another one in the payload is shown', () => {
    expect(claimed('Restart the payments-api pods in prod', { namespace: 'production' })).toEqual([]);
    expect(claimed('Restart the payments-api pods in prod', { cluster: 'eu-prod-1' })).toEqual([]);
    expect(warn('Restart the payments-api pods in prod', { namespace: 'staging' })[0]).toMatchObject({
      claimed: 'prod',
      actual: 'staging',
      field: '/namespace',
    });
    expect(warn('Restart the payments-api pods in prod', { deployment: 'payments-api' })[0]).toMatchObject({
      claimed: 'prod',
      actual: null,
    });
  });
});

describe('no payload, nothing to disagree with', () => {
  it('an absent or empty payload draws no warning: the text is the whole request', () => {
    for (const payload of [undefined, null, {}, []])
      expect(claimed('Pay invoice 42 to ACME in prod', payload)).toEqual([]);
    expect(claimed('Pay invoice 42 to ACME in prod', { note: 'x' })).toEqual(['42', 'prod']);
  });
});

describe('one warning per claim', () => {
  it('a claim made by several sources is reported once, from the first', () => {
    const w = textPayloadWarnings(
      { description: 'Pay EUR 5', action: 'Pay EUR 5', reasoning: 'EUR 5 is owed' },
      { amount: 6, currency: 'EUR' },
    );
    expect(w.map((x) => [x.source, x.claimed])).toEqual([['description', 'EUR 5']]);
  });
  it('payload facts read keys too: `{ "prod": {...} }` names the environment', () => {
    expect(claimed('Rotate keys in prod', { prod: { rotate: true } })).toEqual([]);
    expect(payloadFacts({ x: { amount: 1, minorUnits: true } }).numbers[0]).toMatchObject({
      at: '/x/amount',
      minor: true,
    });
  });
});

/* Hostile input: never throws, bounded, and a text made of the payload's own values raises nothing. */
const scalar = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[A-Z]{1,3}-\d{2,6}$/),
  fc.constantFrom(
    'EUR',
    'USD',
    'prod',
    'staging',
    'ops@example.com',
    'DE89370400440532013000',
    'db-1.example.com',
    '€24.99',
    '24.99 EUR',
  ),
);
const payloadArb = fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(scalar, fc.array(scalar, { maxLength: 4 })), {
  maxKeys: 8,
});

function values(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(values);
  if (v && typeof v === 'object') return Object.values(v).flatMap(values);
  return [String(v)];
}

describe('properties', () => {
  it('never throws and yields at most MAX_WARNINGS well-formed warnings, on any text and JSON', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 200 }), fc.jsonValue(), (d, r, payload) => {
        const w = textPayloadWarnings({ description: d, reasoning: r }, payload);
        expect(w.length).toBeLessThanOrEqual(MAX_WARNINGS);
        for (const x of w) {
          expect(x.code).toBe('text_payload_mismatch');
          expect(typeof x.message).toBe('string');
          expect(x.actual === null || typeof x.actual === 'string').toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('a text built only from the payload’s values yields no warning', () => {
    fc.assert(
      fc.property(payloadArb, (payload) => {
        const text = values(payload).join('; ');
        expect(textPayloadWarnings({ description: text, action: text, reasoning: text }, payload)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
  it('long text and huge payloads: bounded work and output', () => {
    const text = 'Pay EUR 1 to C-1 and C-2 in prod 42 '.repeat(20_000);
    const huge = { rows: Array.from({ length: 200_000 }, (_, i) => ({ id: `row-${i}`, amount: i })) };
    // The work is bounded by the walk's caps (MAX_NODES values, MAX_PAYLOAD_CHARS characters, the
    // matched text cut to MAX_MATCHED_TEXT), not by a clock: a timed assertion failed on a loaded
    // machine (performance belongs in benchmarks, not in timed tests).
    const w = textPayloadWarnings({ description: text, action: text, reasoning: text }, huge);
    expect(w.length).toBeLessThanOrEqual(MAX_WARNINGS);
  });
});
