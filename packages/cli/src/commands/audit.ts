/** `humanos audit reviews|review|complete`: the periodic audit reviews of unattended runs. */
import type { AuditReview, ReviewFrequency, ReviewOutcome, ReviewStatus } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';

const STATUSES: readonly ReviewStatus[] = ['open', 'completed'];
const FREQUENCIES: readonly ReviewFrequency[] = ['daily', 'weekly', 'monthly'];
const OUTCOMES: readonly ReviewOutcome[] = ['no_issues', 'issues_found'];

function oneOf<T extends string>(what: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${what} must be one of ${allowed.join(', ')} (got ${value})`);
  }
  return value as T;
}

const day = (iso: string) => iso.slice(0, 10);

function line(r: AuditReview): string {
  const end = day(new Date(Date.parse(r.periodEnd) - 1).toISOString());
  return `${r.id}\t${r.frequency}\t${day(r.periodStart)}..${end}\t${r.status}\t${r.taskCount} runs\n`;
}

function describe(r: AuditReview): string {
  const counts = Object.entries(r.statusCounts)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const lines = [
    `${r.id}  ${r.frequency} review of ${r.periodStart} .. ${r.periodEnd} (${r.status})`,
    `runs:    ${r.taskCount} (${counts || 'none'}); ledger entry ${r.ledgerIndex}`,
    'sample to inspect:',
    ...r.sample.map((t) => `  ${t.taskId}\t${t.status}\t${t.reason}\t${t.description}`),
  ];
  if (r.status === 'completed') {
    lines.push(
      `completed by ${r.completedBy} at ${r.completedAt}: ${r.outcome} (ledger entry ${r.completedLedgerIndex})`,
    );
    lines.push(`findings: ${r.findings}`);
    if (r.flaggedTaskIds.length > 0) lines.push(`flagged: ${r.flaggedTaskIds.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command, ctx: Ctx): void {
  const audit = program
    .command('audit')
    .description('periodic audit reviews of unattended runs (auditFrequency daily/weekly/monthly)');

  audit
    .command('reviews')
    .description('list reviews, newest period first (admin or auditor)')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--frequency <frequency>', `one of ${FREQUENCIES.join(', ')}`)
    .option('--limit <n>', 'page size (1-200)', (v) => Number(v))
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .action(async (o: { status?: string; frequency?: string; limit?: number; cursor?: string }, cmd: Command) => {
      const page = await ctx.api(cmd).audit.reviews({
        status: oneOf('--status', o.status, STATUSES),
        frequency: oneOf('--frequency', o.frequency, FREQUENCIES),
        limit: o.limit,
        cursor: o.cursor,
      });
      ctx.out(
        cmd,
        page,
        () => page.items.map(line).join('') + (page.nextCursor ? `next: --cursor ${page.nextCursor}\n` : ''),
      );
    });

  audit
    .command('review')
    .description('one review: its period, counts and the sample to inspect')
    .argument('<reviewId>', 'review:human:…')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const r = await ctx.api(cmd).audit.review(id);
      ctx.out(cmd, r, () => describe(r));
    });

  audit
    .command('complete')
    .description('sign a review off with your findings (a human auditor)')
    .argument('<reviewId>', 'review:human:…')
    .requiredOption('--outcome <outcome>', `one of ${OUTCOMES.join(', ')}`)
    .requiredOption('--findings <text>', 'what you looked at and found')
    .option('--flag <taskId...>', 'runs of this review that need attention')
    .action(async (id: string, o: { outcome: string; findings: string; flag?: string[] }, cmd: Command) => {
      const outcome = oneOf('--outcome', o.outcome, OUTCOMES) as ReviewOutcome;
      const r = await ctx.api(cmd).audit.completeReview(id, {
        outcome,
        findings: o.findings,
        ...(o.flag ? { flaggedTaskIds: o.flag } : {}),
      });
      ctx.out(cmd, r, () => describe(r));
    });
}
