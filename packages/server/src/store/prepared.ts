import {
  type Compilable,
  type CompiledQuery,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  PostgresAdapter,
  type QueryResult,
} from 'kysely';
import type { StoreDialect } from './dialect.js';
import { postgresDialect } from './postgres/dialect.js';
import type { Database } from './schema.js';
import { sqliteDialect } from './sqlite/dialect.js';

/** Stands for a value while a prepared query is built; replaced by the value at each run. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * The values of a prepared query, as the builder sees them. `never` is assignable to every column
 * type, so `where('id', '=', v.id)` and `values({ id: v.id })` type-check whatever the column is.
 */
export type Slots<V> = { readonly [K in keyof V]: never };

interface Template {
  compiled: CompiledQuery;
  /** For each parameter, the value's name, or undefined for a constant the builder put there. */
  names: (string | undefined)[];
}

/**
 * A query whose SQL is fixed and whose values change: built and compiled by Kysely once per
 * database (the `dialect` the builder gets is that database's), then run with new values. Building and compiling a query cost about as much CPU as
 * SQLite running it (issue 29's profile: 13 % of the server's time for the lifecycle), and the write
 * path's few shapes run thousands of times a second; the SQL text also stays the same, so SQLite's
 * statement cache (and PostgreSQL's plan) is hit every time.
 *
 * Values go in only through `v`: each must end up a bound parameter (a scalar compared, inserted,
 * set or limited by). Anything that changes the SQL — an `in` list's length, an optional clause, a
 * row count — is part of the shape: build one prepared query per shape. The first run checks that
 * every value named in `v` became a parameter, and throws otherwise.
 *
 * @example
 * const taskById = prepared((db, v: Slots<{ id: string }>) => db.selectFrom('tasks').selectAll().where('id', '=', v.id));
 * const task = await taskById.first(trx, { id });
 */
export function prepared<V extends Record<string, unknown>, R>(
  build: (db: Kysely<Database>, v: Slots<V>, dialect: StoreDialect) => Compilable<R>,
): Prepared<V, R> {
  return new Prepared(build);
}

export class Prepared<V extends Record<string, unknown>, R> {
  /** By Kysely adapter: one per database, shared by the database object and its transactions. */
  private readonly templates = new WeakMap<object, Template>();

  constructor(private readonly build: (db: Kysely<Database>, v: Slots<V>, dialect: StoreDialect) => Compilable<R>) {}

  /** Runs the query with `values` on `db` (a transaction or the database). */
  async execute(db: Kysely<Database>, values: V): Promise<QueryResult<R>> {
    const adapter = db.getExecutor().adapter;
    let t = this.templates.get(adapter);
    if (!t) {
      t = this.compile(db, adapter instanceof PostgresAdapter ? postgresDialect : sqliteDialect);
      this.templates.set(adapter, t);
    }
    const { compiled, names } = t;
    const parameters = compiled.parameters.map((p, i) => {
      const name = names[i];
      return name === undefined ? p : values[name];
    });
    return db.executeQuery<R>({ ...compiled, parameters } as CompiledQuery<R>);
  }

  /** The rows the query returned. */
  async rows(db: Kysely<Database>, values: V): Promise<R[]> {
    return (await this.execute(db, values)).rows;
  }

  /** The first row, or undefined. */
  async first(db: Kysely<Database>, values: V): Promise<R | undefined> {
    return (await this.execute(db, values)).rows[0];
  }

  /** How many rows an insert, update or delete changed. */
  async affected(db: Kysely<Database>, values: V): Promise<number> {
    return Number((await this.execute(db, values)).numAffectedRows ?? 0n);
  }

  private compile(db: Kysely<Database>, dialect: StoreDialect): Template {
    const used = new Set<string>();
    const slots = new Proxy({} as Slots<V>, {
      get(_, name) {
        if (typeof name !== 'string') return undefined;
        used.add(name);
        return new Slot(name);
      },
    });
    const compiled = this.build(db, slots, dialect).compile();
    const names = compiled.parameters.map((p) => (p instanceof Slot ? p.name : undefined));
    for (const name of used) {
      if (!names.includes(name)) throw new Error(`prepared query: value "${name}" is not a bound parameter`);
    }
    return { compiled, names };
  }
}

/** Row counts up to which `preparedInsert` keeps one compiled statement per count. */
const MAX_PREPARED_ROWS = 64;

type Table = keyof Database & string;
type InsertBuilder<T extends Table> = InsertQueryBuilder<Database, T, InsertResult>;

/**
 * A multi-row insert of fixed columns: one prepared statement per row count (a count is a shape),
 * up to 64 rows; a larger batch is built as usual. `finish` adds what follows `values`
 * (an `on conflict`), the same for every count.
 *
 * @example
 * const insertNodes = preparedInsert('ledger_nodes', ['level', 'idx', 'hash']);
 * await insertNodes(trx, rows);
 */
export function preparedInsert<T extends Table>(
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  finish: (q: InsertBuilder<T>) => Compilable<unknown> = (q) => q,
): (db: Kysely<Database>, rows: readonly Database[T][]) => Promise<void> {
  const byCount = new Map<number, Prepared<Record<string, unknown>, unknown>>();
  const build = (db: Kysely<Database>, rows: readonly Record<string, unknown>[]) =>
    finish(db.insertInto(table).values(rows as never));
  return async (db, rows) => {
    if (rows.length === 0) return;
    if (rows.length > MAX_PREPARED_ROWS) {
      await db.executeQuery(build(db, rows as readonly Record<string, unknown>[]).compile());
      return;
    }
    let q = byCount.get(rows.length);
    if (!q) {
      const n = rows.length;
      q = prepared((db, v: Slots<Record<string, unknown>>) =>
        build(
          db,
          Array.from({ length: n }, (_, i) => Object.fromEntries(columns.map((c) => [c, v[`${i}:${c}`]]))),
        ),
      );
      byCount.set(n, q);
    }
    const values: Record<string, unknown> = {};
    rows.forEach((row, i) => {
      for (const c of columns) values[`${i}:${c}`] = (row as Record<string, unknown>)[c];
    });
    await q.execute(db, values);
  };
}
