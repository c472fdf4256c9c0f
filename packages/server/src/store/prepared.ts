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
import { affectedBy, type Expect, hold } from './held.js';
import { postgresDialect } from './postgres/dialect.js';
import type { Database } from './schema.js';
import { sqliteDialect } from './sqlite/dialect.js';

/** The dialect of the database `db` runs on (a transaction's is its database's). */
function dialectOf(db: Kysely<Database>): StoreDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresDialect : sqliteDialect;
}

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
  /** For a query over items (`preparedByCount`), each parameter's item and field, parsed from its name once. */
  refs?: ([number, string] | undefined)[];
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
    return db.executeQuery<R>(this.bound(db, values));
  }

  /**
   * Holds the write (an insert, update or delete) until the transaction's next statement, and
   * checks its row count then (`store/held.ts`); outside a transaction it runs at once.
   */
  later(db: Kysely<Database>, values: V, expect?: Expect): Promise<void> {
    return hold(db, this.bound(db, values), expect);
  }

  /** The compiled query with `values` bound. */
  bound(db: Kysely<Database>, values: V): CompiledQuery<R> {
    const { compiled, names } = this.template(db);
    const parameters = compiled.parameters.map((p, i) => {
      const name = names[i];
      return name === undefined ? p : values[name];
    });
    return { ...compiled, parameters } as CompiledQuery<R>;
  }

  /**
   * Runs a query built over items (values named `at(i, field)`) with each parameter read from its
   * item directly, without naming every value first (the write path's multi-row inserts). A field
   * the statement names but the item leaves undefined is refused: Kysely would have left the column
   * out (its default); a fixed statement cannot.
   */
  async executeItems(db: Kysely<Database>, items: readonly object[]): Promise<QueryResult<R>> {
    return db.executeQuery<R>(this.bindItems(db, items));
  }

  /** `executeItems`, held (`later`). */
  laterItems(db: Kysely<Database>, items: readonly object[]): Promise<void> {
    return hold(db, this.bindItems(db, items));
  }

  private bindItems(db: Kysely<Database>, items: readonly object[]): CompiledQuery<R> {
    const t = this.template(db);
    t.refs ??= t.names.map((name) => {
      if (name === undefined) return undefined;
      const colon = name.indexOf(':');
      return [Number(name.slice(0, colon)), name.slice(colon + 1)];
    });
    const refs = t.refs;
    const parameters = t.compiled.parameters.map((p, k) => {
      const ref = refs[k];
      if (ref === undefined) return p;
      const value = (items[ref[0]] as Record<string, unknown>)[ref[1]];
      if (value === undefined) throw new Error(`prepared query: no value for ${ref[1]} (item ${ref[0]})`);
      return value;
    });
    return { ...t.compiled, parameters } as CompiledQuery<R>;
  }

  private template(db: Kysely<Database>): Template {
    const adapter = db.getExecutor().adapter;
    let t = this.templates.get(adapter);
    if (!t) {
      t = this.compile(db, dialectOf(db));
      this.templates.set(adapter, t);
    }
    return t;
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
    return affectedBy(await this.execute(db, values));
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
    dialect.keepPrepared(compiled.sql);
    return { compiled, names };
  }
}

/**
 * Prepared queries of a few shapes (a clause there or not, one condition or another): one per shape
 * key, built by one function. Keys come from a fixed set in code (a union of literals), never from
 * a value, so the number of statements stays bounded.
 *
 * @example
 * const byStatus = preparedShapes((db, v: Slots<{ id: string }>, shape: 'any' | 'pending') => {
 *   const q = db.selectFrom('approvals').selectAll().where('task_id', '=', v.id);
 *   return shape === 'pending' ? q.where('status', '=', 'pending') : q;
 * });
 * const gates = await byStatus('pending').rows(trx, { id: taskId });
 */
export function preparedShapes<K extends string | number, V extends Record<string, unknown>, R>(
  build: (db: Kysely<Database>, v: Slots<V>, shape: K, dialect: StoreDialect) => Compilable<R>,
): (shape: K) => Prepared<V, R> {
  const byShape = new Map<K, Prepared<V, R>>();
  return (shape) => {
    let q = byShape.get(shape);
    if (!q) {
      q = new Prepared<V, R>((db, v, dialect) => build(db, v, shape, dialect));
      byShape.set(shape, q);
    }
    return q;
  };
}

/** Counts (rows, list items) up to which `preparedByCount` keeps one compiled statement per count. */
const MAX_PREPARED_COUNT = 64;

type Table = keyof Database & string;
type InsertBuilder<T extends Table> = InsertQueryBuilder<Database, T, InsertResult>;

/**
 * Values of a `preparedByCount` query: the `i`th item's `name` is `v[at(i, name)]`. When the count is
 * over the limit, the builder gets the values themselves instead of slots (a one-off query).
 */
export const at = (i: number, name: string): string => `${i}:${name}`;

/**
 * A query whose shape is a count (an insert's rows, an `or` list's items): one prepared query per
 * count up to 64, and above that a query built with the values (as without `prepared`).
 *
 * @example
 * const nodes = preparedByCount((db, n, v) =>
 *   db.selectFrom('ledger_nodes').selectAll().where((eb) =>
 *     eb.or(Array.from({ length: n }, (_, i) => eb('idx', '=', v[at(i, 'idx')])))));
 * const rows = await nodes.rows(trx, [{ idx: 1 }, { idx: 2 }]);
 */
export function preparedByCount<R>(
  build: (db: Kysely<Database>, n: number, v: Slots<Record<string, unknown>>, dialect: StoreDialect) => Compilable<R>,
): ByCount<R> {
  return new ByCount(build);
}

export class ByCount<R> {
  /** One prepared query per count: the count is the shape. */
  private readonly byCount: (n: number) => Prepared<Record<string, unknown>, R>;

  constructor(
    private readonly build: (
      db: Kysely<Database>,
      n: number,
      v: Slots<Record<string, unknown>>,
      dialect: StoreDialect,
    ) => Compilable<R>,
  ) {
    this.byCount = preparedShapes((db, v: Slots<Record<string, unknown>>, n: number, dialect) =>
      build(db, n, v, dialect),
    );
  }

  /**
   * Runs the query for `items`: each one's fields are its values (fields the query does not name
   * are ignored; one it names must not be undefined).
   */
  execute(db: Kysely<Database>, items: readonly object[]): Promise<QueryResult<R>> {
    if (items.length > MAX_PREPARED_COUNT) return db.executeQuery<R>(this.oneOff(db, items));
    return this.byCount(items.length).executeItems(db, items);
  }

  /** `execute`, held until the transaction's next statement (`store/held.ts`). */
  later(db: Kysely<Database>, items: readonly object[]): Promise<void> {
    if (items.length > MAX_PREPARED_COUNT) return hold(db, this.oneOff(db, items));
    return this.byCount(items.length).laterItems(db, items);
  }

  /** A count over the limit: built with the values, as without `prepared`. */
  private oneOff(db: Kysely<Database>, items: readonly object[]): CompiledQuery<R> {
    const values: Record<string, unknown> = {};
    items.forEach((item, i) => {
      for (const [k, value] of Object.entries(item)) values[at(i, k)] = value;
    });
    return this.build(db, items.length, values as Slots<Record<string, unknown>>, dialectOf(db)).compile();
  }

  /** The rows the query returned. */
  async rows(db: Kysely<Database>, items: readonly object[]): Promise<R[]> {
    return (await this.execute(db, items)).rows;
  }
}

/**
 * Every column of `table`, checked by the compiler: a column left out or misspelt is a type error,
 * so an insert that names them all cannot silently miss one added by a later migration.
 *
 * @example
 * const INSERT_OPEN = preparedInsert('approval_opens', allColumns<'approval_opens'>({ approval_id: 1, principal_id: 1, channel: 1, opened_at: 1 }));
 */
export function allColumns<T extends Table>(
  columns: Record<keyof Database[T] & string, 1>,
): (keyof Database[T] & string)[] {
  return Object.keys(columns) as (keyof Database[T] & string)[];
}

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
): PreparedInsert<T> {
  const q = preparedByCount((db, n, v) =>
    finish(
      db
        .insertInto(table)
        .values(Array.from({ length: n }, (_, i) => Object.fromEntries(columns.map((c) => [c, v[at(i, c)]]))) as never),
    ),
  );
  // Only the named columns are read: a row object with more fields does not change the statement.
  const insert = async (db: Kysely<Database>, rows: readonly Database[T][]) => {
    if (rows.length > 0) await q.execute(db, rows);
  };
  return Object.assign(insert, {
    later: async (db: Kysely<Database>, rows: readonly Database[T][]) => {
      if (rows.length > 0) await q.later(db, rows);
    },
  });
}

/** A `preparedInsert`: run it now, or hold it until the transaction's next statement (`later`, `store/held.ts`). */
export type PreparedInsert<T extends Table> = ((
  db: Kysely<Database>,
  rows: readonly Database[T][],
) => Promise<void>) & {
  later(db: Kysely<Database>, rows: readonly Database[T][]): Promise<void>;
};

/** Column sets up to which `preparedUpdate` keeps one compiled statement per set. */
const MAX_UPDATE_SHAPES = 64;

/**
 * An update of `table` by equality on the `where` columns, setting whichever columns the caller
 * passes: one prepared statement per set of columns (each code path has its own), so the callers
 * keep writing `{ ...changes, updated_at: now }`. Resolves to the number of rows updated.
 *
 * @example
 * const updateTask = preparedUpdate('tasks', ['id', 'status']);
 * const moved = await updateTask(trx, { status: 'executing', updated_at: now }, { id, status: 'approved' });
 */
export function preparedUpdate<T extends Table, W extends keyof Database[T] & string>(
  table: T,
  where: readonly W[],
): PreparedUpdate<T, W> {
  const byShape = new Map<string, Prepared<Record<string, unknown>, unknown>>();
  const build = (db: Kysely<Database>, columns: readonly string[], v: Record<string, unknown>) => {
    // The table is a type parameter: Kysely's builder types cannot follow it, the columns are checked above.
    let q = db.updateTable(table as 'tasks').set(Object.fromEntries(columns.map((c) => [c, v[`set:${c}`]])) as never);
    for (const w of where) q = q.where(w as 'id', '=', v[`where:${w}`] as never);
    return q;
  };
  const compile = (db: Kysely<Database>, set: Partial<Database[T]>, match: Pick<Database[T], W>) => {
    // An undefined value leaves its column alone, as Kysely's `set` does.
    const columns = Object.keys(set).filter((c) => (set as Record<string, unknown>)[c] !== undefined);
    const values: Record<string, unknown> = {};
    for (const c of columns) values[`set:${c}`] = (set as Record<string, unknown>)[c];
    for (const w of where) values[`where:${w}`] = match[w];
    const shape = columns.join();
    let q = byShape.get(shape);
    if (!q && byShape.size < MAX_UPDATE_SHAPES) {
      q = prepared((db, v: Slots<Record<string, unknown>>) => build(db, columns, v));
      byShape.set(shape, q);
    }
    return q ? q.bound(db, values) : build(db, columns, values).compile();
  };
  const update = async (db: Kysely<Database>, set: Partial<Database[T]>, match: Pick<Database[T], W>) =>
    affectedBy(await db.executeQuery(compile(db, set, match)));
  return Object.assign(update, {
    later: (db: Kysely<Database>, set: Partial<Database[T]>, match: Pick<Database[T], W>, expect?: Expect) =>
      hold(db, compile(db, set, match), expect),
  });
}

/**
 * A `preparedUpdate`: run it now (resolves to the rows updated), or hold it until the transaction's
 * next statement with a check of its row count (`later`, `store/held.ts`).
 */
export type PreparedUpdate<T extends Table, W extends keyof Database[T] & string> = ((
  db: Kysely<Database>,
  set: Partial<Database[T]>,
  match: Pick<Database[T], W>,
) => Promise<number>) & {
  later(db: Kysely<Database>, set: Partial<Database[T]>, match: Pick<Database[T], W>, expect?: Expect): Promise<void>;
};
