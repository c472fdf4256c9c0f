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

/**
 * Where the agent's text disagrees with the payload (`text_payload_mismatch`), or a gate no enabled
 * human can decide (`gate_undecidable`). `field` is a JSON pointer into the payload; `claimed` what the
 * agent's text says, `actual` the payload's value as displayed (null: the payload has no such value).
 */
export interface ApprovalWarning {
  code: 'text_payload_mismatch' | 'gate_undecidable' | (string & {});
  message: string;
  field?: string;
  claimed?: string;
  actual?: string | null;
  source?: 'description' | 'action' | 'reasoning' | 'policy';
}

/** One payload field as every channel shows it (core's `renderPayload`). */
export interface DisplayField {
  /** JSON pointer into the payload. */
  path: string;
  label: string;
  /** The formatted value, cut to the channel's limit. */
  text: string;
  format: 'money' | 'date' | 'identifier' | 'number' | 'text' | 'boolean' | 'json';
  /** A human edited it (an earlier approver). */
  edited: boolean;
  /** How many characters of `text` are not shown. */
  truncated: number;
}

/** The payload as it stands, rendered by the policy's display template (`display` of an approval). */
export interface PayloadDisplay {
  fields: DisplayField[];
  /** Fields not listed in `fields`. */
  hiddenFields: number;
  /** Too large for a one-click decision in chat or e-mail. */
  tooLarge: boolean;
  /** The template that ordered and labelled the fields, if any. */
  template: string | null;
}

/**
 * What the request view adds for issue 25: how the payload reads (`display`), where the agent's text
 * disagrees with it (`warnings`) and whether the policy allows bulk approval. Optional here: a server
 * without them is read as "no display" (the JSON view), "no warnings" and "not bulk-approvable".
 */
export interface GateExtras {
  display?: PayloadDisplay;
  warnings?: ApprovalWarning[];
  bulkApprovable?: boolean;
}

/** `GET /approvals/{id}`: the gate, every step of the task's path (`chain`) and the task's payloads. */
export type ApprovalDetail = ApprovalView & GateExtras;

/** An inbox row (`GET /approvals`): the gate without payloads. */
export type InboxItem = ApprovalRequest & GateExtras;

/** `POST /policy/evaluate`, with the gates no enabled human can decide (`gate_undecidable`). */
export type PolicyDryRun = PolicyEvaluation & { warnings?: ApprovalWarning[] };

/** `GET /tasks/{id}`, with its gates' decisions marked stale or not. */
export type TaskDetail = Task & { approvals: (ApprovalRequest & { decisions: Decision[] })[] };

/** One entry of `GET /tasks/{id}/history`. */
export type HistoryEvent = TaskHistory['events'][number];

export type { AgentCalibration as CalibrationView, Me };
