/** Where approvers are told and decide besides the web console: Slack and e-mail (see docs/channels.md). */
import { path, query, type Transport } from './transport.js';

/** A principal's own notification settings, as `setPreferences` takes them (each one optional). */
export interface ChannelPreferences {
  email?: boolean;
  slack?: boolean;
  /** Quiet hours in a time zone (`{start: '22:00', end: '07:00', timeZone: 'Europe/Berlin'}`), or null for none. */
  quietHours?: { start: string; end: string; timeZone: string } | null;
}

/** A principal's notification settings as they stand. */
export type ChannelPreferencesView = Required<ChannelPreferences>;

/** A principal's Slack user and e-mail address (null: not linked). */
export interface ChannelLinks {
  principalId: string;
  slackUserId: string | null;
  email: string | null;
}

/** The caller's links and preferences. */
export interface MyChannels extends ChannelLinks {
  preferences: ChannelPreferencesView;
}

/** Which channels are configured, and where roles' requests are posted. */
export interface ChannelStatus {
  slack: boolean;
  email: boolean;
  roleChannels: { role: string; slackChannel: string }[];
}

/** Where a role's requests are posted (null: nowhere). */
export interface RoleChannel {
  role: string;
  slackChannel: string | null;
}

/** A one-time code to link a Slack user: type `command` in Slack. */
export interface SlackLinkCode {
  code: string;
  expiresAt: string;
  command: string;
}

/** One notification delivery: which sink (`channel:slack`, `channel:email`), to whom, how sending went. */
export interface ChannelDelivery {
  id: string;
  sink: string;
  target: Record<string, unknown> | null;
  ledgerIndex: number;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export class ChannelsClient {
  constructor(private readonly http: Transport) {}

  /** (admin) Which channels are configured, and where roles' requests are posted. */
  status(): Promise<ChannelStatus> {
    return this.http.request('GET', path`/channels`, { retry: true });
  }

  /** The caller's links (Slack user, e-mail address) and preferences. */
  me(): Promise<MyChannels> {
    return this.http.request('GET', path`/channels/me`, { retry: true });
  }

  /**
   * Sets the caller's notification preferences.
   *
   * @example
   * await client.channels.setPreferences({ slack: true, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } });
   */
  setPreferences(prefs: ChannelPreferences): Promise<ChannelPreferencesView> {
    return this.http.request('PUT', path`/channels/me/preferences`, { body: prefs });
  }

  /** A one-time code to type in Slack (`/humanos link CODE`), linking the Slack user to the caller. */
  linkCode(): Promise<SlackLinkCode> {
    return this.http.request('POST', path`/channels/slack/link-code`, {});
  }

  /** (admin) Links a principal to a Slack user and/or an e-mail address (null removes one). */
  setLinks(principalId: string, links: { slackUserId?: string | null; email?: string | null }): Promise<ChannelLinks> {
    return this.http.request('PUT', path`/channels/links/${principalId}`, { body: links });
  }

  /** (admin) The Slack channel a role's requests are posted to (null: none). */
  setRoleChannel(role: string, slackChannel: string | null): Promise<RoleChannel> {
    return this.http.request('PUT', path`/channels/roles/${role}`, { body: { slackChannel } });
  }

  /** (admin) Recent notification deliveries. */
  deliveries(q: { status?: ChannelDelivery['status']; limit?: number } = {}): Promise<{ items: ChannelDelivery[] }> {
    return this.http.request('GET', `${path`/channels/deliveries`}${query(q)}`, { retry: true });
  }
}
