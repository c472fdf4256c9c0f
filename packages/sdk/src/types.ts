/**
 * Wire types of the HumanOS API as the SDK sees them. Request bodies match the server's TypeBox
 * schemas (packages/server/src/http/schemas.ts) field for field; a type-level test checks that they
 * stay assignable both ways.
 */
import type {
  AiProposal,
  ApprovalStatus,
  HumanInLoop,
  PrincipalView,
  RiskAssessment,
  RiskLevel,
  TaskStatus,
  VerifyReport,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
} from '@humanos/core';

export type {
  AiProposal,
  ApprovalStatus,
  HumanInLoop,
  PrincipalView,
  RiskAssessment,
  RiskLevel,
  TaskStatus,
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
  auditFrequency?: 'always' | 'daily' | 'weekly' | 'monthly';
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
}

/** The body of `POST /approvals/{id}/reject`. */
export interface RejectInput {
  rejectedBy?: string;
  rejectionReason: string;
  feedback?: string;
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

/** One decision recorded on a gate. */
export interface DecisionView {
  /** The decider's DID. */
  principal: string;
  verdict: 'approved' | 'rejected';
  reason: string | null;
  feedback: string | null;
  edits: JsonObject | null;
  payloadDigest: string;
  decidedAt: string;
  signature: string;
  ledgerIndex: number;
}

export interface ApprovalRequest {
  id: string;
  taskId: string;
  /** `execution` (before the task runs), `decision` (in-run), `review`, `routing`. */
  kind: string;
  status: ApprovalStatus;
  requestedAt: string;
  expiresAt: string | null;
  approverRole: string;
  eligibleRoles?: string[];
  step?: number;
  reason?: string | null;
  required: number;
  approvals: number;
  task: { id: string; description: string; [k: string]: unknown };
  aiProposal: AiProposal;
  /** The proposal's alternatives, also at the top level as the seed reads them. */
  alternatives: string[];
  riskAssessment: RiskAssessment;
  decisions: DecisionView[];
  decidedAt?: string | null;
  [k: string]: unknown;
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
}

/** What `approve()` answers. */
export interface ApprovalResult extends DecisionResultBase {
  approvedBy: string;
  approvedAt: string;
  approvalReason: string | null;
  edits: JsonObject | null;
  payloadDigest: string;
}

/** What `reject()` answers. */
export interface RejectionResult extends DecisionResultBase {
  rejectedBy: string;
  rejectedAt: string;
  rejectionReason: string;
}

/** What `evaluatePolicy` answers: the create response's `policy`, and the gates that would open. */
export interface PolicyEvaluation {
  policy: CreatedTask['policy'];
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
  audit: { frequency: string; sampleRate: number } | null;
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
  policy: Record<string, unknown>;
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
  grant: Record<string, unknown>;
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
  execution: { executionId: string; executor: string } | null;
  result: unknown;
  error: unknown;
  approvals: ApprovalRequest[];
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
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
