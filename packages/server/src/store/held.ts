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
 *   later write follows them), and before `commit`. A read of tables none of them writes may go in
 *   the same statement (`WithRead`, PostgreSQL): it could not see them either way. A `rollback`
 *   (of the transaction or to a savepoint) drops them: every savepoint statement flushes first, so
 *   whatever is held was written after the savepoint being rolled back to.
 * - A held update's check (exactly one row moved) runs when it is sent; if it fails, the statement
 *   that flushed it (the operation's next read, its end, or the commit) throws that error instead.
 *   The group committer flushes at the end of each operation but a batch's last, so that a failed
 *   check fails its own operation (`kernel/committer.ts` says how the last one's is told apart).
 * - Outside a transaction nothing is held: the write runs at once and its check with it.
 *
 * The connection also counts what a transaction has written (`writesSent`): the group committer runs
 * a batch without savepoints and needs to know whether a failed operation changed anything that
 * only a rollback can undo.
 */

/** What a held write's check is given: the rows it inserted or changed. */
export type Expect = (affected: number) => void;

const EXPECT = Symbol('held write');
const FLUSH = Symbol('flush held writes');
const DROP = Symbol('drop held writes');
const SENT = Symbol('writes sent');
const HELD = Symbol('held');

type HeldQuery = CompiledQuery & { [EXPECT]: Expect };

/** How a connection sends several held writes: their row counts, in order. */
export type Together = (connection: DatabaseConnection, queries: readonly CompiledQuery[]) => Promise<number[]>;

/**
 * How a connection sends held writes with the read that flushes them, in one statement (PostgreSQL:
 * `postgres/together.ts`). Only a read that cannot see the writes goes with them: it reads no table
 * they write, so their order within the statement changes nothing it answers.
 */
export interface WithRead {
  /** Whether `read` may go in one statement with `writes`. */
  fits(writes: readonly CompiledQuery[], read: CompiledQuery): boolean;
  /** Sends `writes` and `read` as one statement: the writes' row counts in order, and the read's rows. */
  send(
    connection: DatabaseConnection,
    writes: readonly CompiledQuery[],
    read: CompiledQuery,
  ): Promise<{ counts: number[]; result: QueryResult<unknown> }>;
}

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

/**
 * Forgets the writes held on `db`'s connection without sending them: an operation that failed
 * before any of its writes reached the database leaves nothing to roll back.
 */
export async function dropHeld(db: Kysely<Database>): Promise<void> {
  await db.executeQuery(DROP_QUERY);
}

const DROP_QUERY = { sql: '', parameters: [], [DROP]: true } as unknown as CompiledQuery;

/**
 * How many statements that may have changed something `db`'s connection has sent in its current
 * transaction: writes (held ones when they are flushed), anything that is not a plain read, and
 * every statement that failed (on PostgreSQL a failed statement aborts the transaction). Equal
 * counts before and after an operation mean it changed nothing in the database: only a read's row
 * locks, which the transaction's end releases anyway. 0 outside a transaction.
 *
 * @example
 * const before = await writesSent(trx);
 * try { await op(trx); } catch (e) { if ((await writesSent(trx)) === before) await dropHeld(trx); else throw e; }
 */
export async function writesSent(db: Kysely<Database>): Promise<number> {
  const r = await db.executeQuery<{ sent: number }>(SENT_QUERY);
  return r.rows[0]?.sent ?? 0;
}

const SENT_QUERY = { sql: '', parameters: [], [SENT]: true } as unknown as CompiledQuery;

/**
 * A statement that changes nothing: a `select` (or `with … select`) without a data-modifying word.
 * Row locks (`for update`, `for share`) count as reads; `pg_notify` and sequences do not.
 */
export function isPlainRead(text: string): boolean {
  if (!/^\s*(select|with)\b/i.test(text)) return false;
  const withoutLocks = text.replace(ROW_LOCKS, '');
  return !/\b(insert|update|delete|merge|pg_notify|nextval|setval)\b/i.test(withoutLocks);
}

/** A row-locking clause of a select (`for update`, `for no key update`, `for share`, `for key share`). */
export const ROW_LOCK = /\bfor\s+(no\s+key\s+update|key\s+share|update|share)\b/i;
// Every statement of a transaction goes through `isPlainRead`: its global twin is compiled once.
const ROW_LOCKS = new RegExp(ROW_LOCK.source, 'gi');

/** The rows an insert, update or delete changed. */
export const affectedBy = (r: QueryResult<unknown>): number => Number(r.numAffectedRows ?? 0n);

/** What a held write answers at once (no rows; `HELD` tells `hold` that its check is pending). */
const HELD_RESULT = { rows: [], [HELD]: true } as QueryResult<never>;

/** A connection that holds writes inside a transaction. */
class HoldingConnection implements DatabaseConnection {
  held: HeldQuery[] = [];
  inTransaction = false;
  /** `writesSent`: reset when a transaction begins. */
  sent = 0;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly together: Together,
    private readonly withRead: WithRead | undefined,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (FLUSH in query) {
      await this.flush();
      return { rows: [] };
    }
    if (DROP in query) {
      this.held = [];
      return { rows: [] };
    }
    if (SENT in query) return { rows: [{ sent: this.sent } as R] };
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
    else if (this.held.length > 0 && isPlainRead(query.sql) && this.withRead?.fits(this.held, query)) {
      return (await this.sendWith(query, this.withRead)) as QueryResult<R>;
    } else await this.flush();
    if (!this.inTransaction) return this.inner.executeQuery(query);
    if (!isPlainRead(query.sql)) {
      this.sent++;
      return this.inner.executeQuery(query);
    }
    try {
      return await this.inner.executeQuery(query);
    } catch (error) {
      this.sent++; // a failed read aborts a PostgreSQL transaction: only a rollback undoes that
      throw error;
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    await this.flush();
    if (this.inTransaction && !isPlainRead(query.sql)) this.sent++;
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }

  async flush(): Promise<void> {
    if (this.held.length === 0) return;
    const queries = this.held;
    this.held = [];
    this.sent++;
    checkAll(queries, await this.together(this.inner, queries));
  }

  /** Sends what is held with `read`, in one statement; the checks run before the read is answered. */
  private async sendWith(read: CompiledQuery, withRead: WithRead): Promise<QueryResult<unknown>> {
    const queries = this.held;
    this.held = [];
    this.sent++;
    const { counts, result } = await withRead.send(this.inner, queries, read);
    checkAll(queries, counts);
    return result;
  }
}

/** Runs each held write's check on its row count. */
function checkAll(queries: readonly HeldQuery[], counts: readonly number[]): void {
  queries.forEach((q, i) => {
    q[EXPECT](counts[i] ?? 0);
  });
}

/** Kysely's driver for the database, with `HoldingConnection`s. */
class HoldingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly together: Together,
    private readonly withRead: WithRead | undefined,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new HoldingConnection(await this.inner.acquireConnection(), this.together, this.withRead);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.inner.beginTransaction(connection, settings);
    (connection as HoldingConnection).inTransaction = true;
    (connection as HoldingConnection).sent = 0;
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
 * `dialect` with held writes (`hold`), sent `together` as the database allows, and `withRead` the
 * read that flushes them when it can.
 *
 * @example
 * new Kysely<Database>({ dialect: holdingDialect(new SqliteDialect({ database }), oneByOne) });
 */
export function holdingDialect(dialect: Dialect, together: Together, withRead?: WithRead): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new HoldingDriver(dialect.createDriver(), together, withRead),
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
