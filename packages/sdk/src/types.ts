/**
 * Wire types of the HumanOS API as the SDK sees them. They are standalone (the SDK does not depend on
 * the server), and each request and response type is the same type as the server's TypeBox schema
 * for it (`packages/server/src/<feature>/schemas.ts`): `packages/sdk/test/types.test.ts` and
 * `responses.test.ts` fail `npm run typecheck` when the two drift apart, either way.
 */
import type {
  AiProposal,
  ApprovalStatus,
  AuditFrequency,
  AutonomyLevel,
  GateKind,
  HumanInLoop,
  LedgerEntryType,
  PasskeyAssertion,
  PolicyDocument,
  PolicyFlag,
  PrincipalView,
  RankedCandidate,
  ReliabilityBin,
  RiskAssessment,
  RiskLevel,
  TaskHistory,
  TaskStatus,
  TextWarning,
  VerifyReport,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
} from '@humanos/core';
import type { ApprovalRequest } from './approvalTypes.js';

/** Gates and decisions (`ApprovalRequest`, `ApprovalView`, `ApprovalResult`, …) live in approvalTypes.ts. */
export type * from './approvalTypes.js';

export type {
  AiProposal,
  ApprovalStatus,
  AuditFrequency,
  AutonomyLevel,
  GateKind,
  HumanInLoop,
  LedgerEntryType,
  PolicyDocument,
  PrincipalView,
  RankedCandidate,
  ReliabilityBin,
  RiskAssessment,
  RiskLevel,
  TaskHistory,
  TaskStatus,
  TextWarning,
  VerifyReport,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
};

/** Any JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * The request pieces of gradual autonomy, as core defines them: a chain step (`ApprovalChainStep`),
 * a threshold quorum (`ApprovalPolicy`: `required` of the `eligible` roles), in-run escalation on low
 * confidence (`AutoEscalation`).
 */
import type { ChainStep as ApprovalChainStep, ThresholdPolicy as ApprovalPolicy, AutoEscalation } from '@humanos/core';

export type { ApprovalChainStep, ApprovalPolicy, AutoEscalation };

/** The agent's proposal; `action` defaults to the description on the server. */
export interface AiProposalInput {
  action?: string;
  reasoning?: string | null;
  confidence?: number | null;
  alternatives?: string[];
}

export interface RiskAssessmentInput {
  level?: RiskLevel;
  factors?: string[];
  mitigations?: string[];
}

/** The body of `POST /tasks` (and of the `evaluatePolicy` dry run). */
export interface CreateTaskInput {
  /**
   * What the task does, as approvers read it. Optional: without it the server uses the proposal's
   * `action`, else "Task needing <capabilities>", else "Untitled task" (the seed's Gradual Autonomy
   * stages create tasks from autonomy settings alone).
   */
  description?: string;
  requiredCapabilities?: string[];
  humanInLoop?: HumanInLoop;
  payload?: JsonObject;
  /** The human this agent acts for (a DID). */
  onBehalfOf?: string;
  approvalChain?: ApprovalChainStep[];
  approvalPolicy?: ApprovalPolicy;
  autoEscalation?: AutoEscalation;
  /** Ask a role to pick who executes (a routing gate) before the approval. */
  routing?: { approverRole?: string };
  /** Spot-check sampling for tasks that would run unattended. */
  auditFrequency?: AuditFrequency;
  aiProposal?: AiProposalInput;
  riskAssessment?: RiskAssessmentInput;
}

/** The body of `POST /approvals/{id}/approve`. */
export interface ApproveInput {
  /** Must be the caller's own DID when given. */
  approvedBy?: string;
  approvalReason?: string;
  feedback?: string;
  /** RFC 7386 merge patch over the payload. */
  edits?: JsonObject;
  /** On a routing gate: the principal (DID) that is to execute. */
  assignTo?: string;
  /**
   * The digest (`sha256:<hex>`) of the payload version the approver saw: the `currentDigest` of the
   * view it was shown. The approval counts only for that version; another one is refused with
   * `409 stale_payload` ({@link StalePayloadError}) and nothing is written. Required (`428
   * payload_digest_required`) once the payload has been edited.
   */
  payloadDigest?: string;
  /** The approver's passkey assertion over this decision's challenge, where the policy requires one. */
  passkey?: PasskeyAssertionInput;
}

/**
 * A decision's `passkey`: the WebAuthn assertion (base64url members, as the browser returns them) over
 * the challenge of `POST /approvals/{id}/passkey-challenge`, with that challenge's `nonce`.
 */
export type PasskeyAssertionInput = PasskeyAssertion;

/** The body of `POST /approvals/{id}/reject`. */
export interface RejectInput {
  rejectedBy?: string;
  rejectionReason: string;
  feedback?: string;
  /** The digest of the payload version the approver saw (optional; a stale one is refused with 409). */
  payloadDigest?: string;
  /** The approver's passkey assertion, where the policy requires one (see {@link ApproveInput}). */
  passkey?: PasskeyAssertionInput;
}

/** The body of `POST /principals`. */
export interface CreatePrincipalInput {
  id: string;
  roles: string[];
  kind?: 'human' | 'agent';
  /** An Ed25519 `did:key` the principal signs with. */
  publicKey?: string;
  /** What the principal can do, for routing and claims. */
  capabilities?: string[];
  /** Seconds (60 s to a year) until the token stops working. */
  tokenExpiresIn?: number;
  /** The name people see (the IdP's replaces it at sign-in). */
  displayName?: string;
  /** Matched against the IdP's verified e-mail at the person's first single sign-on. */
  email?: string;
}

export interface CreatedPrincipal {
  id: string;
  kind: 'human' | 'agent';
  roles: string[];
  capabilities: string[];
  /** Shown this once. */
  token: string;
  tokenExpiresAt: string | null;
}

/** The body of `POST /tasks/{id}/decisions`: a decision taken while the task runs. */
export interface InRunDecisionInput {
  action: string;
  reasoning?: string | null;
  confidence?: number | null;
  alternatives?: string[];
  payload?: JsonObject;
}

export interface FeedbackInput {
  quality: 'poor' | 'fair' | 'good' | 'excellent';
  correctness?: boolean;
  comments?: string;
  improvements?: string[];
}

export interface OverrideInput {
  overriddenBy?: string;
  reason: string;
  continueExecution: boolean;
}

type GateOrigin = 'policy' | 'floor' | 'client';
/** Which policy planned a task's gates, and how. */
export interface PolicyOutcome {
  /** The policy's name. */
  id: string;
  version: number;
  source: 'built-in' | 'file';
  rulesApplied: string[];
  gateRequired: boolean;
  /** Whether the built-in risk floor added a gate. */
  floorApplied: boolean;
  /** What the client asked for: `before_execution`, `all_decisions`, `threshold`, `none`, … */
  approvalRequired: string;
  approverRole: string | null;
  reason: string;
  /** Every step of the effective requirement and who demanded it. */
  requirements: { step: number; roles: string[]; required: number; origin?: GateOrigin; rule: string | null }[];
  /** Values a matched rule could not read and applied anyway (fail closed); absent on older tasks. */
  flags?: PolicyFlag[];
}

/** What `evaluatePolicy` answers: the create response's `policy`, and the gates that would open. */
export interface PolicyEvaluation {
  policy: PolicyOutcome;
  riskAssessment: RiskAssessment;
  /** The routing gate that would come first, when routing approval was asked for. */
  routing: { approverRole: string } | null;
  gates: {
    step: number;
    approverRoles: string[];
    required: number;
    reason: string | null;
    /** Seconds. */
    timeout: number | null;
    escalationPolicy: 'auto' | 'reject' | null;
    escalateTo: string | null;
  }[];
  /** Set when the task would run unattended with a spot-check sample. */
  audit: { frequency: AuditFrequency; sampleRate: number } | null;
}

export interface CreatedTask {
  /** Same as `taskId`; the seed reads `task.id`. */
  id: string;
  taskId: string;
  status: TaskStatus;
  /** The first gate that opened (absent when the task was approved at once). */
  approvalRequest?: ApprovalRequest;
  /** Every gate of the task in order, including those still `waiting` for an earlier step. */
  approvalChain?: ApprovalRequest[];
  policy: PolicyOutcome;
}

export interface ApprovalOutcome {
  taskId: string;
  status: TaskStatus;
  /** False while undecided (only when `timeoutMs` ran out) and after reject, expiry or cancel. */
  approved: boolean;
  decided: boolean;
  /** True when `waitForApproval` stopped because its own `timeoutMs` ran out, not because of a decision. */
  timedOut: boolean;
  expired: boolean;
  /** The requester withdrew the task before it ran. */
  cancelled: boolean;
  autoApproved: boolean;
  approvalId: string | null;
  approvedBy: string | null;
  approvers: string[];
  approvedAt: string | null;
  approvalReason: string | null;
  rejectedBy: string | null;
  rejectedAt: string | null;
  rejectionReason: string | null;
  feedback: string | null;
  /** The human's merged edits (RFC 7386 merge patch), or null. */
  edits: JsonObject | null;
  approvedPayload: JsonObject | null;
  payloadDigest: string | null;
  approvalRequest: ApprovalRequest | null;
}

/** The signed permission to run an execution: the decisions it rests on, under a checkpoint. */
export interface ExecutionGrant {
  type: 'humanos.execution-grant/v1';
  origin: string;
  taskId: string;
  executionId: string;
  attempt: number;
  executor: string;
  payloadDigest: string;
  /** Ledger indexes of the signed decisions counted. */
  decisions: number[];
  /** Size of the signed checkpoint the decisions were checked against. */
  checkpointSize: number;
  grantedAt: string;
  /** Ed25519 over the canonical grant without `signature` and `signer`. */
  signature: string;
  /** The server's `did:key`. */
  signer: string;
}

export interface Execution {
  taskId: string;
  /** Stable across attempts: use it as the idempotency key of the side effect. */
  executionId: string;
  /** This attempt's lease (a fencing token); heartbeats and completion carry it. */
  leaseId: string;
  leaseExpiresAt: string;
  attempt: number;
  description: string;
  requiredCapabilities: string[];
  status: 'executing';
  payload: JsonObject;
  payloadDigest: string;
  grant: ExecutionGrant;
}

/** What a heartbeat answers: go on, or wait while a human reviews a low-confidence pause. */
/** `POST /tasks/{id}/heartbeat`: the lease to extend, and what the executor reports. */
export interface HeartbeatInput {
  leaseId: string;
  confidence?: number;
  progress?: string;
  /** How long the lease lasts from now (default: as it was started). */
  leaseSeconds?: number;
}

export interface HeartbeatResult {
  taskId: string;
  status: TaskStatus;
  action: 'continue' | 'wait';
  leaseExpiresAt: string;
  /** The review a paused run waits for. */
  approvalRequest?: ApprovalRequest;
}

/** What `POST /tasks/{id}/decisions` answers: approved by policy at once, or pending for a human. */
export type InRunDecisionResponse =
  | {
      taskId: string;
      status: 'approved';
      autoApproved: true;
      payload: JsonObject;
      payloadDigest: string;
      /** Where the auto-approval is recorded. */
      ledgerIndex: number;
      policy: PolicyOutcome;
    }
  | {
      taskId: string;
      status: 'pending';
      autoApproved: false;
      /** The first step's approval request id. */
      decisionId: string;
      approvalRequest: ApprovalRequest;
      /** Every step, when there are several. */
      approvalChain?: ApprovalRequest[];
      policy: PolicyOutcome;
    };

/** What `overrideTask` answers. */
export interface OverrideResult {
  taskId: string;
  status: TaskStatus;
  overriddenBy: string | null;
  continueExecution: boolean;
}

/** What `provideFeedback` answers: the feedback as recorded. */
export interface FeedbackResult extends FeedbackInput {
  taskId: string;
  principal: string;
  /** The confidence the agent proposed with, judged by this feedback. */
  confidence: number | null;
  recordedAt: string;
}

/** Calibration of the confidences stated at one stage. */
export interface StageCalibration {
  samples: number;
  brierScore: number | null;
}

/** What `calibration` answers: how well an agent's stated confidence predicted approval and quality. */
export interface AgentCalibration {
  agent: string;
  capability: string | null;
  /** Stated confidences judged by a human's correctness verdict. */
  samples: number;
  brierScore: number | null;
  reliability: ReliabilityBin[];
  approvalRate: number | null;
  editRate: number | null;
  rejectionRate: number | null;
  overrideRate: number | null;
  recommendedAutonomy: AutonomyLevel;
  evidence: string[];
  /** Split by where the confidence was stated. */
  byStage: Record<'creation' | 'heartbeat' | 'decision', StageCalibration>;
}

/** What every task view has; see `Task` for how `status` narrows `confidence`. */
export interface TaskBase {
  id: string;
  taskId: string;
  description: string;
  requiredCapabilities: string[];
  status: TaskStatus;
  requester: string;
  onBehalfOf: string | null;
  /** The approval settings the task was created with. */
  humanInLoop: HumanInLoop;
  /** Which policy planned its gates. */
  policy: PolicyOutcome;
  /** The payload now: the proposal with the edits of approvers so far. */
  payload: JsonObject;
  /** The payload as the agent proposed it. */
  proposedPayload: JsonObject;
  approvedPayload: JsonObject | null;
  payloadDigest: string | null;
  aiProposal: AiProposal;
  riskAssessment: RiskAssessment;
  /** The latest confidence the executor reported, else the proposal's; null when neither gave one. */
  confidence: number | null;
  lease: { attempt: number; expiresAt: string | null } | null;
  overriddenBy: string | null;
  assignedTo: string | null;
  /** Once started: the execution id (stable across attempts) and who runs the current attempt (null between attempts). */
  execution: { executionId: string; executor: string | null } | null;
  result: unknown;
  error: unknown;
  approvals: ApprovalRequest[];
  createdAt: string;
  updatedAt: string;
}

/**
 * A task that is running or paused. The server guarantees it a confidence: the executor's latest
 * reported one (heartbeat or in-run decision), else the confidence the agent proposed with, else 0
 * when none was ever stated (no stated confidence counts as none).
 */
export interface RunningTask extends TaskBase {
  status: 'executing' | 'paused';
  confidence: number;
}

/** A task in any other status: its confidence is the proposal's, or null when none was stated. */
export interface IdleTask extends TaskBase {
  status: Exclude<TaskStatus, 'executing' | 'paused'>;
}

/**
 * A task as the API shows it. Checking `status` narrows `confidence`, so the seed's
 * `task.status === 'executing' && task.confidence < 0.6` compiles under `strict`.
 *
 * @example
 * const task = await HumanOS.getTask(taskId);
 * if (task.status === 'executing' && task.confidence < 0.6) await HumanOS.overrideTask(taskId, { reason: 'unsure', continueExecution: false });
 */
export type Task = RunningTask | IdleTask;

/** A page of a list; pass `nextCursor` back as `cursor` for the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What `submitDecision` resolves with. */
export interface InRunDecisionOutcome {
  approved: boolean;
  decided: boolean;
  status: string;
  payload: JsonObject | null;
  approvalRequest?: ApprovalRequest;
}

export interface ExecutionContext {
  execution: Execution;
  /** Aborts when a human takes over or the lease is lost: stop the side effect. */
  signal: AbortSignal;
  /** Reports confidence/progress; waits while a human reviews a low-confidence pause. */
  report(r: { confidence?: number; progress?: string }): Promise<void>;
}

/** Runs an approved payload; its return value becomes the task's `result`. */
export type ExecutionHandler = (payload: JsonObject, ctx: ExecutionContext) => unknown | Promise<unknown>;
