import { type Kysely, Migrator } from 'kysely';
import type pg from 'pg';
import type { StoreDialect } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { openPostgres } from './postgres/connect.js';
import type { ListenHandlers } from './postgres/listen.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite/connect.js';
import type { StatementCounts } from './statements.js';

/** An open store: the query builder, and the one object that knows which database it is. */
export interface Store {
  db: Kysely<Database>;
  /** Everything that differs between the databases; feature code never asks which one it is on. */
  dialect: StoreDialect;
  /** The PostgreSQL pool (for LISTEN/NOTIFY), when on PostgreSQL. */
  pool?: pg.Pool;
  /**
   * Refreshes the query planner's statistics where the database does not do it itself (SQLite; on
   * PostgreSQL autovacuum analyzes). Cheap; run at start and then every hour or so.
   */
  maintain(): Promise<void>;
  /**
   * Receives other replicas' change notices (PostgreSQL LISTEN, reconnecting with backoff and
   * calling `onResync` after a gap); SQLite has no other replicas and returns at once. Resolves to
   * the function that stops listening.
   */
  listen(handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** The statements sent so far, by kind (metrics and `bench/statements.mjs`). */
  statements: StatementCounts;
}

export { StatementCounts } from './statements.js';
export { isStoreUnavailable } from './unavailable.js';
export type { ListenHandlers };

export type StoreLocation =
  | { kind: 'sqlite'; file: string }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /** A pooled connection failed (it is replaced); for logging. */
      onConnectionError?: (e: Error) => void;
      /** Send the write path's fixed statements named (default true; see `postgres/named.ts`). */
      namedStatements?: boolean;
    };

/**
 * Opens the store and brings its schema up to date.
 *
 * @example
 * const store = await openStore({ kind: 'sqlite', file: '.humanos/humanos.db' });
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  const store =
    location.kind === 'sqlite'
      ? openSqlite(location.file)
      : openPostgres(location.url, location.poolSize, location.onConnectionError, location.namedStatements);
  const migrator = new Migrator({ db: store.db, provider: migrationProvider });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await store.close();
    throw error;
  }
  await store.maintain();
  return store;
}
