/**
 * The ledger's record formats and the offline verifier.
 *
 * An entry is the RFC 8785 canonical JSON of `{v, seq, type, at, actor, taskId, approvalId?, data}`;
 * its Merkle leaf is SHA-256(0x00 ‖ entry bytes). A decision entry carries the signed decision record
 * so an auditor can check who decided what, about which payload digest, with only the public key.
 */
import { canonicalJson } from './canonical.js';
import type { KeyEpoch } from './keychain.js';
import { leafHash } from './merkle.js';
import { hexToBytes, verifyBytes } from './notes.js';

// The verifier lives in verifier.ts; re-exported here, where it always was.
export { type VerifyReport, verifyLedger } from './verifier.js';

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
  | 'principal.identity_changed'
  | 'principal.consent_granted'
  | 'principal.consent_revoked'
  | 'task.completed'
  | 'task.failed'
  | 'task.cancelled'
  | 'task.changes_requested'
  | 'task.revised'
  | 'webhook.created'
  | 'webhook.removed'
  | 'webhook.secret_rotated'
  | 'channel.linked'
  | 'channel.unlinked'
  | 'audit.review_opened'
  | 'audit.review_extended'
  | 'audit.review_completed'
  | 'passkey.enrolled'
  | 'passkey.revoked'
  | 'delegation.created'
  | 'delegation.updated'
  | 'delegation.started'
  | 'delegation.ended'
  | 'comment.added'
  | 'approval.assigned'
  | 'ledger.key_rotated';

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

/**
 * What `GET /tasks/{id}/history` answers (the SDK's `taskHistory`): the task's ledger entries, each
 * checked against one checkpoint, and whether they are all of its entries (its signed task head).
 */
export interface TaskHistory {
  taskId: string;
  checkpointSize: number;
  checkpoint: string | null;
  events: {
    index: number;
    /** The entry type (a `LedgerEntryType`), `unreadable` if the entry does not parse. */
    type: string;
    at: string | null;
    actor: string | null;
    approvalId: string | null;
    /** Its bytes are included under the signed checkpoint. */
    verified: boolean;
  }[];
  /**
   * These are all of the task's entries under the checkpoint (their running hash is the task's head
   * in the signed task-heads map): false when an entry was hidden, moved or is missing.
   */
  complete: boolean;
  /** Why `complete` is false. */
  incompleteReason: string | null;
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
  /** A delegate's decision: the human it was made for (the delegator; see `delegation.ts`). */
  onBehalfOf?: string;
  /** A delegate's decision: the ledger index of the `delegation.created` entry it rests on. */
  delegation?: number;
  /** A delegate's decision: the gate role the delegation covered. */
  role?: string;
  /**
   * An approval of one of the proposal's alternatives instead of the proposal: its index and the
   * digest of that alternative's payload (then also `payloadDigest`: that payload is what executes).
   */
  alternative?: { index: number; payloadDigest: string };
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
  /** The current key (`did:key`). */
  publicKey: string;
  /** Every key of the log and where it is in force (keychain.ts); absent in exports from before rotation. */
  keys?: KeyEpoch[];
  size: number;
}

export interface LedgerExportEntry {
  type: 'entry';
  index: number;
  /** The canonical entry text exactly as stored. */
  entry: string;
  /** Leaf hash as stored at append time (hex); lets the verifier pin a rewritten entry exactly. */
  leafHash?: string;
  /** The store's index column `task_id`: must be the signed entry's `taskId`. */
  taskId?: string | null;
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
  /** The header's key list (absent: one key, `publicKey`, from size 0). */
  keys?: KeyEpoch[];
  entries: { index: number; entry: string; leafHash?: string; taskId?: string | null }[];
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
  /**
   * A witness policy: the cosignature/v1 vkeys of the witnesses trusted (C2SP tlog-witness). With
   * one, verification fails unless a checkpoint of the export carries valid cosignatures from at
   * least `witnessQuorum` distinct ones of them (and, like every checkpoint, matches the log).
   */
  witnesses?: string[];
  /** How many of `witnesses` must have cosigned one checkpoint (default: all of them). */
  witnessQuorum?: number;
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
    else if (rec.type === 'entry') {
      entries.push({
        index: rec.index,
        entry: rec.entry,
        leafHash: rec.leafHash,
        ...('taskId' in rec ? { taskId: rec.taskId } : {}),
      });
    } else if (rec.type === 'checkpoint') checkpoints.push(rec.note);
    else if (rec.type === 'decision')
      decisions.push({ ledgerIndex: rec.ledgerIndex, record: rec.record, signature: rec.signature, row: rec.row });
    else throw new Error(`export line ${n + 1} has an unknown type`);
  }
  if (!header) throw new Error('export has no header line');
  return {
    origin: header.origin,
    publicKey: header.publicKey,
    ...(header.keys ? { keys: header.keys } : {}),
    entries,
    checkpoints,
    decisions,
  };
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
