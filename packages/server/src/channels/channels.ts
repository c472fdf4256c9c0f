import { HumanOSError } from '@humanos/core';
import type { IntegrationConfig } from '../config.js';
import type { Outbox } from '../delivery/outbox.js';
import { deliveryView } from '../delivery/views.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { EmailSink } from './email.js';
import { EmailLinks } from './emailPage.js';
import { Identity } from './identity.js';
import { CHANNEL_EVENTS, EMAIL_SINK, PLAN_SINK, Planner, SLACK_SINK } from './planner.js';
import type { ChannelDeliveries, ChannelStatus, RoleChannelView } from './schemas.js';
import { SlackApi, SlackSink } from './slack.js';
import { type DecideFn, SlackInteractions } from './slackInteractions.js';
import { LinkTokens } from './tokens.js';

/** How the channels are reached (from the configuration; a channel without its settings is off). */
export type ChannelSettings = Omit<IntegrationConfig, 'webhookAllowHosts'> & {
  /** Per-call timeout of SMTP and Slack calls (the outbox's). */
  timeoutMs: number;
};

/**
 * Notification channels: Slack and e-mail. Approval events reach the eligible approvers through
 * the durable outbox (the planner fans each event out to one row per message); approvers answer
 * from Slack buttons or e-mail links, which decide through the one decision path as the principal
 * linked to them. Admins map roles to Slack channels and principals to Slack users and addresses;
 * principals link their own Slack user with a one-time code and set their preferences.
 *
 * @example
 * const channels = new Channels(deps, outbox, (a, id, v, i) => approvals.decide(a, id, v, i), settings);
 */
export class Channels {
  readonly identity: Identity;
  readonly slack: { sink: SlackSink; interactions: SlackInteractions } | undefined;
  readonly email: { sink: EmailSink; links: EmailLinks } | undefined;

  constructor(
    private readonly deps: FeatureDeps,
    private readonly outbox: Outbox,
    decide: DecideFn,
    settings: ChannelSettings,
  ) {
    this.identity = new Identity(deps);
    const { publicUrl } = settings;
    if (settings.slackBotToken && settings.slackSigningSecret) {
      const api = new SlackApi(settings.slackBotToken, settings.slackApiUrl, settings.timeoutMs);
      const sink = new SlackSink(deps, api, publicUrl);
      const refresh = (channel: string, ts: string) => sink.refreshByRef(channel, ts);
      const interactions = new SlackInteractions(
        deps,
        this.identity,
        decide,
        api,
        settings.slackSigningSecret,
        publicUrl,
        refresh,
      );
      this.slack = { sink, interactions };
      outbox.addSink(SLACK_SINK, sink);
    }
    if (settings.smtpUrl && settings.emailFrom && publicUrl) {
      const tokens = new LinkTokens(deps.key, deps.retiredKey);
      const sink = new EmailSink(deps, this.identity, tokens, {
        smtpUrl: settings.smtpUrl,
        from: settings.emailFrom,
        publicUrl,
        linkTtlSeconds: settings.emailLinkTtlSeconds,
        timeoutMs: settings.timeoutMs,
      });
      this.email = { sink, links: new EmailLinks(deps, tokens, decide, publicUrl) };
      outbox.addSink(EMAIL_SINK, sink);
    }
    if (this.slack || this.email) {
      outbox.addSink(PLAN_SINK, new Planner(deps, this.identity, outbox, { slack: !!this.slack, email: !!this.email }));
      outbox.subscribe({ id: PLAN_SINK, patterns: CHANNEL_EVENTS });
    }
  }

  /** Which channels are on, and the role-to-Slack-channel map (admin). */
  async status(actor: Principal): Promise<ChannelStatus> {
    this.deps.access.requireAdmin(actor);
    const roles = await this.deps.db
      .selectFrom('role_channels')
      .select(['role', 'slack_channel'])
      .orderBy('role')
      .execute();
    return {
      slack: !!this.slack,
      email: !!this.email,
      roleChannels: roles.map((r) => ({ role: r.role, slackChannel: r.slack_channel })),
    };
  }

  /** Posts every gate of `role` to a Slack channel too (null stops it). Admins only. */
  async setRoleChannel(actor: Principal, role: string, slackChannel: string | null): Promise<RoleChannelView> {
    this.deps.access.requireAdmin(actor);
    if (slackChannel !== null && !this.slack)
      throw new HumanOSError('invalid_state', 'Slack is not configured on this server');
    const now = this.deps.now();
    await this.deps.write(async (trx) => {
      await trx.deleteFrom('role_channels').where('role', '=', role).execute();
      if (slackChannel !== null) {
        await trx
          .insertInto('role_channels')
          .values({ role, slack_channel: slackChannel, updated_at: now, updated_by: actor.id })
          .execute();
      }
    });
    return { role, slackChannel };
  }

  /** Recent notification deliveries (admin): which sink, to whom, how sending went. */
  async deliveries(
    actor: Principal,
    q: { status?: 'pending' | 'delivered' | 'failed'; limit?: number },
  ): Promise<ChannelDeliveries['items']> {
    this.deps.access.requireAdmin(actor);
    let query = this.deps.db
      .selectFrom('deliveries')
      .selectAll()
      .where('sink', 'like', 'channel:%')
      .orderBy('seq', 'desc')
      .orderBy('created_at', 'desc')
      .limit(q.limit ?? 50);
    if (q.status) query = query.where('status', '=', q.status);
    return (await query.execute()).map((d) => {
      return { ...deliveryView(d), sink: d.sink, target: d.target === null ? null : JSON.parse(d.target) };
    });
  }

  /** Outbox rows per channel sink and status (for metrics). */
  countByStatus(): Promise<{ sink: string; status: string; n: number }[]> {
    return this.outbox.countByStatus('channel:');
  }

  close(): void {
    this.email?.sink.close();
  }
}
