/**
 * `humanos request-changes <approvalId> --feedback …`: answer with feedback instead of a verdict; the
 * task goes back to its agent, which revises it. Bound to the payload version the approver saw:
 * `--digest`, or on a terminal the version shown before asking y/N.
 */
import type { ChangesRequestedResult } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, EXIT, UsageError } from '../context.js';
import { explainVersionRefusal, parseDigest } from './digest.js';
import { describeApproval } from './show.js';

/** `approvalId  changes_requested  version n  ledger #i`. */
function changesLine(r: ChangesRequestedResult): string {
  return `${r.approvalId}\t${r.taskStatus}\tversion ${r.version}\tledger #${r.ledgerIndex}\n`;
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('request-changes')
    .description('send a gate’s task back to its agent with feedback (it revises; every approver is asked again)')
    .argument('<approvalId>', 'approval:human:…')
    .option('--feedback <text>', 'what the agent should change (required; prompted for on a terminal)')
    .option(
      '--digest <sha256:…>',
      'the payload version you ask changes for, as `humanos show` prints it; refused if the payload changed since',
      parseDigest,
    )
    .addHelpText(
      'after',
      '\nWithout --digest on a terminal, the approval and its payload are shown and you are asked y/N.\n' +
        '\nExample:\n  humanos request-changes approval:human:… --digest sha256:… --feedback "Use the March invoice"',
    )
    .action(async (id: string, o: { feedback?: string; digest?: string }, cmd: Command) => {
      if (o.digest === undefined && !ctx.io.isTTY)
        throw new UsageError(
          'request-changes needs --digest (the version you ask changes for, as `humanos show` prints it)',
        );
      let feedback = o.feedback;
      if (feedback === undefined) {
        if (!ctx.io.isTTY) throw new UsageError('request-changes needs --feedback');
        feedback = await ctx.io.prompt('What should the agent change? ');
      }
      const api = ctx.api(cmd);
      let digest = o.digest;
      if (digest === undefined) {
        const view = await api.getApproval(id);
        ctx.io.stderr(describeApproval(ctx, view, (await api.me().catch(() => undefined))?.id));
        const answer = await ctx.io.prompt(`Request changes to this version (${view.currentDigest})? [y/N] `);
        if (!/^y(es)?$/i.test(answer.trim())) {
          ctx.io.stderr('humanos: no changes requested (nothing was recorded)\n');
          ctx.code = EXIT.error;
          return;
        }
        digest = view.currentDigest;
      }
      try {
        const r = await api.requestChanges(id, { feedback, payloadDigest: digest });
        ctx.out(cmd, r, () => changesLine(r));
      } catch (e) {
        if (!explainVersionRefusal(ctx, id, 'request-changes', e)) throw e;
      }
    });
}
