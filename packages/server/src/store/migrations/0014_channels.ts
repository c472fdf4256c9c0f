import type { Kysely, Migration } from 'kysely';

/** Migration 0014_channels (append-only: never edit a migration that has shipped). */
export const migration: Migration = {
  // Notification channels (Slack, e-mail): who is who there, what they want, what was sent where.
  async up(db: Kysely<unknown>) {
    // A principal's address on a channel: a Slack user id, an e-mail address. One per channel.
    await db.schema
      .createTable('channel_identities')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('channel_identities_pk', ['channel', 'external_id'])
      .execute();
    await db.schema
      .createIndex('channel_identities_principal')
      .on('channel_identities')
      .columns(['principal_id', 'channel'])
      .unique()
      .execute();
    // One-time codes a principal redeems in Slack (`/humanos link CODE`); only their hash is kept.
    await db.schema
      .createTable('channel_link_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createTable('notification_prefs')
      .addColumn('principal_id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'integer', (c) => c.notNull())
      .addColumn('slack', 'integer', (c) => c.notNull())
      .addColumn('quiet_start', 'text')
      .addColumn('quiet_end', 'text')
      .addColumn('time_zone', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // A Slack channel per role: every gate of the role is posted there too.
    await db.schema
      .createTable('role_channels')
      .addColumn('role', 'text', (c) => c.primaryKey())
      .addColumn('slack_channel', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    // Every message sent about an approval, so it can be updated in place (Slack) or followed up (e-mail).
    await db.schema
      .createTable('channel_messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text')
      .addColumn('ref_channel', 'text')
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('rendered', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('channel_messages_target')
      .on('channel_messages')
      .columns(['approval_id', 'channel', 'target'])
      .unique()
      .execute();
    // Single use: Slack request signatures and e-mail link tokens that were acted on.
    await db.schema
      .createTable('channel_nonces')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
