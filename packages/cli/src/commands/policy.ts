/** `humanos policy show|check|validate`: the approval policy. */
import { readFileSync } from 'node:fs';
import type { CreateTaskInput, PolicyEvaluation } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, EXIT, UsageError } from '../context.js';
import { loadServer } from './serve.js';

function describeEvaluation(r: PolicyEvaluation): string {
  const lines = [
    `policy: ${String(r.policy.id)} v${String(r.policy.version)}; rules applied: ${(r.policy.rulesApplied as string[]).join(', ') || '(none)'}`,
    `risk:   ${r.riskAssessment.level} [${r.riskAssessment.factors.join(', ')}]`,
  ];
  for (const f of r.policy.flags ?? []) lines.push(`flag:   ${f.code}: ${f.message}`);
  if (r.routing) lines.push(`routing: ${r.routing.approverRole} picks the resource first`);
  if (r.gates.length === 0) lines.push('gates:  none: the task would be approved at once');
  for (const g of r.gates) {
    const timeout = g.timeout ? `, ${g.timeout} s` : '';
    const escalation = g.escalationPolicy
      ? `, on timeout ${g.escalationPolicy}${g.escalateTo ? ` → ${g.escalateTo}` : ''}`
      : '';
    lines.push(`gate ${g.step}: ${g.required} of ${g.approverRoles.join(' | ')}${timeout}${escalation}`);
  }
  // Gates nobody could decide (gate_undecidable): the task would only expire.
  for (const w of r.warnings ?? []) lines.push(`warning: ${w.code}: ${w.message}`);
  if (r.audit) {
    const review = r.audit.frequency === 'always' ? '' : `; a ${r.audit.frequency} audit review covers every run`;
    lines.push(`audit:  ${r.audit.sampleRate * 100} % spot-checked (${r.audit.frequency})${review}`);
  }
  return `${lines.join('\n')}\n`;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${file} as JSON: ${(e as Error).message}`);
  }
}

export function register(program: Command, ctx: Ctx): void {
  const policy = program.command('policy').description('the approval policy: show, check a task, validate a file');

  policy
    .command('show')
    .description('the policy in force (admin/auditor)')
    .action(async (_o: unknown, cmd: Command) => {
      const r = await ctx.api(cmd).getPolicy();
      ctx.out(cmd, r, () => `${JSON.stringify(r.policy, null, 2)}\n`);
      if (!ctx.flags(cmd).json) ctx.io.stderr(`source: ${r.source}\n`);
    });

  policy
    .command('check')
    .description('which policy, risk and gates a task body would get (a dry run: nothing is created)')
    .argument('<task.json>', 'a JSON file with a task body, as for POST /tasks')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const r = await ctx.api(cmd).evaluatePolicy(readJson(file) as CreateTaskInput);
      ctx.out(cmd, r, () => describeEvaluation(r));
    });

  policy
    .command('validate')
    .description('check a policy file offline, as the server would at start (needs @humanos/server)')
    .argument('<policy.json>')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { loadPolicy } = await loadServer();
      try {
        const { policy: p } = loadPolicy(file, 'approver');
        ctx.out(cmd, { ok: true, name: p.name, version: p.version, rules: p.rules.length }, () => '');
        ctx.io.stderr(`ok: ${p.name} v${p.version}, ${p.rules.length} rules\n`);
      } catch (e) {
        ctx.out(cmd, { ok: false, error: (e as Error).message, code: (e as { code?: string }).code }, () => '');
        ctx.io.stderr(`humanos: invalid policy: ${(e as Error).message}\n`);
        ctx.code = EXIT.usage;
      }
    });
}
