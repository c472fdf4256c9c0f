/**
 * Every error HumanOS reports carries a stable, machine-readable `code`. Clients branch on the code,
 * never on the message, so codes are part of the public contract: add new ones, never rename.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  /** A passkey registration response that does not verify (attestation, challenge, origin, UV, algorithm). */
  passkey_registration_failed: 400,
  /** A decision named two different payload digests (the body's `payloadDigest` and `If-Match`). */
  payload_digest_conflict: 400,
  /** A policy display template that cannot be used (a path that is no JSON pointer, money without a currency, …). */
  invalid_display_template: 400,
  invalid_id: 400,
  /** A delegation to its own delegator. */
  delegation_to_self: 400,
  /** A delegation to an agent, an unknown principal or a read-only relay: only enabled humans are delegates. */
  delegate_not_human: 400,
  /** A delegation to a disabled human. */
  delegate_disabled: 400,
  /** A delegation window that ends before (or when) it starts, or ends in the past. */
  delegation_window_invalid: 400,
  /** A delegation window longer than the policy's `delegation.maxDays` (default 30). */
  delegation_too_long: 400,
  /** A delegation of a role the delegator does not hold (or of `admin`). */
  delegation_role_not_held: 400,
  /**
   * `approve {alternative: i}` names no alternative of the proposal, one without a payload, or comes
   * with `edits` (choose an alternative, or edit the proposal: not both). Nothing was written.
   */
  invalid_alternative: 400,
  unauthorized: 401,
  /**
   * The decision needs a fresher sign-in than the caller's session (the policy's `maxSessionAge`): the
   * problem's `signInUrl` signs in again and returns to the request. Nothing was written.
   */
  reauthentication_required: 401,
  forbidden: 403,
  /** A cookie-authenticated state-changing request without the session's CSRF token (or from another origin). */
  csrf_failed: 403,
  /** A single sign-on the server refuses: no principal matches the identity (and no auto-provisioning), or it is disabled. */
  sign_in_refused: 403,
  not_requester: 403,
  requester_cannot_decide: 403,
  agent_cannot_decide: 403,
  role_required: 403,
  approved_by_mismatch: 403,
  /** An auditor completing a review that covers runs she requested or was named `onBehalfOf` by. */
  requester_cannot_audit: 403,
  /** `onBehalfOf` names a human who has not consented (or no longer consents) to this agent naming them. */
  consent_required: 403,
  /**
   * The policy requires this decision to be signed with the approver's passkey and it is not (a bare
   * token, Slack, an e-mail link): `consoleUrl` is the request's page in the console, where it can be.
   */
  passkey_required: 403,
  /**
   * A decision from a Slack button or an e-mail link on a request that must be decided in the console:
   * its payload is too large to show in the message, or (for an approval) it has warnings. Nothing was written.
   */
  console_required: 403,
  /** A passkey assertion failed a check (`check` names it: `nonce`, `passkey_signature`, …): nothing was written. */
  passkey_invalid: 403,
  /** Passkey enrolment is made by the human themself, never by an admin or agent for them. */
  passkey_owner_only: 403,
  /** A delegation of roles the delegator holds only by delegation: delegations do not cascade. */
  delegation_cascade: 403,
  /** The policy rule that demanded the gate says `delegable: false`: a delegate cannot decide it. */
  delegation_forbidden: 403,
  /** Assigning a request needs a lead: a human holding the `approval_lead` role, or an admin. */
  lead_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  already_decided: 409,
  invalid_state: 409,
  payload_mismatch: 409,
  idempotency_key_reused: 409,
  principal_exists: 409,
  already_seated: 409,
  out_of_turn: 409,
  task_overridden: 409,
  lease_lost: 409,
  self_lockout: 409,
  /** The task has been revised as often as the policy's `maxRevisions` allows: approve or reject it. */
  revision_limit: 409,
  /** The store's rows disagree with the signed ledger (an edited database): nothing runs. */
  integrity_violation: 409,
  /** A decision names a payload digest other than the one an approval would approve now: nothing is written. */
  stale_payload: 409,
  /** A WebAuthn credential id that was enrolled before (by anyone): a credential is enrolled once. */
  passkey_exists: 409,
  /** Passkeys are not configured on this server (HUMANOS_WEBAUTHN_RP_ID or HUMANOS_PUBLIC_URL). */
  passkeys_not_configured: 409,
  /**
   * A decision earlier than the policy's `minReviewSeconds` after the approver first had the request
   * (`secondsLeft`, `decidableAt` say when it may be made): nothing was written.
   */
  review_too_fast: 409,
  /** A delegation to someone who already holds one of the delegated roles (a seat on the same gates). */
  delegate_holds_seat: 409,
  /** Changing or ending a delegation that has already ended. */
  delegation_ended: 409,
  /** Another approver's claim on this request is still live (`claimedBy`, `claimedUntil`): nothing was written. */
  claim_held: 409,
  /** The named principal may not decide this request now (no role of it, disabled, its requester, or already seated). */
  assignee_not_eligible: 409,
  /** A comment @mentions a principal who may not see the request (or no such principal): nothing was written. */
  mention_not_allowed: 409,
  approval_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** An approval of a payload that has had more than one version must name the digest its maker saw. */
  payload_digest_required: 428,
  rate_limited: 429,
  too_many_streams: 429,
  /** One principal holds its share of `/mcp` sessions (HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL). */
  too_many_mcp_sessions: 429,
  internal: 500,
  /** The identity provider does not offer what was asked (e.g. no device authorization endpoint for `humanos login`). */
  not_supported: 501,
  unavailable: 503,
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * A failure with a stable code and the HTTP status it maps to.
 *
 * @example
 * throw new HumanOSError('already_decided', 'approval:human:ab12 was approved by did:human:ann');
 */
export class HumanOSError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HumanOSError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }
}

export function isHumanOSError(e: unknown): e is HumanOSError {
  return e instanceof HumanOSError;
}
