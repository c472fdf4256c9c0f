import type { RawBuilder, SelectQueryBuilder, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** The databases HumanOS runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** A select over the store's tables, whatever it selects. */
// biome-ignore lint/suspicious/noExplicitAny: the row shape is the caller's; the lock does not touch it
export type AnySelect = SelectQueryBuilder<Database, any, any>;

/** One batch of ledger rows written by a seal (see `Ledger.seal`). */
export interface SealRows {
  entries: Database['ledger_entries'][];
  nodes: Database['ledger_nodes'][];
  /** Task-heads upserts (both empty when the batch touched no task). */
  heads: { heads: Database['task_heads'][]; nodes: Database['task_head_nodes'][] };
  checkpoint: Database['checkpoints'];
  /** `ledger_head.size` before and after the batch; the head moves only if it still holds `from`. */
  from: number;
  to: number;
}

/**
 * Everything that differs between SQLite and PostgreSQL, in one object per database
 * (`store/sqlite/dialect.ts`, `store/postgres/dialect.ts`). Feature code calls these and never asks
 * which database it is on.
 *
 * @example
 * // claim due timers without two replicas taking the same row
 * const due = await store.dialect.skipLocked(trx.selectFrom('approvals').selectAll().where(…)).execute();
 */
export interface StoreDialect {
  readonly name: DialectName;
  /**
   * Locks the selected rows until the transaction ends (`FOR UPDATE`). SQLite has one writer at a
   * time, so a write transaction is already serialised: the query is returned as it is.
   */
  forUpdate<Q extends AnySelect>(q: Q): Q;
  /**
   * A subquery's rows as one JSON array column (`json_agg` / `json_group_array`, Kysely's dialect
   * helpers), so that a parent row carries its children in the same statement. Read the value with
   * `parseJsonArray` (PostgreSQL hands back the array, SQLite its JSON text).
   */
  jsonArrayFrom(subquery: AnySelect): RawBuilder<unknown>;
  /** Claims rows no other transaction holds (`FOR UPDATE SKIP LOCKED`), for timers, outboxes, work. */
  skipLocked<Q extends AnySelect>(q: Q): Q;
  /**
   * Runs parameterless statements (savepoints): on PostgreSQL as one multi-statement query (one
   * round trip), on SQLite one by one (its driver takes one statement per call, and a call costs no
   * round trip).
   */
  statements(trx: Transaction<Database>, list: readonly string[]): Promise<void>;
  /**
   * A fixed SQL text the write path runs over and over (`store/prepared.ts` calls this once per
   * text it compiles): on PostgreSQL it is sent as a named statement from now on, parsed and planned
   * once per connection (`postgres/named.ts`); SQLite's driver already keeps a compiled statement
   * per text (`cachingStatements`), so nothing to do there.
   */
  keepPrepared(sql: string): void;
  /**
   * Tells other replicas at commit that something changed (`pg_notify`); they also poll, so this is
   * only a wake-up hint. SQLite has no other replicas: nothing to send.
   */
  notify(trx: Transaction<Database>, message: Record<string, unknown>): Promise<void>;
  /** Whether `notify` reaches other processes (and a seal should carry the touched task ids). */
  readonly notifiesReplicas: boolean;
  /**
   * Writes a whole ledger seal (entries, nodes, checkpoint, head move, notification) in one
   * statement when the database can, and returns true; false means "write it statement by statement".
   */
  writeSealAtOnce(trx: Transaction<Database>, rows: SealRows, notice: Record<string, unknown>): Promise<boolean>;
}

/**
 * The value of a `jsonArrayFrom` column: PostgreSQL's driver has parsed it already, SQLite returns
 * the JSON text.
 *
 * @example
 * parseJsonArray<{ role: string }>('[{"role":"cfo"}]'); // [{ role: 'cfo' }]
 */
export function parseJsonArray<T>(value: unknown): T[] {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T[];
}
