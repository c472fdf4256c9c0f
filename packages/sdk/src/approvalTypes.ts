/**
 * Wire types of gates and decisions (what approvers read and what deciding answers), split from
 * `types.ts` (which re-exports them) and held to the server's schemas by the same drift tests.
 */
import type {
  AiProposal,
  ApprovalStatus,
  GateKind,
  RankedCandidate,
  RiskAssessment,
  TaskStatus,
  TextWarning,
} from '@humanos/core';
import type { JsonObject, PolicyOutcome } from './types.js';

/** One decision recorded on a gate, as signed into the ledger. */
export interface DecisionView {
  /** The decider's DID. */
  principal: string;
  verdict: 'approved' | 'rejected';
  /** The reason given; empty when none was. */
  reason: string;
  feedback: string | null;
  edits: JsonObject | null;
  payloadDigest: string;
  decidedAt: string;
  signature: string;
  ledgerIndex: number;
}

/** A decision as a gate shows it, with whether it still counts. */
export interface GateDecision extends DecisionView {
  /** An approval of an earlier version of the payload: it no longer counts (the approver is asked again). */
  stale: boolean;
}

/** An approval request (a gate) as the inbox, tasks and waits show it. */
export interface ApprovalRequest {
  id: string;
  taskId: string;
  /** `execution` (before the task runs), `decision` (in-run), `review`, `routing`, `audit` (a spot-check). */
  kind: GateKind;
  status: ApprovalStatus;
  requestedAt: string;
  expiresAt: string | null;
  /** The eligible roles, comma-separated (`eligibleRoles` as a list). */
  approverRole: string;
  eligibleRoles: string[];
  step: number;
  reason: string | null;
  required: number;
  approvals: number;
  escalationPolicy: 'auto' | 'reject' | null;
  escalateTo: string | null;
  task: { id: string; description: string };
  aiProposal: AiProposal;
  /** The proposal's alternatives, also at the top level as the seed reads them. */
  alternatives: string[];
  riskAssessment: RiskAssessment;
  decisions: GateDecision[];
  decidedAt: string | null;
  /**
   * The digest (`sha256:<hex>` of the RFC 8785 JSON) of the payload an approval of this gate would
   * approve now. Send it back as `payloadDigest` (the SDK does when given the view itself).
   */
  currentDigest: string;
  /** Where the agent's text holds invisible characters (bidi controls, zero-width). */
  textWarnings: TextWarning[];
  /** Routing gates: the resource proposed (null: none matches) and the ranking. */
  proposedResource?: string | null;
  ranking?: RankedCandidate[];
  /** In-run decision gates: the decision's payload, the approved one and its digest once decided. */
  payload?: JsonObject;
  approvedPayload?: JsonObject | null;
  payloadDigest?: string | null;
  /** Low-confidence reviews: the confidence the executor reported, the threshold, the message. */
  reportedConfidence?: number;
  confidenceThreshold?: number;
  escalationMessage?: string;
}

/**
 * One difference between two versions of a payload (a `stale_payload` answer's `diff`): `path` is a
 * JSON pointer (RFC 6901, `/iban`, `/lines/0/amount`); `from` is absent when the member was added,
 * `to` when it was removed.
 */
export interface PayloadChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/**
 * What `approve`/`reject` take to name a gate: its id, or the view the approver was shown (an inbox
 * item or `GET /approvals/{id}`), whose `currentDigest` is then sent as the digest the approver saw.
 */
export type GateRef = string | { id: string; currentDigest: string };

/** One step (or escalation) of a gate's path, as `GET /approvals/{id}` lists them. */
export interface ApprovalStep {
  id: string;
  step: number;
  approverRole: string;
  status: ApprovalStatus;
  required: number;
  reason: string | null;
  /** With `stale` as on the gate itself: an approval of an earlier payload version no longer counts. */
  decisions: GateDecision[];
}

/** `GET /approvals/{id}`: the gate with every step of its path and the task with its payloads. */
export interface ApprovalView extends Omit<ApprovalRequest, 'task'> {
  task: {
    id: string;
    description: string;
    requester: string;
    onBehalfOf: string | null;
    status: TaskStatus;
    /** The payload as it stands (with earlier approvers' edits). */
    payload: JsonObject;
    proposedPayload: JsonObject;
    requiredCapabilities: string[];
    policy: PolicyOutcome;
  };
  chain: ApprovalStep[];
}

export interface Provenance {
  approvalSignature: string;
  ledgerProof: string;
  ledgerIndex: number;
  treeSize: number;
  rootHash: string;
  inclusionProof: string[];
  checkpoint: string;
  signer: string;
}

interface DecisionResultBase {
  approvalId: string;
  /** The gate's status after this decision (`pending` while a quorum is still short). */
  status: ApprovalStatus;
  taskId: string;
  taskStatus: TaskStatus;
  feedback: string | null;
  /** Signature and inclusion proof of the decision in the ledger. */
  provenance: Provenance;
  /** The approver's passkey that signed this decision (issue 24), or null when none did. */
  signedWithPasskey: { credentialId: string; name: string } | null;
}

/** What `approve()` answers. */
export interface ApprovalResult extends DecisionResultBase {
  approvedBy: string;
  approvedAt: string;
  /** Empty when none was given. */
  approvalReason: string;
  edits: JsonObject | null;
  payloadDigest: string;
}

/** What `reject()` answers. */
export interface RejectionResult extends DecisionResultBase {
  rejectedBy: string;
  rejectedAt: string;
  rejectionReason: string;
}
