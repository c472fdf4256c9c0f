/** `humanos task <taskId>`: one task with its gates and decisions. */
import type { Command } from 'commander';
import type { Ctx } from '../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('task')
    .description('one task with its gates and decisions (JSON)')
    .argument('<taskId>', 'task:human:…')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const t = await ctx.api(cmd).getTask(id);
      ctx.out(cmd, t, () => `${JSON.stringify(t, null, 2)}\n`);
    });
}
