/** `humanos approve <approvalId>`: approve, optionally with edits to the payload. */
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';
import { decisionLine } from './reject.js';

function parseEdits(text: string): Record<string, unknown> {
  let edits: unknown;
  try {
    edits = JSON.parse(text);
  } catch {
    edits = undefined;
  }
  if (typeof edits !== 'object' || edits === null || Array.isArray(edits))
    throw new UsageError('--edits must be a JSON object (an RFC 7386 merge patch)');
  return edits as Record<string, unknown>;
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('approve')
    .description('approve a gate; prints approval id, status, task status and ledger index')
    .argument('<approvalId>', 'approval:human:…')
    .option('--reason <text>', 'why (required when the task asks for an explicit reason)')
    .option('--feedback <text>', 'feedback for the agent')
    .option('--edits <json>', 'changes to the payload, as an RFC 7386 merge patch, e.g. \'{"amount":4500}\'')
    .option('--assign-to <did>', 'on a routing gate: who executes the task')
    .addHelpText(
      'after',
      '\nExample:\n  humanos approve approval:human:… --reason "verified" --edits \'{"size":"200GB"}\'',
    )
    .action(
      async (
        id: string,
        o: { reason?: string; feedback?: string; edits?: string; assignTo?: string },
        cmd: Command,
      ) => {
        const r = await ctx.api(cmd).approve(id, {
          ...(o.reason !== undefined ? { approvalReason: o.reason } : {}),
          ...(o.feedback !== undefined ? { feedback: o.feedback } : {}),
          ...(o.edits !== undefined ? { edits: parseEdits(o.edits) } : {}),
          ...(o.assignTo !== undefined ? { assignTo: o.assignTo } : {}),
        });
        ctx.out(cmd, r, () => decisionLine(r));
      },
    );
}
