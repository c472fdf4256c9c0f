/** `humanos cancel <taskId> --reason …`: withdraw a task before it runs. */
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('cancel')
    .description('withdraw your task before it runs (its approvals are cancelled)')
    .argument('<taskId>', 'task:human:…')
    .option('--reason <text>', 'why (required)')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      if (!o.reason) throw new UsageError('cancel needs --reason');
      const t = await ctx.api(cmd).cancelTask(id, { reason: o.reason });
      ctx.out(cmd, t, () => `${t.id}\t${t.status}\n`);
    });
}
