/**
 * The stored task-heads map (core `taskheads.ts`, docs/ledger.md): the seal extends it with the
 * entries a batch appended, the grant proves a task's head against the signed root. Stored rows are
 * a cache of what the signed root commits to and are never believed on their own: every read is
 * checked against the root of a signed checkpoint first.
 */
import {
  EMPTY_TASK_ACC,
  entryLeafHash,
  entryTail,
  extendTaskAcc,
  type Hash,
  type HeadsNodeStore,
  HumanOSError,
  MerkleFrontier,
  type NodeRef,
  openCheckpoint,
  type TaskHead,
  type TaskHeadsRoot,
  TaskHeadsTree,
  taskHeadLeaf,
  taskHeadRefsFor,
  taskHeadsFromExtensions,
  verifyInclusion,
} from '@humanos/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import { at, preparedByCount, preparedInsert } from '../store/prepared.js';
import type { Database } from '../store/schema.js';

export const fromHex = (h: string): Hash => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (h: Hash): string => Buffer.from(h).toString('hex');
/** A tree node's key in the maps nodes are kept in: `level:idx`. */
export const refKey = ([level, idx]: NodeRef) => `${level}:${idx}`;

type NodeTable = 'ledger_nodes' | 'task_head_nodes';

/** Nodes by (level, idx): the two trees' node tables have the same columns and key. */
const nodesQuery = (table: NodeTable) =>
  preparedByCount((db, n, v) =>
    db
      // Either table: the cast only picks one of two identical row types for the builder.
      .selectFrom(table as 'ledger_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) =>
        eb.or(
          Array.from({ length: n }, (_, i) =>
            eb.and([eb('level', '=', v[at(i, 'level')] as never), eb('idx', '=', v[at(i, 'idx')] as never)]),
          ),
        ),
      ),
  );
const NODES: Record<NodeTable, ReturnType<typeof nodesQuery>> = {
  ledger_nodes: nodesQuery('ledger_nodes'),
  task_head_nodes: nodesQuery('task_head_nodes'),
};

const HEADS = preparedByCount((db, n, v) =>
  db
    .selectFrom('task_heads')
    .selectAll()
    .where(
      'task_id',
      'in',
      Array.from({ length: n }, (_, i) => v[at(i, 'taskId')] as never),
    ),
);

/**
 * The stored head rows of `taskIds` (a task without one has no committed entry yet), unproved: the
 * caller proves each against a signed heads root.
 *
 * @example
 * const [row] = await readHeads(trx, [taskId]);
 */
export async function readHeads(db: Kysely<Database>, taskIds: readonly string[]): Promise<HeadRow[]> {
  if (taskIds.length === 0) return [];
  return HEADS.rows(
    db,
    taskIds.map((taskId) => ({ taskId })),
  );
}

/**
 * The hashes of `refs` in one of the node tables (the ledger's tree, or the task-heads tree), by
 * `refKey`: the ones in `cached` (already held) from there, the others read in one query; a ref with
 * no row is absent from the map (the caller decides what that means).
 *
 * @example
 * const nodes = await readNodes(trx, 'ledger_nodes', perfectNodesFor([0, size]));
 */
export async function readNodes(
  db: Kysely<Database>,
  table: NodeTable,
  refs: readonly NodeRef[],
  cached?: ReadonlyMap<string, Hash>,
): Promise<Map<string, Hash>> {
  const out = new Map<string, Hash>();
  const missing: NodeRef[] = [];
  for (const ref of refs) {
    const hit = cached?.get(refKey(ref));
    if (hit) out.set(refKey(ref), hit);
    else missing.push(ref);
  }
  if (missing.length === 0) return out;
  const rows = await NODES[table].rows(
    db,
    missing.map(([level, idx]) => ({ level, idx })),
  );
  for (const r of rows) out.set(refKey([Number(r.level), Number(r.idx)]), fromHex(r.hash));
  return out;
}

/**
 * One task's head row and heads-tree nodes in one statement: the two tables' columns side by side,
 * the other table's null. Item 0 carries the task id; every item is a node.
 */
const HEAD_AND_NODES = preparedByCount((db, n, v) =>
  db
    .selectFrom('task_heads')
    .select([
      'task_id',
      'pos',
      'count',
      'acc',
      sql<number | null>`cast(null as integer)`.as('level'),
      sql<number | null>`cast(null as bigint)`.as('idx'),
      sql<string | null>`cast(null as text)`.as('hash'),
      sql<number | null>`cast(null as bigint)`.as('seq'),
      sql<string | null>`cast(null as text)`.as('entry'),
    ])
    .where('task_id', '=', v[at(0, 'taskId')] as never)
    .unionAll(
      db
        .selectFrom('task_head_nodes')
        .select([
          sql<string>`cast(null as text)`.as('task_id'),
          sql<number>`cast(null as bigint)`.as('pos'),
          sql<number>`cast(null as bigint)`.as('count'),
          sql<string>`cast(null as text)`.as('acc'),
          'level',
          'idx',
          'hash',
          sql<number | null>`cast(null as bigint)`.as('seq'),
          sql<string | null>`cast(null as text)`.as('entry'),
        ])
        .where((eb) =>
          eb.or(
            Array.from({ length: n }, (_, i) =>
              eb.and([eb('level', '=', v[at(i, 'level')] as never), eb('idx', '=', v[at(i, 'idx')] as never)]),
            ),
          ),
        ),
    )
    .unionAll(
      db
        .selectFrom('ledger_entries')
        .select([
          sql<string>`cast(null as text)`.as('task_id'),
          sql<number>`cast(null as bigint)`.as('pos'),
          sql<number>`cast(null as bigint)`.as('count'),
          sql<string>`cast(null as text)`.as('acc'),
          sql<number | null>`cast(null as integer)`.as('level'),
          sql<number | null>`cast(null as bigint)`.as('idx'),
          sql<string | null>`cast(null as text)`.as('hash'),
          'seq',
          'entry',
        ])
        .where('task_id', '=', v[at(0, 'taskId')] as never)
        .where('seq', '<', v[at(0, 'below')] as never),
    ),
);

/**
 * The stored head row of `taskId` (undefined if it has none), the stored heads-tree nodes `refs`
 * (at least one) and, when `entriesBelow` is above 0, the task's ledger entries below that size (by
 * the index column, in order), in one round trip instead of three: `refs` are the nodes the task's
 * expected position needs (a hint: the caller reads what the stored position needs beyond them), or
 * the tree's right edge for a task with no head yet. Nothing read is believed before it is proved.
 *
 * @example
 * const { row, nodes, entries } = await readHeadWithNodes(trx, taskId, taskHeadRefsFor([hint], heads.size), size);
 */
export async function readHeadWithNodes(
  db: Kysely<Database>,
  taskId: string,
  refs: readonly NodeRef[],
  entriesBelow = 0,
): Promise<{ row: HeadRow | undefined; nodes: Map<string, Hash>; entries: TaskEntryRow[] }> {
  const rows = await HEAD_AND_NODES.rows(
    db,
    refs.map(([level, idx], i) => (i === 0 ? { taskId, below: entriesBelow, level, idx } : { level, idx })),
  );
  let row: HeadRow | undefined;
  const nodes = new Map<string, Hash>();
  const entries: TaskEntryRow[] = [];
  for (const r of rows) {
    // Each side's columns are the others' nulls (literals of the query, not stored values; typed as
    // the head side's columns for the union).
    if ((r.task_id as string | null) !== null) row = { task_id: r.task_id, pos: r.pos, count: r.count, acc: r.acc };
    else if (r.entry !== null && r.seq !== null) entries.push({ seq: Number(r.seq), entry: r.entry });
    else if (r.level !== null && r.idx !== null && r.hash !== null)
      nodes.set(refKey([Number(r.level), Number(r.idx)]), fromHex(r.hash));
  }
  // A union's rows come in no particular order.
  entries.sort((a, b) => a.seq - b.seq);
  return { row, nodes, entries };
}

/** A task's ledger entry as its index column places it (proved before it is believed). */
export type TaskEntryRow = Pick<Database['ledger_entries'], 'seq' | 'entry'>;

/** The rows a seal writes for the heads map (upserts: positions stay, counts and nodes change). */
export interface HeadsRows {
  heads: Database['task_heads'][];
  nodes: Database['task_head_nodes'][];
}

/** A signed checkpoint, opened with the log's key: its size, log root and task-heads root. */
export interface SignedHead {
  size: number;
  root: Hash;
  heads: TaskHeadsRoot;
  note: string;
}

/**
 * Opens the checkpoint note stored at `size` with the key in force there; throws why it cannot be
 * used (another key or origin, another size than its row, no task-heads root).
 *
 * @example
 * const { root, heads } = openSigned(cp.note, origin, keys.forCheckpoint(size), size);
 */
export function openSigned(note: string, origin: string, key: Uint8Array, size: number): SignedHead {
  const cp = openCheckpoint(note, origin, key);
  if (cp.size !== size) throw new Error(`the checkpoint note says size ${cp.size}, its row ${size}`);
  const heads = taskHeadsFromExtensions(cp.extensions);
  if (!heads) throw new Error(`the checkpoint of size ${size} signs no task-heads root`);
  return { size, root: new Uint8Array(Buffer.from(cp.rootHash, 'base64')), heads, note };
}

/**
 * The task-heads rows and nodes a write transaction has read and proved against one signed heads
 * root (the execution grant's), so that its seal, which proves the same rows against the same root
 * before extending them, does not read them a second time. Only proved rows are kept; the seal
 * proves them again (from memory), so an edited row is refused exactly as when it is read.
 */
export interface HeadsRead {
  /** The signed heads root the rows were proved against. */
  heads: TaskHeadsRoot;
  /** Stored head rows by task id. */
  rows: Map<string, HeadRow>;
  /** Heads-tree nodes by `level:idx`. */
  nodes: Map<string, Hash>;
  /** Where tasks' leaves are, as this process's seals placed them: hints (`readHeadWithNodes`). */
  positions?: ReadonlyMap<string, number>;
}

/** Whether `read` was proved against the root `heads` (same size, same hash). */
function readAt(read: HeadsRead | undefined, heads: TaskHeadsRoot): read is HeadsRead {
  return read !== undefined && read.heads.size === heads.size && Buffer.compare(read.heads.root, heads.root) === 0;
}

/** Keeps a proved head row and the nodes of its proof for the seal of the same transaction. */
export function keepProved(read: HeadsRead | undefined, heads: TaskHeadsRoot, row: HeadRow, nodes: Map<string, Hash>) {
  if (!read || !readAt(read, heads)) return;
  read.rows.set(row.task_id, row);
  for (const [k, h] of nodes) read.nodes.set(k, h);
}

/**
 * Reads the perfect-subtree nodes `refs` of the heads tree in one query (grouped by level), into a
 * node store that records what is set on it; nodes in `cached` (read earlier in the same
 * transaction) are not read again.
 */
export async function loadHeadNodes(
  db: Kysely<Database>,
  refs: readonly NodeRef[],
  cached?: ReadonlyMap<string, Hash>,
): Promise<HeadsNodeStore & { known: Map<string, Hash>; written: Map<string, Database['task_head_nodes']> }> {
  const store = recordingStore();
  for (const [k, h] of await readNodes(db, 'task_head_nodes', refs, cached)) store.known.set(k, h);
  return store;
}

/** Nodes in memory that remembers which were set (the rows to write). */
function recordingStore(): HeadsNodeStore & {
  known: Map<string, Hash>;
  written: Map<string, Database['task_head_nodes']>;
} {
  const known = new Map<string, Hash>();
  const written = new Map<string, Database['task_head_nodes']>();
  return {
    known,
    written,
    get: (ref) => known.get(refKey(ref)),
    set(ref, hash) {
      known.set(refKey(ref), hash);
      written.set(refKey(ref), { level: ref[0], idx: ref[1], hash: toHex(hash) });
    },
  };
}

type HeadRow = Database['task_heads'];

/** Thrown when the stored heads disagree with the signed root: nothing is appended on top of them. */
function tampered(taskId: string, why: string): HumanOSError {
  return new HumanOSError(
    'integrity_violation',
    `the stored task head of ${taskId} is not the one the last signed checkpoint commits to (${why})`,
    { taskId },
  );
}

/**
 * Extends the heads map by a batch's entries (in log order): every touched task's stored head is
 * first proved against the previous signed root (so an edited count, hash, position or node is
 * refused, not signed over), then its accumulator runs on over its new entries; tasks seen for the
 * first time get the next positions. Returns the new root and the rows to write.
 *
 * @example
 * const { heads, rows } = await advanceTaskHeads(trx, previous, held.entryRows);
 */
export async function advanceTaskHeads(
  db: Kysely<Database>,
  prev: TaskHeadsRoot,
  entries: readonly Pick<Database['ledger_entries'], 'task_id' | 'leaf_hash'>[],
  read?: HeadsRead,
  positions?: ReadonlyMap<string, number>,
): Promise<{ heads: TaskHeadsRoot; rows: HeadsRows }> {
  const leaves = new Map<string, Hash[]>();
  for (const e of entries) {
    if (e.task_id === null) continue;
    const list = leaves.get(e.task_id);
    if (list) list.push(fromHex(e.leaf_hash));
    else leaves.set(e.task_id, [fromHex(e.leaf_hash)]);
  }
  if (leaves.size === 0) return { heads: prev, rows: { heads: [], nodes: [] } };
  // Rows this transaction already read and proved against `prev` are taken from memory (and proved
  // again below); only the others are read.
  const known = readAt(read, prev) ? read : undefined;
  const stored = [...leaves.keys()].flatMap((id) => {
    const row = known?.rows.get(id);
    return row ? [row] : [];
  });
  const unread = [...leaves.keys()].filter((id) => !known?.rows.has(id));
  // One task to read (a batch of one request): its row comes with the nodes its expected position
  // and the tree's right edge need, in one statement; a new task has no row and needs only the edge.
  let prefetched: Map<string, Hash> | undefined;
  const [only] = unread;
  if (unread.length === 1 && only !== undefined && prev.size > 0) {
    const hint = positions?.get(only);
    const expected = stored.map((h) => Number(h.pos));
    if (hint !== undefined && hint < prev.size) expected.push(hint);
    const r = await readHeadWithNodes(db, only, taskHeadRefsFor(expected, prev.size));
    if (r.row) stored.push(r.row);
    prefetched = r.nodes;
  } else if (unread.length > 0) stored.push(...(await readHeads(db, unread)));
  for (const h of stored) {
    const pos = Number(h.pos);
    if (!Number.isSafeInteger(pos) || pos < 0 || pos >= prev.size) throw tampered(h.task_id, `position ${h.pos}`);
  }
  const store = await loadHeadNodes(
    db,
    taskHeadRefsFor(
      stored.map((h) => Number(h.pos)),
      prev.size,
    ),
    prefetched ? new Map([...(known?.nodes ?? []), ...prefetched]) : known?.nodes,
  );
  const tree = new TaskHeadsTree(store, prev.size);
  const old = new Map<string, HeadRow>();
  // Every old leaf is proved before any is changed: an update moves the proofs of the others.
  for (const h of stored) {
    const head = { taskId: h.task_id, count: Number(h.count), acc: fromHex(h.acc) };
    try {
      verifyInclusion(Number(h.pos), prev.size, taskHeadLeaf(head), tree.proof(Number(h.pos)), prev.root);
    } catch (e) {
      throw tampered(h.task_id, (e as Error).message);
    }
    old.set(h.task_id, h);
  }
  const heads: HeadRow[] = [];
  // Map order is first appearance in the batch, so new tasks get positions in log order.
  for (const [taskId, list] of leaves) {
    const before = old.get(taskId);
    let acc = before ? fromHex(before.acc) : EMPTY_TASK_ACC;
    for (const leaf of list) acc = extendTaskAcc(acc, leaf);
    const count = Number(before?.count ?? 0) + list.length;
    const leaf = taskHeadLeaf({ taskId, count, acc });
    const pos = before ? Number(before.pos) : tree.append(leaf);
    if (before) tree.setLeaf(pos, leaf);
    heads.push({ task_id: taskId, pos, count, acc: toHex(acc) });
  }
  return { heads: { size: tree.size, root: tree.root() }, rows: { heads, nodes: [...store.written.values()] } };
}

// SQLite allows 32 766 bound parameters per statement.
const ROWS_PER_UPSERT = 1000;

/** Writes a seal's heads rows statement by statement (what PostgreSQL folds into its one-statement seal). */
export async function writeHeadsRows(trx: Transaction<Database>, rows: HeadsRows): Promise<void> {
  for (let i = 0; i < rows.heads.length; i += ROWS_PER_UPSERT) {
    await UPSERT_HEADS(trx, rows.heads.slice(i, i + ROWS_PER_UPSERT));
  }
  for (let i = 0; i < rows.nodes.length; i += ROWS_PER_UPSERT) {
    await UPSERT_HEAD_NODES(trx, rows.nodes.slice(i, i + ROWS_PER_UPSERT));
  }
}

const UPSERT_HEADS = preparedInsert('task_heads', ['task_id', 'pos', 'count', 'acc'], (q) =>
  q.onConflict((oc) =>
    oc.column('task_id').doUpdateSet((eb) => ({ count: eb.ref('excluded.count'), acc: eb.ref('excluded.acc') })),
  ),
);
const UPSERT_HEAD_NODES = preparedInsert('task_head_nodes', ['level', 'idx', 'hash'], (q) =>
  q.onConflict((oc) => oc.columns(['level', 'idx']).doUpdateSet((eb) => ({ hash: eb.ref('excluded.hash') }))),
);

/** Entries read per page while building the map of an existing log (entries can be ~1 MB each). */
const BUILD_PAGE = 64;

/**
 * Builds the heads map of a log that has none yet (a store from before migration 0017) from the
 * signed entries themselves (each entry's own `taskId`, never the index column), and checks on the
 * way that those entries have the root of the latest signed checkpoint: the upgrade trusts nothing
 * but the signed log. Returns the heads root, for the caller to sign into that checkpoint again.
 *
 * @example
 * const heads = await buildTaskHeads(trx, size, latest.root_hash);
 */
export async function buildTaskHeads(
  trx: Transaction<Database>,
  size: number,
  rootBase64: string,
): Promise<TaskHeadsRoot> {
  const frontier = new MerkleFrontier();
  const heads = new Map<string, TaskHead>();
  for (let from = 0; from < size; from += BUILD_PAGE) {
    const rows = await trx
      .selectFrom('ledger_entries')
      .select(['seq', 'entry'])
      .where('seq', '>=', from)
      .where('seq', '<', Math.min(size, from + BUILD_PAGE))
      .orderBy('seq')
      .execute();
    for (const r of rows) {
      const tail = entryTail(r.entry);
      if (!tail || tail.seq !== frontier.size || Number(r.seq) !== tail.seq) {
        throw new Error(`ledger entry ${frontier.size} is missing or not canonical; task heads not built`);
      }
      const leaf = entryLeafHash(r.entry);
      frontier.append(leaf);
      if (tail.taskId === null) continue;
      const h = heads.get(tail.taskId) ?? { taskId: tail.taskId, count: 0, acc: EMPTY_TASK_ACC };
      heads.set(tail.taskId, { taskId: tail.taskId, count: h.count + 1, acc: extendTaskAcc(h.acc, leaf) });
    }
  }
  if (frontier.size !== size || Buffer.from(frontier.root()).toString('base64') !== rootBase64) {
    throw new Error('the stored log does not have the root of its latest signed checkpoint; task heads not built');
  }
  await trx.deleteFrom('task_heads').execute();
  await trx.deleteFrom('task_head_nodes').execute();
  const store = recordingStore();
  const tree = new TaskHeadsTree(store, 0);
  const rows: HeadRow[] = [];
  for (const h of heads.values()) {
    const pos = tree.append(taskHeadLeaf(h));
    rows.push({ task_id: h.taskId, pos, count: h.count, acc: toHex(h.acc) });
  }
  await writeHeadsRows(trx, { heads: rows, nodes: [...store.written.values()] });
  return { size: tree.size, root: tree.root() };
}
