import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PayloadDisplay } from './display.js';
import type { ApprovalWarning } from './model.js';

/**
 * Webhook deliveries follow the Standard Webhooks specification (https://www.standardwebhooks.com):
 * three headers, an HMAC-SHA256 over `<id>.<timestamp>.<body>` keyed with the base64-decoded
 * `whsec_` secret, and a `{type, timestamp, data}` body. Any Standard Webhooks library verifies
 * them (the `standardwebhooks` npm package, `standardwebhooks` on PyPI, svix's libraries, …).
 */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
/** Space-separated `v1,<base64>` signatures: two of them while a rotated secret's overlap lasts. */
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** How far a delivery's timestamp may be from the receiver's clock before it counts as a replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const STANDARD_SECRET = /^whsec_[A-Za-z0-9+/]{22,}={0,2}$/;

/** What a chat relay needs about the task an event concerns, as it stood when the event was sent. */
export interface WebhookTaskContext {
  id: string;
  description: string;
  status: string;
  requester: string;
  riskLevel: string;
  /** `${HUMANOS_PUBLIC_URL}/tasks/{id}`, or null when no public URL is configured. */
  url: string | null;
}

/** What a chat relay needs about the approval an event concerns: enough to post a message without calling back. */
export interface WebhookApprovalContext {
  id: string;
  kind: string;
  status: string;
  step: number;
  /** Why a person is asked (the policy rule, an escalation, an in-run decision). */
  reason: string | null;
  approverRoles: string[];
  /** Approvals needed (a quorum), and how many were given so far. */
  required: number;
  approvals: number;
  /** The deadline, or null when the gate waits indefinitely. */
  expiresAt: string | null;
  description: string;
  riskLevel: string;
  riskFactors: string[];
  aiProposal: { action: string | null; reasoning: string | null; confidence: number | null };
  /** Deep link into the web inbox: `${HUMANOS_PUBLIC_URL}/approvals/{id}`, or null when none is configured. */
  url: string | null;
  /** The payload that executes, as approvers see it (the policy's display template, a message's limits). */
  display: PayloadDisplay;
  /** What the approver must see before deciding (text that disagrees with the payload, …). */
  warnings: ApprovalWarning[];
}

/** The body of one delivery, in the Standard Webhooks payload shape. */
export interface WebhookDelivery {
  /** The ledger event type, e.g. `approval.requested`. */
  type: string;
  /** When the event happened (the ledger entry's `at`). */
  timestamp: string;
  data: {
    /** Also the `webhook-id` header; the same on every attempt, so receivers deduplicate on it. */
    deliveryId: string;
    webhookId: string;
    ledgerIndex: number;
    /** The ledger entry at `ledgerIndex`, exactly as an auditor sees it in the export. */
    event: { type: string; at: string; actor: string; taskId: string | null; [k: string]: unknown };
    task?: WebhookTaskContext;
    approval?: WebhookApprovalContext;
  };
}

/** A webhook subscription as the API reports it (the secret only in the create and rotate responses). */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
  createdBy: string;
  /** While set, deliveries carry a signature with the previous secret too, until this time. */
  previousSecretExpiresAt: string | null;
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

/**
 * A new secret in the Standard Webhooks form: `whsec_` and the base64 of 32 random bytes.
 *
 * @example
 * newWebhookSecret(); // 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw…'
 */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Whether a secret is in the Standard Webhooks form (`whsec_` + base64 of at least 16 bytes). */
export function isStandardWebhookSecret(secret: string): boolean {
  return STANDARD_SECRET.test(secret) && Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64').length >= 16;
}

/**
 * The HMAC key of a secret: the base64-decoded part after `whsec_`. Secrets from before the
 * Standard Webhooks format (any other string) are keyed with their UTF-8 bytes; a Standard Webhooks
 * library verifies those with `new Webhook(secret, { format: 'raw' })`.
 */
export function webhookSecretKey(secret: string): Buffer {
  return isStandardWebhookSecret(secret)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/**
 * One `v1,<base64>` signature of a delivery: HMAC-SHA256 of `<id>.<timestamp>.<body>`.
 *
 * @example
 * signWebhook('whsec_…', 'delivery:6f1c…', Math.floor(Date.now() / 1000), rawBody); // 'v1,K5oZ…='
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', webhookSecretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers of a delivery, signed with every given secret (the current
 * one first; a rotated-out one during its overlap window).
 *
 * @example
 * const headers = webhookHeaders(['whsec_new…', 'whsec_old…'], 'delivery:6f1c…', rawBody);
 */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: secrets.map((s) => signWebhook(s, id, timestamp, body)).join(' '),
  };
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Checks a delivery against the raw body (the exact bytes received, before any JSON parsing) and
 * the subscription's secret: any of the `v1` signatures must match, and the timestamp must be within
 * the tolerance of the receiver's clock. Returns false on any mismatch or malformed header; never throws.
 *
 * @example
 * if (!verifyWebhookSignature(process.env.HUMANOS_WEBHOOK_SECRET, req.headers, rawBody)) return res.sendStatus(401);
 */
export function verifyWebhookSignature(
  secret: string,
  headers: HeaderSource,
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS,
): boolean {
  const id = header(headers, WEBHOOK_ID_HEADER);
  const ts = header(headers, WEBHOOK_TIMESTAMP_HEADER);
  const sigs = header(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!id || !ts || !sigs || !/^\d{1,12}$/.test(ts)) return false;
  const timestamp = Number(ts);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), 'base64');
  return sigs.split(' ').some((s) => {
    if (!s.startsWith('v1,')) return false;
    const given = Buffer.from(s.slice(3), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
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
