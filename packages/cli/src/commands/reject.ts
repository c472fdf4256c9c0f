/** `humanos reject <approvalId> --reason …`: reject; the task will not run. */
import type { ApprovalResult, RejectionResult } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';

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
    .action(async (id: string, o: { reason?: string; feedback?: string }, cmd: Command) => {
      let reason = o.reason;
      if (reason === undefined) {
        if (!ctx.io.isTTY) throw new UsageError('reject needs --reason');
        reason = await ctx.io.prompt('Reason for rejecting: ');
      }
      const r = await ctx.api(cmd).reject(id, {
        rejectionReason: reason,
        ...(o.feedback !== undefined ? { feedback: o.feedback } : {}),
      });
      ctx.out(cmd, r, () => decisionLine(r));
    });
}
