/**
 * The offline ledger verifier, incremental: `LedgerVerifier` is fed an export one line at a time and
 * holds O(log n) of the log tree, the task-heads map (O(tasks)) and the decision records, never the
 * entries, so a log of any size verifies in bounded memory (`verifyLedgerStream` reads it in two
 * passes: checkpoints first, then entries). `verifyLedger(bundle)` runs the same checks over a
 * bundle held in memory.
 */
import { canonicalJson } from './canonical.js';
import { DelegationRegistry } from './delegation.js';
import { KEY_ROTATION_ENTRY, type KeyChain, type KeyEpoch, rotationProblem, sameDidKey } from './keychain.js';
import {
  type DecisionRecord,
  entryLeafHash,
  entryTail,
  type LedgerBundle,
  type LedgerEntry,
  type LedgerExportHeader,
  type LedgerExportLine,
  type StoredDecisionColumns,
  type TrustedCheckpoint,
  type VerifyOptions,
  verifyDecisionSignature,
} from './ledger.js';
import { equalBytes, type Hash, MerkleFrontier } from './merkle.js';
import { base64ToBytes, bytesToBase64, bytesToHex, hexToBytes, openCheckpoint } from './notes.js';
import { type PasskeyFailure, PasskeyRegistry } from './passkey.js';
import {
  ArrayNodeStore,
  EMPTY_TASK_ACC,
  extendTaskAcc,
  TaskHeadsTree,
  taskHeadLeaf,
  taskHeadsFromExtensions,
} from './taskheads.js';
import { claimedSize, declaredChain, unsealedTrust, witnessedSizes } from './verifierKeys.js';

export { KEY_ROTATION_ENTRY, KeyChain, type KeyEpoch } from './keychain.js';
// Everything else an offline verifier (the web console, an auditor's script) needs, so that
// `@humanos/core/verifier` is one runtime-neutral entry: it pulls no `node:` module (see
// packages/web/test/verifier.browser.test.ts), unlike the package root, which has the signing half.
export {
  type DecisionRecord,
  entryLeafHash,
  type LedgerBundle,
  parseLedgerExport,
  type TrustedCheckpoint,
  type VerifyOptions,
  verifyDecisionSignature,
} from './ledger.js';
export {
  emptyRoot,
  equalBytes,
  type Hash,
  leafHash,
  MemoryMerkleTree,
  MerkleError,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
export {
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  type Checkpoint,
  hexToBytes,
  openCheckpoint,
  publicKeyFromDidKey,
} from './notes.js';
export { taskHeadsFromExtensions } from './taskheads.js';

export interface VerifyReport {
  ok: boolean;
  /** Entries checked. */
  size: number;
  checkpointsVerified: number;
  decisionsVerified: number;
  /** First index found bad (the smallest index that could be bad when only a range is known). */
  firstBadIndex?: number;
  reason?: string;
  /** The check that failed, when it has a name (the passkey checks: `passkey_signature`, …). */
  check?: string;
  /** With a witness policy: the size of the newest checkpoint cosigned by a quorum of its witnesses. */
  witnessedSize?: number;
}

type SignedRoot = { size: number; root: Uint8Array; heads?: { size: number; root: Uint8Array } };

/** A root from a signed note: base64 (`openCheckpoint` checked it is 32 bytes). */
function noteRoot(base64: string): Uint8Array {
  return base64ToBytes(base64);
}

/**
 * A root the caller pinned: the API's `0x`-hex or a note's base64. Told apart by shape, not by a
 * `0x` prefix: one base64 root in 4 096 starts with "0x" too (that misreading once made verification
 * of a valid log fail at random).
 */
function pinnedRoot(text: string): Uint8Array {
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return hexToBytes(text);
  let bytes: Uint8Array | undefined;
  try {
    bytes = noteRoot(text);
  } catch {
    // Not base64 at all: refused below with the same message as a wrong length.
  }
  if (bytes?.length !== 32 || bytesToBase64(bytes) !== text) {
    throw new Error('root hash is neither 0x-hex nor base64 of 32 bytes');
  }
  return bytes;
}

/**
 * The checkpoints, their signatures checked, sorted by size. Task-heads lines started at some size
 * (logs from before them have checkpoints without): a checkpoint without one after one with it was
 * not signed by a server that knows them, and is refused.
 */
function signedRoots(notes: readonly string[], origin: string, keys: KeyChain): SignedRoot[] | string {
  const out: SignedRoot[] = [];
  for (const [i, note] of notes.entries()) {
    try {
      const cp = openCheckpoint(note, origin, keys.forCheckpoint(claimedSize(note)));
      out.push({ size: cp.size, root: noteRoot(cp.rootHash), heads: taskHeadsFromExtensions(cp.extensions) });
    } catch (e) {
      return `checkpoint rejected (${i + 1} of ${notes.length}): ${(e as Error).message}`;
    }
  }
  out.sort((a, b) => a.size - b.size);
  const first = out.findIndex((r) => r.heads);
  const legacyAfter = first < 0 ? undefined : out.slice(first).find((r) => !r.heads);
  if (legacyAfter) {
    return `the checkpoint of size ${legacyAfter.size} signs no task-heads root, though an earlier one does`;
  }
  return out;
}

function trustedRoot(origin: string, keys: KeyChain, t: TrustedCheckpoint): SignedRoot | string {
  try {
    if (typeof t === 'string') {
      const cp = openCheckpoint(t, origin, keys.forCheckpoint(claimedSize(t)));
      return { size: cp.size, root: noteRoot(cp.rootHash) };
    }
    return { size: t.size, root: pinnedRoot(t.rootHash) };
  } catch (e) {
    return `trusted checkpoint rejected: ${(e as Error).message}`;
  }
}

type EntryItem = LedgerBundle['entries'][number];
type Checked = {
  leaf: Uint8Array;
  taskId: string | null;
  decision?: { record: DecisionRecord; signature: string };
  /** A decision's or a passkey registry entry's parsed `data`, for the passkey checks. */
  passkey?: { type: string; data: Record<string, unknown> };
  /** A key rotation's `data` (checked against the key chain by the verifier). */
  rotation?: unknown;
};

const PASSKEY_ENTRY = new Set(['passkey.enrolled', 'passkey.revoked']);
/** Entries the delegation registry folds (`delegation.ts`); `delegation.started` changes no terms. */
const DELEGATION_ENTRY = new Set(['delegation.created', 'delegation.updated', 'delegation.ended']);

/** One entry: its place, its canonical form, its stored leaf hash and index column, a decision's signature. */
function checkEntry(item: EntryItem, i: number, publicKey: Uint8Array): Checked | string {
  if (item.index !== i) return `entry at position ${i} claims index ${item.index} (missing or reordered)`;
  const head = typeof item.entry === 'string' ? entryTail(item.entry) : undefined;
  if (!head) return 'entry is not a canonical ledger entry';
  if (head.seq !== i) return `entry seq is ${head.seq}, want ${i} (missing or reordered)`;
  const leaf = entryLeafHash(item.entry);
  if (item.leafHash !== undefined && bytesToHex(leaf) !== item.leafHash) {
    return 'entry does not match the leaf hash recorded when it was appended';
  }
  // The store's index column must say what the signed entry says: an edited one is how an insider
  // would hide an entry from whoever selects a task's entries by it.
  if (item.taskId !== undefined && item.taskId !== head.taskId) {
    return `the stored taskId column (${JSON.stringify(item.taskId)}) differs from the signed entry's taskId (${JSON.stringify(head.taskId)})`;
  }
  const signed = head.type === 'approval.decided' || head.type === KEY_ROTATION_ENTRY;
  if (!signed && !PASSKEY_ENTRY.has(head.type) && !DELEGATION_ENTRY.has(head.type))
    return { leaf, taskId: head.taskId };
  let parsed: LedgerEntry;
  try {
    parsed = JSON.parse(item.entry) as LedgerEntry;
  } catch {
    return 'entry is not JSON';
  }
  if (head.type === KEY_ROTATION_ENTRY) return { leaf, taskId: head.taskId, rotation: parsed.data };
  if (head.type !== 'approval.decided')
    return { leaf, taskId: head.taskId, passkey: { type: head.type, data: parsed.data } };
  const { record, signature } = (parsed.data ?? {}) as { record?: DecisionRecord; signature?: string };
  if (!record || typeof signature !== 'string' || !verifyDecisionSignature(record, signature, publicKey)) {
    return 'decision signature does not verify';
  }
  if (record.approvalId !== parsed.approvalId || record.taskId !== parsed.taskId) {
    return 'decision record names another approval or task than its entry';
  }
  return {
    leaf,
    taskId: head.taskId,
    decision: { record, signature },
    passkey: { type: head.type, data: parsed.data },
  };
}

/** A stored decision row against the decision signed into the log; the reason when they differ. */
function checkStoredDecision(
  l: { record: DecisionRecord; signature: string } | undefined,
  d: { record: DecisionRecord; signature: string; row?: StoredDecisionColumns },
): string | undefined {
  if (!l) return 'a stored decision points at a ledger entry that is not a decision';
  if (canonicalJson(l.record) !== canonicalJson(d.record) || l.signature !== d.signature) {
    return 'the stored decision differs from the decision signed into the ledger';
  }
  const r = d.row;
  if (
    r &&
    (r.verdict !== l.record.verdict ||
      r.principalId !== l.record.decidedBy ||
      r.payloadDigest !== l.record.payloadDigest ||
      r.approvalId !== l.record.approvalId)
  ) {
    return 'the stored decision row (verdict, decider, digest) differs from the signed decision';
  }
  return undefined;
}

/** The task-heads map recomputed from the entries: positions by first appearance, leaves flushed lazily. */
class HeadsRecompute {
  private readonly heads = new Map<string, { pos: number; count: number; acc: Hash }>();
  private readonly tree = new TaskHeadsTree(new ArrayNodeStore(), 0);
  private readonly dirty = new Map<number, string>();

  add(taskId: string, leaf: Hash): void {
    const h = this.heads.get(taskId) ?? { pos: this.heads.size, count: 0, acc: EMPTY_TASK_ACC };
    h.count += 1;
    h.acc = extendTaskAcc(h.acc, leaf);
    this.heads.set(taskId, h);
    this.dirty.set(h.pos, taskId);
  }

  root(): { size: number; root: Hash } {
    // Ascending positions: new tasks are appended in order after the changed ones are set.
    for (const pos of [...this.dirty.keys()].sort((a, b) => a - b)) {
      const taskId = this.dirty.get(pos) as string;
      const h = this.heads.get(taskId) as { count: number; acc: Hash };
      const leaf = taskHeadLeaf({ taskId, count: h.count, acc: h.acc });
      if (pos < this.tree.size) this.tree.setLeaf(pos, leaf);
      else this.tree.append(leaf);
    }
    this.dirty.clear();
    return { size: this.tree.size, root: this.tree.root() };
  }
}

type StoredDecision = { ledgerIndex: number; record: DecisionRecord; signature: string; row?: StoredDecisionColumns };

/**
 * Verifies a ledger export fed to it line by line (entries in order; checkpoints given up front,
 * since the export puts them last): every leaf, log root and task-heads root against the signed
 * checkpoints, every decision signature, every index column against its signed entry, and the stored
 * decision rows against the signed decisions. Memory: the log's right edge, the task-heads map and
 * the decision records, never the entries.
 *
 * @example
 * const v = new LedgerVerifier({ origin, publicKey }, checkpointNotes, { trustedPublicKey });
 * for (const line of entryLines) if (!v.entry(line)) break;
 * const report = v.finish();
 */
export class LedgerVerifier {
  private readonly tree = new MerkleFrontier();
  private readonly headsTree = new HeadsRecompute();
  private readonly logged = new Map<number, { record: DecisionRecord; signature: string }>();
  private readonly stored: StoredDecision[] = [];
  /** The approver key registry, folded from the log as it is read (passkey.ts). */
  private readonly passkeys = new PasskeyRegistry();
  /** The delegations, folded from the log as it is read (delegation.ts). */
  private readonly delegations = new DelegationRegistry();
  private roots: SignedRoot[] = [];
  private trusted: SignedRoot | undefined;
  /** With a witness policy: the sizes of the checkpoints a quorum cosigned (else undefined). */
  private witnessed: number[] | undefined;
  /** The keys the export declares; each rotation entry must confirm the next one. */
  private keys!: KeyChain;
  private readonly origin: string;
  private next = 0;
  private lastGood = 0;
  private checkpointsVerified = 0;
  private decisionsVerified = 0;
  private failure: VerifyReport | undefined;

  constructor(
    header: { origin: string; publicKey: string; keys?: KeyEpoch[] },
    checkpoints: readonly string[],
    options: VerifyOptions = {},
  ) {
    this.origin = header.origin;
    try {
      this.keys = declaredChain(header, options.trustedPublicKey);
    } catch (e) {
      this.fail(undefined, `public key rejected: ${(e as Error).message}`);
      return;
    }
    const roots = signedRoots(checkpoints, header.origin, this.keys);
    if (typeof roots === 'string') {
      this.fail(undefined, roots);
      return;
    }
    this.roots = roots;
    const unsealed = unsealedTrust(this.keys, checkpoints, header.origin, options.trustedPublicKey);
    if (unsealed) {
      this.fail(undefined, unsealed);
      return;
    }
    if (options.witnesses !== undefined || options.witnessQuorum !== undefined) {
      const w = witnessedSizes(checkpoints, header.origin, this.keys, options);
      if (typeof w === 'string') {
        this.fail(undefined, w, 'witness_policy');
        return;
      }
      this.witnessed = w;
    }
    if (options.trustedCheckpoint !== undefined) {
      const t = trustedRoot(header.origin, this.keys, options.trustedCheckpoint);
      if (typeof t === 'string') {
        this.fail(undefined, t);
        return;
      }
      this.trusted = t;
    }
    this.checkRootsAt(0);
  }

  /** The failure found so far, if any (feeding more lines does not change it). */
  get failed(): VerifyReport | undefined {
    return this.failure;
  }

  private fail(index: number | undefined, reason: string, check?: string): false {
    this.report(index, reason, check);
    return false;
  }

  private report(index: number | undefined, reason: string, check?: string): VerifyReport {
    this.failure ??= {
      ok: false,
      size: this.tree.size,
      checkpointsVerified: this.checkpointsVerified,
      decisionsVerified: this.decisionsVerified,
      ...(index === undefined ? {} : { firstBadIndex: index }),
      reason,
      ...(check === undefined ? {} : { check }),
    };
    return this.failure;
  }

  private checkRootsAt(size: number): boolean {
    const { trusted } = this;
    if (trusted && trusted.size === size && !equalBytes(this.tree.root(), trusted.root)) {
      return this.fail(
        this.lastGood,
        `the first ${size} entries do not have the root of the trusted checkpoint (history rewritten; bad entry in [${this.lastGood}, ${size}))`,
      );
    }
    while (this.next < this.roots.length && (this.roots[this.next] as SignedRoot).size === size) {
      const cp = this.roots[this.next] as SignedRoot;
      const range = `bad entry in [${this.lastGood}, ${cp.size})`;
      if (!equalBytes(this.tree.root(), cp.root)) {
        return this.fail(
          this.lastGood,
          `root of the first ${cp.size} entries differs from the signed checkpoint (${range})`,
        );
      }
      if (cp.heads) {
        const heads = this.headsTree.root();
        if (heads.size !== cp.heads.size || !equalBytes(heads.root, cp.heads.root)) {
          return this.fail(
            this.lastGood,
            `the task heads of the first ${cp.size} entries differ from the signed checkpoint's (${range})`,
          );
        }
      }
      this.lastGood = cp.size;
      this.checkpointsVerified += 1;
      this.next += 1;
    }
    return true;
  }

  /** The next entry of the log (its export line); false once verification has failed. */
  entry(item: EntryItem): boolean {
    if (this.failure) return false;
    const i = this.tree.size;
    const checked = checkEntry(item, i, this.keys.forEntry(i));
    if (typeof checked === 'string') return this.fail(i, checked);
    const rotation = this.rotationCheck(i, checked);
    if (rotation) return this.fail(i, rotation, 'key_rotation');
    const dg = checked.passkey && this.delegationCheck(i, checked.passkey, checked.decision?.record);
    if (dg) return this.fail(i, `${dg.check}: ${dg.message}`, dg.check);
    const pk = checked.passkey && !DELEGATION_ENTRY.has(checked.passkey.type) && this.passkeyCheck(checked.passkey);
    if (pk) return this.fail(i, `${pk.check}: ${pk.message}`, pk.check);
    if (checked.decision) {
      this.decisionsVerified += 1;
      this.logged.set(i, checked.decision);
    }
    this.tree.append(checked.leaf);
    if (checked.taskId !== null) this.headsTree.add(checked.taskId, checked.leaf);
    return this.checkRootsAt(this.tree.size);
  }

  /**
   * A rotation entry must be signed by the key in force and bring in the key the export declares
   * from the next size on; a declared key with no such entry before it is refused at that index.
   */
  private rotationCheck(i: number, checked: Checked): string | undefined {
    const declared = this.keys.epochs.find((e) => e.fromSize === i + 1);
    if (checked.rotation === undefined) {
      return declared
        ? `the export declares key ${declared.publicKey} from size ${i + 1}, but entry ${i} is no key rotation`
        : undefined;
    }
    const inForce = this.keys.epochs.filter((e) => e.fromSize <= i).pop() as KeyEpoch;
    const bad = rotationProblem(this.origin, checked.rotation, inForce.publicKey);
    if (bad) return bad;
    const next = (checked.rotation as { next: string }).next;
    if (!declared || !sameDidKey(next, declared.publicKey)) {
      return `the key rotation to ${next} is not in the export header's key list at size ${i + 1}`;
    }
    return undefined;
  }

  /** The registry follows enrolments and revocations; a decision's passkey is checked against it. */
  private passkeyCheck({ type, data }: { type: string; data: Record<string, unknown> }): PasskeyFailure | undefined {
    if (type === 'passkey.enrolled') return this.passkeys.enrol(data);
    if (type !== 'passkey.revoked') return this.passkeys.checkDecision(data);
    this.passkeys.revoke(data);
    return undefined;
  }

  /**
   * Delegation entries fold into the registry; an on-behalf decision must cite an earlier delegation
   * that was in force and covered its role (an insider editing rows cannot make one up).
   */
  private delegationCheck(
    index: number,
    { type, data }: { type: string; data: Record<string, unknown> },
    record: DecisionRecord | undefined,
  ): { check: string; message: string } | undefined {
    if (DELEGATION_ENTRY.has(type)) return this.delegations.entry(index, type, data);
    return record ? this.delegations.checkDecision(record) : undefined;
  }

  /** A stored decision row (checked against the signed decisions at `finish`). */
  decision(d: StoredDecision): boolean {
    if (this.failure) return false;
    this.stored.push(d);
    return true;
  }

  /** The verdict, once every line has been fed. */
  finish(): VerifyReport {
    if (this.failure) return this.failure;
    const size = this.tree.size;
    if (this.trusted && size < this.trusted.size) {
      return this.report(
        size,
        `the log has ${size} entries, fewer than the trusted checkpoint of size ${this.trusted.size} (truncated)`,
      );
    }
    const cp = this.roots[this.next];
    if (cp) return this.report(size, `a signed checkpoint covers ${cp.size} entries but only ${size} are present`);
    for (const d of this.stored) {
      const bad = checkStoredDecision(this.logged.get(d.ledgerIndex), d);
      if (bad) return this.report(d.ledgerIndex, bad);
    }
    // Every checkpoint matched the log above, so a witnessed one vouches for this log's prefix; a fork
    // the witnesses never saw carries none (its checkpoints' roots are not the ones they cosigned).
    const witnessedSize = this.witnessed?.reduce((a, b) => Math.max(a, b), -1);
    if (witnessedSize !== undefined && witnessedSize < 0) {
      return this.report(
        undefined,
        'no checkpoint of the export is cosigned by a quorum of the trusted witnesses (a fork they never saw, or not yet witnessed)',
        'witness_policy',
      );
    }
    return {
      ok: true,
      size,
      checkpointsVerified: this.checkpointsVerified,
      decisionsVerified: this.decisionsVerified,
      ...(witnessedSize === undefined ? {} : { witnessedSize }),
    };
  }
}

/**
 * Recomputes every leaf and root of a ledger offline (log and task heads), checks every checkpoint
 * signature, every decision signature and every stored index column with only the public key, and
 * names the first bad index and why. With a trusted checkpoint from before (pinned), the log must
 * contain it: a shorter log fails naming the size, and a prefix with another root (rewritten
 * history) fails.
 *
 * @example
 * const report = verifyLedger(parseLedgerExport(fs.readFileSync('ledger.jsonl', 'utf8')), { trustedCheckpoint: pinned });
 * if (!report.ok) console.error(`bad at ${report.firstBadIndex}: ${report.reason}`);
 */
export function verifyLedger(bundle: LedgerBundle, options: VerifyOptions | string = {}): VerifyReport {
  const opts: VerifyOptions = typeof options === 'string' ? { trustedPublicKey: options } : options;
  const v = new LedgerVerifier(bundle, bundle.checkpoints, opts);
  for (const item of bundle.entries) if (!v.entry(item)) break;
  for (const d of bundle.decisions ?? []) v.decision(d);
  return v.finish();
}

/** The prefix every export line of a kind starts with (`JSON.stringify` keeps `type` first). */
const PREFIX = {
  entry: '{"type":"entry"',
  decision: '{"type":"decision"',
  checkpoint: '{"type":"checkpoint"',
  header: '{"type":"header"',
};

function parseLine(line: string, n: number): LedgerExportLine {
  try {
    return JSON.parse(line) as LedgerExportLine;
  } catch {
    throw new Error(`export line ${n} is not JSON`);
  }
}

/**
 * Verifies an export read as lines, in two passes over `open()` (header and checkpoints first,
 * entries and decisions then), holding one line at a time: what `humanos ledger verify --file` runs,
 * for a log of any size. Throws when the export cannot be read at all (no header, a line that is
 * not JSON or of an unknown type). `options` may be a function of the header, for options that
 * depend on the log (a checkpoint pinned for its origin).
 *
 * @example
 * const open = () => readline.createInterface({ input: fs.createReadStream('ledger.jsonl') });
 * const report = await verifyLedgerStream(open, { trustedPublicKey });
 */
export async function verifyLedgerStream(
  open: () => AsyncIterable<string> | Iterable<string>,
  options: VerifyOptions | ((header: LedgerExportHeader) => VerifyOptions | Promise<VerifyOptions>) = {},
): Promise<VerifyReport> {
  let header: LedgerExportHeader | undefined;
  const checkpoints: string[] = [];
  let n = 0;
  for await (const line of open()) {
    n += 1;
    // Entries and decisions are parsed in the second pass only (an entry can be megabytes).
    if (line.trim() === '' || line.startsWith(PREFIX.entry) || line.startsWith(PREFIX.decision)) continue;
    const rec = parseLine(line, n);
    if (rec.type === 'header') header = rec;
    else if (rec.type === 'checkpoint') checkpoints.push(rec.note);
    else if (rec.type !== 'entry' && rec.type !== 'decision') throw new Error(`export line ${n} has an unknown type`);
  }
  if (!header) throw new Error('export has no header line');
  const v = new LedgerVerifier(header, checkpoints, typeof options === 'function' ? await options(header) : options);
  n = 0;
  for await (const line of open()) {
    n += 1;
    if (v.failed) break;
    if (line.trim() === '' || line.startsWith(PREFIX.checkpoint) || line.startsWith(PREFIX.header)) continue;
    const rec = parseLine(line, n);
    if (rec.type === 'entry')
      v.entry({ index: rec.index, entry: rec.entry, leafHash: rec.leafHash, taskId: rec.taskId });
    else if (rec.type === 'decision') {
      v.decision({ ledgerIndex: rec.ledgerIndex, record: rec.record, signature: rec.signature, row: rec.row });
    }
  }
  return v.finish();
}
