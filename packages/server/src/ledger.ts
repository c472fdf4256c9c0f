import {
  bytesToHex,
  consistencyRanges,
  encodeEntry,
  entryLeafHash,
  type Hash,
  inclusionRanges,
  LEDGER_ENTRY_VERSION,
  type LedgerEntry,
  type NodeRef,
  nodeHash,
  nodesCompletedBy,
  perfectNodesFor,
  type Range,
  rangeHash,
  type SigningKey,
  signCheckpoint,
} from '@humanos/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Dialect } from './db/connect.js';
import type { Database } from './db/schema.js';

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
}

const key = ([level, idx]: NodeRef) => `${level}:${idx}`;
const fromHex = (h: string): Hash => new Uint8Array(Buffer.from(h, 'hex'));

/**
 * The append-only Merkle log. Appends happen inside the caller's transaction, as its last step, so a
 * state change and its ledger entry commit or vanish together. Appends are serialised by the row lock
 * on `ledger_head` (PostgreSQL) or by SQLite's single writer, so replicas produce one log with no
 * gaps and no forks.
 */
export class Ledger {
  constructor(
    private readonly dialect: Dialect,
    private readonly key: SigningKey,
    readonly origin: string,
  ) {}

  async append(trx: Transaction<Database>, entries: NewEntry[]): Promise<AppendResult> {
    // UPDATE … RETURNING takes the row lock on PostgreSQL: the serialisation point of every append.
    const head = await trx
      .updateTable('ledger_head')
      .set((eb) => ({ size: eb('size', '+', entries.length) }))
      .where('id', '=', 1)
      .returning('size')
      .executeTakeFirstOrThrow();
    const newSize = Number(head.size);
    const start = newSize - entries.length;

    const known = await this.loadNodes(trx, perfectNodesFor([0, start]));
    const seqs: number[] = [];
    const nodeRows: Database['ledger_nodes'][] = [];
    const entryRows: Database['ledger_entries'][] = [];
    for (const [i, e] of entries.entries()) {
      const seq = start + i;
      const encoded = encodeEntry({ v: LEDGER_ENTRY_VERSION, seq, ...e });
      const leaf = entryLeafHash(encoded);
      known.set(key([0, seq]), leaf);
      nodeRows.push({ level: 0, idx: seq, hash: bytesToHex(leaf) });
      entryRows.push({ seq, entry: encoded, leaf_hash: bytesToHex(leaf), task_id: e.taskId });
      for (const [level, idx] of nodesCompletedBy(seq)) {
        const left = known.get(key([level - 1, 2 * idx]));
        const right = known.get(key([level - 1, 2 * idx + 1]));
        if (!left || !right) throw new Error(`ledger node ${level - 1}:${2 * idx} missing`);
        const h = nodeHash(left, right);
        known.set(key([level, idx]), h);
        nodeRows.push({ level, idx, hash: bytesToHex(h) });
      }
      seqs.push(seq);
    }
    await trx.insertInto('ledger_entries').values(entryRows).execute();
    await trx.insertInto('ledger_nodes').values(nodeRows).execute();

    return { seqs, size: newSize };
  }

  /**
   * Signs a checkpoint over the current size when the transaction appended since `startSize`; called
   * once per transaction, last, so one signature covers a whole write batch.
   */
  async seal(trx: Transaction<Database>, startSize: number, now: number, taskIds: string[]): Promise<Seal | undefined> {
    const size = await this.size(trx);
    if (size === startSize) return undefined;
    const nodes = await this.loadNodes(trx, perfectNodesFor([0, size]));
    const root = rangeHash([0, size], (ref) => nodes.get(key(ref)) as Hash);
    const rootHash = Buffer.from(root).toString('base64');
    const checkpoint = signCheckpoint({ origin: this.origin, size, rootHash }, this.key);
    await trx
      .insertInto('checkpoints')
      .values({ size, root_hash: rootHash, note: checkpoint, created_at: now })
      .execute();
    if (this.dialect === 'postgres') {
      // Delivered at commit: a wake-up hint for waiters on other replicas (they also poll).
      await sql`select pg_notify('humanos', ${JSON.stringify({ size, taskIds })})`.execute(trx);
    }
    return { size, rootHash, checkpoint };
  }

  private async loadNodes(db: Kysely<Database>, refs: readonly NodeRef[]): Promise<Map<string, Hash>> {
    const out = new Map<string, Hash>();
    if (refs.length === 0) return out;
    const rows = await db
      .selectFrom('ledger_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) => eb.or(refs.map(([level, idx]) => eb.and([eb('level', '=', level), eb('idx', '=', idx)]))))
      .execute();
    for (const r of rows) out.set(key([Number(r.level), Number(r.idx)]), fromHex(r.hash));
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

  async consistencyProof(db: Kysely<Database>, size1: number, size2: number): Promise<Hash[]> {
    return this.hashesOf(db, consistencyRanges(size1, size2));
  }

  async latestCheckpoint(db: Kysely<Database>): Promise<Database['checkpoints'] | undefined> {
    return db.selectFrom('checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
  }

  async checkpointAt(db: Kysely<Database>, size: number): Promise<Database['checkpoints'] | undefined> {
    return db.selectFrom('checkpoints').selectAll().where('size', '=', size).executeTakeFirst();
  }
}
