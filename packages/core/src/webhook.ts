import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying a webhook delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-humanos-signature';

/** How far a delivery's timestamp may be from the receiver's clock before it counts as a replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The ledger entry that a delivery carries, with where it sits in the ledger. */
export interface WebhookDelivery {
  deliveryId: string;
  webhookId: string;
  ledgerIndex: number;
  event: { type: string; at: string; actor: string; taskId: string | null; [k: string]: unknown };
}

/** A webhook subscription as the API reports it (the secret only in the create response). */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
  createdBy: string;
}

/** One queued event for one subscription, and how sending it went. */
export interface WebhookDeliveryStatus {
  id: string;
  webhookId: string;
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

const mac = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * Signs a webhook body: the HMAC covers the timestamp too, so a captured delivery cannot be replayed
 * later with a fresh timestamp.
 *
 * @example
 * const header = signWebhook('whsec_…', JSON.stringify(body), Math.floor(Date.now() / 1000));
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/**
 * Checks a delivery's signature header against the raw body (the exact bytes received, before any
 * JSON parsing) and the webhook's secret. Returns false on any mismatch, malformed header or a
 * timestamp outside the tolerance.
 *
 * @example
 * if (!verifyWebhookSignature(secret, req.headers['x-humanos-signature'], rawBody)) return res.status(401);
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined | null,
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!m) return false;
  const timestamp = Number(m[1]);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2] as string, 'hex'));
}

/**
 * Whether an event type matches a subscription pattern: `*` (everything), an exact type
 * (`approval.requested`), or a prefix ending in `.*` (`approval.*`).
 */
export function webhookEventMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
