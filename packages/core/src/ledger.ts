/**
 * The ledger's record formats and the offline verifier.
 *
 * An entry is the RFC 8785 canonical JSON of `{v, seq, type, at, actor, taskId, approvalId?, data}`;
 * its Merkle leaf is SHA-256(0x00 ‖ entry bytes). A decision entry carries the signed decision record
 * so an auditor can check who decided what, about which payload digest, with only the public key.
 */
import { canonicalJson } from './canonical.js';
import { equalBytes, leafHash, MerkleFrontier } from './merkle.js';
import {
  bytesToHex,
  hexToBytes,
  openCheckpoint,
  publicKeyFromDidKey,
  type SigningKey,
  signBytes,
  verifyBytes,
} from './signing.js';

export const LEDGER_ENTRY_VERSION = 1;

export type LedgerEntryType =
  | 'principal.created'
  | 'task.created'
  | 'approval.requested'
  | 'approval.decided'
  | 'approval.expired'
  | 'approval.escalated'
  | 'approval.reminder'
  | 'approval.cancelled'
  | 'task.execution_started'
  | 'task.lease_expired'
  | 'task.paused'
  | 'task.resumed'
  | 'task.overridden'
  | 'task.feedback'
  | 'task.decision_auto_approved'
  | 'principal.capabilities'
  | 'principal.roles_changed'
  | 'principal.token_rotated'
  | 'principal.disabled'
  | 'principal.enabled'
  | 'task.completed'
  | 'task.failed'
  | 'task.cancelled'
  | 'webhook.created'
  | 'webhook.removed'
  | 'webhook.secret_rotated'
  | 'channel.linked'
  | 'channel.unlinked'
  | 'audit.review_opened'
  | 'audit.review_extended'
  | 'audit.review_completed';

export interface LedgerEntry {
  v: number;
  seq: number;
  type: LedgerEntryType;
  /** RFC 3339 time of the change. */
  at: string;
  actor: string;
  taskId: string | null;
  approvalId?: string;
  data: Record<string, unknown>;
}

export function encodeEntry(entry: LedgerEntry): string {
  return canonicalJson(entry);
}

export function entryLeafHash(encoded: string): Uint8Array {
  return leafHash(encoded);
}

/** The statement a decider's decision is signed as. */
export interface DecisionRecord {
  type: 'humanos.decision/v1';
  origin: string;
  approvalId: string;
  taskId: string;
  verdict: 'approved' | 'rejected';
  decidedBy: string;
  decidedAt: string;
  reason: string;
  feedback: string | null;
  /** RFC 7386 merge patch the human applied over the proposed payload, or null. */
  edits: unknown;
  /** Digest of the payload this decision approves (proposal + edits). */
  payloadDigest: string;
  /** Routing decisions: the resource the task is assigned to. */
  assignTo?: string;
}

/** `0x`-hex Ed25519 signature over the canonical decision record. */
export function signDecision(record: DecisionRecord, key: SigningKey): string {
  return bytesToHex(signBytes(key, canonicalJson(record)), '0x');
}

export function verifyDecisionSignature(record: DecisionRecord, signature: string, publicKey: Uint8Array): boolean {
  try {
    return verifyBytes(publicKey, canonicalJson(record), hexToBytes(signature));
  } catch {
    return false;
  }
}

// ---- export and verification ---------------------------------------------------------------------

export interface LedgerExportHeader {
  type: 'header';
  format: 'humanos-ledger/1';
  origin: string;
  publicKey: string;
  size: number;
}

export interface LedgerExportEntry {
  type: 'entry';
  index: number;
  /** The canonical entry text exactly as stored. */
  entry: string;
  /** Leaf hash as stored at append time (hex); lets the verifier pin a rewritten entry exactly. */
  leafHash?: string;
}

export interface LedgerExportCheckpoint {
  type: 'checkpoint';
  note: string;
}

/** The columns of a stored decision the API reads (its verdict, who, for which payload). */
export interface StoredDecisionColumns {
  approvalId: string;
  principalId: string;
  verdict: string;
  payloadDigest: string;
}

/** A decision as the store holds it (outside the log), cross-checked against its ledger entry. */
export interface LedgerExportDecision {
  type: 'decision';
  ledgerIndex: number;
  record: DecisionRecord;
  signature: string;
  /** The row's own columns, which must say what the signed record says. */
  row?: StoredDecisionColumns;
}

export type LedgerExportLine = LedgerExportHeader | LedgerExportEntry | LedgerExportCheckpoint | LedgerExportDecision;

export interface LedgerBundle {
  origin: string;
  publicKey: string;
  entries: { index: number; entry: string; leafHash?: string }[];
  checkpoints: string[];
  /** Decisions as the store holds them; each must equal the record signed into its ledger entry. */
  decisions?: { ledgerIndex: number; record: DecisionRecord; signature: string; row?: StoredDecisionColumns }[];
}

/** A checkpoint seen earlier (size and root, base64 or 0x-hex; or its signed note): the log must extend it. */
export type TrustedCheckpoint = { size: number; rootHash: string } | string;

export interface VerifyOptions {
  /** Verify against this key instead of the one the export names. */
  trustedPublicKey?: string;
  /** A checkpoint trusted from before: a shorter log, or one whose prefix has another root, fails. */
  trustedCheckpoint?: TrustedCheckpoint;
}

/** Parses a JSON Lines export (header, entries, checkpoints) into a bundle for `verifyLedger`. */
export function parseLedgerExport(text: string): LedgerBundle {
  let header: LedgerExportHeader | undefined;
  const entries: LedgerBundle['entries'] = [];
  const checkpoints: string[] = [];
  const decisions: NonNullable<LedgerBundle['decisions']> = [];
  for (const [n, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let rec: LedgerExportLine;
    try {
      rec = JSON.parse(line) as LedgerExportLine;
    } catch {
      throw new Error(`export line ${n + 1} is not JSON`);
    }
    if (rec.type === 'header') header = rec;
    else if (rec.type === 'entry') entries.push({ index: rec.index, entry: rec.entry, leafHash: rec.leafHash });
    else if (rec.type === 'checkpoint') checkpoints.push(rec.note);
    else if (rec.type === 'decision')
      decisions.push({ ledgerIndex: rec.ledgerIndex, record: rec.record, signature: rec.signature, row: rec.row });
    else throw new Error(`export line ${n + 1} has an unknown type`);
  }
  if (!header) throw new Error('export has no header line');
  return { origin: header.origin, publicKey: header.publicKey, entries, checkpoints, decisions };
}

export interface VerifyReport {
  ok: boolean;
  /** Entries checked. */
  size: number;
  checkpointsVerified: number;
  decisionsVerified: number;
  /** First index found bad (the smallest index that could be bad when only a range is known). */
  firstBadIndex?: number;
  reason?: string;
}

function publicKeyBytes(pk: string): Uint8Array {
  return pk.startsWith('did:key:') ? publicKeyFromDidKey(pk) : hexToBytes(pk);
}

/**
 * Reads `seq`, `taskId` and `type` without parsing the whole entry. In canonical form the top-level
 * keys are sorted (actor, approvalId, at, data, seq, taskId, type, v), so the entry ends with
 * `"seq":N,"taskId":…,"type":"…","v":1}`, and the last unescaped `"seq":` is the top-level one
 * (a key inside `data` comes earlier; a string cannot contain an unescaped quote). Parsing only that
 * tail keeps verification close to raw hashing speed. Integrity does not rest on this: the bytes are
 * what is hashed and signed.
 *
 * @example
 * entryTail('{"actor":"a","at":"t","data":{},"seq":3,"taskId":null,"type":"principal.created","v":1}')
 * // → { seq: 3, taskId: null, type: 'principal.created' }
 */
// The canonical (key-sorted) encoding ends with exactly these four members.
const ENTRY_TAIL =
  /^"seq":(0|[1-9][0-9]*),"taskId":(null|"(?:[^"\\]|\\.)*"),"type":"([^"\\]*)","v":(?:0|[1-9][0-9]*)}$/;

export function entryTail(entry: string): { seq: number; taskId: string | null; type: string } | undefined {
  const at = entry.lastIndexOf('"seq":');
  if (at < 0) return undefined;
  // A pattern, not JSON.parse: verification reads this for every entry of the log.
  const m = ENTRY_TAIL.exec(entry.slice(at));
  if (!m) return undefined;
  const taskId = m[2] === 'null' ? null : (JSON.parse(m[2] as string) as string);
  return { seq: Number(m[1]), taskId, type: m[3] as string };
}

type Fail = (index: number | undefined, reason: string) => VerifyReport;
type SignedRoot = { size: number; root: Uint8Array };

/** A root from a signed note: always base64 (`openCheckpoint` checked it is 32 bytes). */
function noteRoot(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/**
 * A root the caller pinned: the API's `0x`-hex or a note's base64. Told apart by shape, not by a
 * `0x` prefix: one base64 root in 4 096 starts with "0x" too (that misreading once made verification
 * of a valid log fail at random).
 */
function pinnedRoot(text: string): Uint8Array {
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return hexToBytes(text);
  const bytes = noteRoot(text);
  if (bytes.length !== 32 || Buffer.from(bytes).toString('base64') !== text) {
    throw new Error('root hash is neither 0x-hex nor base64 of 32 bytes');
  }
  return bytes;
}

/** The checkpoints, their signatures checked, sorted by size. */
function signedRoots(bundle: LedgerBundle, publicKey: Uint8Array): SignedRoot[] | string {
  const out: SignedRoot[] = [];
  for (const [i, note] of bundle.checkpoints.entries()) {
    try {
      const cp = openCheckpoint(note, bundle.origin, publicKey);
      out.push({ size: cp.size, root: noteRoot(cp.rootHash) });
    } catch (e) {
      return `checkpoint rejected (${i + 1} of ${bundle.checkpoints.length}): ${(e as Error).message}`;
    }
  }
  return out.sort((a, b) => a.size - b.size);
}

function trustedRoot(bundle: LedgerBundle, publicKey: Uint8Array, t: TrustedCheckpoint): SignedRoot | string {
  try {
    if (typeof t === 'string') {
      const cp = openCheckpoint(t, bundle.origin, publicKey);
      return { size: cp.size, root: noteRoot(cp.rootHash) };
    }
    return { size: t.size, root: pinnedRoot(t.rootHash) };
  } catch (e) {
    return `trusted checkpoint rejected: ${(e as Error).message}`;
  }
}

/** One entry: its place, its canonical form, its stored leaf hash, and a decision's signature. */
function checkEntry(
  item: LedgerBundle['entries'][number],
  i: number,
  publicKey: Uint8Array,
): { leaf: Uint8Array; decision?: { record: DecisionRecord; signature: string } } | string {
  if (item.index !== i) return `entry at position ${i} claims index ${item.index} (missing or reordered)`;
  const head = entryTail(item.entry);
  if (!head) return 'entry is not a canonical ledger entry';
  if (head.seq !== i) return `entry seq is ${head.seq}, want ${i} (missing or reordered)`;
  const leaf = entryLeafHash(item.entry);
  if (item.leafHash !== undefined && bytesToHex(leaf) !== item.leafHash) {
    return 'entry does not match the leaf hash recorded when it was appended';
  }
  if (head.type !== 'approval.decided') return { leaf };
  let parsed: LedgerEntry;
  try {
    parsed = JSON.parse(item.entry) as LedgerEntry;
  } catch {
    return 'entry is not JSON';
  }
  const { record, signature } = (parsed.data ?? {}) as { record?: DecisionRecord; signature?: string };
  if (!record || typeof signature !== 'string' || !verifyDecisionSignature(record, signature, publicKey)) {
    return 'decision signature does not verify';
  }
  if (record.approvalId !== parsed.approvalId || record.taskId !== parsed.taskId) {
    return 'decision record names another approval or task than its entry';
  }
  return { leaf, decision: { record, signature } };
}

/**
 * The store's decision rows must say exactly what the log says (the signed record, and the columns
 * the API reads): a row edited after the fact is named by the index of the entry it contradicts.
 */
function checkStoredDecisions(
  bundle: LedgerBundle,
  logged: Map<number, { record: DecisionRecord; signature: string }>,
  fail: Fail,
): VerifyReport | undefined {
  for (const d of bundle.decisions ?? []) {
    const l = logged.get(d.ledgerIndex);
    if (!l) return fail(d.ledgerIndex, 'a stored decision points at a ledger entry that is not a decision');
    if (canonicalJson(l.record) !== canonicalJson(d.record) || l.signature !== d.signature) {
      return fail(d.ledgerIndex, 'the stored decision differs from the decision signed into the ledger');
    }
    const r = d.row;
    if (
      r &&
      (r.verdict !== l.record.verdict ||
        r.principalId !== l.record.decidedBy ||
        r.payloadDigest !== l.record.payloadDigest ||
        r.approvalId !== l.record.approvalId)
    ) {
      return fail(d.ledgerIndex, 'the stored decision row (verdict, decider, digest) differs from the signed decision');
    }
  }
  return undefined;
}

/**
 * Recomputes every leaf and root of a ledger offline, checks every checkpoint signature and every
 * decision signature with only the public key, and names the first bad index and why. With a
 * trusted checkpoint from before (pinned), the log must contain it: a shorter log fails naming the
 * size, and a prefix with another root (rewritten history) fails.
 *
 * @example
 * const report = verifyLedger(parseLedgerExport(fs.readFileSync('ledger.jsonl', 'utf8')), { trustedCheckpoint: pinned });
 * if (!report.ok) console.error(`bad at ${report.firstBadIndex}: ${report.reason}`);
 */
export function verifyLedger(bundle: LedgerBundle, options: VerifyOptions | string = {}): VerifyReport {
  const opts: VerifyOptions = typeof options === 'string' ? { trustedPublicKey: options } : options;
  const publicKey = publicKeyBytes(opts.trustedPublicKey ?? bundle.publicKey);
  const tree = new MerkleFrontier();
  let decisionsVerified = 0;
  let checkpointsVerified = 0;
  const fail: Fail = (index, reason) => ({
    ok: false,
    size: tree.size,
    checkpointsVerified,
    decisionsVerified,
    ...(index === undefined ? {} : { firstBadIndex: index }),
    reason,
  });
  const roots = signedRoots(bundle, publicKey);
  if (typeof roots === 'string') return fail(undefined, roots);
  const trusted =
    opts.trustedCheckpoint === undefined ? undefined : trustedRoot(bundle, publicKey, opts.trustedCheckpoint);
  if (typeof trusted === 'string') return fail(undefined, trusted);
  if (trusted && bundle.entries.length < trusted.size) {
    return fail(
      bundle.entries.length,
      `the log has ${bundle.entries.length} entries, fewer than the trusted checkpoint of size ${trusted.size} (truncated)`,
    );
  }
  let next = 0;
  let lastGood = 0;
  const checkRootsAt = (size: number): VerifyReport | undefined => {
    if (trusted && trusted.size === size && !equalBytes(tree.root(), trusted.root)) {
      return fail(
        lastGood,
        `the first ${size} entries do not have the root of the trusted checkpoint (history rewritten; bad entry in [${lastGood}, ${size}))`,
      );
    }
    while (next < roots.length && (roots[next] as SignedRoot).size === size) {
      const cp = roots[next] as SignedRoot;
      if (!equalBytes(tree.root(), cp.root)) {
        return fail(
          lastGood,
          `root of the first ${cp.size} entries differs from the signed checkpoint (bad entry in [${lastGood}, ${cp.size}))`,
        );
      }
      lastGood = cp.size;
      checkpointsVerified += 1;
      next += 1;
    }
    return undefined;
  };
  const early = checkRootsAt(0);
  if (early) return early;
  const logged = new Map<number, { record: DecisionRecord; signature: string }>();
  for (const [i, item] of bundle.entries.entries()) {
    const checked = checkEntry(item, i, publicKey);
    if (typeof checked === 'string') return fail(i, checked);
    if (checked.decision) {
      decisionsVerified += 1;
      logged.set(i, checked.decision);
    }
    tree.append(checked.leaf);
    const bad = checkRootsAt(tree.size);
    if (bad) return bad;
  }
  if (next < roots.length) {
    const cp = roots[next] as SignedRoot;
    return fail(tree.size, `a signed checkpoint covers ${cp.size} entries but only ${tree.size} are present`);
  }
  return (
    checkStoredDecisions(bundle, logged, fail) ?? { ok: true, size: tree.size, checkpointsVerified, decisionsVerified }
  );
}
