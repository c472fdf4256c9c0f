/**
 * Ledger verification in the browser, on WebCrypto only (SHA-256 via `crypto.subtle.digest`, Ed25519
 * via `crypto.subtle.verify`), against the key the server publishes (`GET /ledger/public-key`). The
 * same checks as core's `verifyLedger` and docs/ledger.md: RFC 6962 leaves and roots, signed-note
 * checkpoints, decision signatures over RFC 8785 canonical JSON, inclusion proofs.
 */
import canonicalize from 'canonicalize';

const enc = new TextEncoder();

export async function sha256(...parts: (Uint8Array | string)[]): Promise<Uint8Array> {
  const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error('not hex');
  return Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

export function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function base64ToBytes(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

export function bytesToBase64(b: Uint8Array): string {
  return btoa(String.fromCharCode(...b));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** The raw 32-byte Ed25519 key of a `did:key:z6Mk…` (multicodec 0xed01, base58btc). */
export function publicKeyFromDidKey(did: string): Uint8Array {
  if (!did.startsWith('did:key:z')) throw new Error('not a did:key');
  const s = did.slice('did:key:z'.length);
  let n = 0n;
  for (const c of s) {
    const v = B58.indexOf(c);
    if (v < 0) throw new Error('not base58btc');
    n = n * 58n + BigInt(v);
  }
  const hex = n.toString(16);
  const body = n === 0n ? new Uint8Array() : hexToBytes(hex.length % 2 ? `0${hex}` : hex);
  const zeros = s.length - s.replace(/^1+/, '').length;
  const bytes = new Uint8Array([...new Array<number>(zeros).fill(0), ...body]);
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) throw new Error('not an Ed25519 did:key');
  return bytes.subarray(2);
}

const keys = new Map<string, Promise<CryptoKey>>();

/** Ed25519 over WebCrypto; false (never a throw) for a wrong or malformed signature. */
export async function verifyEd25519(
  publicKey: Uint8Array,
  data: Uint8Array | string,
  sig: Uint8Array,
): Promise<boolean> {
  if (sig.length !== 64) return false;
  const id = bytesToHex(publicKey);
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
    keys.set(id, key);
  }
  try {
    const bytes = (typeof data === 'string' ? enc.encode(data) : data) as Uint8Array<ArrayBuffer>;
    return await crypto.subtle.verify({ name: 'Ed25519' }, await key, sig as Uint8Array<ArrayBuffer>, bytes);
  } catch {
    return false;
  }
}

/** RFC 8785 canonical JSON (what decisions are signed over). */
export function canonicalJson(v: unknown): string {
  const s = canonicalize(v);
  if (s === undefined) throw new Error('value cannot be canonicalized');
  return s;
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** The task-heads root its `humanos-task-heads <T> <base64 root>` extension line signs (none before them). */
  heads?: { size: number; root: Uint8Array };
}

/** The task-heads root among a checkpoint's extension lines (core `taskHeadsFromExtensions`). */
function taskHeadsOf(extensions: string[]): Checkpoint['heads'] {
  let found: Checkpoint['heads'];
  for (const line of extensions) {
    if (!line.startsWith('humanos-task-heads ')) continue;
    const m = /^humanos-task-heads (0|[1-9][0-9]*) ([A-Za-z0-9+/]{43}=)$/.exec(line);
    if (!m || found) throw new Error(m ? 'two task-heads lines' : 'bad task-heads line');
    found = { size: Number(m[1]), root: base64ToBytes(m[2] as string) };
  }
  return found;
}

/**
 * Verifies a signed note checkpoint (C2SP tlog-checkpoint) by `origin`'s key and returns its body;
 * throws with the reason otherwise.
 */
export async function openCheckpoint(note: string, origin: string, publicKey: Uint8Array): Promise<Checkpoint> {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('the checkpoint has no signature block');
  const text = note.slice(0, split + 1);
  const keyHash = (await sha256(`${origin}\n`, Uint8Array.of(1), publicKey)).subarray(0, 4);
  let ok = false;
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m || m[1] !== origin) continue;
    const blob = base64ToBytes(m[2] as string);
    if (blob.length !== 68 || !equal(blob.subarray(0, 4), keyHash)) continue;
    if (await verifyEd25519(publicKey, text, blob.subarray(4))) ok = true;
  }
  if (!ok) throw new Error(`the checkpoint carries no valid signature by ${origin}`);
  const [o, size, root, ...rest] = text.split('\n');
  if (o !== origin) throw new Error(`the checkpoint's origin is ${o}, want ${origin}`);
  if (!/^(0|[1-9][0-9]*)$/.test(size ?? '')) throw new Error('bad checkpoint size');
  const rootBytes = base64ToBytes(root ?? '');
  if (rootBytes.length !== 32) throw new Error('bad checkpoint root');
  // The text ends with a newline: the last element is empty, the ones before it are extensions.
  const heads = taskHeadsOf(rest.slice(0, -1));
  return { origin, size: Number(size), root: rootBytes, ...(heads ? { heads } : {}) };
}

export const leafHash = (entry: string): Promise<Uint8Array> => sha256(Uint8Array.of(0), entry);
const nodeHash = (l: Uint8Array, r: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(1), l, r);

/**
 * The task-heads map recomputed from a log's entries (core `taskheads.ts`): per task a running hash
 * over its entries' leaves and their count, at the position of its first entry, under an RFC 6962
 * tree whose root every checkpoint signs. Leaves are set when the root is asked for.
 */
export class TaskHeads {
  private readonly heads = new Map<string, { pos: number; count: number; acc: Uint8Array }>();
  private readonly levels: Uint8Array[][] = [[]];
  private readonly dirty = new Map<number, string>();

  async add(taskId: string, leaf: Uint8Array): Promise<void> {
    const h = this.heads.get(taskId) ?? { pos: this.heads.size, count: 0, acc: new Uint8Array(32) };
    h.count += 1;
    h.acc = await sha256(h.acc, leaf);
    this.heads.set(taskId, h);
    this.dirty.set(h.pos, taskId);
  }

  private async set(pos: number, leaf: Uint8Array): Promise<void> {
    const leaves = this.levels[0] as Uint8Array[];
    leaves[pos] = leaf;
    for (let level = 1, idx = pos >> 1; (idx + 1) * 2 ** level <= leaves.length; level++, idx >>= 1) {
      const below = this.levels[level - 1] as Uint8Array[];
      if (!this.levels[level]) this.levels[level] = [];
      (this.levels[level] as Uint8Array[])[idx] = await nodeHash(
        below[2 * idx] as Uint8Array,
        below[2 * idx + 1] as Uint8Array,
      );
    }
  }

  private async range(start: number, end: number): Promise<Uint8Array> {
    const n = end - start;
    if ((n & (n - 1)) === 0 && start % n === 0)
      return (this.levels[Math.log2(n)] as Uint8Array[])[start / n] as Uint8Array;
    let k = 1;
    while (k * 2 < n) k *= 2;
    return nodeHash(await this.range(start, start + k), await this.range(start + k, end));
  }

  async root(): Promise<{ size: number; root: Uint8Array }> {
    for (const pos of [...this.dirty.keys()].sort((a, b) => a - b)) {
      const taskId = this.dirty.get(pos) as string;
      const h = this.heads.get(taskId) as { count: number; acc: Uint8Array };
      await this.set(pos, await leafHash(canonicalJson({ acc: bytesToHex(h.acc), count: h.count, taskId })));
    }
    this.dirty.clear();
    const size = (this.levels[0] as Uint8Array[]).length;
    return { size, root: size === 0 ? await sha256() : await this.range(0, size) };
  }
}

/** The root implied by an RFC 6962 / RFC 9162 inclusion proof. */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
): Promise<Uint8Array> {
  if (index < 0 || index >= size) throw new Error(`index ${index} is outside a tree of ${size}`);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error('the inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else r = await nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('the inclusion proof is too short');
  return r;
}

/** Perfect subtrees of the leaves so far (largest first): the RFC 6962 root of any prefix size. */
export class Frontier {
  private stack: { height: number; hash: Uint8Array }[] = [];
  size = 0;

  async append(leaf: Uint8Array): Promise<void> {
    let node = { height: 0, hash: leaf };
    while (this.stack.length && (this.stack[this.stack.length - 1] as { height: number }).height === node.height) {
      const left = this.stack.pop() as { height: number; hash: Uint8Array };
      node = { height: node.height + 1, hash: await nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
    this.size += 1;
  }

  async root(): Promise<Uint8Array> {
    if (this.stack.length === 0) return sha256();
    let r = (this.stack[this.stack.length - 1] as { hash: Uint8Array }).hash;
    for (let i = this.stack.length - 2; i >= 0; i--)
      r = await nodeHash((this.stack[i] as { hash: Uint8Array }).hash, r);
    return r;
  }
}

/** The signed statement inside an `approval.decided` entry. */
export interface DecisionRecord {
  approvalId: string;
  taskId: string;
  decidedBy: string;
  verdict: string;
  payloadDigest: string;
  [k: string]: unknown;
}

export async function verifyDecision(
  record: DecisionRecord,
  signature: string,
  publicKey: Uint8Array,
): Promise<boolean> {
  try {
    return await verifyEd25519(publicKey, canonicalJson(record), hexToBytes(signature));
  } catch {
    return false;
  }
}
