import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import type { Store } from '../connect.js';
import { holdingDialect, oneByOne } from '../held.js';
import type { Database } from '../schema.js';
import { StatementCounts } from '../statements.js';
import { sqliteDialect } from './dialect.js';

/**
 * Kysely's SQLite driver prepares every statement on every call; preparing was ~10 % of server CPU
 * in the lifecycle benchmark. The query shapes are few, so cache prepared statements by SQL text.
 */
function cachingStatements(sqlite: SqliteDatabase.Database, counts: StatementCounts): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      // Kysely prepares once per execution: counting here counts every statement run.
      counts.add(sql);
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

/**
 * Opens (creating when missing) the SQLite file with the pragmas durability and concurrency need.
 * A new database file is created owner-only (0600; it holds payloads and webhook secrets) before
 * SQLite opens it; SQLite gives its `-wal` and `-shm` files the database file's permissions.
 */
export function openSqlite(file: string): Store {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) {
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const sqlite = new SqliteDatabase(file);
  // WAL for concurrent readers; FULL so that a committed (acknowledged) write survives power loss.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${process.env.HUMANOS_SQLITE_SYNC ?? 'FULL'}`);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const statements = new StatementCounts();
  const db = new Kysely<Database>({
    dialect: holdingDialect(new SqliteDialect({ database: cachingStatements(sqlite, statements) }), oneByOne),
  });
  // Without statistics SQLite prefers any index with an equality on it: it drove
  // `UPDATE tasks … WHERE id IN (500 ids) AND status = ?` from the status index, scanning every
  // waiting task (36 ms a statement at 100 000 pending). 0x10002: analyze what needs it, bounded.
  const maintain = async () => {
    sqlite.pragma('optimize=0x10002');
  };
  return {
    db,
    dialect: sqliteDialect,
    maintain,
    listen: async () => async () => {},
    close: () => db.destroy(),
    statements,
  };
}
