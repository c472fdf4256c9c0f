/**
 * In-browser checks of single entries and of the current checkpoint, against the published key, with
 * core's verifier (`@humanos/core/verifier`: the same checks `humanos ledger verify` runs).
 */

import {
  base64ToBytes,
  bytesToHex,
  type DecisionRecord,
  equalBytes,
  hexToBytes,
  KeyChain,
  type KeyEpoch,
  leafHash,
  openCheckpoint,
  publicKeyFromDidKey,
  rootFromInclusionProof,
  verifyDecisionSignature,
} from '@humanos/core/verifier';
import { api, qs } from '../lib/api.js';

export interface PublishedKey {
  origin: string;
  publicKey: string;
  algorithm: string;
  /** Every key of the log (`GET /ledger/keys`): a decision from before a rotation is the old key's. */
  keys?: KeyEpoch[];
}

/** The published key and the log's key history, read together. */
export async function publishedKey(): Promise<PublishedKey> {
  const [key, history] = await Promise.all([
    api<PublishedKey>('GET', '/ledger/public-key'),
    api<{ keys: KeyEpoch[] }>('GET', '/ledger/keys'),
  ]);
  return { ...key, keys: history.keys };
}

export interface EntryRow {
  index: number;
  entry: string;
  leafHash?: string;
}

export interface EntryCheck {
  ok: boolean;
  lines: string[];
}

/**
 * Checks one entry: its leaf hash, its inclusion proof up to a checkpoint, that checkpoint's
 * signature, and (for a decision) the decider's signed record.
 */
export async function checkEntry(row: EntryRow, key: PublishedKey): Promise<EntryCheck> {
  const lines: string[] = [];
  const pk = publicKeyFromDidKey(key.publicKey);
  try {
    const proof = await api<{ treeSize: number; inclusionProof: string[]; checkpoint: string }>(
      'GET',
      `/ledger/proof/inclusion${qs({ index: row.index })}`,
    );
    const cp = openCheckpoint(proof.checkpoint, key.origin, pk);
    lines.push(`checkpoint of size ${cp.size} signed by the published key`);
    if (cp.size !== proof.treeSize)
      return {
        ok: false,
        lines: [...lines, `the proof is for size ${proof.treeSize}, the checkpoint says ${cp.size}`],
      };
    const leaf = leafHash(row.entry);
    if (row.leafHash && bytesToHex(leaf) !== row.leafHash)
      return { ok: false, lines: [...lines, 'the entry does not match its recorded leaf hash'] };
    const root = rootFromInclusionProof(row.index, proof.treeSize, leaf, proof.inclusionProof.map(hexToBytes));
    if (!equalBytes(root, base64ToBytes(cp.rootHash)))
      return { ok: false, lines: [...lines, 'the inclusion proof does not lead to the signed root'] };
    lines.push(`included at #${row.index} of ${proof.treeSize}`);
    const e = JSON.parse(row.entry) as {
      type: string;
      approvalId?: string;
      data?: { record?: DecisionRecord; signature?: string };
    };
    if (e.type === 'approval.decided') {
      const rec = e.data?.record;
      const good =
        rec &&
        typeof e.data?.signature === 'string' &&
        verifyDecisionSignature(rec, e.data.signature, key.keys ? new KeyChain(key.keys).forEntry(row.index) : pk) &&
        rec.approvalId === e.approvalId;
      if (!good) return { ok: false, lines: [...lines, 'the decision signature does not verify'] };
      lines.push(`decision by ${rec.decidedBy} signed`);
    }
    return { ok: true, lines };
  } catch (x) {
    return { ok: false, lines: [...lines, (x as Error).message] };
  }
}

/** The current checkpoint, its signature checked here. */
export async function checkCurrentCheckpoint(
  key: PublishedKey,
): Promise<{ size: number; root: string; ok: boolean; error?: string }> {
  const cp = await api<{ size: number; rootHash: string; checkpoint: string }>('GET', '/ledger/checkpoint');
  try {
    const c = openCheckpoint(cp.checkpoint, key.origin, publicKeyFromDidKey(key.publicKey));
    const root = bytesToHex(base64ToBytes(c.rootHash), '0x');
    return { size: c.size, root, ok: c.size === cp.size && root === cp.rootHash };
  } catch (x) {
    return { size: cp.size, root: cp.rootHash, ok: false, error: (x as Error).message };
  }
}

/** Every entry of a task, from the whole log (pages of 1000): the task's timeline as the ledger has it. */
export async function taskEntries(taskId: string): Promise<EntryRow[]> {
  const out: EntryRow[] = [];
  for (let start = 0; ; start += 1000) {
    const r = await api<{ size: number; entries: EntryRow[] }>(
      'GET',
      `/ledger/entries${qs({ start, end: start + 1000 })}`,
    );
    for (const e of r.entries)
      if (e.entry.includes(JSON.stringify(taskId)) && (JSON.parse(e.entry) as { taskId?: string }).taskId === taskId)
        out.push(e);
    if (start + 1000 >= r.size || r.entries.length === 0) return out;
  }
}
