import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type SigningKey, signBytes } from '@humanos/core';

/** What a one-click e-mail link may do: one verdict on one approval, by one approver, on one payload. */
export interface LinkClaims {
  /** Approval id. */
  a: string;
  /** The approver (principal id) the e-mail was sent to. */
  p: string;
  /** `approved` or `rejected`. */
  v: 'approved' | 'rejected';
  /** Digest of the payload the e-mail showed: a link for another payload is stale. */
  d: string;
  /** Expiry, Unix seconds. */
  e: number;
  /** A random id: the link is single-use. */
  j: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The MAC key derived from a ledger key (an Ed25519 signature over a fixed label, hashed). */
const macKey = (signingKey: SigningKey): Buffer =>
  createHash('sha256').update(signBytes(signingKey, 'humanos/email-link-key/v1')).digest();

/**
 * Signed, short-lived, single-use tokens for e-mail links. The MAC key is derived from the ledger
 * signing key (an Ed25519 signature over a fixed label, hashed), so every replica sharing the key
 * verifies every other's links and nothing extra needs storing or configuring. Single use is
 * enforced where the link is redeemed (`channel_nonces`).
 *
 * @example
 * const t = tokens.issue({ a: approvalId, p: 'did:human:ann', v: 'approved', d: digest }, 7200);
 * tokens.verify(t); // → the claims, or undefined when forged or expired
 */
export class LinkTokens {
  private readonly key: Buffer;
  /** The MAC key of the key a rotation replaced: links sent before it still verify on that start. */
  private readonly retired: Buffer | undefined;

  constructor(signingKey: SigningKey, retiredKey?: SigningKey) {
    this.key = macKey(signingKey);
    this.retired = retiredKey && macKey(retiredKey);
  }

  issue(claims: Omit<LinkClaims, 'e' | 'j'>, ttlSeconds: number, nowMs: number): string {
    const body = b64(
      JSON.stringify({ ...claims, e: Math.floor(nowMs / 1000) + ttlSeconds, j: randomBytes(9).toString('base64url') }),
    );
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a well-signed token, with whether it has expired; undefined when forged or malformed. */
  verify(token: string, nowMs: number): { claims: LinkClaims; expired: boolean } | undefined {
    const m = /^([A-Za-z0-9_-]{10,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return undefined;
    const given = Buffer.from(m[2] as string, 'base64url');
    const matches = (key: Buffer) => {
      const expected = Buffer.from(this.mac(m[1] as string, key), 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    if (!matches(this.key) && !(this.retired && matches(this.retired))) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(m[1] as string, 'base64url').toString('utf8')) as LinkClaims;
      return { claims, expired: Math.floor(nowMs / 1000) >= claims.e };
    } catch {
      return undefined;
    }
  }

  private mac(body: string, key: Buffer = this.key): string {
    return createHmac('sha256', key).update(body).digest('base64url');
  }
}
