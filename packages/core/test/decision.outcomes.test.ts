/**
 * Gate and task outcomes of one decision (`decision.ts`), at every branch: which gates are side gates,
 * when a quorum's last seat decides it, and what each kind of gate does to the task.
 */
import { describe, expect, it } from 'vitest';
import { gateStatusAfter, isSideGate, type TaskStatusInput, taskStatusAfter } from '../src/decision.js';

describe('side gates', () => {
  it('audit, review and decision stand beside the path; execution and routing are on it', () => {
    expect(['audit', 'review', 'decision'].map(isSideGate)).toEqual([true, true, true]);
    expect(['execution', 'routing', ''].map(isSideGate)).toEqual([false, false, false]);
  });
});

describe('a quorum is decided by its last seat', () => {
  it('a 1-of-N gate is approved by its first approval', () => {
    expect(gateStatusAfter('approved', { required: 1, approvalsSoFar: 0 })).toBe('approved');
  });
  it('a 3-of-N gate stays pending until the third', () => {
    expect(gateStatusAfter('approved', { required: 3, approvalsSoFar: 1 })).toBe('pending');
    expect(gateStatusAfter('approved', { required: 3, approvalsSoFar: 2 })).toBe('approved');
  });
  it('a reject decides at once, even the first vote of a quorum', () => {
    expect(gateStatusAfter('rejected', { required: 3, approvalsSoFar: 0 })).toBe('rejected');
  });
});

describe('the task after a gate decision', () => {
  const on = (i: Partial<TaskStatusInput>) =>
    taskStatusAfter({
      kind: 'execution',
      gateStatus: 'approved',
      taskStatus: 'awaiting_approval',
      nextStepWaiting: false,
      leased: false,
      ...i,
    });
  it('the last execution step approved approves the task; a waiting next step keeps it waiting', () => {
    expect(on({})).toBe('approved');
    expect(on({ nextStepWaiting: true })).toBe('awaiting_approval');
    expect(on({ kind: 'routing' })).toBe('approved');
  });
  it('a reject on the path rejects the task; a still-pending quorum leaves it as it is', () => {
    expect(on({ gateStatus: 'rejected' })).toBe('rejected');
    expect(on({ kind: 'routing', gateStatus: 'rejected' })).toBe('rejected');
    expect(on({ gateStatus: 'pending' })).toBe('awaiting_approval');
    expect(on({ gateStatus: 'expired' })).toBe('awaiting_approval');
  });
  it('a review approved resumes the executor, or approves when no lease is held; rejected, a human takes over', () => {
    expect(on({ kind: 'review', taskStatus: 'paused', leased: true })).toBe('executing');
    expect(on({ kind: 'review', taskStatus: 'paused', leased: false })).toBe('approved');
    expect(on({ kind: 'review', taskStatus: 'paused', gateStatus: 'rejected' })).toBe('overridden');
    expect(on({ kind: 'review', taskStatus: 'paused', gateStatus: 'expired' })).toBe('paused');
  });
  it.each(['audit', 'decision'])('a %s gate never moves the task, approved or rejected', (kind) => {
    expect(on({ kind, taskStatus: 'executing' })).toBe('executing');
    expect(on({ kind, taskStatus: 'completed', gateStatus: 'rejected' })).toBe('completed');
  });
});
