/** `humanos ledger export|verify`: the signed ledger. */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  parseLedgerExport,
  type TrustedCheckpoint,
  type VerifyOptions,
  type VerifyReport,
  verifyLedger,
  verifyLedgerStream,
} from '@humanos/core';
import type { Command } from 'commander';
import { type Ctx, EXIT } from '../context.js';

export function register(program: Command, ctx: Ctx): void {
  const ledger = program.command('ledger').description('export the signed ledger, or verify it offline');

  ledger
    .command('export')
    .description('the full ledger as JSON Lines (admin/auditor)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: { out?: string }, cmd: Command) => {
      const text = await ctx.api(cmd).exportLedger();
      if (o.out) {
        writeFileSync(o.out, text);
        ctx.io.stderr(`wrote ${text.split('\n').length - 1} lines to ${o.out}\n`);
      } else ctx.io.stdout(text);
    });

  ledger
    .command('verify')
    .description("verify an export offline (--file), or the server's ledger; exit 7 if it fails")
    .option('--file <file>', 'an export made with `ledger export`')
    .option('--public-key <did:key>', 'the signing key you trust; without it the export’s own key is used')
    .option(
      '--trusted-checkpoint <file>',
      'a checkpoint seen earlier (its signed note, or JSON {size, rootHash}): a shorter or rewritten log fails',
    )
    .addHelpText(
      'after',
      '\nExample:\n  humanos ledger verify --file ledger.jsonl --public-key did:key:z6Mk… --trusted-checkpoint pinned.note',
    )
    .action(async (o: { file?: string; publicKey?: string; trustedCheckpoint?: string }, cmd: Command) => {
      if (!o.publicKey) {
        ctx.io.stderr(
          'warning: no --public-key given; trusting the key inside the export (proves integrity, not authorship)\n',
        );
      }
      const options: VerifyOptions = {
        trustedPublicKey: o.publicKey,
        trustedCheckpoint: o.trustedCheckpoint ? readTrusted(o.trustedCheckpoint) : undefined,
      };
      let report: VerifyReport;
      if (o.file) {
        report = await verifyFile(o.file, options);
      } else {
        report = verifyLedger(parseLedgerExport(await ctx.api(cmd).exportLedger()), options);
      }
      ctx.out(cmd, report, () =>
        report.ok
          ? `ok: ${report.size} entries, ${report.checkpointsVerified} signed checkpoints, ${report.decisionsVerified} signed decisions\n`
          : `FAILED at index ${report.firstBadIndex ?? '-'}: ${report.reason}\n`,
      );
      if (!report.ok) ctx.code = EXIT.verification_failed;
    });
}

/**
 * An export file verified line by line (two passes: checkpoints, then entries), never read whole: a
 * log of any size verifies in bounded memory (one string of a 550 MiB export cannot even exist).
 */
export function verifyFile(file: string, options: VerifyOptions): Promise<VerifyReport> {
  const open = () =>
    createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  return verifyLedgerStream(open, options);
}

/** A trusted checkpoint file: the signed note as served at /ledger/checkpoint (`checkpoint`), or JSON. */
function readTrusted(file: string): TrustedCheckpoint {
  const text = readFileSync(file, 'utf8');
  if (!text.trimStart().startsWith('{')) return text;
  const j = JSON.parse(text) as { size: number; rootHash: string; checkpoint?: string };
  return j.checkpoint ?? { size: j.size, rootHash: j.rootHash };
}
