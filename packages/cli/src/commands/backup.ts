/** `humanos backup --out FILE`: an online backup of the SQLite store (PostgreSQL: `pg_dump`). */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';
import { loadServer } from './serve.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('backup')
    .description('copy the SQLite store, safely while the server runs (PostgreSQL: pg_dump, see docs/operations.md)')
    .requiredOption('--out <file>', 'the backup file to write (never overwritten; created 0600)')
    .option('--data-dir <dir>', "the server's data directory (default HUMANOS_DATA_DIR, else ./.humanos)")
    .addHelpText(
      'after',
      '\nExample:\n  humanos backup --data-dir /var/lib/humanos --out /backups/humanos-$(date +%F).db',
    )
    .action(async (o: { out: string; dataDir?: string }, cmd: Command) => {
      if (ctx.io.env.DATABASE_URL) {
        throw new UsageError(
          'DATABASE_URL is set: this store is PostgreSQL; back it up with pg_dump (docs/operations.md#backups)',
        );
      }
      const dir = resolve(o.dataDir ?? ctx.io.env.HUMANOS_DATA_DIR ?? '.humanos');
      const { backupSqlite } = await loadServer();
      const r = await backupSqlite(join(dir, 'humanos.db'), resolve(o.out));
      ctx.out(cmd, r, () => `${r.file}\tledger size ${r.ledgerSize}\n`);
      // The key signs the ledger; a store restored without it cannot be served by a replica with another key.
      ctx.io.stderr(
        `backed up at ledger size ${r.ledgerSize}; the signing key (${ctx.io.env.HUMANOS_SIGNING_KEY_FILE ?? join(dir, 'signing-key.pem')}) is not in the backup: keep a copy of it, secret\n`,
      );
    });
}
