import { Type as T } from 'typebox';
import { closed, Did, ROLE } from '../kernel/schemas.js';

/** Request schemas of the channel routes. */
const HHMM = T.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: '`HH:MM`, 24-hour' });

export const PreferencesBody = T.Object(
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
);

export const LinksBody = T.Object(
  {
    slackUserId: T.Optional(T.Union([T.String({ pattern: '^[UW][A-Z0-9]{2,20}$' }), T.Null()])),
    email: T.Optional(T.Union([T.String({ minLength: 3, maxLength: 320 }), T.Null()])),
  },
  closed,
);

export const PrincipalParams = T.Object({ principalId: Did }, closed);
export const RoleParams = T.Object({ role: ROLE }, closed);
export const RoleChannelBody = T.Object(
  { slackChannel: T.Union([T.String({ pattern: '^[CG][A-Z0-9]{2,20}$', description: 'Slack channel id' }), T.Null()]) },
  closed,
);
