import { randomBytes } from 'node:crypto';
import { HumanOSError } from './errors.js';

// 96 random bits: unguessable enough that an id leaks nothing, short enough to read aloud.
const RANDOM_HEX = 24;

export const TASK_ID_PATTERN = '^task:human:[0-9a-f]{24}$';
export const APPROVAL_ID_PATTERN = '^approval:human:[0-9a-f]{24}$';
/** `did:human:john-dba`, `did:agent:invoice-bot`: method is the principal kind, then a slug. */
export const DID_PATTERN = '^did:(human|agent):[a-z0-9][a-z0-9._-]{0,62}$';

const taskRe = new RegExp(TASK_ID_PATTERN);
const approvalRe = new RegExp(APPROVAL_ID_PATTERN);
const didRe = new RegExp(DID_PATTERN);

export type PrincipalKind = 'human' | 'agent';

export function newTaskId(): string {
  return `task:human:${randomBytes(RANDOM_HEX / 2).toString('hex')}`;
}

export function newApprovalId(): string {
  return `approval:human:${randomBytes(RANDOM_HEX / 2).toString('hex')}`;
}

export function isTaskId(s: string): boolean {
  return taskRe.test(s);
}

export function isApprovalId(s: string): boolean {
  return approvalRe.test(s);
}

export function isDid(s: string): boolean {
  return didRe.test(s);
}

/** The principal kind a DID names (`did:human:…` → `human`). */
export function didKind(did: string): PrincipalKind {
  if (!isDid(did)) throw new HumanOSError('invalid_id', `not a principal DID: ${did}`);
  return did.startsWith('did:human:') ? 'human' : 'agent';
}

/**
 * The execution id of a task: stable across attempts (a reclaimed lease runs under the same id), so
 * an executor can use it as the idempotency key of its side effect.
 */
export function executionIdFor(taskId: string): string {
  return `exec:${taskId.slice(taskId.lastIndexOf(':') + 1)}`;
}

/** A fencing token for one lease on an execution; a reclaimed lease gets a new one. */
export function newLeaseId(): string {
  return `lease:${randomBytes(12).toString('hex')}`;
}

export const WEBHOOK_ID_PATTERN = '^webhook:[0-9a-f]{24}$';

export function newWebhookId(): string {
  return `webhook:${randomBytes(RANDOM_HEX / 2).toString('hex')}`;
}

/** A delivery id: receivers deduplicate on it (delivery is at least once). */
export function newDeliveryId(): string {
  return `delivery:${randomBytes(RANDOM_HEX / 2).toString('hex')}`;
}

export const AUDIT_REVIEW_ID_PATTERN = '^review:human:[0-9a-f]{24}$';

/** A periodic audit review's id, e.g. `review:human:0123456789abcdef01234567`. */
export function newAuditReviewId(): string {
  return `review:human:${randomBytes(RANDOM_HEX / 2).toString('hex')}`;
}
