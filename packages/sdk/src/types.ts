/**
 * Wire types of the HumanOS API as the SDK sees them. The request and response types are generated
 * from the server's OpenAPI document into `openapi.gen.ts` (`npm run gen:models`; a test fails when
 * the committed file is not what the generator writes); this file gives them the SDK's names and adds
 * what only the SDK has: the narrowing `Task` union, the `id` it adds to a created task, the outcome
 * of a wait, and the execution handler's types. The SDK does not depend on the server.
 */
import type {
  LedgerEntryType,
  PolicyDocument,
  PrincipalView,
  TaskHistory,
  VerifyReport,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
} from '@humanos/core';
import type { ApprovalRequest } from './approvalTypes.js';
import type * as Wire from './openapi.gen.js';

/** Gates and decisions (`ApprovalRequest`, `ApprovalView`, `ApprovalResult`, …) live in approvalTypes.ts. */
export type * from './approvalTypes.js';

export type {
  AiProposal,
  ChangesRequestedResult,
  ChosenAlternative,
  CreatedPrincipal,
  ErrorCode,
  HeartbeatResult,
  OverrideResult,
  PolicyEvaluation,
  PolicyOutcome,
  RevisedTask,
  RiskAssessment,
  TaskStatus,
} from './openapi.gen.js';

/** The SDK's names for the server's schemas. */
export type AgentCalibration = Wire.CalibrationReport;
export type ApproveInput = Wire.ApproveBody;
export type CreatePrincipalInput = Wire.CreatePrincipalBody;
export type CreateTaskInput = Wire.CreateTaskBody;
/** A started execution: the approved payload, the lease and the signed grant. */
export type Execution = Wire.ExecutionGrant;
/** The signed permission to run an execution: the decisions it rests on, under a checkpoint. */
export type ExecutionGrant = Wire.SignedGrant;
export type FeedbackInput = Wire.FeedbackBody;
/** What `provideFeedback` answers: the feedback as recorded. */
export type FeedbackResult = Wire.Feedback;
export type HeartbeatInput = Wire.HeartbeatBody;
/** The approval settings a task was created with. */
export type HumanInLoop = Wire.HumanInLoopSettings;
export type InRunDecisionInput = Wire.InRunDecisionBody;
/** What `POST /tasks/{id}/decisions` answers: approved by policy at once, or pending for a human. */
export type InRunDecisionResponse = Wire.InRunDecisionResult;
export type OverrideInput = Wire.OverrideBody;
/**
 * A decision's `passkey`: the WebAuthn assertion (base64url members, as the browser returns them) over
 * the challenge of `POST /approvals/{id}/passkey-challenge`, with that challenge's `nonce`.
 */
export type PasskeyAssertionInput = Wire.PasskeyAssertion;
export type RejectInput = Wire.RejectBody;
/** What an approver sends instead of a verdict: the feedback, bound to the version seen. */
export type RequestChangesInput = Wire.RequestChangesBody;
/** What the agent resubmits after changes were requested: the new payload (and proposal, risk claim). */
export type ReviseInput = Wire.ReviseTaskBody;
export type {
  LedgerEntryType,
  PolicyDocument,
  PrincipalView,
  TaskHistory,
  VerifyReport,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
};

/** Any JSON object. */
export type JsonObject = Record<string, unknown>;

/** A risk level: `low`, `medium`, `high`, `critical`. */
export type RiskLevel = Wire.RiskLevel;
/** Spot-check sampling of tasks that run unattended: `always`, `daily`, `weekly`, `monthly`. */
export type AuditFrequency = Wire.AuditFrequency;
/** The autonomy a calibration recommends. */
export type AutonomyLevel = Wire.RecommendedAutonomy;
/** One bin of a calibration's reliability diagram. */
export type ReliabilityBin = Wire.ReliabilityBin;
/** A value a matched policy rule could not read (it applied anyway: fail closed). */
export type PolicyFlag = Wire.PolicyFlag;

/**
 * The request pieces of gradual autonomy: a chain step (`ApprovalChainStep`), a threshold quorum
 * (`ApprovalPolicy`: `required` of the `eligible` roles), in-run escalation on low confidence
 * (`AutoEscalation`).
 */
export type ApprovalChainStep = NonNullable<Wire.CreateTaskBody['approvalChain']>[number];
export type ApprovalPolicy = NonNullable<Wire.CreateTaskBody['approvalPolicy']>;
export type AutoEscalation = NonNullable<Wire.CreateTaskBody['autoEscalation']>;

/** The agent's proposal; `action` defaults to the description on the server. */
export type AiProposalInput = NonNullable<Wire.CreateTaskBody['aiProposal']>;
export type RiskAssessmentInput = NonNullable<Wire.CreateTaskBody['riskAssessment']>;

/** What `createTask` answers: the server's answer with `id` (same as `taskId`; the seed reads `task.id`). */
export type CreatedTask = Wire.CreatedTask & { id: string };

/**
 * The outcome of `waitForApproval`: the decision long-poll's answer, and `timedOut` when the wait
 * stopped because its own `timeoutMs` ran out, not because of a decision. `approved` is false while
 * undecided and after reject, expiry or cancel.
 */
export type ApprovalOutcome = Wire.TaskDecision & { timedOut: boolean };

/** What every task view has; see `Task` for how `status` narrows `confidence`. */
export type TaskBase = Wire.Task;

/**
 * A task that is running or paused. The server guarantees it a confidence: the executor's latest
 * reported one (heartbeat or in-run decision), else the confidence the agent proposed with, else 0
 * when none was ever stated (no stated confidence counts as none).
 */
export type RunningTask = TaskBase & { status: 'executing' | 'paused'; confidence: number };

/** A task in any other status: its confidence is the proposal's, or null when none was stated. */
export type IdleTask = TaskBase & { status: Exclude<Wire.TaskStatus, 'executing' | 'paused'> };

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
  execution: Wire.ExecutionGrant;
  /** Aborts when a human takes over or the lease is lost: stop the side effect. */
  signal: AbortSignal;
  /** Reports confidence/progress; waits while a human reviews a low-confidence pause. */
  report(r: { confidence?: number; progress?: string }): Promise<void>;
}

/** Runs an approved payload; its return value becomes the task's `result`. */
export type ExecutionHandler = (payload: JsonObject, ctx: ExecutionContext) => unknown | Promise<unknown>;
