/** `humanos inbox`: the approvals the caller may decide. */
import type { ApprovalStatus } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, limitOption } from '../context.js';

export function register(program: Command, ctx: Ctx): void {
  limitOption(program.command('inbox'))
    .description('approvals you may decide: id, risk, expiry, description')
    .option('--status <status>', 'pending, waiting, approved, rejected, expired, escalated, cancelled', 'pending')
    .addHelpText('after', '\nExample:\n  humanos inbox --json | jq -r ".items[].id"')
    .action(async (o: { status: string; limit?: number }, cmd: Command) => {
      const r = await ctx.api(cmd).inbox({
        status: o.status as ApprovalStatus,
        ...(o.limit ? { limit: o.limit } : {}),
      });
      ctx.out(cmd, r, () =>
        r.items
          .map(
            (a) =>
              `${a.id}\t${a.riskAssessment.level}\t${a.expiresAt ?? '-'}\t${a.task.description}${a.onBehalfOf ? `\t(on behalf of ${a.onBehalfOf.delegator})` : ''}\n`,
          )
          .join(''),
      );
      if (r.items.length === 0 && !ctx.flags(cmd).json) ctx.io.stderr('inbox is empty\n');
    });
}
