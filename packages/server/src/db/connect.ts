import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL pool (for LISTEN/NOTIFY), when on PostgreSQL. */
  pool?: pg.Pool;
  /**
   * Refreshes the query planner's statistics where the database does not do it itself (SQLite; on
   * PostgreSQL autovacuum analyzes). Cheap; run at start and then every hour or so.
   */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

// bigint columns hold epoch milliseconds and ledger indexes, all far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Kysely's SQLite driver prepares every statement on every call; preparing was ~10 % of server CPU
 * in the lifecycle benchmark. The query shapes are few, so cache prepared statements by SQL text.
 */
function cachingStatements(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        // Generated IN/OR lists make a long tail of shapes; bound the cache instead of tracking use.
        if (cache.size >= 2000) cache.clear();
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

export type StoreLocation =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; poolSize?: number; onIdleError?: (e: Error) => void };

/** Opens the store and brings its schema up to date. */
export async function openStore(location: StoreLocation): Promise<Store> {
  let store: Store;
  if (location.kind === 'sqlite') {
    mkdirSync(dirname(location.file), { recursive: true });
    const sqlite = new SqliteDatabase(location.file);
    // WAL for concurrent readers; FULL so that a committed (acknowledged) write survives power loss.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${process.env.HUMANOS_SQLITE_SYNC ?? 'FULL'}`);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
    // Without statistics SQLite prefers any index with an equality on it: it drove
    // `UPDATE tasks … WHERE id IN (500 ids) AND status = ?` from the status index, scanning every
    // waiting task (36 ms a statement at 100 000 pending). 0x10002: analyze what needs it, bounded.
    const maintain = async () => {
      sqlite.pragma('optimize=0x10002');
    };
    store = { db, dialect: 'sqlite', maintain, close: () => db.destroy() };
  } else {
    const pool = new pg.Pool({ connectionString: location.url, max: location.poolSize ?? 10 });
    // An idle connection that dies (server restart, failover) must not crash the process; the pool
    // replaces it on next use.
    pool.on('error', (e) => location.onIdleError?.(e));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    store = { db, dialect: 'postgres', pool, maintain: async () => {}, close: () => db.destroy() };
  }
  const migrator = new Migrator({ db: store.db, provider: migrationProvider });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await store.close();
    throw error;
  }
  await store.maintain();
  return store;
}
