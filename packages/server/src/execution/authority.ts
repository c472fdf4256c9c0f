import {
  entryLeafHash,
  executionAuthority,
  HumanOSError,
  type IndexedEntry,
  type LedgerEntry,
  openCheckpoint,
  payloadDigest,
  verifyInclusion,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import type { FeatureDeps } from '../kernel/deps.js';
import { p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

/** What an execution grant rests on: the approved digest and the signed decisions, under a checkpoint. */
export interface LedgerGrant {
  digest: string;
  /** Ledger indexes of the decisions counted. */
  decisions: number[];
  /** Size of the signed checkpoint the decisions were checked against. */
  checkpointSize: number;
}

/**
 * Execution is authorised by the log, not by mutable rows: the task's ledger entries are read, each
 * checked for inclusion under the latest signed checkpoint (entries this very transaction appended
 * are its own and need no proof), the approved digest is derived from the signed decisions, and the
 * task row must agree. Any disagreement refuses with `integrity_violation`, reported to
 * `deps.onIntegrityViolation` (a metric and a log line).
 *
 * @example
 * const grant = await ledgerGrant(deps, trx, task); // grant.decisions → the indexes the grant names
 */
export async function ledgerGrant(deps: FeatureDeps, trx: Transaction<Database>, task: TaskRow): Promise<LedgerGrant> {
  const refuse = (reason: string): never => {
    deps.onIntegrityViolation({ taskId: task.id, reason });
    throw new HumanOSError('integrity_violation', `task ${task.id} cannot execute: ${reason}`);
  };
  const cp = await deps.ledger.latestCheckpoint(trx);
  if (!cp) return refuse('the ledger has no signed checkpoint');
  let root: Uint8Array;
  try {
    const opened = openCheckpoint(cp.note, deps.origin, deps.key.publicKeyRaw);
    if (opened.size !== Number(cp.size)) throw new Error('size differs from its note');
    root = new Uint8Array(Buffer.from(opened.rootHash, 'base64'));
  } catch (e) {
    return refuse(`the latest checkpoint is not validly signed (${(e as Error).message})`);
  }
  const size = Number(cp.size);
  const rows = await trx
    .selectFrom('ledger_entries')
    .select(['seq', 'entry'])
    .where('task_id', '=', task.id)
    .where('seq', '<', size)
    .orderBy('seq')
    .execute();
  const proofs = await deps.ledger.inclusionProofs(
    trx,
    rows.map((r) => Number(r.seq)),
    size,
  );
  const entries: IndexedEntry[] = [];
  for (const r of rows) {
    const index = Number(r.seq);
    try {
      verifyInclusion(index, size, entryLeafHash(r.entry), proofs.get(index) ?? [], root);
      const entry = JSON.parse(r.entry) as LedgerEntry;
      if (entry.seq !== index || entry.taskId !== task.id) throw new Error('entry is not where it claims to be');
      entries.push({ index, entry });
    } catch {
      return refuse(`ledger entry ${index} is not included under the signed checkpoint of size ${size}`);
    }
  }
  for (const e of deps.ledger.pendingEntries(trx)) {
    if (e.task_id === task.id) entries.push({ index: Number(e.seq), entry: JSON.parse(e.entry) as LedgerEntry });
  }
  const a = executionAuthority(entries, deps.key.publicKeyRaw);
  if (!a.ok) return refuse(a.reason);
  if (task.approved_digest !== a.digest || payloadDigest(p(task.approved_payload)) !== a.digest) {
    return refuse(`the task row's approved payload is not the one the signed decisions approved (${a.digest})`);
  }
  return { digest: a.digest, decisions: a.decisions, checkpointSize: size };
}
