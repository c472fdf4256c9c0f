/**
 * Errors of the SDK: every failure is a {@link HumanOSApiError} with a stable `code`.
 *
 * @example
 * try {
 *   await client.approve(approvalId, { approvalReason: 'ok' });
 * } catch (e) {
 *   if (e instanceof HumanOSApiError && e.code === 'already_decided') console.log('someone was faster');
 *   else throw e;
 * }
 */

import { errorCodeValues } from './openapi.gen.js';
import type { JsonObject, PayloadChange } from './types.js';

/**
 * The codes the server sends in problem+json bodies (docs/api.md), generated from the `ErrorCode`
 * schema of its OpenAPI document. They are part of the contract: new ones may be added, none renamed.
 */
export const SERVER_ERROR_CODES = errorCodeValues;

/** A code the server may answer with. */
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

/**
 * Codes the SDK makes itself: `network_error` (no answer: connection refused, reset, DNS, or the
 * per-request timeout; the original error is the `cause`), `timeout` (a wait such as
 * `executeTask` ran past its own `timeout`), and `http_<status>` for an error answer that was not
 * problem+json (e.g. a proxy's 502 page).
 */
export type ClientErrorCode = 'network_error' | 'timeout' | 'ledger_inconsistent' | `http_${number}`;

export type HumanOSErrorCode = ServerErrorCode | ClientErrorCode;

/** An RFC 9457 problem as the server sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ServerErrorCode;
  detail: string;
  /**
   * The request path. The server always sends it; optional here because callers build problems too
   * (`new HumanOSApiError(code, status, message, problem)`).
   */
  instance?: string;
  /** The request's id, once the server sends it in the body. */
  requestId?: string;
  [k: string]: unknown;
}

export interface HumanOSApiErrorInit {
  problem?: Problem | undefined;
  /** From the `x-request-id` header or the problem's `requestId`. */
  requestId?: string | undefined;
  /** How long the server asked us to wait (429/503 `Retry-After`), in ms. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * An error answer from the server (problem+json), or a failure of the SDK itself (`network_error`,
 * `timeout`). `status` is 0 when there was no HTTP answer.
 */
export class HumanOSApiError extends Error {
  readonly code: HumanOSErrorCode;
  readonly status: number;
  readonly problem: Problem | undefined;
  /** The server's id of the failed request, when it sent one: quote it in bug reports. */
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: HumanOSErrorCode, status: number, message: string, init: HumanOSApiErrorInit | Problem = {}) {
    // Before `init`, the fourth argument was the problem itself; both shapes are accepted.
    const opts: HumanOSApiErrorInit = isProblem(init) ? { problem: init } : init;
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HumanOSApiError';
    this.code = code;
    this.status = status;
    this.problem = opts.problem;
    this.requestId = opts.requestId ?? opts.problem?.requestId;
    this.retryAfterMs = opts.retryAfterMs;
  }

  /** True for codes the server sends (as opposed to `network_error`, `timeout`, `http_<n>`). */
  get fromServer(): boolean {
    return (SERVER_ERROR_CODES as readonly string[]).includes(this.code);
  }
}

/**
 * `409 stale_payload`: the decision named a payload version (`seenDigest`) that is no longer the
 * current one (`currentDigest`): someone edited the payload after the approver was shown it. Nothing
 * was written. Show `currentPayload` (and `diff`) to the approver, and decide again on that version.
 *
 * @example
 * const view = await client.approvals.get(approvalId);
 * try {
 *   await client.approve(view, { approvalReason: 'IBAN checked' }); // sends view.currentDigest
 * } catch (e) {
 *   if (!(e instanceof StalePayloadError)) throw e;
 *   for (const c of e.diff ?? []) console.log(`${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
 *   if (await confirm('Approve the new version?'))
 *     await client.approve(approvalId, { approvalReason: 'IBAN checked', payloadDigest: e.currentDigest });
 * }
 */
export class StalePayloadError extends HumanOSApiError {
  /** The digest the decision named (what its maker saw). */
  readonly seenDigest: string;
  /** The digest of the payload as it stands: send it to decide on that version. */
  readonly currentDigest: string;
  /** The payload as it stands. */
  readonly currentPayload: JsonObject;
  /** What changed from the seen version to the current one, or null when the server cannot tell. */
  readonly diff: PayloadChange[] | null;

  constructor(status: number, message: string, init: HumanOSApiErrorInit & { problem: Problem }) {
    super('stale_payload', status, message, init);
    this.name = 'StalePayloadError';
    const p = init.problem;
    this.seenDigest = typeof p.seenDigest === 'string' ? p.seenDigest : '';
    this.currentDigest = typeof p.currentDigest === 'string' ? p.currentDigest : '';
    this.currentPayload = (p.currentPayload ?? {}) as JsonObject;
    this.diff = Array.isArray(p.diff) ? (p.diff as PayloadChange[]) : null;
  }
}

/**
 * `428 payload_digest_required`: the payload has been edited since it was proposed, so an approval
 * must name the version it approves (`payloadDigest`, or pass the view to `approve`). Nothing was
 * written.
 *
 * @example
 * try {
 *   await client.approve(approvalId);
 * } catch (e) {
 *   if (!(e instanceof PayloadDigestRequiredError)) throw e;
 *   const view = await client.approvals.get(approvalId); // show it, then:
 *   await client.approve(view);
 * }
 */
export class PayloadDigestRequiredError extends HumanOSApiError {
  /** The digest of the payload as it stands, when the server sent it (fetch the view to show it). */
  readonly currentDigest: string | undefined;

  constructor(status: number, message: string, init: HumanOSApiErrorInit & { problem: Problem }) {
    super('payload_digest_required', status, message, init);
    this.name = 'PayloadDigestRequiredError';
    const d = init.problem.currentDigest;
    this.currentDigest = typeof d === 'string' ? d : undefined;
  }
}

/**
 * The error an answer amounts to: {@link StalePayloadError} and {@link PayloadDigestRequiredError}
 * for their codes, {@link HumanOSApiError} for every other.
 */
export function apiError(code: HumanOSErrorCode, status: number, message: string, init: HumanOSApiErrorInit) {
  if (init.problem && code === 'stale_payload')
    return new StalePayloadError(status, message, { ...init, problem: init.problem });
  if (init.problem && code === 'payload_digest_required')
    return new PayloadDigestRequiredError(status, message, { ...init, problem: init.problem });
  return new HumanOSApiError(code, status, message, init);
}

function isProblem(x: HumanOSApiErrorInit | Problem): x is Problem {
  return typeof (x as Problem).code === 'string' && typeof (x as Problem).status === 'number';
}

/** True when the error is worth waiting out: no answer, or a gateway/unavailable status. */
export function isTransient(e: unknown): boolean {
  return e instanceof HumanOSApiError && (e.code === 'network_error' || [502, 503, 504].includes(e.status));
}
