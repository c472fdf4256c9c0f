import { Type as T } from 'typebox';
import { closed, Enum, IsoTime, Nullable, named } from '../kernel/schemas.js';

/** How sending one queued event went (webhooks and notification channels). */
export const DeliveryStatusSchema = named(
  'DeliveryStatus',
  Enum(['pending', 'delivered', 'failed'] as const, 'Queued, sent, or given up on'),
);

/** The query of the delivery lists (a webhook's deliveries, the notification deliveries). */
export const DeliveriesQuery = T.Object(
  {
    status: T.Optional(DeliveryStatusSchema),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })),
  },
  closed,
);

/** A delivery of the outbox, shared by webhooks and the notification channels. */
export const deliveryMembers = {
  id: T.String(),
  ledgerIndex: T.Integer(),
  eventType: T.String(),
  status: DeliveryStatusSchema,
  attempts: T.Integer(),
  nextAttemptAt: Nullable(IsoTime),
  lastStatus: Nullable(T.Integer()),
  lastError: Nullable(T.String()),
  createdAt: IsoTime,
  deliveredAt: Nullable(IsoTime),
};
