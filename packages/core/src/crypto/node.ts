/**
 * The `#crypto` primitives on Node (`node:crypto` and `Buffer`, both native): what core's package.json
 * maps `#crypto` to under the `node` condition. The server appends and verifies on this path, so it
 * stays on OpenSSL; `web.ts` is the same API on audited pure-JS code for browsers. Everything here is
 * synchronous, so the verifier built on it is too, in either runtime.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { assertUsableEd25519Key } from './ed25519key.js';

/**
 * `crypto.hash` (Node ≥ 20.12; the engines allow 20.11, which lacks it): a one-shot digest without a
 * Hash object, ≈ 3× faster than `createHash` for one short input — payload digests, leaf hashes and
 * token hashes run many times per request.
 */
const oneShot = (
  nodeCrypto as { hash?: (algorithm: string, data: Uint8Array | string, encoding: 'hex' | 'buffer') => string | Buffer }
).hash;

/**
 * SHA-256 of the concatenation of `parts` (strings as UTF-8), fed to one hash without concatenating
 * them first.
 *
 * @example
 * toHex(sha256('ab', Uint8Array.of(0x63))) === toHex(sha256('abc'))
 */
export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  if (oneShot && parts.length === 1) return oneShot('sha256', parts[0] as Uint8Array | string, 'buffer') as Buffer;
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * Lower-case hex SHA-256 of `data` (a string as UTF-8), digested to hex directly: payload digests
 * are computed on every task and decision, and the detour through bytes cost ≈ 50 % more.
 *
 * @example
 * sha256Hex('abc') // 'ba7816bf…'
 */
export function sha256Hex(data: Uint8Array | string): string {
  return oneShot ? (oneShot('sha256', data, 'hex') as string) : createHash('sha256').update(data).digest('hex');
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The last few public keys as KeyObjects: the server verifies its own decision signatures and
 * checkpoints on every execution (issue 12), and building a KeyObject from raw bytes cost as much as
 * the verification itself (≈ 7 % of a lifecycle's CPU). Results are pure functions of the inputs.
 */
const publicKeys = new Map<string, KeyObject>();
const KEY_MEMO = 64;

/** The KeyObject of a raw 32-byte Ed25519 public key; throws for another length or an unusable key. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error('Ed25519 public key must be 32 bytes');
  const hex = toHex(raw);
  const cached = publicKeys.get(hex);
  if (cached) return cached;
  // Once per key (then memoised): the decoding is pure JS, the verification stays on OpenSSL.
  assertUsableEd25519Key(raw);
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  if (publicKeys.size >= KEY_MEMO) publicKeys.delete(publicKeys.keys().next().value as string);
  publicKeys.set(hex, key);
  return key;
}

/**
 * Signatures known to verify: the last ones this process made (`rememberSigned`; not the ones it
 * verified, so that an offline verifier reading a whole log copies nothing). The server signs each
 * decision record and checkpoint, then verifies the same bytes again when it grants an execution
 * from the log (issue 12) — an Ed25519 verification each, a few per cent of a lifecycle's CPU. A hit
 * needs the same signature, the same key and the same message, byte for byte (compared, not
 * hashed): an edited row, a swapped key or a forged signature misses and is verified, and fails, as
 * before. Verification is a pure function of the three, so remembering its "true" changes no answer.
 */
const valid = new Map<string, { key: Buffer; message: Buffer }>();
const VALID_MEMO = 1024;

function asBuffer(bytes: Uint8Array | string): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function known(publicKey: Uint8Array, message: Buffer, signature: Uint8Array): boolean {
  const hit = valid.get(asBuffer(signature).toString('base64'));
  return hit?.key.equals(asBuffer(publicKey)) === true && hit.message.equals(message);
}

/**
 * Records that `signature` is `publicKey`'s valid signature of `message` (the signer calls it with
 * what it has just signed), so that verifying the same bytes later costs a comparison.
 *
 * @example
 * const signature = new Uint8Array(sign(null, Buffer.from(text), key.privateKey));
 * rememberSigned(key.publicKeyRaw, text, signature); // signBytes does this
 */
export function rememberSigned(publicKey: Uint8Array, message: Uint8Array | string, signature: Uint8Array): void {
  if (valid.size >= VALID_MEMO) valid.delete(valid.keys().next().value as string);
  // Copies: the caller may reuse its buffers.
  valid.set(asBuffer(signature).toString('base64'), {
    key: Buffer.from(publicKey),
    message: Buffer.from(asBuffer(message)),
  });
}

/**
 * Ed25519 (RFC 8032) verification; false, never a throw, for a bad signature or a malformed key.
 *
 * @example
 * verifyEd25519(publicKeyRaw, 'hello', signature) // true or false
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array | string, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const bytes = asBuffer(message);
  if (known(publicKey, bytes, signature)) return true;
  try {
    return verify(null, bytes, publicKeyFromRaw(publicKey), signature);
  } catch {
    return false;
  }
}

/** Lower-case hex of `bytes` (a view, no copy: this runs for every entry a verifier reads). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of even-length hex the caller has checked (`hexToBytes` in notes.ts does). */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Standard, padded base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Bytes of base64 the caller has checked to be canonical (`base64ToBytes` in notes.ts does). */
export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
