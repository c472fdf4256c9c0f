import type { WebhookDeliveryStatus } from '@humanos/core';
import { iso } from '../kernel/rows.js';
import type { DeliveryRow } from './outbox.js';

/** A delivery as the API shows it, whichever sink sends it (`deliveryMembers`, delivery/schemas.ts). */
export type DeliveryStatus = Omit<WebhookDeliveryStatus, 'webhookId'>;

/**
 * An outbox row as the API shows it. Each sink's routes add who it is for: a webhook delivery its
 * `webhookId`, a notification its `sink` and `target`.
 *
 * @example
 * const status = deliveryView(row); // { id, ledgerIndex, eventType, status, attempts, … }
 * const shown = { ...status, webhookId: row.sink };
 */
export function deliveryView(d: DeliveryRow): DeliveryStatus {
  return {
    id: d.id,
    ledgerIndex: Number(d.seq),
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: iso(d.created_at),
    deliveredAt: d.delivered_at === null ? null : iso(d.delivered_at),
  };
}
