/**
 * The one rule both `#crypto` modules apply to an Ed25519 public key before verifying with it: its
 * encoding is canonical (y < p) and it is not of small order. OpenSSL (Node) accepts both, and under
 * a small-order key such as the identity a signature (R = identity, S = 0) verifies for *any*
 * message; noble refuses them. Checking the key itself, in both, makes the two runtimes agree and
 * refuses a key under which anyone could sign.
 */
import { ed25519 } from '@noble/curves/ed25519';

/**
 * Throws when `raw` is not a usable Ed25519 public key (32 bytes, canonical, not of small order).
 *
 * @example
 * assertUsableEd25519Key(publicKeyRaw) // no throw for a real key
 */
export function assertUsableEd25519Key(raw: Uint8Array): void {
  if (raw.length !== 32) throw new Error('Ed25519 public key must be 32 bytes');
  // zip215 = false: the strict RFC 8032 decoding, which refuses y ≥ p.
  const point = ed25519.Point.fromHex(raw, false);
  if (point.isSmallOrder()) throw new Error('Ed25519 public key is of small order');
}
