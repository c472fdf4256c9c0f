import { WEBHOOK_ID_PATTERN } from '@humanos/core';
import { Type as T } from 'typebox';
import { deliveryMembers } from '../delivery/schemas.js';
import { closed, IsoTime, Items, Nullable, named, view } from '../kernel/schemas.js';

/** Request schemas of the webhook routes; their delivery list takes the outbox's query (delivery/schemas.ts). */
export { DeliveriesQuery } from '../delivery/schemas.js';

const EVENT_PATTERN = T.String({
  pattern: '^(\\*|[a-z_]+\\.\\*|[a-z_]+\\.[a-z_]+)$',
  description: '`*`, a family such as `approval.*`, or one type such as `approval.requested`',
});

const SECRET = T.String({
  pattern: '^whsec_[A-Za-z0-9+/]{22,88}={0,2}$',
  description:
    'Standard Webhooks secret: `whsec_` and the base64 of 16–64 random bytes; generated (and shown once) if absent',
});

export const CreateWebhookBody = named(
  'CreateWebhookBody',
  T.Object(
    {
      url: T.String({ minLength: 1, maxLength: 2000, pattern: '^https?://', description: 'Where events are POSTed' }),
      events: T.Optional(T.Array(EVENT_PATTERN, { minItems: 1, maxItems: 50, description: 'Default `["*"]`' })),
      secret: T.Optional(SECRET),
    },
    closed,
  ),
);

export const RotateSecretBody = named(
  'RotateSecretBody',
  T.Object(
    {
      secret: T.Optional(SECRET),
      overlapSeconds: T.Optional(
        T.Integer({
          minimum: 0,
          maximum: 30 * 86_400,
          description: 'How long the previous secret keeps signing too (default 86400; 0 stops it at once)',
        }),
      ),
    },
    closed,
  ),
);

export const WebhookIdParams = T.Object({ webhookId: T.String({ pattern: WEBHOOK_ID_PATTERN }) }, closed);
export const DeliveryParams = T.Object(
  {
    webhookId: T.String({ pattern: WEBHOOK_ID_PATTERN }),
    deliveryId: T.String({ pattern: '^delivery:[0-9a-f]{24}$' }),
  },
  closed,
);
/* Response schemas. */

export const WebhookView = named(
  'Webhook',
  view(
    {
      id: T.String(),
      url: T.String(),
      events: T.Array(T.String()),
      active: T.Boolean(),
      createdAt: IsoTime,
      createdBy: T.String(),
      previousSecretExpiresAt: Nullable(
        T.String({ description: 'While set, deliveries are signed with the previous secret too, until then' }),
      ),
    },
    'A webhook subscription',
  ),
);
export const CreatedWebhook = named(
  'CreatedWebhook',
  view(
    { ...WebhookView.properties, secret: T.String({ description: 'The signing secret; shown only here' }) },
    'The created subscription with its signing secret (shown once)',
  ),
);
export const WebhookList = named('WebhookList', Items(WebhookView, 'Every subscription'));
export const DeliveryView = named(
  'WebhookDelivery',
  view(
    {
      ...deliveryMembers,
      webhookId: T.String(),
    },
    'One queued event for one subscription, and how sending it went',
  ),
);
export const DeliveryList = named('WebhookDeliveryList', Items(DeliveryView, 'Deliveries of this subscription'));
