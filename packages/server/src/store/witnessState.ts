import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** What a witness remembers per log: the latest checkpoint it cosigned. */
export interface LatestCheckpoint {
  size: number;
  /** The root hash, raw bytes. */
  root: Uint8Array;
  /** The checkpoint note as cosigned: the log's signature line(s) then this witness's cosignature. */
  note: string;
}

/**
 * A witness's durable state in `<dataDir>/witness.db` (SQLite, WAL, `synchronous=FULL`): the latest
 * cosigned checkpoint per origin and the witness's name. A commit is on disk before the cosignature
 * is answered, so a witness killed at any instant restarts at a size it never contradicts.
 *
 * @example
 * const state = WitnessState.open(dataDir);
 * state.latest('humanos.ledger/ab12cd34')?.size
 */
export class WitnessState {
  private constructor(private readonly db: SqliteDatabase.Database) {}

  static open(dataDir: string): WitnessState {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, 'witness.db');
    if (!existsSync(file)) {
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    }
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    // FULL: a cosignature is only answered after its state survives power loss, not only a crash.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(`create table if not exists witness_logs (
      origin text primary key, size integer not null, root blob not null, note text not null)`);
    db.exec('create table if not exists witness_meta (k text primary key, v text not null)');
    return new WitnessState(db);
  }

  latest(origin: string): LatestCheckpoint | undefined {
    const row = this.db.prepare('select size, root, note from witness_logs where origin = ?').get(origin) as
      | { size: number; root: Buffer; note: string }
      | undefined;
    return row && { size: row.size, root: new Uint8Array(row.root), note: row.note };
  }

  /**
   * Runs `fn` in one write transaction (`BEGIN IMMEDIATE`): the check of the old size and the update
   * are atomic, even with two witness processes on one file (the tlog-witness race).
   */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  record(origin: string, c: LatestCheckpoint): void {
    this.db
      .prepare(
        `insert into witness_logs (origin, size, root, note) values (?, ?, ?, ?)
         on conflict (origin) do update set size = excluded.size, root = excluded.root, note = excluded.note`,
      )
      .run(origin, c.size, Buffer.from(c.root), c.note);
  }

  /** Removes what is remembered of `origin` (a deliberate rollback); returns what it was. */
  forget(origin: string): LatestCheckpoint | undefined {
    return this.atomically(() => {
      const latest = this.latest(origin);
      this.db.prepare('delete from witness_logs where origin = ?').run(origin);
      return latest;
    });
  }

  /** The witness's name: `wanted` on first start, then the stored one (a name change would change the vkey). */
  name(wanted: string | undefined, fallback: string): string {
    const stored = this.db.prepare("select v from witness_meta where k = 'name'").get() as { v: string } | undefined;
    if (stored) {
      if (wanted !== undefined && wanted !== stored.v) {
        throw new Error(`this witness is named ${stored.v}; a new name would be a new witness (use another data dir)`);
      }
      return stored.v;
    }
    const name = wanted ?? fallback;
    this.db.prepare("insert into witness_meta (k, v) values ('name', ?)").run(name);
    return name;
  }

  close(): void {
    this.db.close();
  }
}
