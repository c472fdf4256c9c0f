import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson,
  type DecisionRecord,
  decisionChallenge,
  type LedgerEntry,
  parseLedgerExport,
  payloadDigest,
  signDecision,
  toBase64Url,
  verifyLedger,
} from '@humanos/core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import {
  enrolPasskey,
  SoftAuthenticator,
  signDecision as signWithPasskey,
} from '../../../../test-support/softAuthenticator.js';

/**
 * The passkey test vectors in `testdata/passkey/` (docs/ledger.md, "Test vectors"): real ledger
 * exports of a test server with enrolments (ES256, EdDSA), passkey-signed decisions (an approval,
 * an edited approval, a rejection), a decision without one, and a revocation; and tampered variants,
 * each a log whose server (its key signs everything) appended one forged decision or enrolment that
 * only the passkey checks can catch, naming the check that must fail and the entry. Written with
 * `HUMANOS_WRITE_PASSKEY_VECTORS=1`; always re-made and verified here.
 */
const DIR = join(REPO_ROOT, 'testdata/passkey');
const RP = 'localhost';
const ORIGIN = 'http://localhost:5173';
const POLICY = `/tmp/humanos-passkey-vectors-${process.pid}.json`;
writeFileSync(
  POLICY,
  JSON.stringify({
    name: 'passkey-vectors',
    version: 1,
    requirePasskey: {},
    rules: [
      { id: 'wire', match: { descriptionMatches: 'wire' }, require: { approverRole: 'treasury', riskLevel: 'high' } },
      { id: 'memo', match: { descriptionMatches: 'memo' }, require: { approverRole: 'treasury' } },
    ],
  }),
);

interface Flow {
  t: TestServer;
  ann: SoftAuthenticator;
  /** The first passkey-signed decision entry's data (Ann, ES256). */
  signed: { record: DecisionRecord; passkey: ReturnType<SoftAuthenticator['assert']> } & Record<string, unknown>;
}

type Forge = (f: Flow) => Promise<{ data: Record<string, unknown>; type?: LedgerEntry['type'] } | undefined>;

/** A decision entry the server itself writes (its key signs the record): only the passkey can betray it. */
async function append(f: Flow, type: LedgerEntry['type'], data: Record<string, unknown>): Promise<number> {
  const deps = f.t.server.service.deps;
  const rec = data.record as DecisionRecord | undefined;
  return deps.write(async (trx) => {
    const { seqs } = await deps.ledger.append(trx, [
      {
        type,
        at: new Date(deps.now()).toISOString(),
        actor: rec?.decidedBy ?? 'did:human:vec-ann',
        taskId: rec?.taskId ?? null,
        ...(rec ? { approvalId: rec.approvalId } : {}),
        data: rec ? { ...data, signature: signDecision(rec, deps.key) } : data,
      },
    ]);
    return seqs[0] as number;
  });
}

/** A fresh, properly signed assertion over `record` (with `opts` wrong on purpose). */
function assertOver(
  auth: SoftAuthenticator,
  record: DecisionRecord,
  opts: Parameters<SoftAuthenticator['assert']>[2] = {},
) {
  const nonce = new Uint8Array(randomBytes(32));
  return auth.assert(toBase64Url(decisionChallenge(nonce, record)), toBase64Url(nonce), opts);
}

/** Runs the honest flow on a fresh server; `forge` (before or after the revocation) adds the one bad entry. */
async function makeLedger(forge?: { when: 'before' | 'after'; fn: Forge }) {
  const t = await startTestServer('sqlite', {
    HUMANOS_POLICY: POLICY,
    HUMANOS_WEBAUTHN_RP_ID: RP,
    HUMANOS_WEBAUTHN_ORIGINS: ORIGIN,
  });
  try {
    const agent = await t.principal('did:agent:vec-bot');
    const ann = await t.principal('did:human:vec-ann', ['treasury']);
    const bob = await t.principal('did:human:vec-bob', ['treasury']);
    const annKey = new SoftAuthenticator(RP, ORIGIN, -7);
    const bobKey = new SoftAuthenticator(RP, ORIGIN, -8);
    await enrolPasskey(ann, annKey, 'Ann’s laptop');
    await enrolPasskey(bob, bobKey, 'Bob’s security key');
    const task = async (description: string, payload: Record<string, unknown>) => {
      const c = await agent.post('/tasks', { description, payload });
      return { gate: c.body.approvalRequest.id as string, digest: payloadDigest(payload) };
    };
    const w1 = await task('wire 1', { amount: 90_000, to: 'ACME' });
    const s1 = await signWithPasskey(ann, annKey, w1.gate, { verdict: 'approved', payloadDigest: w1.digest });
    const r1 = await ann.post(`/approvals/${w1.gate}/approve`, {
      payloadDigest: w1.digest,
      approvalReason: 'invoice 7',
      passkey: s1.passkey,
    });
    const w2 = await task('wire 2', { amount: 120_000, to: 'Globex' });
    const edits = { to: 'Globex GmbH' };
    const s2 = await signWithPasskey(bob, bobKey, w2.gate, { verdict: 'approved', payloadDigest: w2.digest, edits });
    await bob.post(`/approvals/${w2.gate}/approve`, {
      payloadDigest: w2.digest,
      approvalReason: 'legal name',
      edits,
      passkey: s2.passkey,
    });
    const w3 = await task('wire 3', { amount: 5_000_000, to: 'Initech' });
    const s3 = await signWithPasskey(ann, annKey, w3.gate, { verdict: 'rejected', payloadDigest: w3.digest });
    await ann.post(`/approvals/${w3.gate}/reject`, { rejectionReason: 'not ours', passkey: s3.passkey });
    const m = await task('memo 1', { note: 'lunch' });
    await ann.post(`/approvals/${m.gate}/approve`, { payloadDigest: m.digest });
    const entries = await t.admin.get(
      `/ledger/entries?start=${r1.body.provenance.ledgerIndex}&end=${r1.body.provenance.ledgerIndex + 1}`,
    );
    const signed = JSON.parse(entries.body.entries[0].entry).data as Flow['signed'];
    const flow: Flow = { t, ann: annKey, signed };
    let forged: number | undefined;
    const doForge = async () => {
      const out = forge && (await forge.fn(flow));
      if (out) forged = await append(flow, out.type ?? 'approval.decided', out.data);
    };
    if (forge?.when === 'before') await doForge();
    await ann.post(`/me/passkeys/${annKey.credentialId}/revoke`, { reason: 'laptop lost' });
    if (forge?.when === 'after') await doForge();
    const text = await fetch(`${t.url}/v1/humanos/ledger/export`, {
      headers: { authorization: `Bearer ${t.admin.token}` },
    }).then((r) => r.text());
    return { text, forged };
  } finally {
    await t.close();
  }
}

const later = (r: DecisionRecord): DecisionRecord => ({
  ...r,
  decidedAt: new Date(Date.parse(r.decidedAt) + 1000).toISOString(),
});

/** The tampered variants: the check that must fail, what was forged, and how. */
const VARIANTS: { name: string; check: string; what: string; when: 'before' | 'after'; fn: Forge }[] = [
  {
    name: 'passkey_client_data',
    check: 'passkey_client_data',
    what: 'the server re-signs Ann’s decision with another payload digest and keeps her assertion: the challenge recomputed from the record is not the one she signed',
    when: 'before',
    fn: async ({ signed }) => ({
      data: {
        ...signed,
        record: { ...later(signed.record), payloadDigest: payloadDigest({ amount: 90_000, to: 'Mallory' }) },
      },
    }),
  },
  {
    name: 'passkey_client_data-origin',
    check: 'passkey_client_data',
    what: 'a properly signed assertion made on an origin the key was not enrolled for',
    when: 'before',
    fn: async ({ signed, ann }) => {
      const record = later(signed.record);
      return { data: { ...signed, record, passkey: assertOver(ann, record, { origin: 'https://evil.example' }) } };
    },
  },
  {
    name: 'passkey_rp_id',
    check: 'passkey_rp_id',
    what: 'a properly signed assertion whose authenticatorData is for another relying party',
    when: 'before',
    fn: async ({ signed, ann }) => {
      const record = later(signed.record);
      return { data: { ...signed, record, passkey: assertOver(ann, record, { rpId: 'evil.example' }) } };
    },
  },
  {
    name: 'passkey_flags',
    check: 'passkey_flags',
    what: 'a properly signed assertion without user verification (UV flag unset)',
    when: 'before',
    fn: async ({ signed, ann }) => {
      const record = later(signed.record);
      return { data: { ...signed, record, passkey: assertOver(ann, record, { uv: false }) } };
    },
  },
  {
    name: 'passkey_signature',
    check: 'passkey_signature',
    what: 'an assertion naming Ann’s credential, signed by another key',
    when: 'before',
    fn: async ({ signed }) => {
      const record = later(signed.record);
      const other = assertOver(new SoftAuthenticator(RP, ORIGIN, -7), record);
      return { data: { ...signed, record, passkey: { ...other, credentialId: signed.passkey.credentialId } } };
    },
  },
  {
    name: 'passkey_key_unknown',
    check: 'passkey_key_unknown',
    what: 'a valid assertion by a key that was never enrolled',
    when: 'before',
    fn: async ({ signed }) => {
      const record = later(signed.record);
      return { data: { ...signed, record, passkey: assertOver(new SoftAuthenticator(RP, ORIGIN, -7), record) } };
    },
  },
  {
    name: 'passkey_key_revoked',
    check: 'passkey_key_revoked',
    what: 'a valid assertion by Ann’s key, after its revocation',
    when: 'after',
    fn: async ({ signed, ann }) => {
      const record = later(signed.record);
      return { data: { ...signed, record, passkey: assertOver(ann, record) } };
    },
  },
  {
    name: 'passkey_missing',
    check: 'passkey_missing',
    what: 'a decision the policy required a passkey for (passkeyRequired: true), without one',
    when: 'before',
    fn: async ({ signed }) => {
      const { passkey: _, ...rest } = signed;
      return { data: { ...rest, record: later(signed.record) } };
    },
  },
  {
    name: 'passkey_enrolment',
    check: 'passkey_enrolment',
    what: 'Ann’s credential id enrolled a second time (for Bob, with another key)',
    when: 'before',
    fn: async ({ t, ann }) => {
      const first = await t.admin.get('/ledger/entries?start=0&end=50');
      const e = first.body.entries
        .map((x: { entry: string }) => JSON.parse(x.entry) as LedgerEntry)
        .find((x: LedgerEntry) => x.type === 'passkey.enrolled' && x.data.credentialId === ann.credentialId);
      const bobs = first.body.entries
        .map((x: { entry: string }) => JSON.parse(x.entry) as LedgerEntry)
        .find((x: LedgerEntry) => x.type === 'passkey.enrolled' && x.data.principal === 'did:human:vec-bob');
      return {
        type: 'passkey.enrolled',
        data: {
          ...e.data,
          principal: 'did:human:vec-bob',
          publicKey: bobs.data.publicKey,
          algorithm: -8,
          name: 'copy',
        },
      };
    },
  },
];

function vector(description: string, text: string, expected: Record<string, unknown>) {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  return `${JSON.stringify({ description, expected, lines }, null, 1)}\n`;
}

const write = process.env.HUMANOS_WRITE_PASSKEY_VECTORS === '1';
if (write) mkdirSync(DIR, { recursive: true });

describe('passkey test vectors (testdata/passkey)', () => {
  it('the honest log verifies; it holds enrolments, signed decisions and a revocation', async () => {
    const { text } = await makeLedger();
    const report = verifyLedger(parseLedgerExport(text));
    expect(report).toMatchObject({ ok: true });
    const data = parseLedgerExport(text).entries.map((e) => (JSON.parse(e.entry) as LedgerEntry).data);
    expect(data.filter((d) => d.passkey).length).toBe(3);
    expect(data.filter((d) => d.passkeyRequired === true).length).toBe(3);
    for (const type of ['passkey.enrolled', 'passkey.revoked']) expect(text).toContain(type);
    if (write) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(
        join(DIR, 'ledger.json'),
        vector(
          'Enrolments (ES256 Ann, EdDSA Bob), passkey-signed approval, edited approval and rejection, a low-risk decision without a passkey, a revocation',
          text,
          { ok: true },
        ),
      );
    }
  }, 60_000);

  for (const v of VARIANTS) {
    // Re-made when the vectors are written (a server per variant); the committed ones are checked below.
    it.runIf(write)(
      `tampered: ${v.name} fails naming the forged entry`,
      async () => {
        const { text, forged } = await makeLedger({ when: v.when, fn: v.fn });
        const report = verifyLedger(parseLedgerExport(text));
        expect(report).toMatchObject({ ok: false, firstBadIndex: forged, check: v.check });
        if (write) {
          writeFileSync(
            join(DIR, `ledger.tampered-${v.name}.json`),
            vector(v.what, text, { ok: false, index: forged, check: v.check }),
          );
        }
      },
      60_000,
    );
  }

  it('the committed vectors say what the verifier finds', () => {
    for (const name of ['ledger', ...VARIANTS.map((v) => `ledger.tampered-${v.name}`)]) {
      const v = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
      const text = v.lines.map((l: unknown) => JSON.stringify(l)).join('\n');
      const report = verifyLedger(parseLedgerExport(text));
      expect(report.ok, name).toBe(v.expected.ok);
      if (!v.expected.ok)
        expect({ index: report.firstBadIndex, check: report.check }, name).toEqual({
          index: v.expected.index,
          check: v.expected.check,
        });
      expect(canonicalJson(v.expected)).toBeTruthy();
    }
  });
});
