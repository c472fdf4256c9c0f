/** `humanos show <approvalId>`: one approval as the approver sees it. */
import type { ApprovalRequest } from '@human/sdk';
import { displayLines, type PayloadDisplay, revealInvisible } from '@humanos/core';
import type { Command } from 'commander';
import { type Ctx, serverUrl } from '../context.js';

type Shown = ApprovalRequest & {
  /** `GET /approvals/{id}`: the payload as every channel shows it. */
  display?: PayloadDisplay;
  /** What the approver must read before deciding (text that disagrees with the payload, …). */
  warnings?: { message: string }[];
  textWarnings?: { path: string; kinds: string[] }[];
  decisions?: { principal: string; verdict: string; stale?: boolean }[];
};

/** The payload an approval of this gate would approve: an in-run decision's own, else the task's. */
export function gatePayload(a: ApprovalRequest): unknown {
  return a.kind === 'decision' ? a.payload : (a.task as { payload?: unknown }).payload;
}

/** One approval, as `show` prints it and `approve` asks about it. */
export function describeApproval(
  ctx: Ctx,
  raw: ApprovalRequest,
  me: string | undefined,
  /** The request in the web console: where a cut value or a hidden field can be read whole. */
  consoleLink?: string,
): string {
  const a = raw as Shown;
  const risk = a.riskAssessment;
  const riskColor = risk.level === 'critical' || risk.level === 'high' ? '31' : risk.level === 'medium' ? '33' : '32';
  const lines = [
    `${a.id}  ${ctx.color('1', a.status)}`,
    `  task:        ${a.task.id}`,
    `  approver:    ${a.approverRole}${a.required > 1 ? ` (${a.approvals}/${a.required})` : ''}`,
    `  requested:   ${a.requestedAt}${a.expiresAt ? `   expires: ${a.expiresAt}` : ''}`,
    `  risk:        ${ctx.color(riskColor, risk.level)} [${risk.factors.join(', ')}]${risk.mitigations.length ? ` mitigations: ${risk.mitigations.join(', ')}` : ''}`,
    '',
    // The agent's text is its claim; what executes is the payload below.
    `  ${ctx.color('1', 'The agent says')} (its claim — check it against what will execute):`,
    `    description: ${a.task.description}`,
    `    AI proposal: ${a.aiProposal.action}`,
    `    reasoning:   ${a.aiProposal.reasoning ?? '(none given)'}`,
    `    confidence:  ${a.aiProposal.confidence ?? '(none given)'}`,
    `    alternatives: ${a.alternatives.length === 0 ? '(none)' : a.alternatives.map((x) => `\n      - ${x}`).join('')}`,
    '',
  ];
  const payload = gatePayload(a);
  if (a.display) {
    const via = a.display.template ? ` (display template ${a.display.template})` : '';
    lines.push(`  ${ctx.color('1', 'What will execute')}${via}:`);
    for (const l of displayLines(a.display, consoleLink)) lines.push(`    ${l}`);
  } else if (payload !== undefined) {
    lines.push(`  payload:     ${JSON.stringify(payload, null, 2).replaceAll('\n', '\n  ')}`);
  }
  // The version this payload is: `humanos approve <id> --digest <it>` approves exactly it.
  if (a.currentDigest) lines.push(`  digest:      ${a.currentDigest}`);
  for (const d of a.decisions ?? []) {
    const mark = d.stale
      ? d.principal === me
        ? ' — your approval was for an earlier version; approve again'
        : ' — for an earlier version, no longer counts'
      : '';
    lines.push(`  decision:    ${d.principal} ${d.verdict}${mark}`);
  }
  for (const w of a.warnings ?? []) lines.push(ctx.color('31', `  WARNING: ${w.message}`));
  if (a.textWarnings?.length) {
    lines.push(
      ctx.color(
        '31',
        `  WARNING: hidden characters in ${a.textWarnings.map((w) => w.path).join(', ')} (shown as ⟦U+…⟧)`,
      ),
    );
  }
  // Agent text is untrusted: bidi controls and zero-width characters are shown, never rendered.
  return `${revealInvisible(lines.join('\n'))}\n`;
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('show')
    .description(
      'one approval with its task, proposal, reasoning, confidence, alternatives, risk, payload and its digest (the version `approve --digest` names)',
    )
    .argument('<approvalId>', 'approval:human:…')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const api = ctx.api(cmd);
      const a = await api.getApproval(id);
      const me = (await api.me().catch(() => undefined))?.id;
      ctx.out(cmd, a, () =>
        describeApproval(ctx, a, me, `${serverUrl(ctx, cmd)}/approvals/${encodeURIComponent(a.id)}`),
      );
    });
}
