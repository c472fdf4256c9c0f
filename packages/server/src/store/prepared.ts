import { type Compilable, type CompiledQuery, type Kysely, PostgresAdapter, type QueryResult } from 'kysely';
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
