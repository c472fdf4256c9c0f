/** `humanos ledger export|verify`: the signed ledger. */
import { readFileSync, writeFileSync } from 'node:fs';
import { type TrustedCheckpoint, type VerifyOptions, type VerifyReport, verifyLedgerFile } from '@humanos/core';
import type { Command } from 'commander';
import { type Ctx, EXIT, UsageError } from '../context.js';

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
    .option(
      '--public-key <did:key>',
      'the signing key you trust (any key of the log’s chain: rotations are checked from the log); without it the export’s own key is used',
    )
    .option(
      '--trusted-checkpoint <file>',
      'a checkpoint seen earlier (its signed note, or JSON {size, rootHash}): a shorter or rewritten log fails',
    )
    .option(
      '--witness <vkey>',
      'a witness you trust (its cosignature/v1 vkey); repeat for more: a checkpoint must be cosigned by a quorum',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--witness-quorum <k>', 'how many of the --witness keys must cosign one checkpoint (default: all)')
    .addHelpText(
      'after',
      '\nExample:\n  humanos ledger verify --file ledger.jsonl --public-key did:key:z6Mk… --trusted-checkpoint pinned.note\n  humanos ledger verify --file ledger.jsonl --witness w1.example/w+1a2b3c4d+BH… --witness w2… --witness-quorum 1',
    )
    .action(async (o: VerifyFlags, cmd: Command) => {
      if (!o.publicKey) {
        ctx.io.stderr(
          'warning: no --public-key given; trusting the key inside the export (proves integrity, not authorship)\n',
        );
      }
      const options: VerifyOptions = {
        trustedPublicKey: o.publicKey,
        trustedCheckpoint: o.trustedCheckpoint ? readTrusted(o.trustedCheckpoint) : undefined,
        ...witnessPolicy(o),
      };
      // Both stream: the file in two passes; the server's export spooled to a temporary file first.
      const report: VerifyReport = o.file
        ? await verifyLedgerFile(o.file, options)
        : await ctx.api(cmd).ledger.verify(options.trustedPublicKey, options);
      ctx.out(cmd, report, () =>
        report.ok
          ? `ok: ${report.size} entries, ${report.checkpointsVerified} signed checkpoints, ${report.decisionsVerified} signed decisions${report.witnessedSize === undefined ? '' : `, witnessed up to size ${report.witnessedSize}`}\n`
          : `FAILED at index ${report.firstBadIndex ?? '-'}: ${report.reason}\n`,
      );
      if (!report.ok) ctx.code = EXIT.verification_failed;
    });
}

interface VerifyFlags {
  file?: string;
  publicKey?: string;
  trustedCheckpoint?: string;
  witness: string[];
  witnessQuorum?: string;
}

/** The witness policy of the flags (none without --witness); a quorum that is not a count is refused. */
function witnessPolicy(o: VerifyFlags): Pick<VerifyOptions, 'witnesses' | 'witnessQuorum'> {
  if (o.witness.length === 0 && o.witnessQuorum === undefined) return {};
  if (o.witness.length === 0) throw new UsageError('--witness-quorum needs at least one --witness');
  if (o.witnessQuorum !== undefined && !/^[1-9]\d*$/.test(o.witnessQuorum)) {
    throw new UsageError(`--witness-quorum must be a positive whole number, got "${o.witnessQuorum}"`);
  }
  return { witnesses: o.witness, witnessQuorum: o.witnessQuorum === undefined ? undefined : Number(o.witnessQuorum) };
}

/** A trusted checkpoint file: the signed note as served at /ledger/checkpoint (`checkpoint`), or JSON. */
function readTrusted(file: string): TrustedCheckpoint {
  const text = readFileSync(file, 'utf8');
  if (!text.trimStart().startsWith('{')) return text;
  const j = JSON.parse(text) as { size: number; rootHash: string; checkpoint?: string };
  return j.checkpoint ?? { size: j.size, rootHash: j.rootHash };
}
