import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './connect.js';
import { DurableSqliteDialect, type SyncFile, WalSync } from './walSync.js';

interface Db {
  t: { id: number; v: string };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A real SQLite file in WAL mode whose WAL syncs wait for the test to let them go. */
async function open(fail?: Error) {
  const dir = mkdtempSync(join(tmpdir(), 'humanos-wal-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // Made before WalSync is in place: the tests count from zero.
  sqlite.exec('create table t (id integer primary key, v text not null)');
  const pending: (() => void)[] = [];
  const events: string[] = [];
  // The WAL's syncs wait for the test; the directory's (once, after the first) goes straight through.
  const syncFile: SyncFile = async (h) => {
    if ((await h.stat()).isDirectory()) return h.datasync();
    events.push('sync started');
    await new Promise<void>((resolve) => pending.push(resolve));
    events.push('sync done');
    if (fail) throw fail;
    await h.datasync();
  };
  const wal = new WalSync(sqlite, `${file}-wal`, syncFile);
  const db = new Kysely<Db>({ dialect: new DurableSqliteDialect(sqlite, wal) });
  const release = async () => {
    while (pending.length === 0) await new Promise((r) => setImmediate(r));
    pending.shift()?.();
  };
  return { db, wal, events, release };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('WalSync: the commit is durable before anyone hears of it, without blocking the event loop', () => {
  it('a transaction resolves only after its WAL sync, and no read runs while the sync is pending', async () => {
    const { db, wal, events, release } = await open();
    const tx = db
      .transaction()
      .execute((trx) => trx.insertInto('t').values({ id: 1, v: 'a' }).execute())
      .then(() => events.push('transaction resolved'));
    const read = db
      .selectFrom('t')
      .selectAll()
      .execute()
      .then((rows) => events.push(`read ${rows.length}`));
    await tick();
    // The sync is running: the event loop is free (this test runs), yet neither promise has settled.
    expect(events).toEqual(['sync started']);
    await release();
    await Promise.all([tx, read]);
    expect(events).toEqual(['sync started', 'sync done', 'transaction resolved', 'read 1']);
    expect(wal.syncs).toBe(1);
  });

  it('a write outside a transaction is synced; reads, read-only transactions and rollbacks are not', async () => {
    const { db, wal, release } = await open();
    await db.selectFrom('t').selectAll().execute();
    await db.transaction().execute((trx) => trx.selectFrom('t').selectAll().execute());
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 5, v: 'x' }).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(wal.syncs).toBe(0);
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([]);
    const write = db.insertInto('t').values({ id: 2, v: 'b' }).execute();
    await release();
    await write;
    expect(wal.syncs).toBe(1);
  });

  it('a failed sync fails the transaction, and the connection serves the next caller', async () => {
    const { db, wal, release } = await open(new Error('EIO: disk gone'));
    const tx = db.transaction().execute((trx) => trx.insertInto('t').values({ id: 3, v: 'c' }).execute());
    await release();
    await expect(tx).rejects.toThrow('EIO: disk gone');
    expect(wal.syncs).toBe(0);
    // Not acknowledged, yet committed in SQLite (whether it reached the disk is unknown): readable.
    expect(await db.selectFrom('t').select('id').execute()).toEqual([{ id: 3 }]);
  });
});

describe('openSqlite', () => {
  it('runs SQLite with synchronous=NORMAL and syncs the WAL itself (HUMANOS_SQLITE_SYNC unset means FULL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humanos-wal-'));
    dirs.push(dir);
    const store = openSqlite(join(dir, 'db.sqlite'));
    try {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      expect(rows[0]?.synchronous).toBe(1);
    } finally {
      await store.close();
    }
  });
});
