/** Where approvers are told and decide besides the web console: Slack and e-mail (see docs/channels.md). */
import { path, query, type Transport } from './transport.js';

/** A principal's own notification settings. */
export interface ChannelPreferences {
  email?: boolean;
  slack?: boolean;
  /** Quiet hours in a time zone (`{start: '22:00', end: '07:00', timeZone: 'Europe/Berlin'}`), or null for none. */
  quietHours?: { start: string; end: string; timeZone: string } | null;
}

export class ChannelsClient {
  constructor(private readonly http: Transport) {}

  /** Which channels are configured, and (admin) how they are linked. */
  status(): Promise<Record<string, unknown>> {
    return this.http.request('GET', path`/channels`, { retry: true });
  }

  /** The caller's links (Slack user, e-mail address) and preferences. */
  me(): Promise<Record<string, unknown>> {
    return this.http.request('GET', path`/channels/me`, { retry: true });
  }

  /**
   * Sets the caller's notification preferences.
   *
   * @example
   * await client.channels.setPreferences({ slack: true, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } });
   */
  setPreferences(prefs: ChannelPreferences): Promise<Record<string, unknown>> {
    return this.http.request('PUT', path`/channels/me/preferences`, { body: prefs });
  }

  /** A one-time code to type in Slack (`/humanos link CODE`), linking the Slack user to the caller. */
  linkCode(): Promise<{ code: string; expiresAt: string }> {
    return this.http.request('POST', path`/channels/slack/link-code`, {});
  }

  /** (admin) Links a principal to a Slack user and/or an e-mail address (null removes one). */
  setLinks(
    principalId: string,
    links: { slackUserId?: string | null; email?: string | null },
  ): Promise<Record<string, unknown>> {
    return this.http.request('PUT', path`/channels/links/${principalId}`, { body: links });
  }

  /** (admin) The Slack channel a role's requests are posted to (null: none). */
  setRoleChannel(role: string, slackChannel: string | null): Promise<Record<string, unknown>> {
    return this.http.request('PUT', path`/channels/roles/${role}`, { body: { slackChannel } });
  }

  /** (admin) Recent notification deliveries. */
  deliveries(q: { status?: string; limit?: number } = {}): Promise<{ items: Record<string, unknown>[] }> {
    return this.http.request('GET', `${path`/channels/deliveries`}${query(q)}`, { retry: true });
  }
}
