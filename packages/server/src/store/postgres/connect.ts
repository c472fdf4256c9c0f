import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../connect.js';
import { holdingDialect } from '../held.js';
import type { Database } from '../schema.js';
import { StatementCounts } from '../statements.js';
import { postgresDialect } from './dialect.js';
import { listenPostgres } from './listen.js';
import { isStalePlan, nameOf, renew } from './named.js';
import { postgresTogether, postgresWithRead } from './together.js';

// bigint columns hold epoch milliseconds and ledger indexes, all far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Opens a connection pool to PostgreSQL.
 *
 * A connection can die at any time (server restart, failover, `pg_terminate_backend`). node-postgres
 * reports that as an `'error'` event on the client, and an `'error'` event nobody listens to ends
 * the process. The pool listens only while a client is idle, so every client gets its own listener
 * for its whole life (`pool.on('connect')`): the query running on it fails with the error (the HTTP
 * layer answers `503 database_unavailable`), and the pool drops the dead client when it is released
 * and opens a new one on the next checkout.
 */
export function openPostgres(
  url: string,
  poolSize = 10,
  onConnectionError?: (e: Error) => void,
  namedStatements = true,
): Store {
  const report = (e: Error) => onConnectionError?.(e);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  pool.on('error', report);
  const statements = new StatementCounts();
  const forgetBegin = new WeakMap<pg.PoolClient, () => void>();
  pool.on('connect', (client) => {
    client.on('error', report);
    forgetBegin.set(client, wrapQueries(client, statements, namedStatements));
  });
  // A `begin` never sent started nothing on the server: a client released with one held is clean.
  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => forgetBegin.get(client)?.());
  const db = new Kysely<Database>({
    dialect: holdingDialect(new PostgresDialect({ pool }), postgresTogether, postgresWithRead),
  });
  // Autovacuum keeps PostgreSQL's statistics current: nothing to maintain by hand.
  return {
    db,
    dialect: postgresDialect,
    pool,
    maintain: async () => {},
    listen: (handlers) => listenPostgres(url, handlers),
    close: () => db.destroy(),
    statements,
  };
}

/**
 * Counts every query a pooled client sends (Kysely's statements, `begin`/`commit`, raw SQL), and
 * sends the write path's fixed texts as named statements when `named` (`named.ts`). Kysely calls
 * `query(text, values)` and awaits the promise; any other form goes through untouched.
 *
 * A transaction's `begin` is held back and sent in one round trip with the statement after it when
 * that one has no parameters (simple protocol: `begin; select … for update`), which is how every
 * write batch starts (`Ledger.begin` takes the append lock first). Before any other statement it is
 * sent on its own, as before. Returns what drops a held `begin` (the client went back to the pool).
 */
function wrapQueries(client: pg.PoolClient, counts: StatementCounts, named: boolean): () => void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let heldBegin = false;
  const send = (args: unknown[]): unknown => {
    const [first, values] = args;
    const name =
      named && typeof first === 'string' && args.length === 2 && Array.isArray(values) ? nameOf(first) : undefined;
    if (name === undefined) return query(...args);
    return (query({ name, text: first, values }) as Promise<unknown>).catch((error: unknown) => {
      if (isStalePlan(error)) renew();
      throw error;
    });
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [first, values] = args;
    counts.add(typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? ''));
    // Kysely's statements: (text, values); a simple-protocol one has no values.
    const simple =
      typeof first === 'string' &&
      args.length <= 2 &&
      (values === undefined || (Array.isArray(values) && !values.length));
    if (simple && first === 'begin') {
      heldBegin = true;
      return Promise.resolve(BEGUN);
    }
    if (!heldBegin) return send(args);
    heldBegin = false;
    if (simple) {
      // Several statements in one simple query answer with one result each: the caller asked for the last.
      return (query(`begin; ${first}`) as Promise<pg.QueryResult | pg.QueryResult[]>).then((r) =>
        Array.isArray(r) ? r[r.length - 1] : r,
      );
    }
    return (query('begin') as Promise<unknown>).then(() => send(args));
  };
  return () => {
    heldBegin = false;
  };
}

/** What a `begin` answers (Kysely reads no more of it). */
const BEGUN = { command: 'BEGIN', rowCount: null, rows: [], fields: [] };
