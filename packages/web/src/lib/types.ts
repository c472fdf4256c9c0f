/**
 * Wire types. The shapes the SDK already describes come from `@human/sdk` (type-only imports: nothing
 * of the SDK is bundled); what the console reads beyond them (chain, textWarnings, stale) is added here
 * as the server sends it (packages/server/src/approvals/views.ts).
 */
import type {
  AgentCalibration,
  ApprovalRequest,
  ApprovalResult,
  ApprovalStep,
  ApprovalView,
  AuditReview,
  CreatedPrincipal,
  DecisionView,
  JsonObject,
  Me,
  PolicyEvaluation,
  PrincipalView,
  Provenance,
  RejectionResult,
  ReviewedTask,
  ReviewFrequency,
  ReviewOutcome,
  ReviewStatus,
  SampledTask,
  Task,
  TaskHistory,
  Webhook,
  WebhookDeliveryStatus,
} from '@human/sdk';

export type {
  ApprovalResult,
  AuditReview,
  CreatedPrincipal,
  JsonObject,
  PolicyEvaluation,
  PrincipalView,
  Provenance,
  RejectionResult,
  ReviewedTask,
  ReviewFrequency,
  ReviewOutcome,
  ReviewStatus,
  SampledTask,
  Task,
  Webhook,
  WebhookDeliveryStatus,
};

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A decision; `stale` = an approval of an earlier version of the payload (it no longer counts). */
export type Decision = DecisionView & { stale?: boolean };

/** One step of a gate's path (`chain` of `GET /approvals/{id}`). */
export type ChainStep = ApprovalStep;

/** `GET /approvals/{id}`: the gate, every step of the task's path (`chain`) and the task's payloads. */
export type ApprovalDetail = ApprovalView;

/** An inbox row (`GET /approvals`): the gate without payloads. */
export type InboxItem = ApprovalRequest;

/** `GET /tasks/{id}`, with its gates' decisions marked stale or not. */
export type TaskDetail = Task & { approvals: (ApprovalRequest & { decisions: Decision[] })[] };

/** One entry of `GET /tasks/{id}/history`. */
export type HistoryEvent = TaskHistory['events'][number];

export type { AgentCalibration as CalibrationView, Me };
