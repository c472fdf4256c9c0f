/**
 * Passkey-signed decisions, verified offline (docs/ledger.md, "Passkeys"). Pure and runtime-neutral
 * (Node and the browser): SHA-256 from `@noble/hashes`, ECDSA P-256 and Ed25519 from `@noble/curves`,
 * base64url and UTF-8 without `Buffer`.
 *
 * The approver key registry lives in the log: `passkey.enrolled` and `passkey.revoked` entries, folded
 * in ledger order (`PasskeyRegistry`). A decision entry carrying `data.passkey` is checked against the
 * key valid at its index, in this order: `passkey_key_unknown` / `passkey_key_revoked`,
 * `passkey_client_data`, `passkey_rp_id`, `passkey_flags`, `passkey_signature`; a decision whose
 * entry says `passkeyRequired: true` without one fails `passkey_missing`. The server runs the same
 * checks (`verifyPasskeyAssertion`) inside the decision's transaction, before it records it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson, payloadDigest } from './canonical.js';
import { type RiskLevel, riskRank } from './model.js';
import type { PasskeyPolicy } from './policy.js';

/** COSE algorithm ids accepted at enrolment: ES256 (P-256) and EdDSA (Ed25519). */
export const PASSKEY_ALGORITHMS = [-7, -8] as const;
export type PasskeyAlgorithm = (typeof PASSKEY_ALGORITHMS)[number];

/** `data` of a `passkey.enrolled` entry. */
export interface PasskeyEnrolment {
  principal: string;
  /** base64url (no padding) of the WebAuthn credential id. */
  credentialId: string;
  /** base64url of the SubjectPublicKeyInfo DER of the credential's public key. */
  publicKey: string;
  algorithm: PasskeyAlgorithm;
  name: string;
  rpId: string;
  origins: string[];
}

/** `data` of a `passkey.revoked` entry. */
export interface PasskeyRevocation {
  principal: string;
  credentialId: string;
  reason: string | null;
}

/** `data.passkey` of a passkey-signed `approval.decided` entry: the assertion as WebAuthn returned it. */
export interface PasskeyAssertion {
  credentialId: string;
  /** The 32 random bytes the server issued (base64url). */
  nonce: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userHandle: string | null;
}

/** The members of a decision record the challenge commits to. */
export interface PasskeyDecisionSubject {
  approvalId: string;
  verdict: 'approved' | 'rejected';
  payloadDigest: string;
  edits: unknown;
  decidedBy: string;
}

/** The name of a failed passkey check, as verifiers and the server report it. */
export type PasskeyCheck =
  | 'passkey_enrolment'
  | 'passkey_missing'
  | 'passkey_key_unknown'
  | 'passkey_key_revoked'
  | 'passkey_client_data'
  | 'passkey_rp_id'
  | 'passkey_flags'
  | 'passkey_signature';

export interface PasskeyFailure {
  check: PasskeyCheck;
  message: string;
}

// ---- encodings -------------------------------------------------------------------------------------

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url without padding; throws on anything else (padding, `+`/`/`, a dangling
 * character), so one value has one spelling.
 *
 * @example
 * fromBase64Url('AQID'); // Uint8Array [1, 2, 3]
 */
export function fromBase64Url(text: string): Uint8Array {
  if (!B64URL.test(text) || text.length % 4 === 1) throw new Error('not base64url without padding');
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  if (toBase64Url(out) !== text) throw new Error('not canonical base64url');
  return out;
}

/**
 * Encodes bytes as base64url without padding (WebAuthn's and the ledger's spelling).
 *
 * @example
 * toBase64Url(new Uint8Array([1, 2, 3])); // 'AQID'
 */
export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- the challenge ---------------------------------------------------------------------------------

/**
 * The 64-byte WebAuthn challenge of a passkey-signed decision: the server's 32-byte nonce ‖ SHA-256
 * of the canonical `{approvalId, verdict, payloadDigest, editsDigest, approver}` (`editsDigest` is
 * `payloadDigest(edits)`, or null without edits). The console signs it before the decision is made;
 * the server and every offline verifier recompute it from the decision record.
 *
 * @example
 * const challenge = decisionChallenge(nonce, { approvalId, verdict: 'approved', payloadDigest, edits: null, decidedBy: did });
 * navigator.credentials.get({ publicKey: { challenge, rpId, userVerification: 'required' } });
 */
export function decisionChallenge(nonce: Uint8Array, d: PasskeyDecisionSubject): Uint8Array {
  if (nonce.length !== 32) throw new Error('the nonce must be 32 bytes');
  const statement = canonicalJson({
    approvalId: d.approvalId,
    verdict: d.verdict,
    payloadDigest: d.payloadDigest,
    editsDigest: d.edits == null ? null : payloadDigest(d.edits),
    approver: d.decidedBy,
  });
  return concat(nonce, sha256(utf8(statement)));
}

// ---- keys --------------------------------------------------------------------------------------------

// The fixed DER prefixes of the two SubjectPublicKeyInfo forms enrolment writes (RFC 5480, RFC 8410).
const P256_SPKI = new Uint8Array([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
  0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);
const ED25519_SPKI = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/**
 * The raw public key in an SPKI DER of the algorithm: P-256's uncompressed point (65 bytes, on the
 * curve) or Ed25519's 32 bytes. Throws on any other shape.
 *
 * @example
 * const raw = spkiPublicKey(fromBase64Url(enrolment.publicKey), -7);
 */
export function spkiPublicKey(der: Uint8Array, algorithm: number): Uint8Array {
  const [prefix, size] = algorithm === -7 ? [P256_SPKI, 65] : algorithm === -8 ? [ED25519_SPKI, 32] : [];
  if (!prefix || !size) throw new Error(`algorithm ${algorithm} is not accepted (only -7 ES256 and -8 EdDSA)`);
  if (der.length !== prefix.length + size || !sameBytes(der.subarray(0, prefix.length), prefix)) {
    throw new Error(`publicKey is not the SubjectPublicKeyInfo of a ${algorithm === -7 ? 'P-256' : 'Ed25519'} key`);
  }
  const raw = der.slice(prefix.length);
  if (algorithm === -7) p256.ProjectivePoint.fromHex(raw).assertValidity();
  else ed25519.ExtendedPoint.fromHex(raw);
  return raw;
}

/**
 * The SPKI DER of a raw public key (P-256 uncompressed point, or Ed25519's 32 bytes): what enrolment
 * writes, so any verifier imports it with stock APIs. Checks the key as `spkiPublicKey` does.
 *
 * @example
 * const der = spkiFromRaw(concatBytes(Uint8Array.of(4), x, y), -7);
 */
export function spkiFromRaw(raw: Uint8Array, algorithm: number): Uint8Array {
  const der = concat(algorithm === -7 ? P256_SPKI : algorithm === -8 ? ED25519_SPKI : new Uint8Array(), raw);
  spkiPublicKey(der, algorithm);
  return der;
}

function verifySignature(e: PasskeyEnrolment, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const key = spkiPublicKey(fromBase64Url(e.publicKey), e.algorithm);
    // ES256 is ECDSA with SHA-256 over the message, the signature ASN.1 DER; high-S is valid WebAuthn.
    if (e.algorithm === -7) return p256.verify(signature, message, key, { prehash: true, lowS: false, format: 'der' });
    return signature.length === 64 && ed25519.verify(signature, message, key);
  } catch {
    return false;
  }
}

// ---- the assertion -----------------------------------------------------------------------------------

const fail = (check: PasskeyCheck, message: string): PasskeyFailure => ({ check, message });

function clientDataProblem(cd: Uint8Array, challenge: Uint8Array, origins: readonly string[]): string | undefined {
  let parsed: { type?: unknown; challenge?: unknown; origin?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(cd));
  } catch {
    return 'clientDataJSON is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'clientDataJSON is not an object';
  if (parsed.type !== 'webauthn.get') return `clientDataJSON type is ${JSON.stringify(parsed.type)}, not webauthn.get`;
  if (parsed.challenge !== toBase64Url(challenge)) {
    return 'the signed challenge is not the one recomputed from this decision (nonce, approval, verdict, payload digest, edits, approver)';
  }
  if (typeof parsed.origin !== 'string' || !origins.includes(parsed.origin)) {
    return `origin ${JSON.stringify(parsed.origin)} is not one the key was enrolled for`;
  }
  return undefined;
}

/**
 * Checks one assertion against the key it names and the decision it signs: client data (type,
 * recomputed challenge, origin), rpId hash, UP and UV flags, signature. The key itself (enrolled
 * before, not revoked) is the caller's (`PasskeyRegistry.keyAt`). Undefined when it verifies.
 *
 * @example
 * const bad = verifyPasskeyAssertion(key, entry.data.record, entry.data.passkey);
 * if (bad) console.error(bad.check, bad.message);
 */
export function verifyPasskeyAssertion(
  key: PasskeyEnrolment,
  decision: PasskeyDecisionSubject,
  a: PasskeyAssertion,
): PasskeyFailure | undefined {
  let nonce: Uint8Array;
  let authData: Uint8Array;
  let clientData: Uint8Array;
  let signature: Uint8Array;
  try {
    nonce = fromBase64Url(a.nonce);
    authData = fromBase64Url(a.authenticatorData);
    clientData = fromBase64Url(a.clientDataJSON);
    signature = fromBase64Url(a.signature);
  } catch {
    return fail('passkey_client_data', 'the assertion has a member that is not base64url');
  }
  if (nonce.length !== 32) return fail('passkey_client_data', 'the nonce is not 32 bytes');
  const problem = clientDataProblem(clientData, decisionChallenge(nonce, decision), key.origins);
  if (problem) return fail('passkey_client_data', problem);
  if (authData.length < 37 || !sameBytes(authData.subarray(0, 32), sha256(utf8(key.rpId)))) {
    return fail('passkey_rp_id', `authenticatorData is not for the relying party ${key.rpId}`);
  }
  const flags = authData[32] as number;
  if ((flags & 0x01) === 0) return fail('passkey_flags', 'the user was not present (UP flag unset)');
  if ((flags & 0x04) === 0) return fail('passkey_flags', 'the user was not verified (UV flag unset)');
  if (!verifySignature(key, concat(authData, sha256(clientData)), signature)) {
    return fail('passkey_signature', `the signature does not verify with passkey ${key.credentialId}`);
  }
  return undefined;
}

// ---- the registry ------------------------------------------------------------------------------------

/** An enrolment whose shape is wrong, or undefined: what the server writes and a verifier accepts. */
export function enrolmentProblem(d: Partial<PasskeyEnrolment>): string | undefined {
  if (typeof d.principal !== 'string' || typeof d.credentialId !== 'string' || typeof d.publicKey !== 'string')
    return 'an enrolment names no principal, credentialId or publicKey';
  if (typeof d.rpId !== 'string' || !Array.isArray(d.origins) || !d.origins.every((o) => typeof o === 'string'))
    return 'an enrolment names no rpId or origins';
  try {
    if (fromBase64Url(d.credentialId).length === 0) return 'an enrolment has an empty credentialId';
    spkiPublicKey(fromBase64Url(d.publicKey), d.algorithm as number);
  } catch (e) {
    return `an enrolment's key is unusable: ${(e as Error).message}`;
  }
  return undefined;
}

/**
 * The approver key registry folded from the log in ledger order: feed it every `passkey.enrolled`
 * and `passkey.revoked` entry's `data`; `keyAt` then answers for the next index. A credential id is
 * enrolled once, ever (a second enrolment, by anyone, is an error).
 *
 * @example
 * const reg = new PasskeyRegistry();
 * reg.enrol(enrolled.data); // undefined: fine
 * reg.keyAt('did:human:ann', credentialId); // { key } | { check: 'passkey_key_unknown' | 'passkey_key_revoked' }
 */
export class PasskeyRegistry {
  private readonly keys = new Map<string, PasskeyEnrolment>();
  /** `principal\ncredentialId` pairs revoked so far — kept even before (or without) the enrolment, as
   * docs/ledger.md says and the Python and Go verifiers do: a revocation is never undone. */
  private readonly revoked = new Set<string>();

  /** Adds an enrolment; the failure when it is malformed or its credential id was enrolled before. */
  enrol(data: Partial<PasskeyEnrolment>): PasskeyFailure | undefined {
    const bad = enrolmentProblem(data);
    if (bad) return fail('passkey_enrolment', bad);
    const key = data as PasskeyEnrolment;
    if (this.keys.has(key.credentialId)) {
      return fail('passkey_enrolment', `credential ${key.credentialId} is enrolled a second time`);
    }
    this.keys.set(key.credentialId, key);
    return undefined;
  }

  /** Revokes `(principal, credentialId)` for every later index, whether or not it is enrolled yet. */
  revoke(data: Partial<PasskeyRevocation>): void {
    this.revoked.add(`${String(data.principal)}\n${String(data.credentialId)}`);
  }

  /** The key `principal` may sign with now (entries fed so far), or the check that fails. */
  keyAt(principal: string, credentialId: string): { key: PasskeyEnrolment } | PasskeyFailure {
    const k = this.keys.get(credentialId);
    if (!k || k.principal !== principal) {
      return fail('passkey_key_unknown', `${principal} has no passkey ${credentialId} enrolled before this decision`);
    }
    if (this.revoked.has(`${principal}\n${credentialId}`))
      return fail('passkey_key_revoked', `passkey ${credentialId} of ${principal} was revoked before this decision`);
    return { key: k };
  }

  /**
   * Checks one `approval.decided` entry's `data` (its record, `passkey`, `passkeyRequired`): the
   * failure, or undefined when it carries no passkey and needed none, or carries one that verifies.
   */
  checkDecision(data: {
    record?: PasskeyDecisionSubject;
    passkey?: unknown;
    passkeyRequired?: unknown;
  }): PasskeyFailure | undefined {
    const a = data.passkey as PasskeyAssertion | undefined | null;
    if (a == null) {
      return data.passkeyRequired === true
        ? fail('passkey_missing', 'the policy required a passkey for this decision and it carries none')
        : undefined;
    }
    if (!data.record || typeof a !== 'object' || typeof a.credentialId !== 'string') {
      return fail('passkey_client_data', 'the passkey assertion is malformed');
    }
    const found = this.keyAt(data.record.decidedBy, a.credentialId);
    if ('check' in found) return found;
    return verifyPasskeyAssertion(found.key, data.record, a);
  }
}

/**
 * Whether the policy demands a passkey for a decision on a gate: `always`; the gate's risk at or above
 * `riskAtLeast` (default `high`); the task needs one of `capabilities`; one of `rules` applied to it.
 * No `requirePasskey` in the policy: never. The reason is what a refusal says.
 *
 * @example
 * passkeyRequired({}, { riskLevel: 'critical', capabilities: [], rulesApplied: [] });
 * // { required: true, reason: 'critical risk' }
 */
export function passkeyRequired(
  policy: PasskeyPolicy | undefined,
  gate: { riskLevel: RiskLevel; capabilities: readonly string[]; rulesApplied: readonly string[] },
): { required: boolean; reason: string } {
  if (!policy) return { required: false, reason: 'the policy requires no passkeys' };
  if (policy.always) return { required: true, reason: 'the policy requires a passkey for every decision' };
  const level = policy.riskAtLeast === undefined ? 'high' : policy.riskAtLeast;
  if (level !== null && riskRank(gate.riskLevel) >= riskRank(level)) {
    return { required: true, reason: `${gate.riskLevel} risk` };
  }
  const cap = policy.capabilities?.find((c) => gate.capabilities.includes(c));
  if (cap) return { required: true, reason: `the task needs ${cap}` };
  const rule = policy.rules?.find((r) => gate.rulesApplied.includes(r));
  if (rule) return { required: true, reason: `policy rule ${rule} applied` };
  return { required: false, reason: 'no requirePasskey condition holds' };
}
