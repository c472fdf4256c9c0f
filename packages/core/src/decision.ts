import type { ApprovalStatus, TaskStatus } from './model.js';

/** The kinds of gate (approval request). See docs/contributing.md for the glossary. */
export type GateKind = 'execution' | 'routing' | 'review' | 'decision' | 'audit';

/**
 * Side gates stand beside the task's approval path: a spot-check (`audit`), a low-confidence
 * `review`, an in-run `decision`. They do not move the task along its approval path (a review moves a
 * paused task, see `taskStatusAfter`).
 */
export function isSideGate(kind: string): boolean {
  return kind === 'audit' || kind === 'review' || kind === 'decision';
}

/**
 * A gate's status after one more verdict: a reject decides it at once (veto); an approval decides it
 * when it fills the last seat of its quorum (`required`), else it stays pending.
 *
 * @example
 * gateStatusAfter('approved', { required: 2, approvalsSoFar: 0 }) // 'pending'
 * gateStatusAfter('approved', { required: 2, approvalsSoFar: 1 }) // 'approved'
 */
export function gateStatusAfter(
  verdict: 'approved' | 'rejected',
  g: { required: number; approvalsSoFar: number },
): ApprovalStatus {
  if (verdict === 'rejected') return 'rejected';
  return g.approvalsSoFar + 1 >= g.required ? 'approved' : 'pending';
}

/** What a task's status becomes when one of its gates reaches `gateStatus`. */
export interface TaskStatusInput {
  kind: string;
  gateStatus: ApprovalStatus;
  taskStatus: TaskStatus;
  /** A later chain step is waiting to open (only asked when an execution gate was approved). */
  nextStepWaiting: boolean;
  /** The task holds an execution lease (a reviewed task goes back to its executor). */
  leased: boolean;
}

/**
 * The task's status after a gate decision:
 * - a review approved resumes the executor (`executing`, or `approved` when no lease is held); a
 *   review rejected means a human takes over (`overridden`);
 * - other side gates never move the task;
 * - on the approval path, the last step approved makes the task `approved`, any reject `rejected`.
 *
 * @example
 * taskStatusAfter({ kind: 'execution', gateStatus: 'approved', taskStatus: 'awaiting_approval', nextStepWaiting: false, leased: false }) // 'approved'
 */
export function taskStatusAfter(i: TaskStatusInput): TaskStatus {
  if (i.kind === 'review') {
    if (i.gateStatus === 'approved') return i.leased ? 'executing' : 'approved';
    return i.gateStatus === 'rejected' ? 'overridden' : i.taskStatus;
  }
  if (isSideGate(i.kind)) return i.taskStatus;
  if (i.gateStatus === 'approved' && !i.nextStepWaiting) return 'approved';
  return i.gateStatus === 'rejected' ? 'rejected' : i.taskStatus;
}
