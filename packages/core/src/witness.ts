/**
 * Witness cosignatures, runtime-neutral (the verifier's import graph): C2SP signed-note verifier keys
 * (vkeys), `cosignature/v1` (tlog-cosignature, Ed25519, signature type 0x04) verification, and the
 * tlog-witness `add-checkpoint` request body. Signing a cosignature needs a private key and lives in
 * `signing.ts` (`cosignCheckpoint`).
 *
 * Specs: https://c2sp.org/signed-note, https://c2sp.org/tlog-cosignature, https://c2sp.org/tlog-witness.
 */
import { toHex } from '#crypto';
import { equalBytes } from './merkle.js';
import {
  ALG_ED25519,
  base64ToBytes,
  bytesToBase64,
  noteKeyId,
  publicKeyFromDidKey,
  splitNote,
  verifyBytes,
} from './notes.js';

/** The signed-note signature type of timestamped Ed25519 checkpoint cosignatures (tlog-cosignature). */
export const ALG_COSIGNATURE_V1 = 0x04;

/** tlog-witness: a client must not send more proof lines than this. */
export const MAX_PROOF_LINES = 63;

/** A parsed signed-note verifier key: `<name>+<hex key id>+<base64(type ‖ public key)>`. */
export interface NoteVerifierKey {
  name: string;
  /** The 4-byte key id. */
  keyId: Uint8Array;
  /** The signature type byte (0x01 Ed25519 note signatures, 0x04 cosignature/v1). */
  type: number;
  /** The 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** The vkey string itself. */
  vkey: string;
}

/** Key names must be non-empty with no Unicode space and no `+` (signed-note). */
function checkKeyName(name: string): void {
  if (name === '' || /[\s+]/u.test(name))
    throw new Error(`key name ${JSON.stringify(name)} is empty or has a space or +`);
}

/**
 * The vkey of an Ed25519 key for signature type `type` (0x04: a witness's cosigning key).
 *
 * @example
 * formatVerifierKey('witness.example/w1', publicKey) // 'witness.example/w1+1a2b3c4d+BH…'
 */
export function formatVerifierKey(name: string, publicKey: Uint8Array, type = ALG_COSIGNATURE_V1): string {
  checkKeyName(name);
  if (publicKey.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return `${name}+${toHex(noteKeyId(name, type, publicKey))}+${bytesToBase64(Uint8Array.of(type, ...publicKey))}`;
}

/**
 * Parses a vkey of an Ed25519 note key (type 0x01) or cosignature/v1 key (type 0x04); throws when it
 * is malformed or its key id does not match its name and key (the spec: they MUST match).
 *
 * @example
 * parseVerifierKey('witness.example/w1+1a2b3c4d+BH…').type // 4
 */
export function parseVerifierKey(vkey: string): NoteVerifierKey {
  // The name and id have no '+'; the base64 key may (it is in the base64 alphabet).
  const m = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey);
  if (!m) throw new Error('a verifier key is <name>+<key id hex>+<base64 key>');
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new Error('the key id of a verifier key is 8 lowercase hex digits');
  let material: Uint8Array;
  try {
    material = base64ToBytes(keyB64);
  } catch {
    throw new Error('the key of a verifier key is not base64');
  }
  const type = material[0] ?? -1;
  if (type !== ALG_ED25519 && type !== ALG_COSIGNATURE_V1) {
    throw new Error(`verifier key type 0x${type.toString(16)} is not supported (0x01 Ed25519, 0x04 cosignature/v1)`);
  }
  const publicKey = material.subarray(1);
  if (publicKey.length !== 32) throw new Error('an Ed25519 verifier key carries 32 bytes of key');
  const keyId = noteKeyId(name, type, publicKey);
  if (toHex(keyId) !== idHex) throw new Error('the key id of the verifier key does not match its name and key');
  return { name, keyId, type, publicKey, vkey };
}

/**
 * A witness key from a vkey of type 0x04 (what `humanos witness` prints); throws for any other.
 *
 * @example
 * parseWitnessKey(vkey).name // 'witness.example/w1'
 */
export function parseWitnessKey(vkey: string): NoteVerifierKey {
  const k = parseVerifierKey(vkey.trim());
  if (k.type !== ALG_COSIGNATURE_V1) throw new Error('a witness key is a cosignature/v1 vkey (type 0x04)');
  return k;
}

/** A log's checkpoint key: a note vkey (type 0x01, named by the origin) or `did:key` with an origin. */
export function parseLogKey(origin: string, key: string): NoteVerifierKey {
  if (key.startsWith('did:key:')) {
    const publicKey = publicKeyFromDidKey(key);
    return parseVerifierKey(formatVerifierKey(origin, publicKey, ALG_ED25519));
  }
  const k = parseVerifierKey(key);
  if (k.type !== ALG_ED25519) throw new Error('a log key is an Ed25519 note vkey (type 0x01)');
  if (k.name !== origin) throw new Error(`the log key is named ${k.name}, not the origin ${origin}`);
  return k;
}

/**
 * The message a cosignature/v1 signs: `cosignature/v1\ntime <t>\n` then the checkpoint's whole note
 * text (extension lines included, signature lines not).
 *
 * @example
 * cosignatureMessage('example.com/log\n1\nAAAA…=\n', 1679315147)
 */
export function cosignatureMessage(noteText: string, time: number): string {
  if (!Number.isSafeInteger(time) || time < 0) throw new Error('a cosignature time is a non-negative integer');
  return `cosignature/v1\ntime ${time}\n${noteText}`;
}

/** The signature blob of a cosignature line: key id(4) ‖ timestamp(8, big-endian) ‖ Ed25519 signature(64). */
export function cosignatureBlob(keyId: Uint8Array, time: number, signature: Uint8Array): string {
  const blob = new Uint8Array(76);
  blob.set(keyId, 0);
  new DataView(blob.buffer).setBigUint64(4, BigInt(time));
  blob.set(signature, 12);
  return bytesToBase64(blob);
}

/** What a note's cosignatures by a set of witnesses say. */
export interface CosignatureCheck {
  /** The witnesses (their vkeys) with a valid cosignature, and its time. */
  valid: Map<string, number>;
  /** Witnesses with a line matching their name and key id that does not verify (a malformed note). */
  invalid: string[];
}

/**
 * Checks the cosignature lines of a checkpoint note against `witnesses`; lines by other keys are
 * ignored, as the spec says. A time beyond 2^63−1 (or not a safe integer here) is invalid.
 *
 * @example
 * const { valid } = checkCosignatures(note, [parseWitnessKey(vkey)]);
 * valid.size >= quorum
 */
export function checkCosignatures(note: string, witnesses: readonly NoteVerifierKey[]): CosignatureCheck {
  const { text, signatures } = splitNote(note);
  const valid = new Map<string, number>();
  const invalid: string[] = [];
  for (const w of witnesses) {
    for (const s of signatures) {
      if (s.name !== w.name || s.blob.length < 4 || !equalBytes(s.blob.subarray(0, 4), w.keyId)) continue;
      const time = s.blob.length === 76 ? new DataView(s.blob.buffer, s.blob.byteOffset).getBigUint64(4) : -1n;
      const ok =
        time >= 0n &&
        time <= BigInt(Number.MAX_SAFE_INTEGER) &&
        verifyBytes(w.publicKey, cosignatureMessage(text, Number(time)), s.blob.subarray(12));
      if (ok) valid.set(w.vkey, Number(time));
      else invalid.push(w.vkey);
    }
  }
  return { valid, invalid };
}

/** The body of a tlog-witness `add-checkpoint` request. */
export interface AddCheckpointRequest {
  oldSize: number;
  /** The consistency proof from `oldSize` to the checkpoint's size (RFC 6962 §2.1.2), hash by hash. */
  proof: Uint8Array[];
  /** The signed checkpoint note. */
  checkpoint: string;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A size as tlog encodes it (decimal, no leading zeroes); throws for anything else. */
export function parseTlogSize(text: string): number {
  const n = Number(text);
  if (!DECIMAL.test(text) || !Number.isSafeInteger(n)) throw new Error(`not a tree size: ${JSON.stringify(text)}`);
  return n;
}

/**
 * Parses an `add-checkpoint` body: `old <size>\n`, up to 63 base64 hash lines, an empty line, then
 * the checkpoint note. Throws (a 400 for the witness) when it is malformed.
 *
 * @example
 * parseAddCheckpoint('old 0\n\nexample.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— …\n')
 */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const lines = body.split('\n');
  const first = /^old (\S+)$/.exec(lines[0] ?? '');
  if (!first) throw new Error('the body must start with an "old <size>" line');
  const oldSize = parseTlogSize(first[1] as string);
  const proof: Uint8Array[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    if (proof.length === MAX_PROOF_LINES) throw new Error(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    let h: Uint8Array;
    try {
      h = base64ToBytes(lines[i] as string);
    } catch {
      throw new Error(`proof line ${i} is not base64`);
    }
    if (h.length !== 32) throw new Error(`proof line ${i} is not a 32-byte hash`);
    proof.push(h);
  }
  if (i >= lines.length) throw new Error('no empty line before the checkpoint');
  const checkpoint = lines.slice(i + 1).join('\n');
  if (checkpoint === '' || !checkpoint.endsWith('\n')) throw new Error('the checkpoint must end with a newline');
  return { oldSize, proof, checkpoint };
}

/**
 * Formats an `add-checkpoint` body (the inverse of `parseAddCheckpoint`).
 *
 * @example
 * formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note })
 */
export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  if (req.proof.length > MAX_PROOF_LINES) throw new Error(`more than ${MAX_PROOF_LINES} consistency proof lines`);
  return `old ${req.oldSize}\n${req.proof.map((h) => `${bytesToBase64(h)}\n`).join('')}\n${req.checkpoint}`;
}
