/**
 * Ed25519 signing keys and what is signed with them (signatures, signed notes and checkpoints,
 * decision records), on `node:crypto`: Node-only, since it holds private keys. Everything a verifier
 * needs is in `notes.ts`, which runs in browsers too.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { publicKeyFromRaw, rememberSigned } from './crypto/node.js';
import { keyRotationMessage } from './keychain.js';
import type { DecisionRecord } from './ledger.js';
import { bytesToHex, type Checkpoint, checkpointText, didKeyFromPublicKey, noteKeyHash, noteKeyId } from './notes.js';
import { ALG_COSIGNATURE_V1, cosignatureBlob, cosignatureMessage } from './witness.js';

export { publicKeyFromRaw };

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Raw 32-byte public key. */
  readonly publicKeyRaw: Uint8Array;
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFromPrivate(privateKey);
}

export function signingKeyFromPem(pem: string): SigningKey {
  return signingKeyFromPrivate(createPrivateKey(pem));
}

export function signingKeyToPem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function signingKeyFromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyRaw: rawPublicKey(publicKey) };
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

export function signBytes(key: SigningKey, data: Uint8Array | string): Uint8Array {
  const signature = new Uint8Array(sign(null, typeof data === 'string' ? Buffer.from(data) : data, key.privateKey));
  // This process verifies much of what it signs (decision records and checkpoints, at each execution).
  rememberSigned(key.publicKeyRaw, data, signature);
  return signature;
}

/** Signs `text` (which must end in a newline) as a note by key `name`. */
export function signNote(text: string, name: string, key: SigningKey): string {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const sig = signBytes(key, text);
  const blob = Buffer.concat([noteKeyHash(name, key.publicKeyRaw), sig]).toString('base64');
  return `${text}\n\u2014 ${name} ${blob}\n`;
}

export function signCheckpoint(c: Checkpoint, key: SigningKey): string {
  return signNote(checkpointText(c), c.origin, key);
}

/** `0x`-hex Ed25519 signature over the canonical decision record (`verifyDecisionSignature` checks it). */
export function signDecision(record: DecisionRecord, key: SigningKey): string {
  return bytesToHex(signBytes(key, canonicalJson(record)), '0x');
}

/**
 * A witness's cosignature/v1 line over a checkpoint's note text (C2SP tlog-cosignature): key id ‖
 * big-endian timestamp ‖ Ed25519 signature of `cosignature/v1\ntime <t>\n<text>`.
 *
 * @example
 * const line = cosignCheckpoint(splitNote(note).text, 'witness.example/w1', key, Math.floor(Date.now() / 1000));
 * const cosigned = note + line;
 */
export function cosignCheckpoint(noteText: string, name: string, key: SigningKey, time: number): string {
  const sig = signBytes(key, cosignatureMessage(noteText, time));
  return `\u2014 ${name} ${cosignatureBlob(noteKeyId(name, ALG_COSIGNATURE_V1, key.publicKeyRaw), time, sig)}\n`;
}

/**
 * The `data` of a `ledger.key_rotated` entry: the previous key hands the log of `origin` over to
 * `next` (keychain.ts says what is signed).
 *
 * @example
 * const data = signKeyRotation(origin, oldKey, newKey);
 */
export function signKeyRotation(
  origin: string,
  previous: SigningKey,
  next: SigningKey,
): { previous: string; next: string; signature: string } {
  const p = didKeyFromPublicKey(previous.publicKeyRaw);
  const n = didKeyFromPublicKey(next.publicKeyRaw);
  return { previous: p, next: n, signature: bytesToHex(signBytes(previous, keyRotationMessage(origin, p, n)), '0x') };
}

/**
 * Adds `key`'s signature line (as `name`) to a signed note, after the lines it has: the checkpoint
 * that seals a key rotation carries the previous key's signature and the next key's, so a client
 * that only knows the current key can still check the latest checkpoint.
 *
 * @example
 * const both = cosignNote(signCheckpoint(cp, oldKey), cp.origin, newKey);
 */
export function cosignNote(note: string, name: string, key: SigningKey): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note has no signature block');
  const text = note.slice(0, split + 1);
  const line = signNote(text, name, key).slice(text.length + 1);
  return `${note.endsWith('\n') ? note : `${note}\n`}${line}`;
}
