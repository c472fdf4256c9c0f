/** `humanos reject <approvalId> --reason …`: reject; the task will not run. */
import type { ApprovalResult, RejectionResult } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';
import { explainVersionRefusal, parseDigest } from './digest.js';

/** `approvalId  status  task <status>  ledger #n`, the human form of approve and reject. */
export function decisionLine(r: ApprovalResult | RejectionResult): string {
  return `${r.approvalId}\t${r.status}\ttask ${r.taskStatus}\tledger #${r.provenance.ledgerIndex}\n`;
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('reject')
    .description('reject a gate (asks for the reason on a terminal)')
    .argument('<approvalId>', 'approval:human:…')
    .option('--reason <text>', 'why (required; prompted for on a terminal)')
    .option('--feedback <text>', 'feedback for the agent')
    .option(
      '--digest <sha256:…>',
      'the payload version you reject, as `humanos show` prints it (optional; refused if the payload changed since)',
      parseDigest,
    )
    .action(async (id: string, o: { reason?: string; feedback?: string; digest?: string }, cmd: Command) => {
      let reason = o.reason;
      if (reason === undefined) {
        if (!ctx.io.isTTY) throw new UsageError('reject needs --reason');
        reason = await ctx.io.prompt('Reason for rejecting: ');
      }
      try {
        const r = await ctx.api(cmd).reject(id, {
          rejectionReason: reason,
          ...(o.feedback !== undefined ? { feedback: o.feedback } : {}),
          ...(o.digest !== undefined ? { payloadDigest: o.digest } : {}),
        });
        ctx.out(cmd, r, () => decisionLine(r));
      } catch (e) {
        if (!explainVersionRefusal(ctx, id, 'reject', e)) throw e;
      }
    });
}
