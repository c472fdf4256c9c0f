/**
 * The verifying half of signatures, runtime-neutral (Node and browsers, through `#crypto`): Ed25519
 * verification, `did:key` names, hex and base64, and signed notes (the checkpoint format of
 * golang.org/x/mod/sumdb/note and C2SP tlog-checkpoint). Signing needs a private key and stays in
 * `signing.ts`, on `node:crypto`, outside the verifier's import graph.
 */
import { fromBase64, fromHex, sha256, toBase64, toHex, verifyEd25519 } from '#crypto';
import { equalBytes } from './merkle.js';

/** The note ecosystem's algorithm byte for Ed25519. */
export const ALG_ED25519 = 0x01;

/** Ed25519 verification of `data` (a string as UTF-8); false for a bad or malformed signature or key. */
export function verifyBytes(publicKey: Uint8Array, data: Uint8Array | string, signature: Uint8Array): boolean {
  return verifyEd25519(publicKey, data, signature);
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes: Uint8Array): string {
  let n = BigInt(`0x${toHex(bytes) || '0'}`);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

function unbase58btc(s: string): Uint8Array {
  let n = 0n;
  for (const c of s) {
    const v = B58.indexOf(c);
    if (v < 0) throw new Error('not base58btc');
    n = n * 58n + BigInt(v);
  }
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const body = n === 0n ? [] : [...fromHex(hex)];
  const zeros = s.length - s.replace(/^1+/, '').length;
  return Uint8Array.from([...new Array(zeros).fill(0), ...body]);
}

/** `did:key:z6Mk…` for an Ed25519 public key (multicodec 0xed01, base58btc). */
export function didKeyFromPublicKey(raw: Uint8Array): string {
  return `did:key:z${base58btc(Uint8Array.from([0xed, 0x01, ...raw]))}`;
}

export function publicKeyFromDidKey(did: string): Uint8Array {
  if (!did.startsWith('did:key:z')) throw new Error('not a did:key');
  const bytes = unbase58btc(did.slice('did:key:z'.length));
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) throw new Error('not an Ed25519 did:key');
  return bytes.subarray(2);
}

export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error('not hex');
  return fromHex(h);
}

export function bytesToHex(bytes: Uint8Array, prefix = ''): string {
  return prefix + toHex(bytes);
}

// Canonical, padded standard base64 only: Node's decoder skips characters it does not know and a
// browser's throws, so anything else is refused before decoding, the same in every runtime.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The bytes of padded standard base64; throws for anything else (URL-safe, unpadded, stray characters).
 *
 * @example
 * base64ToBytes('AAE=') // Uint8Array [0, 1]
 */
export function base64ToBytes(text: string): Uint8Array {
  if (!BASE64.test(text)) throw new Error('not base64');
  return fromBase64(text);
}

export function bytesToBase64(bytes: Uint8Array): string {
  return toBase64(bytes);
}

// ---- signed notes -------------------------------------------------------------------------------

/**
 * The key id of signed-note: SHA-256(name ‖ "\n" ‖ type ‖ public key)[:4].
 *
 * @example
 * noteKeyId('witness.example/w1', 0x04, publicKey) // 4 bytes
 */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  return sha256(`${name}\n`, Uint8Array.of(type), publicKey).subarray(0, 4);
}

/** The 4-byte key hash a note's Ed25519 signature line starts with (type 0x01). */
export function noteKeyHash(name: string, publicKey: Uint8Array): Uint8Array {
  return noteKeyId(name, ALG_ED25519, publicKey);
}

/** One signature line of a note: its key name and decoded blob (empty when not canonical base64). */
export interface NoteSignature {
  name: string;
  blob: Uint8Array;
  line: string;
}

/**
 * A note's text (up to and including the newline before the last blank line) and its signature
 * lines; lines that are not `— <name> <base64>` come back with an empty name and blob.
 *
 * @example
 * splitNote(note).signatures.map((s) => s.name)
 */
export function splitNote(note: string): { text: string; signatures: NoteSignature[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note has no signature block');
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      return m
        ? { name: m[1] as string, blob: base64OrEmpty(m[2] as string), line }
        : { name: '', blob: new Uint8Array(), line };
    });
  return { text: note.slice(0, split + 1), signatures };
}

/** The verifier key string of the note ecosystem: `<name>+<hex keyhash>+<base64(alg‖key)>`. */
export function noteVerifierKey(name: string, publicKey: Uint8Array): string {
  const hash = toHex(noteKeyHash(name, publicKey));
  const key = toBase64(Uint8Array.from([ALG_ED25519, ...publicKey]));
  return `${name}+${hash}+${key}`;
}

/**
 * A small memo of the last seen results: a checkpoint is re-opened by every execution of its batch
 * (issue 12). Results are pure functions of the inputs.
 */
function memo<V>(limit: number): { get(k: string): V | undefined; set(k: string, v: V): void } {
  const m = new Map<string, V>();
  return {
    get: (k) => m.get(k),
    set(k, v) {
      if (m.size >= limit) m.delete(m.keys().next().value as string);
      m.set(k, v);
    },
  };
}

/** Notes already found signed, by (name, key, note). */
const openedNotes = memo<string>(256);

/** Returns the note text when one of its signatures is `name`'s valid signature; otherwise throws. */
export function openNote(note: string, name: string, publicKey: Uint8Array): string {
  const memoKey = `${name}\u0000${bytesToHex(publicKey)}\u0000${note}`;
  const known = openedNotes.get(memoKey);
  if (known !== undefined) return known;
  const text = verifiedNoteText(note, name, publicKey);
  openedNotes.set(memoKey, text);
  return text;
}

function verifiedNoteText(note: string, name: string, publicKey: Uint8Array): string {
  const { text, signatures } = splitNote(note);
  const want = noteKeyHash(name, publicKey);
  // Why each candidate line failed, so a rejection says which check it was.
  const seen: string[] = [];
  for (const { name: signer, blob } of signatures) {
    if (signer === '') seen.push('a malformed signature line');
    else if (signer !== name) seen.push(`a signature by ${signer}`);
    else if (blob.length !== 68) seen.push(`a signature of ${blob.length} bytes`);
    else if (!equalBytes(want, blob.subarray(0, 4))) seen.push('a signature by another key');
    else if (verifyBytes(publicKey, text, blob.subarray(4))) return text;
    else seen.push('a signature that does not verify');
  }
  throw new Error(`note carries no valid signature by ${name} (${seen.join(', ') || 'no signature lines'})`);
}

/** Base64 from a note; text that is not canonical base64 decodes to nothing (and is refused by length). */
function base64OrEmpty(text: string): Uint8Array {
  try {
    return base64ToBytes(text);
  } catch {
    return new Uint8Array();
  }
}

export interface Checkpoint {
  origin: string;
  size: number;
  /** Root hash, base64 (as in the note body). */
  rootHash: string;
  /**
   * Extension lines after the root (C2SP tlog-checkpoint), signed with the rest; HumanOS puts its
   * task-heads root here (`humanos-task-heads <T> <base64 root>`, see taskheads.ts).
   */
  extensions?: string[];
}

export function checkpointText(c: Checkpoint): string {
  for (const line of c.extensions ?? []) {
    if (line === '' || line.includes('\n')) throw new Error('a checkpoint extension line must be one non-empty line');
  }
  return [c.origin, String(c.size), c.rootHash, ...(c.extensions ?? [])].map((l) => `${l}\n`).join('');
}

/** Verifies a signed checkpoint and returns its body; throws when the signature or format is wrong. */
export function openCheckpoint(note: string, origin: string, publicKey: Uint8Array): Checkpoint {
  const text = openNote(note, origin, publicKey);
  const lines = text.split('\n');
  if (lines[0] !== origin) throw new Error(`checkpoint origin is ${lines[0]}, want ${origin}`);
  const size = Number(lines[1]);
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1] ?? '') || !Number.isSafeInteger(size)) throw new Error('bad checkpoint size');
  const root = lines[2] ?? '';
  if (base64OrEmpty(root).length !== 32) throw new Error('bad checkpoint root');
  // The text ends with a newline, so the last split element is empty; everything between is extensions.
  return { origin, size, rootHash: root, extensions: lines.slice(3, -1) };
}
