import {
  entryLeafHash,
  executionAuthority,
  HumanOSError,
  type IndexedEntry,
  type LedgerEntry,
  payloadDigest,
  verifyInclusion,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import type { FeatureDeps } from '../kernel/deps.js';
import { p, type TaskRow } from '../kernel/rows.js';
import { latestSigned, type OpenedCheckpoint, proveTaskHead, taskEntriesAndHead } from '../ledger/proof.js';
import type { Database } from '../store/schema.js';

/** What an execution grant rests on: the approved digest and the signed decisions, under a checkpoint. */
export interface LedgerGrant {
  digest: string;
  /** Ledger indexes of the decisions counted. */
  decisions: number[];
  /** Size of the signed checkpoint the decisions were checked against. */
  checkpointSize: number;
}

/** What each refusal of `ledgerGrant` reports (`reportRefusal`), kept off the error's public details. */
const refusals = new WeakMap<object, { taskId: string; reason: string }>();

/**
 * Reports `error` to `deps.onIntegrityViolation` if it is a `ledgerGrant` refusal. Called once
 * the write that made it has settled, so that a refusal is counted once however often its
 * operation ran.
 *
 * @example
 * try { return await deps.write((trx) => ledgerGrant(deps, trx, task)); } catch (e) { reportRefusal(deps, e); throw e; }
 */
export function reportRefusal(deps: Pick<FeatureDeps, 'onIntegrityViolation'>, error: unknown): void {
  const detail = typeof error === 'object' && error !== null ? refusals.get(error) : undefined;
  if (detail) deps.onIntegrityViolation(detail);
}

/**
 * Execution is authorised by the log, not by mutable rows: the task's ledger entries are read, each
 * checked for inclusion under the latest signed checkpoint, proved complete by the task's head in the
 * signed task-heads map (an entry hidden by editing the index column — a cancellation, a chain step,
 * a rejection — fails that proof), extended by the entries this very transaction appended (its own,
 * needing no proof); the approved digest is derived from the signed decisions, and the task row must
 * agree. Any disagreement refuses with `integrity_violation`; the caller reports it to
 * `deps.onIntegrityViolation` (a metric and a log line) with `reportRefusal` once its write has
 * settled, since a write operation may run twice (`kernel/committer.ts`).
 *
 * @example
 * const grant = await ledgerGrant(deps, trx, task); // grant.decisions → the indexes the grant names
 */
export async function ledgerGrant(deps: FeatureDeps, trx: Transaction<Database>, task: TaskRow): Promise<LedgerGrant> {
  const refuse = (reason: string): never => {
    const error = new HumanOSError('integrity_violation', `task ${task.id} cannot execute: ${reason}`);
    refusals.set(error, { taskId: task.id, reason });
    throw error;
  };
  let cp: OpenedCheckpoint;
  try {
    cp = await latestSigned(deps, trx);
  } catch (e) {
    return refuse((e as Error).message);
  }
  const { size, root } = cp;
  // The latest checkpoint must be the log's current size: older ones would leave later entries
  // (a cancellation, a rejection) out of the grant.
  const committed = deps.ledger.committedSize(trx);
  if (committed !== undefined && committed !== size) {
    return refuse(`the latest signed checkpoint covers ${size} entries, the log has ${committed}`);
  }
  // The index column only says where to look: every entry found is proved to be the task's by its
  // signed content, and the task head proves that none is missing.
  const read = deps.ledger.headsRead(trx, cp.heads);
  const { entries: rows, stored } = await taskEntriesAndHead(trx, cp.heads, task.id, size, read);
  const proofs = await deps.ledger.inclusionProofs(
    trx,
    rows.map((r) => Number(r.seq)),
    size,
  );
  const entries: IndexedEntry[] = [];
  const leaves: Uint8Array[] = [];
  for (const r of rows) {
    const index = Number(r.seq);
    try {
      const leaf = entryLeafHash(r.entry);
      verifyInclusion(index, size, leaf, proofs.get(index) ?? [], root);
      const entry = JSON.parse(r.entry) as LedgerEntry;
      if (entry.seq !== index || entry.taskId !== task.id) throw new Error('entry is not where it claims to be');
      entries.push({ index, entry });
      leaves.push(leaf);
    } catch {
      return refuse(`ledger entry ${index} is not included under the signed checkpoint of size ${size}`);
    }
  }
  try {
    await proveTaskHead(trx, cp.heads, task.id, leaves, read, stored);
  } catch (e) {
    return refuse((e as Error).message);
  }
  for (const e of deps.ledger.pendingEntries(trx)) {
    const entry = JSON.parse(e.entry) as LedgerEntry;
    if (entry.taskId === task.id) entries.push({ index: Number(e.seq), entry });
  }
  // Decisions from before a key rotation are signed by the key in force then.
  const a = executionAuthority(entries, (index) => deps.ledger.keys.forEntry(index));
  if (!a.ok) return refuse(a.reason);
  if (task.approved_digest !== a.digest || payloadDigest(p(task.approved_payload)) !== a.digest) {
    return refuse(`the task row's approved payload is not the one the signed decisions approved (${a.digest})`);
  }
  return { digest: a.digest, decisions: a.decisions, checkpointSize: size };
}
