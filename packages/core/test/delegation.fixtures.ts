/**
 * Logs with delegations and on-behalf decisions, signed as the server signs them: shared by the
 * verifier's delegation tests and the SDK vector file (sdks/testdata/delegation-vectors.json).
 */
import type { DelegationTerms } from '../src/delegation.js';
import { type DecisionRecord, encodeEntry, entryLeafHash, type LedgerBundle } from '../src/ledger.js';
import { MerkleFrontier } from '../src/merkle.js';
import { bytesToHex, didKeyFromPublicKey } from '../src/notes.js';
import { generateSigningKey, signCheckpoint, signDecision } from '../src/signing.js';

export const KEY = generateSigningKey();
export const ORIGIN = 'humanos.test/delegation';
export const ANN = 'did:human:ann';
export const BOB = 'did:human:bob';

export const terms = (over: Partial<DelegationTerms> = {}): DelegationTerms => ({
  delegationId: 'delegation:human:00112233445566778899aabb',
  delegator: ANN,
  delegate: BOB,
  roles: ['finance_manager'],
  startsAt: '2026-01-10T16:00:00.000Z',
  endsAt: '2026-01-10T17:00:00.000Z',
  scope: {},
  outOfOffice: false,
  message: null,
  ...over,
});

export const decision = (over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  type: 'humanos.decision/v1',
  origin: ORIGIN,
  approvalId: 'approval:human:1',
  taskId: 'task:human:1',
  verdict: 'approved',
  decidedBy: BOB,
  decidedAt: '2026-01-10T16:30:00.000Z',
  reason: 'ok',
  feedback: null,
  edits: null,
  payloadDigest: 'sha256:d1',
  onBehalfOf: ANN,
  delegation: 0,
  role: 'finance_manager',
  ...over,
});

export type Item =
  | { type: 'delegation.created' | 'delegation.updated' | 'delegation.ended'; data: Record<string, unknown> }
  | { type: 'approval.decided'; record: DecisionRecord }
  | { type: 'task.feedback' };

/** A log as the server writes it (signed with its key), with one checkpoint over all of it. */
export function build(items: Item[]): LedgerBundle {
  const tree = new MerkleFrontier();
  const entries: LedgerBundle['entries'] = [];
  for (const [seq, item] of items.entries()) {
    const base = { v: 1, seq, at: 't', actor: ANN };
    const entry =
      item.type === 'approval.decided'
        ? encodeEntry({
            ...base,
            type: item.type,
            actor: item.record.decidedBy,
            taskId: item.record.taskId,
            approvalId: item.record.approvalId,
            data: { record: item.record, signature: signDecision(item.record, KEY) },
          })
        : encodeEntry({ ...base, type: item.type, taskId: null, data: 'data' in item ? item.data : {} });
    const leaf = entryLeafHash(entry);
    entries.push({ index: seq, entry, leafHash: bytesToHex(leaf) });
    tree.append(leaf);
  }
  const checkpoint = signCheckpoint(
    { origin: ORIGIN, size: tree.size, rootHash: Buffer.from(tree.root()).toString('base64') },
    KEY,
  );
  return { origin: ORIGIN, publicKey: didKeyFromPublicKey(KEY.publicKeyRaw), entries, checkpoints: [checkpoint] };
}

export const created = (over: Partial<DelegationTerms> = {}): Item => ({
  type: 'delegation.created',
  data: { ...terms(over) },
});
