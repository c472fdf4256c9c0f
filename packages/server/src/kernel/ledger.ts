import {
  bytesToHex,
  consistencyRanges,
  didKeyFromPublicKey,
  emptyRoot,
  encodeEntry,
  entryLeafHash,
  type Hash,
  HumanOSError,
  inclusionRanges,
  KeyChain,
  LEDGER_ENTRY_VERSION,
  type LedgerEntry,
  type NodeRef,
  nodeHash,
  nodesCompletedBy,
  openCheckpoint,
  perfectNodesFor,
  type Range,
  rangeHash,
  type SigningKey,
  signCheckpoint,
  type TaskHeadsRoot,
  taskHeadsFromExtensions,
  taskHeadsLine,
} from '@humanos/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { StoreDialect } from '../store/dialect.js';
import { prepared, preparedInsert, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import {
  advanceTaskHeads,
  buildTaskHeads,
  type HeadsRead,
  refKey as key,
  openSigned,
  readNodes,
  type SignedHead,
  writeHeadsRows,
} from './taskHeads.js';

export type NewEntry = Omit<LedgerEntry, 'v' | 'seq'>;

export interface AppendResult {
  seqs: number[];
  size: number;
}

/** The signed checkpoint that closed a write batch. */
export interface Seal {
  size: number;
  rootHash: string;
  checkpoint: string;
  /**
   * The inclusion proof of an entry the batch appended, against this checkpoint, computed from the
   * nodes the batch already holds in memory (no query); undefined for an entry appended before.
   */
  proveAppended(index: number): Hash[] | undefined;
}

/** The right edge of the committed tree: every node `perfectNodesFor([0, size])`. */
interface Frontier {
  size: number;
  nodes: Map<string, Hash>;
  /** The task-heads root signed at that size. */
  heads: TaskHeadsRoot;
  /** The signed checkpoint at that size, opened (none for the empty log). */
  signed: SignedHead | undefined;
}

/**
 * Ledger nodes this process computed in committed batches, kept for the inclusion proofs that
 * follow (the execution grant proves a task's recent entries): about 150 bytes each, so 5 MB.
 */
const NODE_CACHE_SIZE = 32_768;
/** Task positions remembered as hints (`Ledger.positions`): about 100 bytes each, so 10 MB. */
const POSITIONS_SIZE = 100_000;

/** Adds `entries` to `map` and drops the oldest entries beyond `max` (a map iterates in insertion order). */
function keepNewest<K, V>(map: Map<K, V>, entries: Iterable<[K, V]>, max: number): void {
  for (const [k, v] of entries) map.set(k, v);
  for (const k of map.keys()) {
    if (map.size <= max) break;
    map.delete(k);
  }
}

const FRONTIER = Symbol('frontier');
const COMPUTED = Symbol('computed');
const PLACED = Symbol('placed');
/**
 * A seal with what `committed` keeps of it: the new frontier, the nodes the batch computed and the
 * heads-tree positions of the tasks it touched.
 */
type SealWithFrontier = Seal & {
  [FRONTIER]?: Frontier;
  [COMPUTED]?: [string, Hash][];
  [PLACED]?: [string, number][];
};

/**
 * One transaction's appends, held in memory and written by `Ledger.seal` as a few multi-row inserts:
 * an append inside a group-commit batch then costs no statement at all (it was four, each a network
 * round trip inside the serialised batch on PostgreSQL). `mark`/`rollback` follow the committer's
 * savepoints so a failed operation leaves no entry behind.
 */
class PendingAppends {
  readonly entryRows: Database['ledger_entries'][] = [];
  readonly nodeRows: Database['ledger_nodes'][] = [];
  size: number;
  /** Task-heads rows proved in this transaction (by the execution grant), for the seal (`HeadsRead`). */
  headsRead: HeadsRead | undefined = undefined;

  constructor(
    /** The committed tree this transaction starts from (its nodes are copied into `known`). */
    readonly start: Frontier,
    /** Every node `perfectNodesFor([0, startSize])`, plus the nodes appended since. */
    readonly known: Map<string, Hash>,
  ) {
    this.size = start.size;
  }

  get startSize(): number {
    return this.start.size;
  }

  append(entries: NewEntry[]): AppendResult {
    const seqs: number[] = [];
    for (const e of entries) {
      const seq = this.size;
      const encoded = encodeEntry({ v: LEDGER_ENTRY_VERSION, seq, ...e });
      const leaf = entryLeafHash(encoded);
      this.known.set(key([0, seq]), leaf);
      this.nodeRows.push({ level: 0, idx: seq, hash: bytesToHex(leaf) });
      this.entryRows.push({ seq, entry: encoded, leaf_hash: bytesToHex(leaf), task_id: e.taskId ?? null });
      for (const [level, idx] of nodesCompletedBy(seq)) {
        const left = this.known.get(key([level - 1, 2 * idx]));
        const right = this.known.get(key([level - 1, 2 * idx + 1]));
        if (!left || !right) throw new Error(`ledger node ${level - 1}:${2 * idx} missing`);
        const h = nodeHash(left, right);
        this.known.set(key([level, idx]), h);
        this.nodeRows.push({ level, idx, hash: bytesToHex(h) });
      }
      seqs.push(seq);
      this.size = seq + 1;
    }
    return { seqs, size: this.size };
  }

  mark(): Mark {
    return { entries: this.entryRows.length, nodes: this.nodeRows.length, size: this.size };
  }

  rollback(m: Mark): void {
    for (const n of this.nodeRows.splice(m.nodes)) this.known.delete(key([n.level, n.idx]));
    this.entryRows.length = m.entries;
    this.size = m.size;
  }
}

/** A position in a transaction's pending appends, taken at a savepoint. */
export interface Mark {
  entries: number;
  nodes: number;
  size: number;
}

// SQLite allows 32 766 bound parameters per statement; entries bind 4 per row.
const ROWS_PER_INSERT = 1000;

/**
 * The append-only Merkle log. Appends happen inside the caller's transaction, so a state change and
 * its ledger entry commit or vanish together. Appends are serialised by the row lock on
 * `ledger_head` (PostgreSQL) or by SQLite's single writer, so replicas produce one log with no gaps
 * and no forks.
 */
export class Ledger {
  private readonly pending = new WeakMap<Transaction<Database>, PendingAppends>();
  /**
   * The frontier as of the last batch this process committed, so that the next batch need not read
   * it back. Valid only while the stored size still equals its size: the committed prefix of the log
   * never changes, so equal sizes mean equal trees (another replica's append moves the size on).
   */
  private frontier: Frontier | undefined;
  /**
   * Nodes computed by this process's committed batches (`NODE_CACHE_SIZE`, oldest dropped first).
   * A node of the committed tree never changes, so these are the log's own and an insider's edit of
   * `ledger_nodes` cannot reach a proof through them; a proof is still checked against a signed root.
   */
  private readonly nodeCache = new Map<string, Hash>();
  /** The largest size `nodeCache` was filled at: a smaller stored size means the store was replaced. */
  private nodeCacheSize = 0;
  /**
   * Where this process's committed seals placed tasks' leaves in the heads tree (the last
   * `POSITIONS_SIZE`): a task's position never changes once given, so the next read of its head can
   * fetch its proof's nodes in the same statement. Hints only: the stored row is read and proved.
   */
  private readonly positions = new Map<string, number>();

  /** The log's keys over time (a log that never rotated: `key` from size 0). */
  readonly keys: KeyChain;

  constructor(
    readonly dialect: StoreDialect,
    private readonly key: SigningKey,
    readonly origin: string,
    keys?: KeyChain,
  ) {
    this.keys = keys ?? new KeyChain([{ publicKey: didKeyFromPublicKey(key.publicKeyRaw), fromSize: 0 }]);
    this.signerHex = bytesToHex(key.publicKeyRaw);
  }

  /** This process's key, as `ledger_head.signer` holds it. */
  private readonly signerHex: string;

  /**
   * Starts holding this transaction's appends in memory until `seal`, and returns the current size.
   * On PostgreSQL it takes the append lock (`ledger_head … for update`) for the rest of the
   * transaction, so the size read here stays true.
   */
  async begin(trx: Transaction<Database>): Promise<number> {
    const head = await HEAD_FOR_APPEND.first(trx, {});
    if (!head) throw new Error('the ledger has no head row');
    // Read under the same lock: after a rotation, a replica still holding the old key appends nothing.
    if (head.signer && head.signer !== this.signerHex) {
      throw new Error(
        `the ledger is now signed by another key (${head.signer}): it was rotated; restart this server with the new key`,
      );
    }
    const size = Number(head.size);
    if (size < this.nodeCacheSize) {
      // The log is shorter than one this process appended to: a restored store, not the same tree.
      this.nodeCache.clear();
      this.nodeCacheSize = 0;
    }
    const start = this.frontier?.size === size ? this.frontier : await this.storedFrontier(trx, size);
    this.pending.set(trx, new PendingAppends(start, new Map(start.nodes)));
    return size;
  }

  /**
   * The committed tree's right edge as stored, proved against the signed checkpoint at its size
   * before anything is appended to it: the seal signs a root computed from these nodes, so an
   * edited `ledger_nodes` row would otherwise be carried into the next signed checkpoint (a fork of
   * the log signed by its own key). Read when this process did not seal the last batch itself.
   */
  private async storedFrontier(trx: Transaction<Database>, size: number): Promise<Frontier> {
    if (size === 0) return { size, nodes: new Map(), heads: { size: 0, root: emptyRoot() }, signed: undefined };
    const nodes = await this.loadNodes(trx, perfectNodesFor([0, size]));
    const cp = await this.checkpointAt(trx, size);
    if (!cp) throw new Error(`no signed checkpoint at the ledger's size ${size}`);
    const signed = openSigned(cp.note, this.origin, this.keys.forCheckpoint(size), size);
    const root = rangeHash([0, size], (ref) => nodes.get(key(ref)) as Hash);
    if (Buffer.compare(root, signed.root) !== 0) {
      throw new HumanOSError(
        'integrity_violation',
        `the stored ledger nodes are not the tree the signed checkpoint of size ${size} commits to; nothing is appended to them`,
      );
    }
    return { size, nodes, heads: signed.heads, signed };
  }

  /**
   * The signed checkpoint this transaction's batch starts from (the log's latest, under the append
   * lock), as this process holds it: the one it signed itself at the end of its last batch, or the
   * one `begin` read and proved the stored tree against. Undefined outside `begin` … `seal` and for
   * the empty log.
   */
  signedAtStart(trx: Kysely<Database>): SignedHead | undefined {
    return this.pending.get(trx as Transaction<Database>)?.start.signed;
  }

  /**
   * Tells the ledger that the transaction which produced `seal` has committed, so its frontier may be
   * reused by the next batch. Never call it before the commit has succeeded: a frontier from a
   * rolled-back batch would graft its entries onto the next one's tree.
   */
  committed(seal: Seal): void {
    const f = (seal as SealWithFrontier)[FRONTIER];
    if (!f) return;
    this.frontier = f;
    keepNewest(this.nodeCache, (seal as SealWithFrontier)[COMPUTED] ?? [], NODE_CACHE_SIZE);
    this.nodeCacheSize = Math.max(this.nodeCacheSize, f.size);
    keepNewest(this.positions, (seal as SealWithFrontier)[PLACED] ?? [], POSITIONS_SIZE);
  }

  /** Where this transaction's appends stand, to `rollback` to if the operation after it fails. */
  mark(trx: Transaction<Database>): Mark | undefined {
    return this.pending.get(trx)?.mark();
  }

  rollback(trx: Transaction<Database>, m: Mark | undefined): void {
    if (m) this.pending.get(trx)?.rollback(m);
  }

  /**
   * Where a proof of task heads against `heads` inside this transaction keeps the rows it proved, so
   * that the seal proves them again from memory (undefined outside `begin` … `seal`).
   */
  headsRead(trx: Transaction<Database>, heads: TaskHeadsRoot): HeadsRead | undefined {
    const p = this.pending.get(trx);
    if (!p) return undefined;
    const r = p.headsRead;
    if (!r || r.heads.size !== heads.size || Buffer.compare(r.heads.root, heads.root) !== 0)
      p.headsRead = { heads, rows: new Map(), nodes: new Map(), positions: this.positions };
    return p.headsRead;
  }

  /** The log's committed size when this transaction began its batch (undefined outside `begin` … `seal`). */
  committedSize(trx: Transaction<Database>): number | undefined {
    return this.pending.get(trx)?.startSize;
  }

  /** The entries this transaction has appended so far and not yet written (inside `begin` … `seal`). */
  pendingEntries(trx: Transaction<Database>): readonly Database['ledger_entries'][] {
    return this.pending.get(trx)?.entryRows ?? [];
  }

  /** Appends entries; inside `begin` … `seal` they are written at `seal`, otherwise at once. */
  async append(trx: Transaction<Database>, entries: NewEntry[]): Promise<AppendResult> {
    const held = this.pending.get(trx);
    if (held) return held.append(entries);
    // Outside a batch: a batch of its own, sealed at once, so the signed task heads stay in step.
    const start = await this.begin(trx);
    const result = (this.pending.get(trx) as PendingAppends).append(entries);
    await this.seal(trx, start, Date.now(), []);
    return result;
  }

  private async write(trx: Transaction<Database>, p: PendingAppends): Promise<void> {
    if (p.entryRows.length === 0) return;
    for (let i = 0; i < p.entryRows.length; i += ROWS_PER_INSERT) {
      await INSERT_ENTRIES(trx, p.entryRows.slice(i, i + ROWS_PER_INSERT));
    }
    for (let i = 0; i < p.nodeRows.length; i += ROWS_PER_INSERT) {
      await INSERT_NODES(trx, p.nodeRows.slice(i, i + ROWS_PER_INSERT));
    }
    // Conditional on the size `begin` read: a writer that skipped the append lock fails loudly here.
    const moved = await MOVE_HEAD.affected(trx, { to: p.size, from: p.startSize });
    if (moved !== 1) throw new Error('ledger head moved during an append batch');
  }

  /**
   * Writes the transaction's pending appends and signs a checkpoint over the new size when it
   * appended since `startSize`; called once per transaction, last, so one signature covers a whole
   * write batch.
   */
  async seal(trx: Transaction<Database>, startSize: number, now: number, taskIds: string[]): Promise<Seal | undefined> {
    const held = this.pending.get(trx);
    if (!held) {
      if ((await this.size(trx)) !== startSize) throw new Error('ledger entries were written outside begin … seal');
      return undefined;
    }
    this.pending.delete(trx);
    const size = held.size;
    // The frontier of the new size is made of nodes held since `begin` or computed by appends.
    const nodes = held.known;
    if (size === startSize) return undefined;
    const lookup = (ref: NodeRef) => {
      const h = nodes.get(key(ref));
      if (!h) throw new Error(`ledger node ${key(ref)} missing`);
      return h;
    };
    const rootHash = Buffer.from(rangeHash([0, size], lookup)).toString('base64');
    const { heads, rows: headRows } = await advanceTaskHeads(
      trx,
      held.start.heads,
      held.entryRows,
      held.headsRead,
      this.positions,
    );
    const checkpoint = signCheckpoint(
      { origin: this.origin, size, rootHash, extensions: [taskHeadsLine(heads)] },
      this.key,
    );
    const signed = { size, root: new Uint8Array(Buffer.from(rootHash, 'base64')), heads, note: checkpoint };
    const frontier: Frontier = { size, nodes: new Map(), heads, signed };
    for (const ref of perfectNodesFor([0, size])) frontier.nodes.set(key(ref), lookup(ref));
    const cp = { size, root_hash: rootHash, note: checkpoint, created_at: now };
    // Delivered at commit: a wake-up hint for waiters on other replicas (they also poll).
    const notice = { size, taskIds };
    const rows = {
      entries: held.entryRows,
      nodes: held.nodeRows,
      heads: headRows,
      checkpoint: cp,
      from: startSize,
      to: size,
    };
    if (!(this.dialect.notifiesReplicas && (await this.dialect.writeSealAtOnce(trx, rows, notice)))) {
      await this.write(trx, held);
      await writeHeadsRows(trx, headRows);
      await INSERT_CHECKPOINT.execute(trx, cp);
      await this.dialect.notify(trx, notice);
    }
    // Entries appended in this batch have every sibling on their path in `nodes`: the ones left of
    // the old size are the old frontier, the rest were computed by the appends.
    const proveAppended = (index: number) =>
      index >= startSize && index < size ? inclusionRanges(index, size).map((r) => rangeHash(r, lookup)) : undefined;
    const computed = held.nodeRows.map((n): [string, Hash] => [key([n.level, n.idx]), lookup([n.level, n.idx])]);
    const seal: SealWithFrontier = {
      size,
      rootHash,
      checkpoint,
      proveAppended,
      [FRONTIER]: frontier,
      [COMPUTED]: computed,
      [PLACED]: headRows.heads.map((h): [string, number] => [h.task_id, Number(h.pos)]),
    };
    return seal;
  }

  /**
   * At start: a log from before task heads (its latest checkpoint signs no heads root) gets its heads
   * map built from the signed entries, and its latest checkpoint signed again with the heads line
   * (same size and root). Later checkpoints all carry the line; earlier ones stay as they were.
   */
  async ensureTaskHeads(db: Kysely<Database>): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const size = Number(
        (
          await this.dialect
            .forUpdate(trx.selectFrom('ledger_head').select('size').where('id', '=', 1))
            .executeTakeFirstOrThrow()
        ).size,
      );
      if (size === 0) return;
      const cp = await this.checkpointAt(trx, size);
      if (!cp) throw new Error(`no signed checkpoint at the ledger's size ${size}`);
      // A checkpoint that does not verify is never signed again: that would launder an edited row.
      const opened = openCheckpoint(cp.note, this.origin, this.keys.forCheckpoint(size));
      if (taskHeadsFromExtensions(opened.extensions)) return;
      const heads = await buildTaskHeads(trx, size, cp.root_hash);
      const note = signCheckpoint(
        { origin: this.origin, size, rootHash: cp.root_hash, extensions: [taskHeadsLine(heads)] },
        this.key,
      );
      await trx.updateTable('checkpoints').set({ note }).where('size', '=', size).execute();
    });
    this.frontier = undefined;
  }

  /** Nodes by `refKey`: the ones this process computed from memory, the others read. */
  private async loadNodes(db: Kysely<Database>, refs: readonly NodeRef[]): Promise<Map<string, Hash>> {
    const out = await readNodes(db, 'ledger_nodes', refs, this.nodeCache);
    for (const ref of refs) if (!out.has(key(ref))) throw new Error(`ledger node ${key(ref)} missing`);
    return out;
  }

  private async hashesOf(db: Kysely<Database>, ranges: Range[]): Promise<Hash[]> {
    const refs = ranges.flatMap((r) => perfectNodesFor(r));
    const nodes = await this.loadNodes(db, refs);
    return ranges.map((r) => rangeHash(r, (ref) => nodes.get(key(ref)) as Hash));
  }

  async size(db: Kysely<Database> | Transaction<Database>): Promise<number> {
    const row = await db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.size);
  }

  async inclusionProof(db: Kysely<Database>, index: number, size: number): Promise<Hash[]> {
    return this.hashesOf(db, inclusionRanges(index, size));
  }

  /** Inclusion proofs of several entries in a tree of `size`, with one read of the nodes they need. */
  async inclusionProofs(db: Kysely<Database>, indexes: readonly number[], size: number): Promise<Map<number, Hash[]>> {
    const ranges = new Map(indexes.map((i) => [i, inclusionRanges(i, size)]));
    const nodes = await this.loadNodes(
      db,
      [...ranges.values()].flat().flatMap((r) => perfectNodesFor(r)),
    );
    const out = new Map<number, Hash[]>();
    for (const [i, rs] of ranges)
      out.set(
        i,
        rs.map((r) => rangeHash(r, (ref) => nodes.get(key(ref)) as Hash)),
      );
    return out;
  }

  async consistencyProof(db: Kysely<Database>, size1: number, size2: number): Promise<Hash[]> {
    return this.hashesOf(db, consistencyRanges(size1, size2));
  }

  async latestCheckpoint(db: Kysely<Database>): Promise<Database['checkpoints'] | undefined> {
    return LATEST_CHECKPOINT.first(db, {});
  }

  async checkpointAt(db: Kysely<Database>, size: number): Promise<Database['checkpoints'] | undefined> {
    return CHECKPOINT_AT.first(db, { size });
  }
}

// The statements every write batch runs, compiled once (store/prepared.ts).

/**
 * The append lock, taken first by every writer so that replicas cannot deadlock on other rows. No
 * parameter (the id is a literal), so that PostgreSQL gets it in the round trip of the `begin`
 * before it (store/postgres/connect.ts).
 */
const HEAD_FOR_APPEND = prepared((db, _: Slots<Record<string, never>>, dialect) =>
  dialect.forUpdate(db.selectFrom('ledger_head').select(['size', 'signer']).where('id', '=', sql.lit(1))),
);
const INSERT_ENTRIES = preparedInsert('ledger_entries', ['seq', 'entry', 'leaf_hash', 'task_id']);
const INSERT_NODES = preparedInsert('ledger_nodes', ['level', 'idx', 'hash']);
const MOVE_HEAD = prepared((db, v: Slots<{ to: number; from: number }>) =>
  db.updateTable('ledger_head').set({ size: v.to }).where('id', '=', 1).where('size', '=', v.from),
);
const INSERT_CHECKPOINT = prepared((db, v: Slots<Database['checkpoints']>) =>
  db.insertInto('checkpoints').values({ size: v.size, root_hash: v.root_hash, note: v.note, created_at: v.created_at }),
);
const LATEST_CHECKPOINT = prepared((db, _: Slots<Record<string, never>>) =>
  db.selectFrom('checkpoints').selectAll().orderBy('size', 'desc').limit(1),
);
const CHECKPOINT_AT = prepared((db, v: Slots<{ size: number }>) =>
  db.selectFrom('checkpoints').selectAll().where('size', '=', v.size),
);
