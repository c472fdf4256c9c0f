import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';

/** What a backup holds: its file and the ledger size it was taken at. */
export interface SqliteBackup {
  file: string;
  ledgerSize: number;
}

/**
 * Copies a live SQLite store to `dest` with SQLite's online backup API (better-sqlite3's `backup()`):
 * consistent at one moment, safe while the server is writing (WAL), page by page so the server is
 * never blocked for long. The copy is created owner-only (0600: it holds payloads and webhook
 * secrets). The ledger signing key is not in the store: back it up separately, and keep it secret.
 *
 * @example
 * const { ledgerSize } = await backupSqlite('.humanos/humanos.db', '/backups/humanos-2026-12-06.db');
 */
export async function backupSqlite(source: string, dest: string): Promise<SqliteBackup> {
  if (!existsSync(source)) throw new Error(`no SQLite store at ${source}`);
  if (existsSync(dest)) throw new Error(`${dest} exists; a backup never overwrites a file`);
  closeSync(openSync(dest, 'wx', 0o600));
  chmodSync(dest, 0o600);
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest);
  } finally {
    db.close();
  }
  const copy = new SqliteDatabase(dest, { readonly: true, fileMustExist: true });
  try {
    const { n } = copy.prepare('select count(*) as n from ledger_entries').get() as { n: number };
    return { file: dest, ledgerSize: n };
  } finally {
    copy.close();
  }
}
