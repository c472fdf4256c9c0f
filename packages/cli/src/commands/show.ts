/** `humanos show <approvalId>`: one approval as the approver sees it. */
import type { ApprovalRequest } from '@human/sdk';
import type { Command } from 'commander';
import type { Ctx } from '../context.js';

function describeApproval(ctx: Ctx, a: ApprovalRequest): string {
  const risk = a.riskAssessment;
  const riskColor = risk.level === 'critical' || risk.level === 'high' ? '31' : risk.level === 'medium' ? '33' : '32';
  const lines = [
    `${a.id}  ${ctx.color('1', a.status)}`,
    `  task:        ${a.task.id}`,
    `  description: ${a.task.description}`,
    `  approver:    ${a.approverRole}${a.required > 1 ? ` (${a.approvals}/${a.required})` : ''}`,
    `  requested:   ${a.requestedAt}${a.expiresAt ? `   expires: ${a.expiresAt}` : ''}`,
    `  AI proposal: ${a.aiProposal.action}`,
    `  reasoning:   ${a.aiProposal.reasoning ?? '(none given)'}`,
    `  confidence:  ${a.aiProposal.confidence ?? '(none given)'}`,
    `  alternatives: ${a.alternatives.length === 0 ? '(none)' : a.alternatives.map((x) => `\n    - ${x}`).join('')}`,
    `  risk:        ${ctx.color(riskColor, risk.level)} [${risk.factors.join(', ')}]${risk.mitigations.length ? ` mitigations: ${risk.mitigations.join(', ')}` : ''}`,
  ];
  const payload = (a.task as { payload?: unknown }).payload;
  if (payload !== undefined) lines.push(`  payload:     ${JSON.stringify(payload, null, 2).replaceAll('\n', '\n  ')}`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('show')
    .description('one approval with its task, proposal, reasoning, confidence, alternatives, risk and payload')
    .argument('<approvalId>', 'approval:human:…')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const a = await ctx.api(cmd).getApproval(id);
      ctx.out(cmd, a, () => describeApproval(ctx, a));
    });
}
