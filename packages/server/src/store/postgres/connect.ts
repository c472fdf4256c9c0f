import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../connect.js';
import type { Database } from '../schema.js';
import { postgresDialect } from './dialect.js';
import { listenPostgres } from './listen.js';

// bigint columns hold epoch milliseconds and ledger indexes, all far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/** Opens a connection pool to PostgreSQL. */
export function openPostgres(url: string, poolSize = 10, onIdleError?: (e: Error) => void): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection that dies (server restart, failover) must not crash the process; the pool
  // replaces it on next use.
  pool.on('error', (e) => onIdleError?.(e));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Autovacuum keeps PostgreSQL's statistics current: nothing to maintain by hand.
  return {
    db,
    dialect: postgresDialect,
    pool,
    maintain: async () => {},
    listen: (onMessage, onError) => listenPostgres(url, onMessage, onError),
    close: () => db.destroy(),
  };
}
