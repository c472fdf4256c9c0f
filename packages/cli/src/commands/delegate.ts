/** `humanos delegate to|list|change|end`: delegation and out-of-office (docs/delegation.md). */
import type { CreateDelegationBody, Delegation } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A time for a window's start or end: RFC 3339 (`2026-08-15T00:00:00Z`), a date (`2026-08-15`,
 * midnight UTC), or a span from now (`90m`, `12h`, `14d`).
 *
 * @example
 * whenOf('14d', Date.parse('2026-08-01T00:00:00Z')) // '2026-08-15T00:00:00.000Z'
 */
export function whenOf(text: string, now = Date.now()): string {
  const span = /^(\d{1,5})([mhd])$/.exec(text);
  if (span) return new Date(now + Number(span[1]) * UNIT_MS[span[2] as keyof typeof UNIT_MS]).toISOString();
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new UsageError(`not a time or a span (2026-08-15, 2026-08-15T09:00:00Z, 12h, 14d): ${text}`);
  return new Date(ms).toISOString();
}

function line(d: Delegation): string {
  const ooo = d.outOfOffice ? ' out-of-office' : '';
  return `${d.id}\t${d.state}\t${d.delegator} → ${d.delegate}\t${d.roles.join(',')}\t${d.startsAt} – ${d.endsAt}${ooo}\n`;
}

const collect = (v: string, all: string[] = []) => [...all, v];

export function register(program: Command, ctx: Ctx): void {
  const delegate = program
    .command('delegate')
    .description('delegate your roles for a while (out of office), list, change or end delegations');

  delegate
    .command('to')
    .description('let another person decide your requests on your behalf until a time')
    .argument('<delegate>', 'their DID, e.g. did:human:bob')
    .requiredOption('--until <time>', 'end of the window (exclusive): 2026-08-15, an RFC 3339 time, or 14d')
    .option('--from <time>', 'start of the window (inclusive; default now)')
    .option('--role <role>', 'a role to delegate (repeat; default all yours but admin)', collect)
    .option('--risk <level>', 'only requests at this risk level (repeat)', collect)
    .option('--capability <cap>', 'only tasks needing this capability (repeat)', collect)
    .option('--out-of-office', 'reply in Slack and e-mail with a notice naming the delegate')
    .option('--message <text>', 'your out-of-office note')
    .action(async (who: string, o: Record<string, unknown>, cmd: Command) => {
      const scope = {
        ...(o.risk ? { riskLevels: o.risk as NonNullable<CreateDelegationBody['scope']>['riskLevels'] } : {}),
        ...(o.capability ? { match: { capabilities: o.capability as string[] } } : {}),
      };
      const body: CreateDelegationBody = {
        delegate: who,
        endsAt: whenOf(o.until as string),
        ...(o.from ? { startsAt: whenOf(o.from as string) } : {}),
        ...(o.role ? { roles: o.role as string[] } : {}),
        ...(Object.keys(scope).length ? { scope } : {}),
        ...(o.outOfOffice ? { outOfOffice: true } : {}),
        ...(o.message ? { message: o.message as string } : {}),
      };
      const d = await ctx.api(cmd).delegations.create(body);
      ctx.out(cmd, d, () => line(d));
    });

  delegate
    .command('list')
    .description('delegations you gave or received (in force or scheduled)')
    .option('--given', 'only those you gave')
    .option('--received', 'only those you received')
    .option('--all', 'ended ones too')
    .action(async (o: { given?: boolean; received?: boolean; all?: boolean }, cmd: Command) => {
      const as = o.given ? 'delegator' : o.received ? 'delegate' : 'any';
      const items = await ctx.api(cmd).delegations.list({ as, ...(o.all ? { includeEnded: true } : {}) });
      ctx.out(cmd, { items }, () => (items.length ? items.map(line).join('') : 'no delegations\n'));
    });

  delegate
    .command('change')
    .description('new end, roles or out-of-office note for a delegation you gave')
    .argument('<id>')
    .option('--until <time>', 'new end of the window')
    .option('--role <role>', 'the roles delegated from now (repeat)', collect)
    .option('--message <text>', 'new out-of-office note')
    .action(async (id: string, o: Record<string, unknown>, cmd: Command) => {
      const d = await ctx.api(cmd).delegations.update(id, {
        ...(o.until ? { endsAt: whenOf(o.until as string) } : {}),
        ...(o.role ? { roles: o.role as string[] } : {}),
        ...(o.message ? { message: o.message as string } : {}),
      });
      ctx.out(cmd, d, () => line(d));
    });

  delegate
    .command('end')
    .description('end a delegation now (you gave it, or you decline one you received)')
    .argument('<id>')
    .option('--reason <text>')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      const d = await ctx.api(cmd).delegations.end(id, o.reason);
      ctx.out(cmd, d, () => line(d));
    });
}
