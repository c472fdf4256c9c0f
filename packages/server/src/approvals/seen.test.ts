import type { HumanOSError } from '@humanos/core';
import { describe, expect, it } from 'vitest';
import { payloadDiff, seenDigest } from './seen.js';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

describe('payloadDiff: what changed since the version a decider saw', () => {
  it('names each changed member by its JSON pointer, with from and to', () => {
    expect(payloadDiff({ iban: 'DE89', amount: 10, n: { a: 1 } }, { iban: 'GB33', amount: 10, n: { a: 2 } })).toEqual([
      { path: '/iban', from: 'DE89', to: 'GB33' },
      { path: '/n/a', from: 1, to: 2 },
    ]);
  });

  it('leaves out `from` for an added member and `to` for a removed one; escapes ~ and / (RFC 6901)', () => {
    expect(payloadDiff({ 'a/b': 1, gone: true }, { 'a/b': 1, 'x~y': null })).toEqual([
      { path: '/gone', from: true },
      { path: '/x~0y', to: null },
    ]);
    expect(payloadDiff({ 'a/b': 1 }, { 'a/b': 2 })).toEqual([{ path: '/a~1b', from: 1, to: 2 }]);
  });

  it('arrays of one length element by element, of another length as a whole; the root as ""', () => {
    expect(payloadDiff({ l: [1, 2, 3] }, { l: [1, 5, 3] })).toEqual([{ path: '/l/1', from: 2, to: 5 }]);
    expect(payloadDiff({ l: [1, 2] }, { l: [1, 2, 3] })).toEqual([{ path: '/l', from: [1, 2], to: [1, 2, 3] }]);
    expect(payloadDiff([1], { a: 1 })).toEqual([{ path: '', from: [1], to: { a: 1 } }]);
    expect(payloadDiff({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } })).toEqual([]);
  });
});

describe('seenDigest: the body’s payloadDigest or If-Match', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as HumanOSError).code;
    }
    return 'none';
  };

  it('takes either, or both when equal; `*` names no version', () => {
    expect(seenDigest(D1, undefined)).toBe(D1);
    expect(seenDigest(undefined, `"${D1}"`)).toBe(D1);
    expect(seenDigest(D1, ` "${D1}" `)).toBe(D1);
    expect(seenDigest(undefined, '*')).toBeUndefined();
    expect(seenDigest(undefined, undefined)).toBeUndefined();
  });

  it('refuses two different digests and a malformed If-Match', () => {
    expect(code(() => seenDigest(D1, `"${D2}"`))).toBe('payload_digest_conflict');
    for (const bad of [D1, `W/"${D1}"`, `"${D1}", "${D2}"`, '"sha256:xyz"', '""']) {
      expect(
        code(() => seenDigest(undefined, bad)),
        bad,
      ).toBe('validation_failed');
    }
  });
});
