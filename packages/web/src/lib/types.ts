/**
 * Wire types. The shapes the SDK already describes come from `@human/sdk` (type-only imports: nothing
 * of the SDK is bundled); what the console reads beyond them (chain, textWarnings, stale) is added here
 * as the server sends it (packages/server/src/approvals/views.ts).
 */
import type {
  ApprovalRequest,
  ApprovalResult,
  AuditReview,
  CreatedPrincipal,
  DecisionView,
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
} from '@human/sdk';
import type { TextWarning } from '@humanos/core/text';

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

export interface ChainStep {
  id: string;
  step: number;
  approverRole: string;
  status: string;
  required: number;
  reason: string | null;
  decisions: Decision[];
}

/**
 * `GET /approvals/{id}`: the SDK's `ApprovalRequest` fields, with the decisions' `stale` flag, every
 * step of the task's path (`chain`), text warnings, and the task's payloads.
 */
export interface ApprovalDetail {
  id: string;
  taskId: string;
  kind: ApprovalRequest['kind'];
  status: ApprovalRequest['status'];
  requestedAt: string;
  expiresAt: string | null;
  approverRole: string;
  eligibleRoles: string[];
  step?: number;
  reason?: string | null;
  required: number;
  approvals: number;
  aiProposal: ApprovalRequest['aiProposal'];
  alternatives: string[];
  riskAssessment: ApprovalRequest['riskAssessment'];
  decisions: Decision[];
  decidedAt?: string | null;
  escalationPolicy: string | null;
  escalateTo: string | null;
  textWarnings: TextWarning[];
  chain: ChainStep[];
  payload?: JsonObject;
  approvedPayload?: JsonObject | null;
  proposedResource?: string | null;
  ranking?: { id: string; score: number; capabilityMatch: number; meanQuality: number | null; ratings: number }[];
  task: {
    id: string;
    description: string;
    requester: string;
    onBehalfOf: string | null;
    status: string;
    payload: JsonObject;
    proposedPayload: JsonObject;
    requiredCapabilities: string[];
    policy: { id: string; version: number; reason: string; floorApplied: boolean } | null;
  };
}

/** An inbox row (`GET /approvals`): the gate without payloads. */
export type InboxItem = ApprovalRequest & { eligibleRoles?: string[]; textWarnings?: TextWarning[] };

/** `GET /tasks/{id}` with the fields the SDK leaves open. */
export type TaskDetail = Task & {
  humanInLoop: {
    approverRole?: string;
    requireExplicitReason?: boolean;
    requireExplicitFeedback?: boolean;
    approvalTimeout?: number;
  } | null;
  approvals: (ApprovalRequest & { decisions: Decision[] })[];
};

export interface HistoryEvent {
  index: number;
  type: string;
  at: string;
  actor: string;
  approvalId: string | null;
  verified: boolean;
}

export interface Me {
  id: string;
  kind: 'human' | 'agent';
  roles: string[];
  capabilities: string[];
  /** Admin or the policy's auditor role (the server says; the role's name is the policy's). */
  auditor: boolean;
}

export interface CalibrationView {
  agent: string;
  capability: string | null;
  samples: number;
  brierScore: number | null;
  reliability: {
    from: number;
    to: number;
    count: number;
    meanConfidence: number | null;
    observedAccuracy: number | null;
  }[];
  approvalRate: number | null;
  editRate: number | null;
  rejectionRate: number | null;
  overrideRate: number | null;
  recommendedAutonomy: string;
  evidence: string[];
}
