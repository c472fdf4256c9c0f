import { writeFileSync } from 'node:fs';
import { parseLedgerExport, payloadDigest, verifyLedger } from '@humanos/core';
import { describe, expect, it } from 'vitest';
import { type Api, backends, useTestServer } from '../../../../test-support/harness.js';
import { enrolPasskey, SoftAuthenticator, signDecision } from '../../../../test-support/softAuthenticator.js';

/**
 * Issue 24: passkeys and passkey-signed decisions, through the REST API with a software authenticator
 * (real P-256 / Ed25519 keys, the bytes a browser signs). Every refusal leaves the store unchanged.
 */
const POLICY = `/tmp/humanos-passkeys-${process.pid}.json`;
writeFileSync(
  POLICY,
  JSON.stringify({
    name: 'passkeys',
    version: 1,
    requirePasskey: {},
    rules: [
      { id: 'wire', match: { descriptionMatches: 'wire' }, require: { approverRole: 'treasury', riskLevel: 'high' } },
      {
        id: 'pair',
        match: { descriptionMatches: 'pair' },
        require: { riskLevel: 'high', quorum: { required: 2, eligible: ['treasury'] } },
      },
      { id: 'memo', match: { descriptionMatches: 'memo' }, require: { approverRole: 'treasury' } },
    ],
  }),
);
const RP = 'localhost';
const ORIGIN = 'http://localhost:5173';

for (const backend of backends()) {
  describe(`passkey-signed decisions [${backend}]`, () => {
    const s = useTestServer(backend, {
      env: {
        HUMANOS_POLICY: POLICY,
        HUMANOS_WEBAUTHN_RP_ID: RP,
        HUMANOS_WEBAUTHN_ORIGINS: ORIGIN,
        HUMANOS_PUBLIC_URL: 'http://localhost:5173',
      },
      principals: {
        agent: ['did:agent:pk-bot', []],
        ann: ['did:human:pk-ann', ['treasury']],
        bob: ['did:human:pk-bob', ['treasury']],
      },
    });
    const annKey = new SoftAuthenticator(RP, ORIGIN, -7);
    const bobKey = new SoftAuthenticator(RP, ORIGIN, -8);

    async function request(description: string, payload: Record<string, unknown> = { amount: 10, to: 'ACME' }) {
      const c = await s.as.agent.post('/tasks', { description, payload });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      return { gate: c.body.approvalRequest.id as string, digest: payloadDigest(payload), taskId: c.body.taskId };
    }

    /** The decision is refused with `code` (and `check`), and the store is exactly as before. */
    async function refused(api: Api, path: string, body: unknown, code: string, check?: string) {
      const before = await s.t.fingerprint();
      const r = await api.post(path, body);
      expect(r.status, JSON.stringify(r.body)).toBe(
        code === 'passkey_required' || code === 'passkey_invalid' ? 403 : r.status,
      );
      expect(r.body.code, JSON.stringify(r.body)).toBe(code);
      if (check) expect(r.body.check).toBe(check);
      expect(await s.t.fingerprint()).toBe(before);
      return r.body;
    }

    /** One ledger entry, parsed. */
    async function entryAt(index: number) {
      const r = await s.t.admin.get(`/ledger/entries?start=${index}&end=${index + 1}`);
      return JSON.parse(r.body.entries[0].entry);
    }

    async function exportVerified() {
      const text = await fetch(`${s.t.url}/v1/humanos/ledger/export`, {
        headers: { authorization: `Bearer ${s.t.admin.token}` },
      }).then((r) => r.text());
      return { text, report: verifyLedger(parseLedgerExport(text)) };
    }

    /** Signs an approval of `r` (with `edits` if given) with `key` and sends it: it must be recorded. */
    async function approveSigned(
      api: Api,
      key: SoftAuthenticator,
      r: { gate: string; digest: string },
      edits?: Record<string, unknown>,
    ) {
      const e = edits ? { edits } : {};
      const { passkey } = await signDecision(api, key, r.gate, { verdict: 'approved', payloadDigest: r.digest, ...e });
      const res = await api.post(`/approvals/${r.gate}/approve`, {
        payloadDigest: r.digest,
        approvalReason: 'ok',
        ...e,
        passkey,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return passkey;
    }

    it('a human enrols passkeys (ES256 and EdDSA); the enrolment is a ledger entry with the SPKI key', async () => {
      const a = await enrolPasskey(s.as.ann, annKey, 'Ann’s laptop');
      expect(a).toMatchObject({
        credentialId: annKey.credentialId,
        name: 'Ann’s laptop',
        algorithm: -7,
        revokedAt: null,
      });
      const b = await enrolPasskey(s.as.bob, bobKey, 'Bob’s key');
      expect(b.algorithm).toBe(-8);
      const { data } = await entryAt(a.ledgerIndex);
      expect(data).toMatchObject({
        principal: 'did:human:pk-ann',
        credentialId: annKey.credentialId,
        rpId: RP,
        origins: [ORIGIN],
      });
      expect(Buffer.from(data.publicKey, 'base64url').subarray(0, 2)).toEqual(Buffer.from([0x30, 0x59]));
      expect((await s.as.ann.get('/me/passkeys')).body.items.map((k: { name: string }) => k.name)).toEqual([
        'Ann’s laptop',
      ]);
    });

    it('enrolment is the human’s own, user-verified, once per credential', async () => {
      // There is no route to enrol for someone else: `/me/passkeys` is always the caller's own.
      await refused(s.as.agent, '/me/passkeys/registration-options', {}, 'passkey_owner_only');
      const opts = await s.as.ann.post('/me/passkeys/registration-options');
      const noUv = new SoftAuthenticator(RP, ORIGIN);
      await refused(
        s.as.ann,
        '/me/passkeys',
        { name: 'x', response: noUv.register(opts.body.challenge, { uv: false }) },
        'passkey_registration_failed',
      );
      const again = await s.as.ann.post('/me/passkeys/registration-options');
      await refused(
        s.as.ann,
        '/me/passkeys',
        { name: 'x', response: annKey.register(again.body.challenge) },
        'passkey_exists',
      );
      const wrongOrigin = new SoftAuthenticator(RP, 'https://evil.example');
      const third = await s.as.ann.post('/me/passkeys/registration-options');
      await refused(
        s.as.ann,
        '/me/passkeys',
        { name: 'x', response: wrongOrigin.register(third.body.challenge) },
        'passkey_registration_failed',
      );
    });

    it('a high-risk approval needs a passkey: a bare token is refused with the console link', async () => {
      const { gate, digest } = await request('wire 1');
      const body = await refused(
        s.as.ann,
        `/approvals/${gate}/approve`,
        { payloadDigest: digest, approvalReason: 'ok' },
        'passkey_required',
      );
      expect(body.consoleUrl).toBe(`http://localhost:5173/approvals/${encodeURIComponent(gate)}`);
    });

    it('approved with the passkey: recorded in the decision entry, and the export verifies offline', async () => {
      const { gate, digest } = await request('wire 2');
      const { passkey } = await signDecision(s.as.ann, annKey, gate, { verdict: 'approved', payloadDigest: digest });
      const r = await s.as.ann.post(`/approvals/${gate}/approve`, {
        payloadDigest: digest,
        approvalReason: 'ok',
        passkey,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.signedWithPasskey).toEqual({ credentialId: annKey.credentialId, name: 'Ann’s laptop' });
      expect((await entryAt(r.body.provenance.ledgerIndex)).data).toMatchObject({ passkeyRequired: true, passkey });
      const { report } = await exportVerified();
      expect(report).toMatchObject({ ok: true });
    });

    it('edited approval and an EdDSA rejection are signed too; low risk needs none', async () => {
      const w = await request('wire 3');
      const edits = { to: 'ACME Ltd' };
      const { passkey, challenge } = await signDecision(s.as.bob, bobKey, w.gate, {
        verdict: 'approved',
        payloadDigest: w.digest,
        edits,
      });
      expect(challenge.payloadDigest).toBe(payloadDigest({ amount: 10, to: 'ACME Ltd' }));
      const r = await s.as.bob.post(`/approvals/${w.gate}/approve`, {
        payloadDigest: w.digest,
        approvalReason: 'fixed name',
        edits,
        passkey,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const x = await request('wire 4');
      const rej = await signDecision(s.as.bob, bobKey, x.gate, { verdict: 'rejected', payloadDigest: x.digest });
      const rr = await s.as.bob.post(`/approvals/${x.gate}/reject`, { rejectionReason: 'no', passkey: rej.passkey });
      expect(rr.status, JSON.stringify(rr.body)).toBe(200);
      const m = await request('memo 1');
      expect((await s.as.ann.post(`/approvals/${m.gate}/approve`, { payloadDigest: m.digest })).status).toBe(200);
      expect((await exportVerified()).report.ok).toBe(true);
    });

    it('refused, writing nothing: wrong origin, UV unset, rpId, another approval’s assertion, stolen, replayed, expired', async () => {
      const { gate, digest } = await request('wire 5');
      const other = await request('wire 6');
      const d = { verdict: 'approved' as const, payloadDigest: digest };
      const approve = (passkey: unknown) => ({ payloadDigest: digest, approvalReason: 'ok', passkey });
      const path = `/approvals/${gate}/approve`;
      let a = await signDecision(s.as.ann, annKey, gate, d, { origin: 'https://evil.example' });
      await refused(s.as.ann, path, approve(a.passkey), 'passkey_invalid', 'passkey_client_data');
      a = await signDecision(s.as.ann, annKey, gate, d, { uv: false });
      await refused(s.as.ann, path, approve(a.passkey), 'passkey_invalid', 'passkey_flags');
      a = await signDecision(s.as.ann, annKey, gate, d, { rpId: 'evil.example' });
      await refused(s.as.ann, path, approve(a.passkey), 'passkey_invalid', 'passkey_rp_id');
      // Signed for the other approval: its nonce is not this approval's.
      const o = await signDecision(s.as.ann, annKey, other.gate, { verdict: 'approved', payloadDigest: other.digest });
      await refused(s.as.ann, path, approve(o.passkey), 'passkey_invalid', 'nonce');
      // This approval's nonce, the other approval's signed challenge.
      const mine = await signDecision(s.as.ann, annKey, gate, d);
      await refused(
        s.as.ann,
        path,
        approve({ ...o.passkey, nonce: mine.passkey.nonce }),
        'passkey_invalid',
        'passkey_client_data',
      );
      // Another verdict than the one signed.
      await refused(
        s.as.ann,
        `/approvals/${gate}/reject`,
        { rejectionReason: 'no', passkey: mine.passkey },
        'passkey_invalid',
        'passkey_client_data',
      );
      // Bob sends Ann's assertion as his: the nonce is Ann's.
      await refused(s.as.bob, path, approve(mine.passkey), 'passkey_invalid', 'nonce');
      // Bob's own nonce with Ann's key: not his key.
      const bobs = await signDecision(s.as.bob, bobKey, gate, d);
      await refused(
        s.as.bob,
        path,
        approve({ ...mine.passkey, nonce: bobs.passkey.nonce }),
        'passkey_invalid',
        'passkey_key_unknown',
      );
      // Expired: 2 minutes later the nonce is gone.
      s.t.clock.advance(121_000);
      await refused(s.as.ann, path, approve(mine.passkey), 'passkey_invalid', 'nonce');
      // Used once, then replayed.
      const fresh = await signDecision(s.as.ann, annKey, gate, d);
      expect((await s.as.ann.post(path, approve(fresh.passkey))).status).toBe(200);
      const pair = await request('pair 1');
      const p1 = { passkey: await approveSigned(s.as.ann, annKey, pair) };
      await approveSigned(s.as.bob, bobKey, pair, { amount: 11 });
      // Ann is asked again (the payload changed); her used nonce, replayed, is refused.
      const now = payloadDigest({ amount: 11, to: 'ACME' });
      await refused(
        s.as.ann,
        `/approvals/${pair.gate}/approve`,
        { payloadDigest: now, approvalReason: 'ok', passkey: p1.passkey },
        'passkey_invalid',
        'nonce',
      );
    });

    it('an edit after the challenge: the signed digest is not the one the decision records', async () => {
      const { gate, digest } = await request('wire 7');
      const signed = await signDecision(s.as.ann, annKey, gate, { verdict: 'approved', payloadDigest: digest });
      // The same nonce and signature, sent with edits the challenge did not commit to.
      await refused(
        s.as.ann,
        `/approvals/${gate}/approve`,
        { payloadDigest: digest, approvalReason: 'ok', edits: { to: 'Mallory' }, passkey: signed.passkey },
        'passkey_invalid',
        'passkey_client_data',
      );
    });

    it('the payload edited by someone else after the challenge: the old assertion counts for neither version', async () => {
      const pair = await request('pair 2');
      const signed = await signDecision(s.as.ann, annKey, pair.gate, {
        verdict: 'approved',
        payloadDigest: pair.digest,
      });
      await approveSigned(s.as.bob, bobKey, pair, { amount: 12 });
      const path = `/approvals/${pair.gate}/approve`;
      // For the version she saw: stale. For the new version: her signature is over the old digest.
      await refused(
        s.as.ann,
        path,
        { payloadDigest: pair.digest, approvalReason: 'ok', passkey: signed.passkey },
        'stale_payload',
      );
      const now = payloadDigest({ amount: 12, to: 'ACME' });
      await refused(
        s.as.ann,
        path,
        { payloadDigest: now, approvalReason: 'ok', passkey: signed.passkey },
        'passkey_invalid',
        'passkey_client_data',
      );
    });

    it('an origin dropped from the configuration signs nothing more, though the key was enrolled for it', async () => {
      const { gate, digest } = await request('wire 9');
      const signed = await signDecision(s.as.ann, annKey, gate, { verdict: 'approved', payloadDigest: digest });
      const deps = s.t.server.service.deps;
      const was = deps.webauthn;
      // As after a restart with HUMANOS_WEBAUTHN_ORIGINS changed.
      deps.webauthn = { rpId: RP, origins: ['http://localhost:9999'] };
      try {
        const body = { payloadDigest: digest, approvalReason: 'ok', passkey: signed.passkey };
        await refused(s.as.ann, `/approvals/${gate}/approve`, body, 'passkey_invalid', 'passkey_client_data');
      } finally {
        deps.webauthn = was;
      }
    });

    it('a revoked passkey signs nothing more; the earlier decisions still verify', async () => {
      const { gate, digest } = await request('wire 8');
      const signed = await signDecision(s.as.ann, annKey, gate, { verdict: 'approved', payloadDigest: digest });
      const rv = await s.as.ann.post(`/me/passkeys/${annKey.credentialId}/revoke`, { reason: 'lost' });
      expect(rv.status, JSON.stringify(rv.body)).toBe(200);
      expect(rv.body.revokedAt).not.toBeNull();
      await refused(
        s.as.ann,
        `/approvals/${gate}/approve`,
        { payloadDigest: digest, approvalReason: 'ok', passkey: signed.passkey },
        'passkey_invalid',
        'passkey_key_revoked',
      );
      expect((await exportVerified()).report.ok).toBe(true);
    });
  });
}
