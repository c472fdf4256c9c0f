/** Domain vocabulary shared by the server, the SDK and the tools. No I/O here. */

export const TASK_STATUSES = [
  'awaiting_approval',
  'approved',
  'executing',
  'paused',
  'completed',
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'overridden',
  'changes_requested',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const APPROVAL_STATUSES = [
  'waiting',
  'pending',
  'approved',
  'rejected',
  'expired',
  'escalated',
  'cancelled',
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export type ApprovalRequired = 'before_execution' | 'all_decisions' | 'critical_only';

export interface HumanInLoop {
  enabled?: boolean;
  approvalRequired?: ApprovalRequired;
  approverRole?: string;
  /** Seconds to decide; sets the gate's `expiresAt`. */
  approvalTimeout?: number;
  escalationPolicy?: 'auto' | 'reject';
  escalateTo?: string;
  showAIReasoning?: boolean;
  requireExplicitFeedback?: boolean;
  requireExplicitReason?: boolean;
}

export interface AiProposal {
  action: string;
  reasoning: string | null;
  confidence: number | null;
  alternatives: string[];
  /**
   * The payload each alternative would execute, by index (null: the alternative is text only). An
   * approver may approve one of them instead of the proposal (`approve {alternative: i}`); absent on
   * proposals from before alternatives carried payloads.
   */
  alternativePayloads?: (Record<string, unknown> | null)[];
}

export interface RiskAssessment {
  level: RiskLevel;
  factors: string[];
  mitigations: string[];
}

/**
 * Something an approver must see before deciding (above the decision buttons, in every channel): the
 * agent's text disagrees with the payload, or the gate has no one who can decide it. `field` is a JSON
 * pointer into the payload, `claimed` what the agent's text says, `actual` the payload's value as
 * displayed (null when the payload has no such value).
 */
export interface ApprovalWarning {
  code: 'text_payload_mismatch' | 'gate_undecidable';
  message: string;
  field?: string;
  claimed?: string;
  actual?: string | null;
  source?: 'description' | 'action' | 'reasoning' | 'policy';
}

/** Terminal task states: nothing moves a task out of them. */
export const TERMINAL_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'completed',
  'failed',
  'rejected',
  'expired',
  'cancelled',
]);

const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  // An approver asked for changes: the agent revises (a new version awaits approval) or withdraws.
  awaiting_approval: ['approved', 'rejected', 'expired', 'cancelled', 'changes_requested'],
  changes_requested: ['awaiting_approval', 'cancelled'],
  approved: ['executing', 'cancelled', 'expired'],
  executing: ['paused', 'completed', 'failed', 'overridden', 'approved'],
  paused: ['executing', 'approved', 'overridden', 'failed', 'cancelled'],
  overridden: ['completed', 'failed'],
  completed: [],
  failed: [],
  rejected: [],
  expired: [],
  cancelled: [],
};

/** Whether the task state machine allows `from → to`. */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function riskRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

export function maxRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return riskRank(a) >= riskRank(b) ? a : b;
}

/** What a warning is about: the agent's text disagreeing with the payload, or a gate nobody can decide. */
export type ApprovalWarningCode = 'text_payload_mismatch' | 'gate_undecidable';

/**
 * Something an approver (or the agent's developer) should know before a decision: shown above the
 * decision buttons, returned by the dry run and on task creation.
 *
 * @example
 * const w: ApprovalWarning = { code: 'gate_undecidable', message: 'No enabled human holds cfo', source: 'policy' };
 */
export interface ApprovalWarning {
  code: ApprovalWarningCode;
  /** A sentence for a human. */
  message: string;
  /** A JSON pointer into the payload, e.g. `/amount`. */
  field?: string;
  /** What the agent's text says. */
  claimed?: string;
  /** The payload's value as displayed; null when the payload has no such value. */
  actual?: string | null;
  /** Where the claim was read. */
  source?: 'description' | 'action' | 'reasoning' | 'policy';
}
