/** `humanos tasks`: the caller's tasks (all of them for admins). */
import type { TaskStatus } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, limitOption } from '../context.js';

export function register(program: Command, ctx: Ctx): void {
  limitOption(program.command('tasks'))
    .description('your tasks (all of them for admins): id, status, description')
    .option('--status <status>', 'only tasks in this status, e.g. awaiting_approval, executing, completed')
    .action(async (o: { status?: string; limit?: number }, cmd: Command) => {
      const r = await ctx.api(cmd).listTasks({
        ...(o.status ? { status: o.status as TaskStatus } : {}),
        ...(o.limit ? { limit: o.limit } : {}),
      });
      ctx.out(cmd, r, () => r.items.map((t) => `${t.id}\t${t.status}\t${t.description}\n`).join(''));
    });
}
