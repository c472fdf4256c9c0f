/** `humanos channels …`: Slack and e-mail links, preferences and deliveries (see docs/channels.md). */
import type { ChannelDelivery } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, limitOption, UsageError } from '../context.js';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const onOff = (v: string | undefined, flag: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw new UsageError(`${flag} takes on or off`);
  return v === 'on';
};

export function register(program: Command, ctx: Ctx): void {
  const channels = program.command('channels').description('Slack and e-mail: links, preferences, deliveries');

  channels
    .command('link-code')
    .description('a one-time code to type in Slack (/humanos link CODE) to link your Slack user')
    .action(async (_o: unknown, cmd: Command) => {
      const r = await ctx.api(cmd).channels.linkCode();
      ctx.out(cmd, r, () => `/humanos link ${r.code}\t(expires ${r.expiresAt})\n`);
    });

  channels
    .command('prefs')
    .description('your notification preferences')
    .option('--email <on|off>', 'e-mail notifications')
    .option('--slack <on|off>', 'Slack direct messages')
    .option('--quiet <HH:MM-HH:MM>', 'quiet hours (needs --tz)')
    .option('--tz <zone>', 'IANA time zone of the quiet hours, e.g. Europe/Berlin')
    .option('--no-quiet', 'no quiet hours')
    .action(async (o: { email?: string; slack?: string; quiet?: string | false; tz?: string }, cmd: Command) => {
      const email = onOff(o.email, '--email');
      const slack = onOff(o.slack, '--slack');
      let quietHours: { start: string; end: string; timeZone: string } | null | undefined;
      if (o.quiet === false) quietHours = null;
      else if (typeof o.quiet === 'string') {
        const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(o.quiet);
        if (!m || !o.tz) throw new UsageError('--quiet takes HH:MM-HH:MM and needs --tz');
        quietHours = { start: m[1] as string, end: m[2] as string, timeZone: o.tz };
      }
      const r = await ctx.api(cmd).channels.setPreferences({
        ...(email === undefined ? {} : { email }),
        ...(slack === undefined ? {} : { slack }),
        ...(quietHours === undefined ? {} : { quietHours }),
      });
      ctx.out(cmd, r, () => json(r));
    });

  channels
    .command('link')
    .description('(admin) link a principal to a Slack user and/or an e-mail address')
    .argument('<did>', 'the principal')
    .option('--slack <userId>', 'Slack user id (U…), or "none"')
    .option('--email <address>', 'e-mail address, or "none"')
    .action(async (did: string, o: { slack?: string; email?: string }, cmd: Command) => {
      const v = (x: string | undefined) => (x === undefined ? undefined : x === 'none' ? null : x);
      const r = await ctx.api(cmd).channels.setLinks(did, {
        ...(o.slack === undefined ? {} : { slackUserId: v(o.slack) }),
        ...(o.email === undefined ? {} : { email: v(o.email) }),
      });
      ctx.out(cmd, r, () => json(r));
    });

  channels
    .command('role')
    .description('(admin) post a role’s requests to a Slack channel')
    .argument('<role>', 'the approver role')
    .option('--slack-channel <id>', 'Slack channel id (C…)')
    .option('--none', 'stop posting this role’s requests to a channel')
    .action(async (role: string, o: { slackChannel?: string; none?: boolean }, cmd: Command) => {
      if (!o.none && !o.slackChannel) throw new UsageError('give --slack-channel <id> or --none');
      const r = await ctx.api(cmd).channels.setRoleChannel(role, o.none ? null : (o.slackChannel as string));
      ctx.out(cmd, r, () => json(r));
    });

  limitOption(
    channels
      .command('deliveries')
      .description('(admin) recent Slack and e-mail deliveries')
      .option('--status <status>', 'pending, delivered or failed'),
  ).action(async (o: { status?: string; limit?: number }, cmd: Command) => {
    const status = o.status as ChannelDelivery['status'] | undefined;
    const r = await ctx.api(cmd).channels.deliveries({ status, limit: o.limit });
    ctx.out(cmd, r, () => r.items.map((d) => `${JSON.stringify(d)}\n`).join(''));
  });
}
