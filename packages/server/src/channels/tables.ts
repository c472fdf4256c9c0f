/**
 * Row types of the channel tables (migration 0014_channels), merged into the store's `Database`
 * so features query them through the same typed Kysely instance.
 */
declare module '../store/schema.js' {
  interface Database {
    channel_identities: {
      /** `slack` or `email`. */
      channel: string;
      /** The Slack user id (`U…`) or the e-mail address (lower case). */
      external_id: string;
      principal_id: string;
      created_at: number;
      created_by: string;
    };
    channel_link_codes: { code_hash: string; principal_id: string; expires_at: number; used_at: number | null };
    notification_prefs: {
      principal_id: string;
      email: number;
      slack: number;
      /** Quiet hours `HH:MM`–`HH:MM` in `time_zone` (IANA), or null. */
      quiet_start: string | null;
      quiet_end: string | null;
      time_zone: string | null;
      updated_at: number;
    };
    role_channels: { role: string; slack_channel: string; updated_at: number; updated_by: string };
    channel_messages: {
      id: string;
      approval_id: string;
      channel: string;
      /** Where it went: a Slack channel or user id, or the principal an e-mail was for. */
      target: string;
      principal_id: string | null;
      /** Slack: the conversation the message is in (a DM's `D…`); e-mail: null. */
      ref_channel: string | null;
      /** Slack: the message `ts`; e-mail: the Message-ID. */
      ref: string;
      /** The state the message shows (see `stateKey`), so an update is skipped when nothing changed. */
      rendered: string;
      created_at: number;
      updated_at: number;
    };
    channel_nonces: { id: string; expires_at: number };
  }
}

export {};
