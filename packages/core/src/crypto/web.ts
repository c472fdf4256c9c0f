/**
 * The `#crypto` primitives for browsers and every runtime without `node:crypto`: the same API as
 * `node.ts`, on the audited pure-JS `@noble/hashes` (SHA-256) and `@noble/curves` (Ed25519). It is
 * synchronous, which WebCrypto is not, so the verifier keeps one synchronous API everywhere.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { assertUsableEd25519Key } from './ed25519key.js';

/**
 * SHA-256 of the concatenation of `parts` (strings as UTF-8).
 *
 * @example
 * toHex(sha256('ab', Uint8Array.of(0x63))) === toHex(sha256('abc'))
 */
export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(typeof p === 'string' ? utf8ToBytes(p) : p);
  return h.digest();
}

/**
 * Lower-case hex SHA-256 of `data` (a string as UTF-8).
 *
 * @example
 * sha256Hex('abc') // 'ba7816bf…'
 */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(sha256(data));
}

/**
 * Ed25519 verification, strict RFC 8032 / FIPS 186-5 (`zip215: false`: non-canonical encodings and
 * S ≥ L refused, as OpenSSL on Node), under a key `assertUsableEd25519Key` accepts (as on Node);
 * false, never a throw, for a bad signature or key. One difference remains: noble checks the
 * cofactored equation and OpenSSL the cofactorless one, so a signature whose R has a small-order
 * component (which only the key's holder can make) verifies here and not on Node.
 *
 * @example
 * verifyEd25519(publicKeyRaw, 'hello', signature) // true or false
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array | string, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    assertUsableEd25519Key(publicKey);
    const msg = typeof message === 'string' ? utf8ToBytes(message) : message;
    return ed25519.verify(signature, msg, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** Bytes of even-length hex the caller has checked (`hexToBytes` in notes.ts does). */
export function fromHex(hex: string): Uint8Array {
  return hexToBytes(hex);
}

/** Standard, padded base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  // Chunked: String.fromCharCode(...all) overflows the stack for large inputs.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Bytes of base64 the caller has checked to be canonical (`base64ToBytes` in notes.ts does). */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
