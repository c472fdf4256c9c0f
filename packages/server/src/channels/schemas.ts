import { type Static, Type as T } from 'typebox';
import { closed, Did, IsoTime, Items, JsonObject, Nullable, named, ROLE, view } from '../kernel/schemas.js';
import { deliveryMembers } from '../webhooks/schemas.js';

/** Request schemas of the channel routes. */
const HHMM = T.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: '`HH:MM`, 24-hour' });

export const PreferencesBody = named(
  'PreferencesBody',
  T.Object(
    {
      email: T.Optional(T.Boolean({ description: 'E-mail notifications on or off' })),
      slack: T.Optional(T.Boolean({ description: 'Slack direct messages on or off' })),
      quietHours: T.Optional(
        T.Union([
          T.Object(
            {
              start: HHMM,
              end: HHMM,
              timeZone: T.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. `Europe/Berlin`' }),
            },
            closed,
          ),
          T.Null(),
        ]),
      ),
    },
    closed,
  ),
);

export const LinksBody = named(
  'LinksBody',
  T.Object(
    {
      slackUserId: T.Optional(T.Union([T.String({ pattern: '^[UW][A-Z0-9]{2,20}$' }), T.Null()])),
      email: T.Optional(T.Union([T.String({ minLength: 3, maxLength: 320 }), T.Null()])),
    },
    closed,
  ),
);

export const PrincipalParams = T.Object({ principalId: Did }, closed);
export const RoleParams = T.Object({ role: ROLE }, closed);
export const RoleChannelBody = named(
  'RoleChannelBody',
  T.Object(
    {
      slackChannel: T.Union([T.String({ pattern: '^[CG][A-Z0-9]{2,20}$', description: 'Slack channel id' }), T.Null()]),
    },
    closed,
  ),
);

/* Response schemas. */

const QuietHours = named(
  'QuietHours',
  view(
    { start: T.String(), end: T.String(), timeZone: T.String() },
    'No notifications between `start` and `end` (`HH:MM`) in `timeZone`',
  ),
);
export const PreferencesView = named(
  'NotificationPreferences',
  view(
    { email: T.Boolean(), slack: T.Boolean(), quietHours: Nullable(QuietHours) },
    'The principal’s notification preferences',
  ),
);
const linkMembers = {
  principalId: T.String(),
  slackUserId: Nullable(T.String()),
  email: Nullable(T.String()),
};
export const LinksView = named(
  'ChannelLinks',
  view(linkMembers, 'The principal’s Slack user and e-mail address (null: none)'),
);
export const MyChannels = named(
  'MyChannels',
  view(
    { ...linkMembers, preferences: PreferencesView },
    'The caller’s Slack and e-mail links and notification preferences',
  ),
);
export const ChannelStatus = named(
  'ChannelStatus',
  view(
    {
      slack: T.Boolean({ description: 'Whether Slack is configured' }),
      email: T.Boolean({ description: 'Whether e-mail is configured' }),
      roleChannels: T.Array(view({ role: T.String(), slackChannel: T.String() }, 'Where a role’s requests are posted')),
    },
    'Which channels are configured, and where roles’ requests are posted',
  ),
);
export const RoleChannelView = named(
  'RoleChannel',
  view(
    { role: T.String(), slackChannel: Nullable(T.String()) },
    'Where the role’s requests are posted (null: nowhere)',
  ),
);
export const LinkCode = named(
  'LinkCode',
  view(
    { code: T.String(), expiresAt: IsoTime, command: T.String({ description: 'What to type in Slack' }) },
    'A one-time code to type in Slack',
  ),
);
export const ChannelDeliveries = named(
  'ChannelDeliveryList',
  Items(
    named(
      'ChannelDelivery',
      view(
        {
          // The outbox row as a webhook delivery shows it, with the sink and its target instead of a webhook id.
          ...deliveryMembers,
          sink: T.String({ description: 'The channel sink (`channel:slack`, `channel:email`)' }),
          target: Nullable(JsonObject),
        },
        'A notification delivery: which sink, to whom, how sending went',
      ),
    ),
    'Recent Slack and e-mail deliveries',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type ChannelStatus = Static<typeof ChannelStatus>;
export type RoleChannelView = Static<typeof RoleChannelView>;
export type ChannelDeliveries = Static<typeof ChannelDeliveries>;
export type MyChannels = Static<typeof MyChannels>;
export type LinksView = Static<typeof LinksView>;
export type PreferencesView = Static<typeof PreferencesView>;
export type LinkCode = Static<typeof LinkCode>;
