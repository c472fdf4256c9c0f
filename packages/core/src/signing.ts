/**
 * Ed25519 keys, signatures, `did:key` names and signed notes (the checkpoint format of
 * golang.org/x/mod/sumdb/note and C2SP tlog-checkpoint), all on `node:crypto`.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ALG_ED25519 = 0x01;

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

/**
 * A small memo of the last seen results: the server verifies its own decision signatures and
 * checkpoints on every execution (issue 12), and building a KeyObject from raw bytes cost as much as
 * the verification itself (≈ 7 % of a lifecycle's CPU). Results are pure functions of the inputs.
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

const publicKeys = memo<KeyObject>(64);

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error('Ed25519 public key must be 32 bytes');
  const hex = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  const cached = publicKeys.get(hex);
  if (cached) return cached;
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  publicKeys.set(hex, key);
  return key;
}

export function signBytes(key: SigningKey, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(sign(null, typeof data === 'string' ? Buffer.from(data) : data, key.privateKey));
}

export function verifyBytes(publicKey: Uint8Array, data: Uint8Array | string, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data) : data, publicKeyFromRaw(publicKey), signature);
  } catch {
    return false;
  }
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
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
  const body = n === 0n ? [] : [...Buffer.from(hex, 'hex')];
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
  return new Uint8Array(Buffer.from(h, 'hex'));
}

export function bytesToHex(bytes: Uint8Array, prefix = ''): string {
  // A view, not Buffer.from(bytes), which would copy: this runs for every entry a verifier reads.
  return prefix + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

// ---- signed notes -------------------------------------------------------------------------------

function noteKeyHash(name: string, publicKey: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(`${name}\n`).update(Uint8Array.of(ALG_ED25519)).update(publicKey).digest();
  return new Uint8Array(h.subarray(0, 4));
}

/** The verifier key string of the note ecosystem: `<name>+<hex keyhash>+<base64(alg‖key)>`. */
export function noteVerifierKey(name: string, publicKey: Uint8Array): string {
  const hash = Buffer.from(noteKeyHash(name, publicKey)).toString('hex');
  const key = Buffer.from(Uint8Array.from([ALG_ED25519, ...publicKey])).toString('base64');
  return `${name}+${hash}+${key}`;
}

/** Signs `text` (which must end in a newline) as a note by key `name`. */
export function signNote(text: string, name: string, key: SigningKey): string {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const sig = signBytes(key, text);
  const blob = Buffer.concat([noteKeyHash(name, key.publicKeyRaw), sig]).toString('base64');
  return `${text}\n\u2014 ${name} ${blob}\n`;
}

/** Notes already found signed, by (name, key, note): a checkpoint is re-opened by every execution of its batch. */
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
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note has no signature block');
  const text = note.slice(0, split + 1);
  const sigLines = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l.length > 0);
  const want = noteKeyHash(name, publicKey);
  // Why each candidate line failed, so a rejection says which check it was.
  const seen: string[] = [];
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) {
      seen.push('a malformed signature line');
      continue;
    }
    if (m[1] !== name) {
      seen.push(`a signature by ${m[1]}`);
      continue;
    }
    const blob = Buffer.from(m[2] as string, 'base64');
    if (blob.length !== 68) seen.push(`a signature of ${blob.length} bytes`);
    else if (!Buffer.from(want).equals(blob.subarray(0, 4))) seen.push('a signature by another key');
    else if (verifyBytes(publicKey, text, blob.subarray(4))) return text;
    else seen.push('a signature that does not verify');
  }
  throw new Error(`note carries no valid signature by ${name} (${seen.join(', ') || 'no signature lines'})`);
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

export function signCheckpoint(c: Checkpoint, key: SigningKey): string {
  return signNote(checkpointText(c), c.origin, key);
}

/** Verifies a signed checkpoint and returns its body; throws when the signature or format is wrong. */
export function openCheckpoint(note: string, origin: string, publicKey: Uint8Array): Checkpoint {
  const text = openNote(note, origin, publicKey);
  const lines = text.split('\n');
  if (lines[0] !== origin) throw new Error(`checkpoint origin is ${lines[0]}, want ${origin}`);
  const size = Number(lines[1]);
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1] ?? '') || !Number.isSafeInteger(size)) throw new Error('bad checkpoint size');
  const root = lines[2] ?? '';
  if (Buffer.from(root, 'base64').length !== 32) throw new Error('bad checkpoint root');
  // The text ends with a newline, so the last split element is empty; everything between is extensions.
  return { origin, size, rootHash: root, extensions: lines.slice(3, -1) };
}
