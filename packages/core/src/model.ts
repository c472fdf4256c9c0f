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
