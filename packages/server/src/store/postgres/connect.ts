import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../connect.js';
import type { Database } from '../schema.js';
import { StatementCounts } from '../statements.js';
import { postgresDialect } from './dialect.js';
import { listenPostgres } from './listen.js';
import { isStalePlan, nameOf, renew } from './named.js';

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
  pool.on('connect', (client) => {
    client.on('error', report);
    wrapQueries(client, statements, namedStatements);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
 */
function wrapQueries(client: pg.PoolClient, counts: StatementCounts, named: boolean): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [first, values] = args;
    counts.add(typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? ''));
    const name =
      named && typeof first === 'string' && args.length === 2 && Array.isArray(values) ? nameOf(first) : undefined;
    if (name === undefined) return query(...args);
    return (query({ name, text: first, values }) as Promise<unknown>).catch((error: unknown) => {
      if (isStalePlan(error)) renew();
      throw error;
    });
  };
}
