/**
 * Wire types of gates and decisions (what approvers read and what deciding answers), generated from
 * the server's OpenAPI document (`openapi.gen.ts`) and re-exported by `types.ts`; this file adds
 * what only the SDK has (`GateRef`, `PayloadChange`).
 */
import type * as Wire from './openapi.gen.js';

export type { ApprovalRequest, ApprovalResult, Provenance, RejectionResult } from './openapi.gen.js';

/** `GET /approvals/{id}`: the gate with every step of its path and the task with its payloads. */
export type ApprovalView = Wire.ApprovalRequestDetail;
/** One step (or escalation) of a gate's path, as `GET /approvals/{id}` lists them. */
export type ApprovalStep = Wire.ChainStep;

/** A decision as a gate shows it, with whether it still counts (`stale`: an approval of an earlier payload). */
export type GateDecision = Wire.Decision;

/** One decision recorded on a gate, as signed into the ledger. */
export type DecisionView = Omit<Wire.Decision, 'stale'>;

/** What a gate decides: `execution`, `decision` (in-run), `review`, `routing`, `audit` (a spot-check). */
export type GateKind = Wire.ApprovalKind;
/** Where a gate stands (`waiting` for an earlier step, `pending`, `approved`, …). */
export type ApprovalStatus = Wire.ApprovalStatus;
/** A resource a routing gate could assign, ranked. */
export type RankedCandidate = Wire.RankedCandidate;
/** Where the agent's text holds invisible characters (bidi controls, zero-width). */
export type TextWarning = Wire.TextWarning;

/** A comment on a request: the markdown as written, its safe HTML, the mentions it notified. */
export type ApprovalComment = Wire.ApprovalComment;
/** Who is looking at a request (a claim, not a lock) and who a lead assigned it to. */
export type ApprovalClaim = Wire.ApprovalClaim;
/** Attention checks: results per approver and the latest checks (audit view). */
export type AttentionCheckReport = Wire.AttentionCheckReport;
/** One planted attention check. */
export type AttentionCheck = Wire.AttentionCheck;
/** Approver habits (`GET /audit/approvers`): approval rate, time to decide, fast decisions, per approver and role. */
export type ApproverMetrics = Wire.ApproverMetrics;
/** How one approver decided in the window. */
export type ApproverStats = Wire.ApproverStats;
/** How the requests of one role were decided. */
export type RoleReviewStats = Wire.RoleReviewStats;

/**
 * One difference between two versions of a payload (a `stale_payload` answer's `diff`): `path` is a
 * JSON pointer (RFC 6901, `/iban`, `/lines/0/amount`); `from` is absent when the member was added,
 * `to` when it was removed.
 */
export type PayloadChange = Wire.PayloadChange;

/**
 * What `approve`/`reject` take to name a gate: its id, or the view the approver was shown (an inbox
 * item or `GET /approvals/{id}`), whose `currentDigest` is then sent as the digest the approver saw.
 */
export type GateRef = string | { id: string; currentDigest: string };
