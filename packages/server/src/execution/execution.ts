import {
  type AiProposal,
  bytesToHex,
  canonicalJson,
  coveredKeys,
  executionIdFor,
  HumanOSError,
  isHumanOSError,
  newLeaseId,
  payloadDigest,
  signBytes,
  type TaskStatus,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import { cancelGates, gateOpenedEntry, lockTaskWithGates } from '../approvals/gates.js';
import { gateContext, gateView } from '../approvals/views.js';
import { coversCapabilities, type Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { NewEntry } from '../kernel/ledger.js';
import { type ApprovalRow, iso, j, moveTaskRow, p, type TaskRow } from '../kernel/rows.js';
import { declareCapabilities } from '../principals/principals.js';
import { exactly } from '../store/held.js';
import type { Database } from '../store/schema.js';
import type { TaskView } from '../tasks/schemas.js';
import { taskView } from '../tasks/views.js';
import { ledgerGrant, reportRefusal } from './authority.js';
import { ClaimWaits } from './claimWaits.js';
import { recordConfidence } from './feedback.js';
import { openReviewGate } from './inRunDecisions.js';
import type { ExecutionGrant, HeartbeatResult, OverrideResult } from './schemas.js';

/** Extra candidates a claim reads, to step over tasks the signed log does not back. */
const CLAIM_SPARES = 5;

/** How long an execution lease lasts without a heartbeat. */
const DEFAULT_LEASE_SECONDS = 60;

/**
 * Running approved tasks: execution grants bound to the approved payload, leases with heartbeats
 * and their reclaim, confidence-based pauses, human override, completion and failure, feedback and
 * calibration.
 */
export class Execution {
  private readonly waits: ClaimWaits;

  constructor(private readonly deps: FeatureDeps) {
    this.waits = new ClaimWaits(deps);
  }

  /**
   * Starts executing an approved task. Only the approved payload may run: a caller that sends a
   * payload gets 409 unless its canonical digest equals the approved one.
   */
  async execute(
    actor: Principal,
    taskId: string,
    input: { payload?: unknown; leaseSeconds?: number },
  ): Promise<ExecutionGrant> {
    const now = this.deps.now();
    const granted = this.deps.write(async (trx, touched) => {
      const task = await this.deps.access.loadTask(trx, taskId, true);
      if (!(await this.deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      const executor =
        actor.roles.includes('executor') &&
        task.required_capabilities !== '[]' &&
        coversCapabilities(actor, task.required_capabilities);
      const allowed =
        task.requester === actor.id || task.assigned_to === actor.id || executor || this.deps.access.isAdmin(actor);
      if (!allowed) {
        throw new HumanOSError(
          'forbidden',
          'only the requester, the assigned resource, an admin or an executor whose capabilities cover the task may execute it',
        );
      }
      touched.add(taskId);
      return this.startExecution(trx, actor, task, input, now);
    });
    return granted.catch((e: unknown) => {
      reportRefusal(this.deps, e);
      throw e;
    });
  }

  /**
   * A worker claims up to `limit` approved tasks whose required capabilities it has, oldest first.
   * Claims are conditional writes (and `SKIP LOCKED` on PostgreSQL): a task goes to one worker.
   */
  async claim(
    actor: Principal,
    input: { capabilities: string[]; limit?: number; leaseSeconds?: number },
  ): Promise<ExecutionGrant[]> {
    if (!actor.roles.includes('executor') && !this.deps.access.isAdmin(actor)) {
      throw new HumanOSError('forbidden', 'claiming work needs the executor role');
    }
    const now = this.deps.now();
    const caps = new Set(input.capabilities);
    // Claiming declares what the executor runs (in the ledger, like PUT /me/capabilities): it sees and
    // runs only what it has declared, and every widening is on record.
    const held = actor.capabilities ?? [];
    const declared = [...new Set([...held, ...caps])];
    const widens = declared.length > held.length && !this.deps.access.isAdmin(actor);
    const claimed = await this.deps.write(async (trx, touched) => {
      if (widens) await declareCapabilities(this.deps, trx, actor, declared);
      const keys = coveredKeys([...caps]);
      const out: ExecutionGrant[] = [];
      const refused: unknown[] = [];
      if (keys.length === 0) return { out, refused };
      // Only tasks that name capabilities are claimable: one without is run by its requester.
      let q = trx
        .selectFrom('tasks')
        .selectAll()
        .where('status', '=', 'approved')
        .where('cap_key', 'in', keys)
        .where((eb) => eb.or([eb('assigned_to', 'is', null), eb('assigned_to', '=', actor.id)]))
        .orderBy('created_seq')
        // A few more than asked for: a task the signed log does not back is skipped, not a dead end.
        .limit((input.limit ?? 1) + CLAIM_SPARES);
      q = this.deps.dialect.skipLocked(q);
      const candidates = await q.execute();
      for (const task of candidates) {
        if (out.length === (input.limit ?? 1)) break;
        try {
          out.push(await this.startExecution(trx, actor, task, { leaseSeconds: input.leaseSeconds }, now));
          touched.add(task.id);
        } catch (e) {
          // Refused (integrity_violation) before anything was written: leave it, take the next, and
          // report it once the claim has committed.
          if (!(isHumanOSError(e) && e.code === 'integrity_violation')) throw e;
          refused.push(e);
        }
      }
      return { out, refused };
    });
    for (const e of claimed.refused) reportRefusal(this.deps, e);
    if (widens) this.deps.notifier.principalsChanged();
    return claimed.out;
  }

  /**
   * `claim`, long-polled: with nothing to claim, waits up to `waitSeconds` for claimable work
   * (see `ClaimWaits`); answers none at the deadline or when `signal` aborts.
   *
   * @example
   * const grants = await execution.claimWaiting(worker, { capabilities: ['accounting'] }, 30, clientGone(reply));
   */
  claimWaiting(
    actor: Principal,
    input: { capabilities: string[]; limit?: number; leaseSeconds?: number },
    waitSeconds: number,
    signal?: AbortSignal,
  ): Promise<ExecutionGrant[]> {
    if (waitSeconds <= 0) return this.claim(actor, input);
    return this.waits.claim(actor, input, waitSeconds, signal, (i) => this.claim(actor, i));
  }

  private async startExecution(
    trx: Transaction<Database>,
    actor: Principal,
    task: TaskRow,
    input: { payload?: unknown; leaseSeconds?: number | undefined },
    now: number,
  ): Promise<ExecutionGrant> {
    const taskId = task.id;
    checkStartable(task, actor, input.payload);
    // A JSON object (create validates the payload as one; edits are merge patches over it).
    const approvedPayload = p<Record<string, unknown>>(task.approved_payload);
    const executionId = executionIdFor(taskId);
    const leaseId = newLeaseId();
    const leaseExpiresAt = now + (input.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
    const attempt = Number(task.attempt) + 1;
    // The grant rests on the signed decisions in the log, which it names; not on the task row.
    const authority = await ledgerGrant(this.deps, trx, task);
    const grant = {
      type: 'humanos.execution-grant/v1' as const,
      origin: this.deps.origin,
      taskId,
      executionId,
      attempt,
      executor: actor.id,
      payloadDigest: authority.digest,
      decisions: authority.decisions,
      checkpointSize: authority.checkpointSize,
      grantedAt: iso(now),
    };
    const grantSignature = bytesToHex(signBytes(this.deps.key, canonicalJson(grant)), '0x');
    const moved = await moveTaskRow(
      trx,
      {
        status: 'executing',
        execution_id: executionId,
        executor: actor.id,
        lease_id: leaseId,
        lease_expires_at: leaseExpiresAt,
        attempt,
        // A running task always carries a confidence: the executor's latest report, else the one it
        // proposed with, else 0 (none stated counts as none, so `confidence < threshold` asks a human).
        last_confidence: task.last_confidence ?? p<AiProposal>(task.ai_proposal).confidence ?? 0,
        updated_at: now,
      },
      { id: taskId, status: 'approved' },
    );
    if (moved !== 1) throw new HumanOSError('invalid_state', `task ${taskId} changed concurrently`);
    await this.deps.ledger.append(trx, [
      {
        type: 'task.execution_started',
        at: iso(now),
        actor: actor.id,
        taskId,
        data: { executionId, attempt, payloadDigest: task.approved_digest },
      },
    ]);
    return {
      taskId,
      executionId,
      leaseId,
      leaseExpiresAt: iso(leaseExpiresAt),
      attempt,
      status: 'executing',
      description: task.description,
      requiredCapabilities: p(task.required_capabilities),
      payload: approvedPayload,
      // The task row's approved digest, which `ledgerGrant` checked is the one the signed decisions approved.
      payloadDigest: authority.digest,
      grant: { ...grant, signature: grantSignature, signer: this.deps.signerDid },
    };
  }

  /** The lease holder of a running task, or a clear refusal: revoked by a human, or lost to expiry. */
  private checkLease(task: TaskRow, actor: Principal, leaseId: string | undefined): void {
    if (task.overridden_by !== null) {
      throw new HumanOSError('task_overridden', `a human (${task.overridden_by}) took over task ${task.id}; stop`, {
        overriddenBy: task.overridden_by,
      });
    }
    if (leaseId !== undefined && leaseId !== task.lease_id) {
      throw new HumanOSError('lease_lost', 'this lease expired and the task was handed to another attempt; stop');
    }
    if (task.executor !== actor.id) throw new HumanOSError('forbidden', 'only the executor of this task may do that');
    if (task.status !== 'executing' && task.status !== 'paused') {
      throw new HumanOSError('invalid_state', `task ${task.id} is ${task.status}, not executing`, {
        taskStatus: task.status,
      });
    }
  }

  /**
   * The executor's heartbeat: extends the lease and reports progress and confidence. Confidence below
   * the task's `autoEscalation.confidenceThreshold` pauses the task and opens a `review` gate; the
   * answer then says `action: "wait"` until a human lets it continue or takes over.
   */
  async heartbeat(
    actor: Principal,
    taskId: string,
    input: { leaseId: string; confidence?: number; progress?: string; leaseSeconds?: number },
  ): Promise<HeartbeatResult> {
    const now = this.deps.now();
    return this.deps.write(async (trx, touched) => {
      const task = await this.deps.access.loadTask(trx, taskId, true);
      if (!(await this.deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      this.checkLease(task, actor, input.leaseId);
      const leaseExpiresAt = now + (input.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
      const { status, review, entries } = await this.pauseIfUnsure(trx, actor, task, input.confidence, now);
      if (input.confidence !== undefined) {
        await recordConfidence(trx, {
          taskId,
          principal: actor.id,
          stage: 'heartbeat',
          confidence: input.confidence,
          now,
        });
      }
      await trx
        .updateTable('tasks')
        .set({
          status,
          lease_expires_at: leaseExpiresAt,
          updated_at: now,
          ...(input.confidence !== undefined ? { last_confidence: input.confidence } : {}),
        })
        .where('id', '=', taskId)
        .execute();
      if (entries.length) {
        await this.deps.ledger.append(trx, entries);
        touched.add(taskId);
      }
      const pendingReview = review ?? (status === 'paused' ? await pendingReviewOf(trx, taskId) : undefined);
      return {
        taskId,
        status,
        action: status === 'paused' ? 'wait' : 'continue',
        leaseExpiresAt: iso(leaseExpiresAt),
        ...(pendingReview
          ? {
              approvalRequest: gateView(pendingReview, gateContext(task)),
            }
          : {}),
      };
    });
  }

  /**
   * Confidence below the task's `autoEscalation.confidenceThreshold` pauses a running task and opens
   * a `review` gate for the escalation role.
   */
  private async pauseIfUnsure(
    trx: Transaction<Database>,
    actor: Principal,
    task: TaskRow,
    confidence: number | undefined,
    now: number,
  ): Promise<{ status: TaskStatus; review: ApprovalRow | undefined; entries: NewEntry[] }> {
    const taskId = task.id;
    const client = p<{
      autoEscalation?: {
        enabled?: boolean;
        confidenceThreshold?: number;
        escalateTo?: string;
        escalationMessage?: string;
      } | null;
    } | null>(task.client);
    const auto = client?.autoEscalation;
    const threshold = auto && auto.enabled !== false ? auto.confidenceThreshold : undefined;
    let status = task.status as TaskStatus;
    let review: ApprovalRow | undefined;
    const entries: NewEntry[] = [];
    if (status === 'executing' && confidence !== undefined && threshold !== undefined && confidence < threshold) {
      const message = auto?.escalationMessage ?? `confidence ${confidence} dropped below ${threshold}`;
      // The review shows the confidence that triggered it and the escalation message (approvals/views.ts).
      review = await openReviewGate(this.deps, trx, task, now, {
        reason: message,
        escalateTo: auto?.escalateTo,
        proposal: { confidence, threshold, escalationMessage: message },
      });
      status = 'paused';
      entries.push({
        type: 'task.paused',
        at: iso(now),
        actor: actor.id,
        taskId,
        data: { confidence: confidence, threshold, message },
      });
      entries.push(gateOpenedEntry(review, actor.id, now));
    }
    return { status, review, entries };
  }

  /**
   * A human takes over (or lets the AI go on). With `continueExecution: false` the executor's lease is
   * revoked: its next heartbeat or completion gets 409 `task_overridden`; the human finishes with
   * `completeTask`.
   */
  async override(
    actor: Principal,
    taskId: string,
    input: { overriddenBy?: string; reason: string; continueExecution: boolean },
  ): Promise<OverrideResult> {
    const now = this.deps.now();
    return this.deps.write(async (trx, touched) => {
      const task = await this.deps.access.loadTask(trx, taskId, true);
      if (!(await this.deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      if (input.overriddenBy !== undefined && input.overriddenBy !== actor.id) {
        throw new HumanOSError('approved_by_mismatch', `overriddenBy must be the caller (${actor.id})`);
      }
      if (actor.kind !== 'human') throw new HumanOSError('agent_cannot_decide', 'only a human can take over a task');
      if (task.requester === actor.id || task.on_behalf_of === actor.id) {
        throw new HumanOSError('requester_cannot_decide', 'the requester of a task cannot override it');
      }
      if (task.status !== 'executing' && task.status !== 'paused') {
        throw new HumanOSError(
          'invalid_state',
          `task ${taskId} is ${task.status}; only a running or paused task can be overridden`,
          { taskStatus: task.status },
        );
      }
      const status: TaskStatus = input.continueExecution ? 'executing' : 'overridden';
      await trx
        .updateTable('tasks')
        .set({
          status,
          updated_at: now,
          ...(input.continueExecution ? {} : { overridden_by: actor.id, lease_id: null, lease_expires_at: null }),
        })
        .where('id', '=', taskId)
        .where('status', '=', task.status)
        .execute();
      // An open review is answered by the override either way.
      const reviews = await cancelGates(
        trx,
        [taskId],
        { statuses: ['pending'], kind: 'review' },
        { actor: actor.id, now, reason: 'answered by an override' },
      );
      await this.deps.ledger.append(trx, [
        {
          type: 'task.overridden',
          at: iso(now),
          actor: actor.id,
          taskId,
          data: { reason: input.reason, continueExecution: input.continueExecution, previousExecutor: task.executor },
        },
        ...reviews,
      ]);
      touched.add(taskId);
      return {
        taskId,
        status,
        overriddenBy: input.continueExecution ? null : actor.id,
        continueExecution: input.continueExecution,
      };
    });
  }

  /** Returns executing tasks whose lease ran out to `approved`, to be claimed again (once). */
  async reclaimExpiredLeases(limit = 200): Promise<number> {
    const now = this.deps.now();
    return this.deps.write(async (trx, touched) => {
      let q = trx
        .selectFrom('tasks')
        .selectAll()
        .where('status', '=', 'executing')
        .where('lease_expires_at', '<=', now)
        .limit(limit);
      q = this.deps.dialect.skipLocked(q);
      const due = await q.execute();
      const entries: NewEntry[] = [];
      for (const t of due) {
        const upd = await trx
          .updateTable('tasks')
          .set({ status: 'approved', lease_id: null, lease_expires_at: null, executor: null, updated_at: now })
          .where('id', '=', t.id)
          .where('status', '=', 'executing')
          .where('lease_id', '=', t.lease_id)
          .executeTakeFirst();
        if (Number(upd.numUpdatedRows) !== 1) continue;
        touched.add(t.id);
        entries.push({
          type: 'task.lease_expired',
          at: iso(now),
          actor: 'system',
          taskId: t.id,
          data: { executionId: t.execution_id, attempt: t.attempt, executor: t.executor },
        });
      }
      if (entries.length) await this.deps.ledger.append(trx, entries);
      return entries.length;
    });
  }

  /** Completes or fails an executing task; only its executor (or an admin) may. */
  async finish(
    actor: Principal,
    taskId: string,
    outcome: 'completed' | 'failed',
    input: { result?: unknown; error?: unknown; executionId?: string; leaseId?: string },
  ): Promise<TaskView> {
    const now = this.deps.now();
    return this.deps.write(async (trx, touched) => {
      // The task's gates and decisions (for the view answered) come with its locked row: finishing
      // leaves them alone, so the task's move can be held (`store/held.ts`) to the operation's end.
      const read = await lockTaskWithGates(trx, taskId);
      if (!read) throw new HumanOSError('not_found', `no task ${taskId}`);
      const { task } = read;
      if (!(await this.deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      if (task.status === 'overridden') {
        // After a takeover only the human who took over (or an admin) finishes the task.
        if (task.overridden_by !== actor.id && !this.deps.access.isAdmin(actor)) {
          throw new HumanOSError('task_overridden', `a human (${task.overridden_by}) took over task ${taskId}; stop`, {
            overriddenBy: task.overridden_by,
          });
        }
      } else {
        if (!this.deps.access.isAdmin(actor) || task.executor === actor.id) this.checkLease(task, actor, input.leaseId);
        if (task.status !== 'executing') {
          throw new HumanOSError('invalid_state', `task ${taskId} is ${task.status}, not executing`, {
            taskStatus: task.status,
          });
        }
      }
      if (input.executionId !== undefined && input.executionId !== task.execution_id) {
        throw new HumanOSError('conflict', 'executionId does not match the running execution');
      }
      const changes = {
        status: outcome,
        updated_at: now,
        result: outcome === 'completed' ? j(input.result ?? null) : null,
        error: outcome === 'failed' ? j(input.error ?? null) : null,
      };
      const view = await taskView(trx, { ...task, ...changes }, read);
      await moveTaskRow.later(
        trx,
        changes,
        { id: taskId, status: task.status },
        exactly(1, () => new HumanOSError('invalid_state', `task ${taskId} changed concurrently`)),
      );
      await this.deps.ledger.append(trx, [
        {
          type: outcome === 'completed' ? 'task.completed' : 'task.failed',
          at: iso(now),
          actor: actor.id,
          taskId,
          data: {
            executionId: task.execution_id,
            ...(outcome === 'completed' ? { result: input.result ?? null } : { error: input.error ?? null }),
          },
        },
      ]);
      touched.add(taskId);
      return view;
    });
  }
}

/** An approved task, routed to this actor (if routed), with the approved payload if one is given. */
function checkStartable(task: TaskRow, actor: Principal, payload: unknown): void {
  const taskId = task.id;
  if (task.assigned_to && task.assigned_to !== actor.id) {
    throw new HumanOSError('forbidden', `task ${taskId} was routed to ${task.assigned_to}; only it may execute`);
  }
  if (task.status !== 'approved') {
    const code = task.status === 'expired' ? 'approval_expired' : 'invalid_state';
    throw new HumanOSError(code, `task ${taskId} is ${task.status}; only an approved task can execute`, {
      taskStatus: task.status,
    });
  }
  if (payload !== undefined && payloadDigest(payload) !== task.approved_digest) {
    throw new HumanOSError(
      'payload_mismatch',
      'the payload differs from the approved payload; it needs a new approval',
      {
        approvedDigest: task.approved_digest,
        givenDigest: payloadDigest(payload),
      },
    );
  }
}

/** The open review gate of a paused task. */
function pendingReviewOf(trx: Transaction<Database>, taskId: string): Promise<ApprovalRow | undefined> {
  return trx
    .selectFrom('approvals')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('kind', '=', 'review')
    .where('status', '=', 'pending')
    .executeTakeFirst();
}
