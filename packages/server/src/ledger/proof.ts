/**
 * What a task's signed history can be proved to be, with the server's public key only: the latest
 * signed checkpoint, each entry's inclusion under it, and the task's head in the signed task-heads
 * map (so no entry of the task is hidden, moved away or missing). Shared by the execution grant
 * and the task history.
 */
import {
  EMPTY_TASK_ACC,
  extendTaskAcc,
  type Hash,
  type TaskHeadsRoot,
  TaskHeadsTree,
  taskHeadLeaf,
  taskHeadRefsFor,
  verifyInclusion,
} from '@humanos/core';
import type { Kysely } from 'kysely';
import type { FeatureDeps } from '../kernel/deps.js';
import {
  type HeadsRead,
  keepProved,
  loadHeadNodes,
  openSigned,
  readHeads,
  readHeadWithNodes,
  type SignedHead,
  type TaskEntryRow,
} from '../kernel/taskHeads.js';
import { prepared, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';

/** The latest signed checkpoint, opened: its size, log root and task-heads root. */
export type OpenedCheckpoint = SignedHead;

type ProofDeps = Pick<FeatureDeps, 'ledger' | 'origin'>;

/**
 * The latest signed checkpoint, opened with the server's key; throws the reason it cannot be used.
 * Inside a write batch it is the one the batch started from, as this process holds it (its own
 * seal, or the one `Ledger.begin` proved the stored tree against): no read, and no stored row to edit.
 */
export async function latestSigned(deps: ProofDeps, db: Kysely<Database>): Promise<OpenedCheckpoint> {
  const held = deps.ledger.signedAtStart(db);
  if (held) return held;
  const cp = await deps.ledger.latestCheckpoint(db);
  if (!cp) throw new Error('the ledger has no signed checkpoint');
  const size = Number(cp.size);
  try {
    return openSigned(cp.note, deps.origin, deps.ledger.keys.forCheckpoint(size), size);
  } catch (e) {
    throw new Error(`the latest checkpoint is not validly signed (${(e as Error).message})`);
  }
}

/** A task's stored head row and heads-tree nodes as read for its proof (`readStoredHead`). */
export interface StoredHead {
  row: Database['task_heads'] | undefined;
  nodes: Map<string, Hash> | undefined;
}

/**
 * The stored head row of `taskId` and, where this process placed the task's leaf (a hint, `read`),
 * that proof's nodes and the task's entries below `entriesBelow`, in one statement; without a hint,
 * the row alone (and no entries: `taskEntriesAndHead` reads them on their own).
 */
async function readStoredHead(
  db: Kysely<Database>,
  heads: TaskHeadsRoot,
  taskId: string,
  read: HeadsRead | undefined,
  entriesBelow: number,
): Promise<StoredHead & { entries?: TaskEntryRow[] }> {
  const hint = read?.positions?.get(taskId);
  const hinted = hint !== undefined && hint < heads.size ? taskHeadRefsFor([hint], heads.size) : [];
  if (hinted.length > 0) return readHeadWithNodes(db, taskId, hinted, entriesBelow);
  return { row: (await readHeads(db, [taskId]))[0], nodes: undefined };
}

/**
 * A task's entries below `size` (by the index column, each proved after) and its stored head, for
 * `proveTaskHead`: in one statement when this process knows where the task's leaf is, else two.
 *
 * @example
 * const { entries, stored } = await taskEntriesAndHead(trx, cp.heads, task.id, cp.size, deps.ledger.headsRead(trx, cp.heads));
 */
export async function taskEntriesAndHead(
  db: Kysely<Database>,
  heads: TaskHeadsRoot,
  taskId: string,
  size: number,
  read: HeadsRead | undefined,
): Promise<{ entries: TaskEntryRow[]; stored: StoredHead | undefined }> {
  if (size === 0) return { entries: [], stored: undefined };
  const first = await readStoredHead(db, heads, taskId, read, size);
  if (first.entries) return { entries: first.entries, stored: first };
  return { entries: await TASK_ENTRIES.rows(db, { taskId, size }), stored: first };
}

/** Where a task's entries are, by the index column (every one is proved after), compiled once. */
const TASK_ENTRIES = prepared((db, v: Slots<{ taskId: string; size: number }>) =>
  db
    .selectFrom('ledger_entries')
    .select(['seq', 'entry'])
    .where('task_id', '=', v.taskId)
    .where('seq', '<', v.size)
    .orderBy('seq'),
);

/**
 * Proves that `leaves` (the log leaf hashes of the task's entries below the checkpoint, in log
 * order) are all of the task's entries: their running hash and count must be the task's leaf in the
 * signed heads map, at the position the store names (a hint: a wrong one fails the proof). A stored
 * head that says something else was edited. Throws the reason.
 *
 * @example
 * await proveTaskHead(db, cp.heads, task.id, entries.map((e) => e.leaf));
 * // in a write batch, keep what was proved for its seal: deps.ledger.headsRead(trx, cp.heads)
 */
export async function proveTaskHead(
  db: Kysely<Database>,
  heads: TaskHeadsRoot,
  taskId: string,
  leaves: readonly Hash[],
  read?: HeadsRead,
  stored?: StoredHead,
): Promise<void> {
  let acc = EMPTY_TASK_ACC;
  for (const leaf of leaves) acc = extendTaskAcc(acc, leaf);
  const first = stored ?? (await readStoredHead(db, heads, taskId, read, 0));
  const row = first.row;
  if (!row) {
    // A task with no committed entry has no head yet (its entries are all in this transaction).
    if (leaves.length === 0) return;
    throw new Error(`task ${taskId} has no head in the task-heads map`);
  }
  const pos = Number(row.pos);
  if (!Number.isSafeInteger(pos) || pos < 0 || pos >= heads.size) {
    throw new Error(`the stored task head of ${taskId} names position ${row.pos}, outside the signed map`);
  }
  const nodes = await loadHeadNodes(db, taskHeadRefsFor([pos], heads.size), first.nodes);
  const tree = new TaskHeadsTree(nodes, heads.size);
  const leaf = taskHeadLeaf({ taskId, count: leaves.length, acc });
  try {
    verifyInclusion(pos, heads.size, leaf, tree.proof(pos), heads.root);
  } catch {
    throw new Error(
      `the task's ${leaves.length} entries in the store are not the ones its signed task head commits to (an entry is hidden, moved or missing, or the head was edited)`,
    );
  }
  if (Number(row.count) !== leaves.length || row.acc !== Buffer.from(acc).toString('hex')) {
    throw new Error(`the stored task head of ${taskId} was edited (it differs from the signed one)`);
  }
  // Proved: the seal of this transaction proves it again from memory instead of reading it again.
  keepProved(read, heads, row, nodes.known);
}
