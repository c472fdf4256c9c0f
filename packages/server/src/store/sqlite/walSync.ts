import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { type Driver, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from 'kysely';
import { statementKind } from '../statements.js';

/** What `WalSync` does to make the WAL durable; a test can put a slow or failing one in its place. */
export type SyncFile = (handle: FileHandle) => Promise<void>;

const WRITES = new Set(['insert', 'update', 'delete', 'other']);

/**
 * SQLite's `synchronous=FULL` in WAL mode is `NORMAL` plus a sync of the WAL file at each commit.
 * Done inside the commit call, that sync blocks the event loop (≈ 1.6 ms a commit here, a tenth of
 * the lifecycle's server time): no request can be parsed, authorised or answered meanwhile. This
 * runs the same sync (`fdatasync` of the `-wal` file, and once of its directory, as SQLite does
 * when it creates the file) on libuv's thread pool instead, after the commit and **before the
 * connection is released**: Kysely's SQLite driver hands its one connection to one user at a time,
 * so no other statement — no read either — runs until the commit is durable, and the caller of
 * the transaction hears of its success only then. What changes is only what else the process does
 * while the disk works.
 *
 * A write outside any transaction (autocommit) is synced the same way. A sync that fails fails the
 * transaction's caller: its write may or may not have reached the disk, so it is not acknowledged.
 *
 * @example
 * const wal = new WalSync(sqlite, `${file}-wal`);
 * const db = new Kysely<Database>({ dialect: new DurableSqliteDialect({ database }, wal) });
 */
export class WalSync {
  private dirty = false;
  private handle: FileHandle | undefined;
  private dirSynced = false;
  /** Syncs done so far (for tests and the statements benchmark). */
  syncs = 0;

  constructor(
    private readonly sqlite: Pick<SqliteDatabase.Database, 'inTransaction'>,
    private readonly walPath: string,
    private readonly syncFile: SyncFile = (h) => h.datasync(),
  ) {}

  /** Called for every statement about to run: notes whether it may write. */
  saw(sql: string): void {
    const kind = statementKind(sql);
    if (WRITES.has(kind)) this.dirty = true;
    // The whole transaction was undone: nothing of it to make durable (a savepoint's undo is not this).
    else if (kind === 'rollback' && !/\bto\b/i.test(sql)) this.dirty = false;
  }

  /** Before the connection goes to its next user: the writes committed since the last sync, synced. */
  async settle(): Promise<void> {
    if (!this.dirty || this.sqlite.inTransaction) return;
    this.dirty = false;
    if (!this.handle) {
      try {
        this.handle = await open(this.walPath, 'r');
      } catch (e) {
        // No WAL file yet: nothing was ever written to it (a pragma, DDL that changed nothing).
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
    }
    await this.syncFile(this.handle);
    if (!this.dirSynced) {
      const dir = await open(dirname(this.walPath), 'r');
      try {
        await this.syncFile(dir);
      } finally {
        await dir.close();
      }
      this.dirSynced = true;
    }
    this.syncs++;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

class DurableSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly wal: WalSync,
  ) {
    super(config);
  }

  override async releaseConnection(): Promise<void> {
    try {
      await this.wal.settle();
    } finally {
      await super.releaseConnection();
    }
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.wal.close();
  }
}

type SqliteHandle = Exclude<SqliteDialectConfig['database'], () => unknown>;

/** Kysely's SQLite dialect whose commits are acknowledged only once `WalSync` has made them durable. */
export class DurableSqliteDialect extends SqliteDialect {
  private readonly config: SqliteDialectConfig;

  constructor(
    database: SqliteHandle,
    private readonly wal: WalSync,
  ) {
    // Every statement Kysely runs is prepared first: the place to see which ones may write.
    const watched: SqliteHandle = {
      close: () => database.close(),
      prepare: (sql: string) => {
        wal.saw(sql);
        return database.prepare(sql);
      },
    };
    super({ database: watched });
    this.config = { database: watched };
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.config, this.wal);
  }
}
