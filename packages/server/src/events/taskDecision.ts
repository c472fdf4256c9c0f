import { type AiProposal, composeMergePatches } from '@humanos/core';
import { alternativeOf } from '../approvals/alternative.js';
import { taskGatesAndDecisions } from '../approvals/gates.js';
import { gateContext, gateView } from '../approvals/views.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { recheckDelay } from '../kernel/notifier.js';
import { type DecisionRow, iso, p, type TaskRow } from '../kernel/rows.js';
import type { DecisionView } from './schemas.js';

/** The alternative the approvals chose, when the approved payload is one an approval chose. */
function chosen(approvals: readonly DecisionRow[], task: TaskRow, proposal: AiProposal) {
  return approvals
    .map((d) => alternativeOf(d.record, proposal))
    .find((a) => a !== null && a.payloadDigest === task.approved_digest);
}

/**
 * Where a task's approval stands, in the shape `waitForApproval` returns, and the long-poll on it
 * (`GET /tasks/{id}/decision?wait=…`).
 */
export class Decisions {
  /** Reads shared by the waiters woken together (see `wait`). */
  private readonly taskReads = new Map<string, Promise<TaskRow | undefined>>();
  private readonly decisionReads = new Map<string, Promise<DecisionView>>();

  constructor(private readonly deps: FeatureDeps) {}

  /** One read of a task row for every concurrent caller (thousands of long-polls on one task). */
  private sharedTask(taskId: string): Promise<TaskRow | undefined> {
    let p = this.taskReads.get(taskId);
    if (!p) {
      p = this.deps.db
        .selectFrom('tasks')
        .selectAll()
        .where('id', '=', taskId)
        .executeTakeFirst()
        .finally(() => this.taskReads.delete(taskId));
      this.taskReads.set(taskId, p);
    }
    return p;
  }

  /** `decisionOf` shared by concurrent callers that read the same version of the task. */
  private sharedDecision(task: TaskRow): Promise<DecisionView> {
    const key = `${task.id}@${task.updated_at}@${task.status}`;
    let p = this.decisionReads.get(key);
    if (!p) {
      p = this.decisionOf(task).finally(() => this.decisionReads.delete(key));
      this.decisionReads.set(key, p);
    }
    return p;
  }

  /** Where the task's approval stands, in the shape `waitForApproval` returns. */
  async state(actor: Principal, taskId: string): Promise<DecisionView> {
    const task = await this.deps.access.visibleTask(this.deps.db, actor, taskId);
    return this.decisionOf(task);
  }

  private async decisionOf(task: TaskRow): Promise<DecisionView> {
    const { gates, decisions } = await taskGatesAndDecisions(this.deps.db, task.id);
    // An earlier version's gates (cancelled when changes were requested) say nothing of this one.
    const executionGateIds = new Set(
      gates.filter((g) => g.kind === 'execution' && g.status !== 'cancelled').map((g) => g.id),
    );
    const versions = await this.deps.db
      .selectFrom('task_versions')
      .selectAll()
      .where('task_id', '=', task.id)
      .orderBy('version')
      .execute();
    const asked = task.status === 'changes_requested' ? versions[versions.length - 1] : undefined;
    const pendingGate = gates.find((g) => g.status === 'pending' && g.kind === 'execution');
    const ctx = gateContext(task);
    const decided = task.status !== 'awaiting_approval';
    const approved = decided && !['rejected', 'expired', 'cancelled', 'changes_requested'].includes(task.status);
    const approvals = decisions.filter((d) => d.verdict === 'approved' && executionGateIds.has(d.approval_id));
    const rejection = decisions.find((d) => d.verdict === 'rejected' && executionGateIds.has(d.approval_id));
    const lastApproval = approvals[approvals.length - 1];
    const edits = approvals.map((d) => p<Record<string, unknown> | null>(d.edits)).filter((e) => e !== null);
    return {
      taskId: task.id,
      status: task.status,
      decided,
      approved,
      autoApproved: approved && executionGateIds.size === 0,
      approvalId: asked?.approval_id ?? (rejection ?? lastApproval)?.approval_id ?? pendingGate?.id ?? null,
      approvedBy: approved ? (lastApproval?.principal_id ?? null) : null,
      approvers: approvals.map((d) => d.principal_id),
      approvedAt: approved && lastApproval ? iso(lastApproval.decided_at) : null,
      approvalReason: approved ? (lastApproval?.reason ?? null) : null,
      rejectedBy: rejection?.principal_id ?? null,
      rejectedAt: rejection ? iso(rejection.decided_at) : null,
      rejectionReason: rejection?.reason ?? null,
      feedback: asked?.feedback ?? (rejection ?? lastApproval)?.feedback ?? null,
      edits: edits.length === 0 ? null : edits.reduce((a, e) => composeMergePatches(a, e) as Record<string, unknown>),
      approvedPayload: p(task.approved_payload),
      payloadDigest: task.approved_digest,
      expired: task.status === 'expired',
      cancelled: task.status === 'cancelled',
      approvalRequest: pendingGate
        ? gateView(
            pendingGate,
            ctx,
            decisions.filter((d) => d.approval_id === pendingGate.id),
          )
        : null,
      changesRequested: asked !== undefined,
      changesRequestedBy: asked?.requested_by ?? null,
      version: versions.filter((v) => v.revised_at !== null).length + 1,
      // Chosen by one step of a chain, approved as it stands by the others: the choice that was approved.
      alternative: approved ? (chosen(approvals, task, ctx.aiProposal) ?? null) : null,
    };
  }

  /**
   * Long-poll: returns as soon as the task leaves `awaiting_approval`, after `waitSeconds`, or with
   * the current state when `signal` aborts (the client left or the server is shutting down).
   *
   * Cheap when thousands wait on one task: a wake-up re-reads only the task row, shared by every
   * waiter woken with it; the full decision is built once per version of the task, and each waiter
   * checks only its own visibility (usually from the row, without a query).
   */
  async wait(actor: Principal, taskId: string, waitSeconds: number, signal?: AbortSignal): Promise<DecisionView> {
    const deadline = Date.now() + waitSeconds * 1000;
    // Watching before the first read: a decision committed while it runs is not slept through.
    const watch = this.deps.notifier.watch([`task:${taskId}`]);
    let task: TaskRow | undefined;
    try {
      const state = await this.state(actor, taskId);
      if (state.decided) return state;
      let read = false;
      while (Date.now() < deadline && !signal?.aborted) {
        // Woken by the commit (here or, via NOTIFY, on another replica); the look every
        // `RECHECK_MS` (jittered) only bounds the cost of a lost hint.
        await watch.next(recheckDelay(deadline - Date.now()), signal);
        task = await this.sharedTask(taskId);
        read = true;
        if (task?.status !== 'awaiting_approval') break;
      }
      if (!read) return state;
    } finally {
      watch.close();
    }
    // Gone, or no longer visible to this caller: the ordinary read answers (404).
    if (!task || !(await this.deps.access.canSee(this.deps.db, actor, task))) return this.state(actor, taskId);
    return this.sharedDecision(task);
  }
}
