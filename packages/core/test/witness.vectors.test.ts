/**
 * The witness-policy and key-rotation cases the Python and Go verifiers run
 * (sdks/testdata/witness-vectors.json, written by sdks/python/tests/witness_vectors.py): core must give
 * the verdict each records (ok, first bad index, newest witnessed size, key history).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLedgerExport } from '../src/ledger.js';
import { verifyLedger } from '../src/verifier.js';

interface Case {
  name: string;
  why: string;
  export: string;
  witnesses?: string[];
  witnessQuorum?: number;
  trustedPublicKey?: string;
  expect: {
    ok: boolean;
    index: number | null;
    witnessedSize?: number | null;
    keys?: { publicKey: string; fromSize: number }[];
  };
}

const FILE = join(import.meta.dirname, '../../../sdks/testdata/witness-vectors.json');
const CASES = (JSON.parse(readFileSync(FILE, 'utf8')) as { cases: Case[] }).cases;

describe('witness-vectors.json (shared with the Python and Go verifiers)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = verifyLedger(parseLedgerExport(c.export), {
      ...(c.trustedPublicKey === undefined ? {} : { trustedPublicKey: c.trustedPublicKey }),
      ...(c.witnesses === undefined ? {} : { witnesses: c.witnesses }),
      ...(c.witnessQuorum === undefined ? {} : { witnessQuorum: c.witnessQuorum }),
    });
    const got = r.ok
      ? { ok: true, index: null, witnessedSize: r.witnessedSize ?? null }
      : { ok: false, index: r.firstBadIndex ?? null };
    const { keys: _keys, ...want } = c.expect; // the TS report has no key history (Python/Go check it)
    expect(got, `${c.why}: ${r.reason ?? ''}`).toEqual(c.expect.ok ? { witnessedSize: null, ...want } : want);
  });
});
