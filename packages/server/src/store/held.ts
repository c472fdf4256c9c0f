import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import type { Database } from './schema.js';

/**
 * Held writes: inside a transaction, an insert or update whose result the caller does not need at
 * once is held on the connection and sent with the writes held after it, in one statement on
 * PostgreSQL (`postgres/together.ts`), one by one on SQLite (no round trips to save there). A
 * decision's five writes (its gate, the inbox index, the task, the decision row, the first open)
 * then cost one round trip inside the batch that holds the ledger's append lock, instead of five
 * (issue 29).
 *
 * What may be held and how nothing is lost or reordered:
 * - Held writes are sent before any other statement on the same connection (a read sees them, a
 *   later write follows them), and before `commit`. A `rollback` (of the transaction or to a
 *   savepoint) drops them: every savepoint statement flushes first, so whatever is held was written
 *   after the savepoint being rolled back to.
 * - A held update's check (exactly one row moved) runs when it is sent; if it fails, the statement
 *   that flushed it (the operation's next read, its end, or the commit) throws that error instead.
 *   The group committer flushes at the end of each operation, inside the operation's savepoint, so
 *   a failed check fails its own operation only.
 * - Outside a transaction nothing is held: the write runs at once and its check with it.
 */

/** What a held write's check is given: the rows it inserted or changed. */
export type Expect = (affected: number) => void;

const EXPECT = Symbol('held write');
const FLUSH = Symbol('flush held writes');
const HELD = Symbol('held');

type HeldQuery = CompiledQuery & { [EXPECT]: Expect };

/** How a connection sends several held writes: their row counts, in order. */
export type Together = (connection: DatabaseConnection, queries: readonly CompiledQuery[]) => Promise<number[]>;

const none: Expect = () => {};

/**
 * Runs `query` (an insert, update or delete without `returning` that reads no other table: no
 * subquery, no `insert … select`) now, or holds it until the
 * transaction's next statement when `db` is a transaction; `expect` checks its row count when it is
 * sent. Resolves when the write is sent or held.
 *
 * @example
 * await hold(trx, DECIDE.compile(…), (n) => { if (n !== 1) throw new HumanOSError('already_decided', '…'); });
 */
export async function hold(db: Kysely<Database>, query: CompiledQuery, expect: Expect = none): Promise<void> {
  const result = await db.executeQuery({ ...query, [EXPECT]: expect } as HeldQuery);
  if (!(HELD in result)) expect(affectedBy(result));
}

/**
 * Sends the writes held on `db`'s connection now (the end of a group-committed operation, so that
 * a failed check fails that operation and no other).
 */
export async function flushHeld(db: Kysely<Database>): Promise<void> {
  await db.executeQuery(FLUSH_QUERY);
}

const FLUSH_QUERY = { sql: '', parameters: [], [FLUSH]: true } as unknown as CompiledQuery;

/** The rows an insert, update or delete changed. */
export const affectedBy = (r: QueryResult<unknown>): number => Number(r.numAffectedRows ?? 0n);

/** What a held write answers at once (no rows; `HELD` tells `hold` that its check is pending). */
const HELD_RESULT = { rows: [], [HELD]: true } as QueryResult<never>;

/** A connection that holds writes inside a transaction. */
class HoldingConnection implements DatabaseConnection {
  held: HeldQuery[] = [];
  inTransaction = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly together: Together,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (FLUSH in query) {
      await this.flush();
      return { rows: [] };
    }
    if (EXPECT in query) {
      if (!this.inTransaction) return this.inner.executeQuery(query);
      // A held write shares its statement's snapshot with the others (PostgreSQL): it must read nothing.
      if (/\b(returning|select)\b/i.test(query.sql)) {
        throw new Error(
          'held write: only an insert or update that reads nothing (no `select`, no `returning`) can be held',
        );
      }
      this.held.push(query as HeldQuery);
      return HELD_RESULT;
    }
    if (/^\s*rollback\b/i.test(query.sql)) this.held = [];
    else await this.flush();
    return this.inner.executeQuery(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    await this.flush();
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }

  async flush(): Promise<void> {
    if (this.held.length === 0) return;
    const queries = this.held;
    this.held = [];
    const counts = await this.together(this.inner, queries);
    queries.forEach((q, i) => {
      q[EXPECT](counts[i] ?? 0);
    });
  }
}

/** Kysely's driver for the database, with `HoldingConnection`s. */
class HoldingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly together: Together,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new HoldingConnection(await this.inner.acquireConnection(), this.together);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.inner.beginTransaction(connection, settings);
    (connection as HoldingConnection).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // The flush is the commit's first statement: a failed check throws here and Kysely rolls back.
    await this.inner.commitTransaction(connection);
    (connection as HoldingConnection).inTransaction = false;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // Its `rollback` drops what is held (`executeQuery`).
    await this.inner.rollbackTransaction(connection);
    (connection as HoldingConnection).inTransaction = false;
  }

  async savepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inner.savepoint?.(c, name, compile);
  }

  async rollbackToSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    // Its `rollback to savepoint` drops what is held (`executeQuery`).
    await this.inner.rollbackToSavepoint?.(c, name, compile);
  }

  async releaseSavepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inner.releaseSavepoint?.(c, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // Each acquisition gets a new wrapper: nothing held or begun outlives it.
    await this.inner.releaseConnection((connection as HoldingConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/**
 * `dialect` with held writes (`hold`), sent `together` as the database allows.
 *
 * @example
 * new Kysely<Database>({ dialect: holdingDialect(new SqliteDialect({ database }), oneByOne) });
 */
export function holdingDialect(dialect: Dialect, together: Together): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new HoldingDriver(dialect.createDriver(), together),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

/** SQLite's `Together`: one statement after another (in-process calls, nothing to save). */
export const oneByOne: Together = async (connection, queries) => {
  const counts: number[] = [];
  for (const q of queries) counts.push(affectedBy(await connection.executeQuery(q)));
  return counts;
};

/**
 * A check that a held write changed exactly `n` rows, throwing `fail()` otherwise (a guard such as
 * `where status = <the status read>`).
 *
 * @example
 * await moveTaskRow.later(trx, changes, { id, status }, exactly(1, () => new HumanOSError('invalid_state', '…')));
 */
export function exactly(n: number, fail: () => Error): Expect {
  return (affected) => {
    if (affected !== n) throw fail();
  };
}
