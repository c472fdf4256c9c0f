import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decisionChallenge,
  fromBase64Url,
  type LedgerEntry,
  PasskeyRegistry,
  parseLedgerExport,
  payloadDigest,
  toBase64Url,
  verifyLedger,
  verifyLedgerStream,
} from '../src/index.js';

const DIR = join(import.meta.dirname, '../../../testdata/passkey');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('passkey vectors (testdata/passkey): the verifier names the entry and the check', () => {
  it('has the honest log and a variant per check', () => {
    expect(files).toContain('ledger.json');
    expect(files.filter((f) => f.includes('.tampered-')).length).toBeGreaterThanOrEqual(9);
  });

  for (const f of files) {
    it(f, async () => {
      const v = JSON.parse(readFileSync(join(DIR, f), 'utf8'));
      const lines: string[] = v.lines.map((l: unknown) => JSON.stringify(l));
      const report = verifyLedger(parseLedgerExport(lines.join('\n')));
      const streamed = await verifyLedgerStream(() => lines);
      for (const r of [report, streamed]) {
        expect(r.ok).toBe(v.expected.ok);
        if (!v.expected.ok) {
          expect(r.firstBadIndex).toBe(v.expected.index);
          expect(r.check).toBe(v.expected.check);
          expect(r.reason).toMatch(new RegExp(`^${v.expected.check}: `));
        }
      }
    });
  }
});

describe('decisionChallenge and base64url', () => {
  const nonce = new Uint8Array(32).fill(7);
  const d = {
    approvalId: 'approval:human:a',
    verdict: 'approved' as const,
    payloadDigest: payloadDigest({ a: 1 }),
    edits: null,
    decidedBy: 'did:human:ann',
  };

  it('is the nonce then SHA-256 of the canonical statement; every member changes it', () => {
    const c = decisionChallenge(nonce, d);
    expect(c.length).toBe(64);
    expect(c.subarray(0, 32)).toEqual(nonce);
    const variants = [
      { ...d, approvalId: 'approval:human:b' },
      { ...d, verdict: 'rejected' as const },
      { ...d, payloadDigest: payloadDigest({ a: 2 }) },
      { ...d, edits: { a: 2 } },
      { ...d, decidedBy: 'did:human:bob' },
    ];
    for (const x of variants) expect(toBase64Url(decisionChallenge(nonce, x))).not.toBe(toBase64Url(c));
    expect(() => decisionChallenge(new Uint8Array(31), d)).toThrow();
  });

  it('base64url: one spelling per value (no padding, no +/, no dangling bits)', () => {
    expect(toBase64Url(new Uint8Array([251, 255]))).toBe('-_8');
    expect(fromBase64Url('-_8')).toEqual(new Uint8Array([251, 255]));
    for (const bad of ['-_8=', '+/8', '-_9', 'A']) expect(() => fromBase64Url(bad), bad).toThrow();
  });

  it('the registry: valid after enrolment, not after revocation, only for its principal', () => {
    const v = JSON.parse(readFileSync(join(DIR, 'ledger.json'), 'utf8'));
    const reg = new PasskeyRegistry();
    const entries = (v.lines as { type: string; entry?: string }[])
      .filter((l) => l.type === 'entry')
      .map((l) => JSON.parse(l.entry as string) as LedgerEntry);
    const enrolled = entries.filter((e) => e.type === 'passkey.enrolled');
    const ann = enrolled[0]?.data as { principal: string; credentialId: string };
    expect(reg.keyAt(ann.principal, ann.credentialId)).toMatchObject({ check: 'passkey_key_unknown' });
    expect(reg.enrol(ann)).toBeUndefined();
    expect(reg.keyAt(ann.principal, ann.credentialId)).toHaveProperty('key');
    expect(reg.keyAt('did:human:vec-bob', ann.credentialId)).toMatchObject({ check: 'passkey_key_unknown' });
    expect(reg.enrol(ann)).toMatchObject({ check: 'passkey_enrolment' });
    reg.revoke({ principal: 'did:human:vec-bob', credentialId: ann.credentialId, reason: null });
    expect(reg.keyAt(ann.principal, ann.credentialId)).toHaveProperty('key');
    reg.revoke({ principal: ann.principal, credentialId: ann.credentialId, reason: null });
    expect(reg.keyAt(ann.principal, ann.credentialId)).toMatchObject({ check: 'passkey_key_revoked' });
  });
});

// The cases the Python and Go verifiers run (sdks/testdata/passkey-unit.json, made by a software
// authenticator in sdks/python/tests/passkey_authenticator.py): all three verifiers must agree on
// each outcome, entry and check.
describe('the SDKs’ shared passkey cases: core agrees with Python and Go', () => {
  const unit = JSON.parse(readFileSync(join(import.meta.dirname, '../../../sdks/testdata/passkey-unit.json'), 'utf8'));
  it('has the cases', () => expect(unit.cases.length).toBeGreaterThanOrEqual(40));
  for (const c of unit.cases as { name: string; export: string; expect: Record<string, unknown> }[]) {
    it(c.name, () => {
      const r = verifyLedger(parseLedgerExport(c.export), unit.publicKey);
      expect(r.ok ? { ok: true } : { ok: false, index: r.firstBadIndex, check: r.check ?? null }).toEqual(c.expect);
    });
  }
});
