import { createHash } from 'node:crypto';
import {
  type AiProposal,
  type ApprovalStatus,
  AUDIT_SAMPLE_RATE,
  applyMergePatch,
  assessRisk,
  bytesToHex,
  type ClientRequirement,
  canonicalJson,
  canTransition,
  composeMergePatches,
  type DecisionRecord,
  didKeyFromPublicKey,
  didKind,
  entryLeafHash,
  type GateSpec,
  type HumanInLoop,
  HumanOSError,
  inAuditSample,
  type LedgerEntry,
  newApprovalId,
  newTaskId,
  type PolicyDocument,
  payloadDigest,
  planGates,
  QUALITY_SCORE,
  type RankedCandidate,
  type RiskAssessment,
  rankCandidates,
  riskRank,
  type SigningKey,
  signDecision,
  type TaskStatus,
  verifyInclusion,
} from '@humanos/core';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { type FeatureDeps, GroupCommitter } from './committer.js';
import type { Store } from './db/connect.js';
import type { Database } from './db/schema.js';
import { Execution } from './execution.js';
import {
  cancelGates,
  gateOpenedEntry,
  insertGate,
  REMIND_AT,
  type SideGateOptions,
  setRoleStatus,
  syncRoles,
} from './gates.js';
import { Ledger, type NewEntry, type Seal } from './ledger.js';
import type { Notifier } from './notifier.js';
import type { Principal } from './principals.js';
import { Principals } from './principals.js';
import { iso, j, p } from './rows.js';
import { Timers } from './timers.js';
import {
  type ApprovalRow,
  type DecisionRow,
  decisionGateView,
  decisionView,
  decodeCursor,
  decodePairCursor,
  encodeCursor,
  encodePairCursor,
  routingGateView,
  type TaskRow,
} from './views.js';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings, Webhooks } from './webhooks.js';

export type { Principal } from './principals.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface CreateTaskInput extends ClientRequirement {
  description: string;
  /** Ask a human to approve which resource gets the task before anything else. */
  routing?: { approverRole?: string };
  requiredCapabilities?: string[];
  humanInLoop?: HumanInLoop;
  payload?: unknown;
  onBehalfOf?: string;
  aiProposal?: { action?: string; reasoning?: string | null; confidence?: number | null; alternatives?: string[] };
  riskAssessment?: Partial<RiskAssessment>;
}

export interface DecideInput {
  by?: string;
  /** Routing approvals: the resource to assign (default: the proposed one). */
  assignTo?: string;
  reason?: string;
  feedback?: string;
  edits?: Record<string, unknown>;
}

export interface ServiceOptions {
  policy: PolicyDocument;
  policySource: 'built-in' | 'file';
  /** Overrides of webhook delivery tuning (tests shorten the backoff). */
  webhooks?: Partial<WebhookSettings>;
  /** Where failures of background work (webhook sends started after a commit) are reported. */
  onBackgroundError?: (e: unknown) => void;
}

/**
 * The HumanOS domain operations over the store. Every state change runs in one transaction that also
 * appends its ledger entries; every decision is a conditional write, so racing callers end in exactly
 * one outcome and the losers change nothing.
 */
export class HumanOSService {
  readonly ledger: Ledger;
  readonly signerDid: string;
  private readonly committer: GroupCommitter;
  /** Webhook subscriptions and their delivery outbox. */
  readonly webhooks: Webhooks;
  /** Principals, their tokens and roles. */
  readonly principals: Principals;
  /** Gate deadlines, escalations and reminders. */
  readonly timers: Timers;
  /** Executors, leases, override, completion, feedback and calibration. */
  readonly execution: Execution;

  constructor(
    readonly store: Store,
    private readonly key: SigningKey,
    readonly origin: string,
    readonly clock: Clock,
    private readonly notifier: Notifier,
    private readonly options: ServiceOptions,
  ) {
    this.ledger = new Ledger(store.dialect, key, origin);
    this.signerDid = didKeyFromPublicKey(key.publicKeyRaw);
    // What every feature module gets of the service: the store, the ledger, the clock, its writes.
    const deps: FeatureDeps = {
      db: store.db,
      dialect: store.dialect,
      ledger: this.ledger,
      now: () => clock.now(),
      write: (fn) => this.write(fn),
    };
    this.webhooks = new Webhooks({
      ...deps,
      onError: (e) => options.onBackgroundError?.(e),
      settings: { ...DEFAULT_WEBHOOK_SETTINGS, ...options.webhooks },
    });
    this.principals = new Principals(deps);
    notifier.onPrincipalsChanged(() => this.principals.invalidate());
    this.timers = new Timers({ ...deps, policy: options.policy });
    this.execution = new Execution({
      ...deps,
      key,
      origin,
      signerDid: this.signerDid,
      tasks: {
        loadTask: (db, taskId, lock) => this.loadTask(db, taskId, lock),
        canSee: (db, actor, task) => this.canSee(db, actor, task),
        taskView: (db, t) => this.taskView(db, t),
        gateView: (g, task, decisions) => this.gateView(g, task, decisions),
        openSideGate: (trx, task, kind, now, o) => this.openSideGate(trx, task, kind, now, o),
      },
    });
    this.committer = new GroupCommitter(
      store.db,
      this.ledger,
      () => clock.now(),
      (ids) => {
        notifier.changed(ids);
        this.webhooks.afterCommit();
      },
      (trx, appended) => this.webhooks.enqueue(trx, appended),
    );
  }

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  /**
   * Runs `fn` inside a group-committed transaction; resolves after the commit (and the wake-up of
   * waiters on the tasks it touched), rejects with `fn`'s error having written nothing.
   */
  private async write<T>(fn: (trx: Transaction<Database>, touched: Set<string>) => Promise<T>): Promise<T> {
    return (await this.writeSealed(fn)).value;
  }

  /** Like `write`, also returning the signed checkpoint that sealed the batch. */
  private writeSealed<T>(
    fn: (trx: Transaction<Database>, touched: Set<string>) => Promise<T>,
  ): Promise<{ value: T; seal: Seal | undefined }> {
    return this.committer.run((trx, ctx) => fn(trx, ctx.touched));
  }

  // ---- routing candidates -----------------------------------------------------------------------

  /** Candidates for a task, ranked by capability match and past feedback on their work. */
  private async rankResources(
    db: Kysely<Database>,
    required: string[],
    exclude: (string | null)[],
  ): Promise<RankedCandidate[]> {
    const principals = await db
      .selectFrom('principals')
      .select(['id', 'capabilities'])
      .where('capabilities', '!=', '[]')
      // A disabled principal cannot take work.
      .where('disabled_at', 'is', null)
      .execute();
    const fb = await db
      .selectFrom('feedback')
      .innerJoin('tasks', 'tasks.id', 'feedback.task_id')
      .select(['tasks.executor', 'feedback.quality'])
      .where('tasks.executor', 'is not', null)
      .execute();
    const quality = new Map<string, { sum: number; count: number }>();
    for (const f of fb) {
      const q = quality.get(f.executor as string) ?? { sum: 0, count: 0 };
      q.sum += QUALITY_SCORE[f.quality] ?? 0.5;
      q.count += 1;
      quality.set(f.executor as string, q);
    }
    return rankCandidates(
      required,
      principals
        .filter((pr) => !exclude.includes(pr.id))
        .map((pr) => {
          const q = quality.get(pr.id);
          return {
            id: pr.id,
            capabilities: p<string[]>(pr.capabilities),
            feedback: q ? { meanQuality: q.sum / q.count, count: q.count } : null,
          };
        }),
    );
  }

  // ---- tasks -------------------------------------------------------------------------------------

  /** What policy and risk assessment make of a task body: the gates it gets (shared by create and dry run). */
  private planTask(input: CreateTaskInput) {
    const hitl: HumanInLoop = input.humanInLoop ?? {};
    const payload = input.payload ?? {};
    const requiredCapabilities = input.requiredCapabilities ?? [];
    const assessed = assessRisk(
      { description: input.description, requiredCapabilities, payload },
      input.riskAssessment,
    );
    const plan = planGates(
      input,
      {
        description: input.description,
        requiredCapabilities,
        payload,
        confidence: input.aiProposal?.confidence ?? null,
      },
      assessed,
      this.options.policy,
      this.options.policySource,
    );
    return { hitl, payload, requiredCapabilities, plan };
  }

  /**
   * A dry run of `createTask`: the policy that would apply, the risk, and the gates that would open,
   * with nothing created or recorded. Any principal may ask (agent developers, policy authors' CI).
   *
   * @example
   * const r = await service.evaluatePolicy(agent, { description: 'Wire $250,000', payload: { amount: 250000 } });
   * r.gates // [{ approverRoles: ['finance_manager'], … }, { approverRoles: ['cfo'], … }]
   */
  evaluatePolicy(_actor: Principal, input: CreateTaskInput): Record<string, unknown> {
    const { hitl, plan } = this.planTask(input);
    const routingRole = input.routing
      ? (input.routing.approverRole ?? hitl.approverRole ?? this.options.policy.defaultApproverRole ?? 'approver')
      : null;
    return {
      policy: plan.policy,
      riskAssessment: plan.risk,
      routing: routingRole ? { approverRole: routingRole } : null,
      gates: plan.steps.map((g, i) => ({
        step: i + 1,
        approverRoles: g.roles,
        required: g.required,
        reason: g.reason,
        timeout: g.timeoutSec,
        escalationPolicy: g.escalationPolicy,
        escalateTo: g.escalateTo,
      })),
      // Unattended: a share of such tasks is queued for a human spot-check after the fact.
      audit: plan.audit
        ? {
            frequency: input.auditFrequency ?? 'always',
            sampleRate: AUDIT_SAMPLE_RATE[input.auditFrequency ?? 'always'],
          }
        : null,
    };
  }

  /** The policy document in force (admin or auditor), with where it came from. */
  policyDocument(actor: Principal): { source: 'built-in' | 'file'; policy: PolicyDocument } {
    const auditor = this.options.policy.auditorRole ?? 'auditor';
    if (!actor.roles.includes('admin') && !actor.roles.includes(auditor)) {
      throw new HumanOSError('forbidden', `reading the policy needs the admin or ${auditor} role`);
    }
    return { source: this.options.policySource, policy: this.options.policy };
  }

  /**
   * Creates a task. With an idempotency key, a retry with the same body gets the first response back,
   * and the same key with another body is refused.
   */
  async createTask(
    actor: Principal,
    input: CreateTaskInput,
    idempotencyKey?: string,
  ): Promise<{ statusCode: number; body: Record<string, unknown> }> {
    const requestHash = idempotencyKey ? createHash('sha256').update(canonicalJson(input)).digest('hex') : '';
    if (idempotencyKey) {
      const replay = await this.idempotentReplay(this.db, actor.id, idempotencyKey, requestHash);
      if (replay) return replay;
    }
    if (input.onBehalfOf !== undefined && didKind(input.onBehalfOf) !== 'human') {
      throw new HumanOSError('validation_failed', 'onBehalfOf must name a human (did:human:…)');
    }
    const { hitl, payload, requiredCapabilities, plan } = this.planTask(input);
    const { risk, policy } = plan;
    const gate = plan.steps.length > 0 || input.routing !== undefined;
    const aiProposal: AiProposal = {
      action: input.aiProposal?.action ?? input.description,
      reasoning: input.aiProposal?.reasoning ?? null,
      confidence: input.aiProposal?.confidence ?? null,
      alternatives: input.aiProposal?.alternatives ?? [],
    };

    const now = this.clock.now();
    const taskId = newTaskId();
    const status: TaskStatus = gate ? 'awaiting_approval' : 'approved';
    const digest = payloadDigest(payload);

    const run = () =>
      this.write(async (trx, touched) => {
        touched.add(taskId);
        const entries: NewEntry[] = [
          {
            type: 'task.created',
            at: iso(now),
            actor: actor.id,
            taskId,
            data: {
              description: input.description,
              requiredCapabilities,
              onBehalfOf: input.onBehalfOf ?? null,
              payloadDigest: digest,
              payload,
              humanInLoop: hitl,
              risk,
              aiProposal,
              policy,
              status,
            },
          },
        ];
        const gateRows: { row: ApprovalRow; roles: string[] }[] = [];
        if (input.routing) {
          // Routing comes first: a human picks the resource, then the execution gates open.
          const ranked = await this.rankResources(trx, requiredCapabilities, [actor.id, input.onBehalfOf ?? null]);
          const role =
            input.routing.approverRole ?? hitl.approverRole ?? this.options.policy.defaultApproverRole ?? 'approver';
          const spec: GateSpec = {
            roles: [role],
            required: 1,
            reason: 'which resource gets this task',
            timeoutSec: hitl.approvalTimeout ?? null,
            escalationPolicy: hitl.escalationPolicy ?? null,
            escalateTo: hitl.escalateTo ?? null,
          };
          const row = this.newGateRow(taskId, 'routing', 0, spec, 'pending', now);
          row.proposal = j({ proposedResource: ranked[0]?.id ?? null, ranking: ranked.slice(0, 10) });
          gateRows.push({ row, roles: [role] });
        }
        gateRows.push(
          ...plan.steps.map((step, i) => ({
            row: this.newGateRow(taskId, 'execution', i, step, i === 0 && !input.routing ? 'pending' : 'waiting', now),
            roles: step.roles,
          })),
        );

        if (plan.audit && inAuditSample(taskId, input.auditFrequency ?? 'always')) {
          const auditor = this.options.policy.auditorRole ?? 'auditor';
          const spec = {
            roles: [auditor],
            required: 1,
            reason: `spot-check (auditFrequency: ${input.auditFrequency})`,
            timeoutSec: null,
            escalationPolicy: null,
            escalateTo: null,
          };
          gateRows.push({ row: this.newGateRow(taskId, 'audit', 0, spec, 'pending', now), roles: [auditor] });
        }
        for (const g of gateRows) entries.push(gateOpenedEntry(g.row, actor.id, now));
        const appended = await this.ledger.append(trx, entries);
        await trx
          .insertInto('tasks')
          .values({
            id: taskId,
            requester: actor.id,
            on_behalf_of: input.onBehalfOf ?? null,
            description: input.description,
            required_capabilities: j(requiredCapabilities),
            payload: j(payload),
            proposed_payload: j(payload),
            approved_payload: gate ? null : j(payload),
            approved_digest: gate ? null : digest,
            hitl: j(hitl),
            client: j({ autoEscalation: input.autoEscalation ?? null, auditFrequency: input.auditFrequency ?? null }),
            policy: j(policy),
            risk: j(risk),
            ai_proposal: j(aiProposal),
            status,
            execution_id: null,
            executor: null,
            result: null,
            error: null,
            created_at: now,
            updated_at: now,
            created_seq: appended.seqs[0] as number,
            lease_id: null,
            lease_expires_at: null,
            attempt: 0,
            last_confidence: null,
            overridden_by: null,
          })
          .execute();
        for (const g of gateRows) await insertGate(trx, g.row, g.roles);
        const body: Record<string, unknown> = { taskId, status, policy };
        const first = gateRows.find((g) => g.row.status === 'pending' && g.row.kind !== 'audit');
        if (first)
          body.approvalRequest = this.gateView(first.row, { aiProposal, risk, description: input.description });
        if (gateRows.length > 1 && first) {
          body.approvalChain = gateRows
            .filter((g) => g.row.kind !== 'audit')
            .map((g) => this.gateView(g.row, { aiProposal, risk, description: input.description }));
        }
        if (idempotencyKey) {
          await trx
            .insertInto('idempotency_keys')
            .values({
              principal_id: actor.id,
              key: idempotencyKey,
              request_hash: requestHash,
              status_code: 201,
              response: j(body),
              created_at: now,
            })
            .execute();
        }
        return { statusCode: 201, body };
      });
    try {
      return await run();
    } catch (e) {
      // Two retries of one call racing: the loser's insert hits the key's primary key. Replay.
      if (idempotencyKey) {
        const replay = await this.idempotentReplay(this.db, actor.id, idempotencyKey, requestHash);
        if (replay) return replay;
      }
      throw e;
    }
  }

  private async idempotentReplay(
    db: Kysely<Database>,
    principal: string,
    key: string,
    requestHash: string,
  ): Promise<{ statusCode: number; body: Record<string, unknown> } | undefined> {
    const row = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('principal_id', '=', principal)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== requestHash) {
      throw new HumanOSError('idempotency_key_reused', 'this Idempotency-Key was used with a different request body');
    }
    return { statusCode: Number(row.status_code), body: p(row.response) };
  }

  private newGateRow(
    taskId: string,
    kind: string,
    step: number,
    spec: GateSpec,
    status: 'pending' | 'waiting',
    now: number,
  ): ApprovalRow {
    const timeoutMs = spec.timeoutSec === null ? null : spec.timeoutSec * 1000;
    const open = status === 'pending';
    return {
      id: newApprovalId(),
      task_id: taskId,
      kind,
      step,
      approver_role: spec.roles.join(', '),
      required: spec.required,
      status,
      requested_at: now,
      expires_at: open && timeoutMs !== null ? now + timeoutMs : null,
      escalation_policy: spec.escalationPolicy,
      escalate_to: spec.escalateTo,
      decided_at: null,
      reason: spec.reason,
      timeout_ms: timeoutMs,
      remind_at: open && timeoutMs !== null ? now + Math.floor(timeoutMs * REMIND_AT) : null,
      reminded: 0,
      proposal: null,
    };
  }

  /** A waiting chain step as it is when it opens now: its own deadline starts now. */
  private openStep(g: ApprovalRow, now: number): ApprovalRow {
    return {
      ...g,
      status: 'pending',
      requested_at: now,
      expires_at: g.timeout_ms === null ? null : now + g.timeout_ms,
      remind_at: g.timeout_ms === null ? null : now + Math.floor(g.timeout_ms * REMIND_AT),
    };
  }

  private gateView(
    g: ApprovalRow,
    task: { aiProposal: AiProposal; risk: RiskAssessment; description: string },
    decisions: DecisionRow[] = [],
  ): Record<string, unknown> {
    const approvals = decisions.filter((d) => d.verdict === 'approved').length;
    return {
      id: g.id,
      taskId: g.task_id,
      kind: g.kind,
      status: g.status,
      requestedAt: iso(g.requested_at),
      expiresAt: g.expires_at === null ? null : iso(g.expires_at),
      approverRole: g.approver_role,
      eligibleRoles: g.approver_role.split(', '),
      step: g.step,
      reason: g.reason,
      required: g.required,
      approvals,
      escalationPolicy: g.escalation_policy,
      escalateTo: g.escalate_to,
      task: { id: g.task_id, description: task.description },
      ...(g.kind === 'decision'
        ? decisionGateView(g)
        : g.kind === 'routing'
          ? routingGateView(g, task.aiProposal)
          : { aiProposal: task.aiProposal, alternatives: task.aiProposal.alternatives }),
      riskAssessment: task.risk,
      decisions: decisions.map(decisionView),
      decidedAt: g.decided_at === null ? null : iso(g.decided_at),
    };
  }

  private async loadTask(db: Kysely<Database>, taskId: string, lock = false): Promise<TaskRow> {
    let q = db.selectFrom('tasks').selectAll().where('id', '=', taskId);
    if (lock && this.store.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new HumanOSError('not_found', `no task ${taskId}`);
    return row;
  }

  /** Admins, the requester, the human it acts for, and holders of a gate's role may see a task. */
  /**
   * Who may see a task, as far as the task row alone tells: admins, its requester and the human it
   * acts for, and executors (of this task, or with the executor role for tasks that name
   * capabilities). The rest of the rule, holding a role of one of its gates, needs the gates.
   */
  private seesFromRow(
    actor: Principal,
    t: Pick<TaskRow, 'requester' | 'on_behalf_of' | 'executor' | 'assigned_to' | 'required_capabilities'>,
  ): boolean {
    if (actor.roles.includes('admin') || t.requester === actor.id || t.on_behalf_of === actor.id) return true;
    if (t.executor === actor.id || t.assigned_to === actor.id) return true;
    return actor.roles.includes('executor') && t.required_capabilities !== '[]';
  }

  private async canSee(db: Kysely<Database>, actor: Principal, task: TaskRow): Promise<boolean> {
    if (this.seesFromRow(actor, task)) return true;
    if (actor.roles.length === 0) return false;
    const hit = await db
      .selectFrom('approvals')
      .select('approvals.id')
      .where('approvals.task_id', '=', task.id)
      .where((eb) => this.heldByRoles(eb, actor.roles))
      .limit(1)
      .executeTakeFirst();
    return !!hit;
  }

  /**
   * "This gate may be decided by one of these roles", as a correlated EXISTS: written as a join, SQLite
   * drove it from the role index and scanned every gate the role ever had (0.3 ms per call and growing).
   */
  private heldByRoles(eb: ExpressionBuilder<Database, 'approvals'>, roles: readonly string[]) {
    return eb.exists(
      eb
        .selectFrom('approval_roles')
        .select('approval_roles.approval_id')
        .whereRef('approval_roles.approval_id', '=', 'approvals.id')
        .where('approval_roles.role', 'in', roles),
    );
  }

  private async visibleTask(actor: Principal, taskId: string): Promise<TaskRow> {
    const task = await this.loadTask(this.db, taskId);
    // Not 403: whether a task exists is itself information a stranger must not learn.
    if (!(await this.canSee(this.db, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
    return task;
  }

  private async taskView(db: Kysely<Database>, t: TaskRow): Promise<Record<string, unknown>> {
    const gates = await db
      .selectFrom('approvals')
      .selectAll()
      .where('task_id', '=', t.id)
      .orderBy('kind', 'desc')
      .orderBy('step')
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
    const decisions = await db
      .selectFrom('decisions')
      .selectAll()
      .where('task_id', '=', t.id)
      .orderBy('decided_at')
      .execute();
    const ctx = {
      aiProposal: p<AiProposal>(t.ai_proposal),
      risk: p<RiskAssessment>(t.risk),
      description: t.description,
    };
    return {
      id: t.id,
      taskId: t.id,
      description: t.description,
      requiredCapabilities: p<string[]>(t.required_capabilities),
      status: t.status,
      requester: t.requester,
      onBehalfOf: t.on_behalf_of,
      humanInLoop: p(t.hitl),
      policy: p(t.policy),
      payload: p(t.payload),
      // What the agent proposed; `payload` moves on with earlier approvers' edits.
      proposedPayload: p(t.proposed_payload ?? t.payload),
      approvedPayload: p(t.approved_payload),
      payloadDigest: t.approved_digest,
      aiProposal: ctx.aiProposal,
      riskAssessment: ctx.risk,
      // The latest confidence the executor reported, else the proposal's.
      confidence: t.last_confidence ?? ctx.aiProposal.confidence,
      lease: t.lease_id
        ? { attempt: Number(t.attempt), expiresAt: t.lease_expires_at === null ? null : iso(t.lease_expires_at) }
        : null,
      overriddenBy: t.overridden_by,
      assignedTo: t.assigned_to,
      approvals: gates.map((g) =>
        this.gateView(
          g,
          ctx,
          decisions.filter((d) => d.approval_id === g.id),
        ),
      ),
      execution: t.execution_id ? { executionId: t.execution_id, executor: t.executor } : null,
      result: p(t.result),
      error: p(t.error),
      createdAt: iso(t.created_at),
      updatedAt: iso(t.updated_at),
    };
  }

  /**
   * Withdraws a task that has not started executing. Its requester, the human it acts for, or an
   * admin may; its open gates are cancelled (they leave every inbox), waiters learn the outcome, and
   * the task can never execute. A running task is stopped with an override instead.
   *
   * @example
   * await service.cancelTask(agent, 'task:human:…', 'the customer withdrew the order');
   */
  async cancelTask(actor: Principal, taskId: string, reason: string): Promise<Record<string, unknown>> {
    const now = this.clock.now();
    await this.write(async (trx, touched) => {
      const task = await this.loadTask(trx, taskId, true);
      if (!(await this.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      if (task.requester !== actor.id && task.on_behalf_of !== actor.id && !actor.roles.includes('admin')) {
        throw new HumanOSError('not_requester', 'only the requester, the human it acts for, or an admin can cancel it');
      }
      if (task.status !== 'awaiting_approval' && task.status !== 'approved') {
        throw new HumanOSError(
          'invalid_state',
          `task ${taskId} is ${task.status}; only a task that has not started executing can be cancelled${
            task.status === 'executing' || task.status === 'paused' ? ' (stop a running one with an override)' : ''
          }`,
          { status: task.status },
        );
      }
      const upd = await trx
        .updateTable('tasks')
        .set({ status: 'cancelled', updated_at: now })
        .where('id', '=', taskId)
        .where('status', '=', task.status)
        .executeTakeFirst();
      if (Number(upd.numUpdatedRows) !== 1) throw new HumanOSError('conflict', `task ${taskId} changed concurrently`);
      const gates = await cancelGates(
        trx,
        [taskId],
        { statuses: ['pending', 'waiting'] },
        { actor: actor.id, now, reason: 'the task was cancelled' },
      );
      await this.ledger.append(trx, [
        {
          type: 'task.cancelled',
          at: iso(now),
          actor: actor.id,
          taskId,
          data: { reason, previousStatus: task.status },
        },
        ...gates,
      ]);
      touched.add(taskId);
    });
    return this.getTask(actor, taskId);
  }

  async getTask(actor: Principal, taskId: string): Promise<Record<string, unknown>> {
    return this.taskView(this.db, await this.visibleTask(actor, taskId));
  }

  /** Tasks the caller requested (or acts for); admins see all. Newest first, keyset-paginated. */
  async listTasks(
    actor: Principal,
    q: { status?: TaskStatus | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('tasks').selectAll();
    if (!actor.roles.includes('admin')) {
      query = query.where((eb) => eb.or([eb('requester', '=', actor.id), eb('on_behalf_of', '=', actor.id)]));
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.cursor !== undefined) query = query.where('created_seq', '<', decodeCursor(q.cursor));
    const rows = await query
      .orderBy('created_seq', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = rows.slice(0, q.limit);
    const items = await Promise.all(page.map((t) => this.taskView(this.db, t)));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.created_seq) : null };
  }

  // ---- approvals ---------------------------------------------------------------------------------

  async getApproval(actor: Principal, approvalId: string): Promise<Record<string, unknown>> {
    const g = await this.db.selectFrom('approvals').selectAll().where('id', '=', approvalId).executeTakeFirst();
    if (!g) throw new HumanOSError('not_found', `no approval ${approvalId}`);
    const task = await this.loadTask(this.db, g.task_id);
    if (!(await this.canSee(this.db, actor, task))) throw new HumanOSError('not_found', `no approval ${approvalId}`);
    const decisions = await this.db.selectFrom('decisions').selectAll().where('task_id', '=', task.id).execute();
    const steps = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('task_id', '=', task.id)
      .where('kind', '=', g.kind)
      .orderBy('step')
      .orderBy('requested_at')
      .execute();
    return {
      ...this.gateView(
        g,
        { aiProposal: p(task.ai_proposal), risk: p(task.risk), description: task.description },
        decisions.filter((d) => d.approval_id === g.id),
      ),
      // Every step (or escalation) of this task's gates, with earlier decisions and their reasons.
      chain: steps.map((x) => ({
        id: x.id,
        step: x.step,
        approverRole: x.approver_role,
        status: x.status,
        required: x.required,
        reason: x.reason,
        decisions: decisions.filter((d) => d.approval_id === x.id).map(decisionView),
      })),
      task: {
        id: task.id,
        description: task.description,
        requester: task.requester,
        onBehalfOf: task.on_behalf_of,
        status: task.status,
        payload: p(task.payload),
        proposedPayload: p(task.proposed_payload ?? task.payload),
        requiredCapabilities: p(task.required_capabilities),
        policy: p(task.policy),
      },
    };
  }

  /**
   * The caller's inbox: gates in `status` whose role the caller holds. For pending gates, those the
   * caller may not decide (its own tasks, gates it already sat on) are left out.
   */
  async inbox(
    actor: Principal,
    q: { status: ApprovalStatus; limit: number; cursor?: string | undefined },
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    if (actor.roles.length === 0) return { items: [], nextCursor: null };
    const after = q.cursor !== undefined ? decodePairCursor(q.cursor) : undefined;
    // One index range walk per role (role, status, requested_at, id), each stopping after a page;
    // merged here. A single query over all roles would have to sort every matching gate.
    const perRole = await Promise.all(
      [...new Set(actor.roles)].map((role) => {
        let query = this.db
          .selectFrom('approval_roles')
          .innerJoin('approvals', 'approvals.id', 'approval_roles.approval_id')
          .innerJoin('tasks', 'tasks.id', 'approvals.task_id')
          .selectAll('approvals')
          .select(['tasks.ai_proposal', 'tasks.risk', 'tasks.description', 'tasks.created_seq'])
          .where('approval_roles.role', '=', role)
          .where('approval_roles.status', '=', q.status);
        if (q.status === 'pending') {
          query = query
            .where('tasks.requester', '!=', actor.id)
            .where((eb) => eb.or([eb('tasks.on_behalf_of', 'is', null), eb('tasks.on_behalf_of', '!=', actor.id)]))
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('decisions as d')
                    .innerJoin('approvals as seat', 'seat.id', 'd.approval_id')
                    .select('d.approval_id')
                    .whereRef('d.task_id', '=', 'approvals.task_id')
                    .where('d.principal_id', '=', actor.id)
                    .where((eb) =>
                      eb.or([
                        eb('d.approval_id', '=', eb.ref('approvals.id')),
                        eb.and([eb('approvals.kind', '=', 'execution'), eb('seat.kind', '=', 'execution')]),
                      ]),
                    ),
                ),
              ),
            );
        }
        if (after) {
          const [at, id] = after;
          query = query.where((eb) =>
            eb.or([
              eb('approval_roles.requested_at', '<', at),
              eb.and([eb('approval_roles.requested_at', '=', at), eb('approval_roles.approval_id', '<', id)]),
            ]),
          );
        }
        return query
          .orderBy('approval_roles.requested_at', 'desc')
          .orderBy('approval_roles.approval_id', 'desc')
          .limit(q.limit + 1)
          .execute();
      }),
    );
    const seen = new Set<string>();
    const rows = perRole
      .flat()
      .sort((a, b) => b.requested_at - a.requested_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .filter((r) => !seen.has(r.id) && seen.add(r.id));
    const page = rows.slice(0, q.limit);
    const items = page.map((r) =>
      this.gateView(r, { aiProposal: p(r.ai_proposal), risk: p(r.risk), description: r.description }),
    );
    const last = page[page.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodePairCursor(last.requested_at, last.id) : null,
    };
  }

  /**
   * Records one human's decision on a gate. Order of checks: existence, then authority (checked now,
   * not when the gate opened), then state. A refused decision writes nothing.
   */
  async decide(
    actor: Principal,
    approvalId: string,
    verdict: 'approved' | 'rejected',
    input: DecideInput,
  ): Promise<Record<string, unknown>> {
    const now = this.clock.now();
    const { value: result, seal } = await this.writeSealed(async (trx, touched) => {
      let gq = trx.selectFrom('approvals').selectAll().where('id', '=', approvalId);
      // Serialises deciders of one gate on PostgreSQL, so quorum counting cannot race.
      if (this.store.dialect === 'postgres') gq = gq.forUpdate();
      const gate = await gq.executeTakeFirst();
      if (!gate) throw new HumanOSError('not_found', `no approval ${approvalId}`);
      const task = await this.loadTask(trx, gate.task_id, true);
      const roles = (
        await trx.selectFrom('approval_roles').select('role').where('approval_id', '=', gate.id).execute()
      ).map((r) => r.role);
      // Authority as it stands now, not as a cached principal remembers it.
      const current = await trx
        .selectFrom('principals')
        .select(['kind', 'roles', 'disabled_at'])
        .where('id', '=', actor.id)
        .executeTakeFirst();
      if (!current || current.disabled_at !== null) {
        throw new HumanOSError('unauthorized', 'principal no longer exists or is disabled');
      }
      const currentRoles = p<string[]>(current.roles);
      const holdsRole = roles.some((r) => currentRoles.includes(r));
      // Holding one of the gate's roles makes the task visible; only others need the visibility query.
      if (!holdsRole && !(await this.canSee(trx, { ...actor, roles: currentRoles }, task))) {
        throw new HumanOSError('not_found', `no approval ${approvalId}`);
      }
      if (input.by !== undefined && input.by !== actor.id) {
        throw new HumanOSError(
          'approved_by_mismatch',
          `${verdict === 'approved' ? 'approvedBy' : 'rejectedBy'} must be the caller (${actor.id})`,
        );
      }
      if (current.kind !== 'human') throw new HumanOSError('agent_cannot_decide', 'agents never decide approvals');
      if (task.requester === actor.id || task.on_behalf_of === actor.id) {
        throw new HumanOSError('requester_cannot_decide', 'the requester of a task cannot decide its approvals');
      }
      if (!holdsRole) {
        throw new HumanOSError('role_required', `deciding this approval needs one of the roles: ${roles.join(', ')}`);
      }
      if (
        gate.status === 'expired' ||
        (gate.status === 'pending' && gate.expires_at !== null && now >= gate.expires_at)
      ) {
        throw new HumanOSError('approval_expired', `approval ${approvalId} expired at ${iso(gate.expires_at ?? now)}`);
      }
      if (gate.status === 'waiting') {
        throw new HumanOSError(
          'out_of_turn',
          `approval ${approvalId} is step ${gate.step + 1} of a chain; an earlier step is still open`,
        );
      }
      if (gate.status !== 'pending') {
        throw new HumanOSError('already_decided', `approval ${approvalId} is already ${gate.status}`, {
          status: gate.status,
        });
      }
      // One seat per person per gate, and across the steps of a chain: one person cannot fill two.
      // Execution gates (chain steps, escalations) share seats; each in-run decision or spot-check
      // gate is its own.
      const seated = await trx
        .selectFrom('decisions')
        .innerJoin('approvals', 'approvals.id', 'decisions.approval_id')
        .select(['decisions.approval_id'])
        .where('decisions.task_id', '=', task.id)
        .where('decisions.principal_id', '=', actor.id)
        .where((eb) =>
          gate.kind === 'execution'
            ? eb('approvals.kind', '=', 'execution')
            : eb('decisions.approval_id', '=', gate.id),
        )
        .executeTakeFirst();
      if (seated) {
        throw new HumanOSError(
          'already_seated',
          seated.approval_id === gate.id
            ? `${actor.id} has already decided on ${approvalId}`
            : `${actor.id} already decided an earlier step of this task; each step needs a different person`,
        );
      }
      const audit = gate.kind === 'audit';
      const review = gate.kind === 'review';
      // Spot-checks, in-run decisions and reviews are side gates: they do not follow the approval
      // path of the task (a review moves a paused task, below).
      const sideGate = audit || review || gate.kind === 'decision';
      if (audit && input.edits !== undefined)
        throw new HumanOSError('validation_failed', 'a spot-check cannot edit the payload of a task that already ran');

      const hitl = p<HumanInLoop>(task.hitl);
      const risk = p<RiskAssessment>(task.risk);
      const reason = (input.reason ?? '').trim();
      if (verdict === 'rejected' && reason === '') {
        throw new HumanOSError('validation_failed', 'rejectionReason is required');
      }
      if (
        verdict === 'approved' &&
        reason === '' &&
        (hitl.requireExplicitReason || riskRank(risk.level) >= riskRank('high'))
      ) {
        throw new HumanOSError('validation_failed', 'approvalReason is required for this task');
      }
      if (hitl.requireExplicitFeedback && !(input.feedback ?? '').trim()) {
        throw new HumanOSError('validation_failed', 'feedback is required for this task (requireExplicitFeedback)');
      }
      if (verdict === 'rejected' && input.edits !== undefined) {
        throw new HumanOSError('validation_failed', 'edits can only accompany an approval');
      }

      const proposal = p<{ payload?: unknown } | null>(gate.proposal);
      const payload = gate.kind === 'decision' ? (proposal?.payload ?? {}) : p<unknown>(task.payload);
      const approvedPayload = input.edits ? applyMergePatch(payload, input.edits) : payload;
      const digest = payloadDigest(approvedPayload);
      const record: DecisionRecord = {
        type: 'humanos.decision/v1',
        origin: this.origin,
        approvalId: gate.id,
        taskId: task.id,
        verdict,
        decidedBy: actor.id,
        decidedAt: iso(now),
        reason,
        feedback: input.feedback ?? null,
        edits: input.edits ?? null,
        payloadDigest: digest,
      };
      let assignTo: string | undefined;
      if (gate.kind === 'routing' && verdict === 'approved') {
        assignTo =
          input.assignTo ?? p<{ proposedResource: string | null }>(gate.proposal).proposedResource ?? undefined;
        if (!assignTo) throw new HumanOSError('validation_failed', 'no resource was proposed: name one with assignTo');
        const resource = await trx.selectFrom('principals').select('id').where('id', '=', assignTo).executeTakeFirst();
        if (!resource) throw new HumanOSError('validation_failed', `assignTo names no principal: ${assignTo}`);
        if (assignTo === task.requester)
          throw new HumanOSError('validation_failed', 'a task cannot be routed back to its requester');
        record.assignTo = assignTo;
      } else if (input.assignTo !== undefined) {
        throw new HumanOSError('validation_failed', 'assignTo only goes with approving a routing request');
      }
      const signature = signDecision(record, this.key);

      // Only a quorum needs to count the seats already taken; a one-person gate is decided by this.
      const approvalsSoFar =
        verdict === 'approved' && gate.required > 1
          ? (
              await trx
                .selectFrom('decisions')
                .select('principal_id')
                .where('approval_id', '=', gate.id)
                .where('verdict', '=', 'approved')
                .execute()
            ).length
          : 0;
      const gateStatus: ApprovalStatus =
        verdict === 'rejected' ? 'rejected' : approvalsSoFar + 1 >= gate.required ? 'approved' : 'pending';
      // The next step of a chain, if this decision completes a step.
      const nextStep =
        !sideGate && gateStatus === 'approved'
          ? await trx
              .selectFrom('approvals')
              .selectAll()
              .where('task_id', '=', task.id)
              .where('status', '=', 'waiting')
              .orderBy('step')
              .limit(1)
              .executeTakeFirst()
          : undefined;
      const taskStatus: TaskStatus = review
        ? gateStatus === 'approved'
          ? task.lease_id
            ? 'executing'
            : 'approved'
          : gateStatus === 'rejected'
            ? 'overridden'
            : (task.status as TaskStatus)
        : sideGate
          ? (task.status as TaskStatus)
          : gateStatus === 'approved' && !nextStep
            ? 'approved'
            : gateStatus === 'rejected'
              ? 'rejected'
              : (task.status as TaskStatus);

      if (gateStatus !== 'pending') {
        const upd = await trx
          .updateTable('approvals')
          .set({ status: gateStatus, decided_at: now })
          .where('id', '=', gate.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(upd.numUpdatedRows) !== 1)
          throw new HumanOSError('already_decided', `approval ${approvalId} was decided concurrently`);
        await setRoleStatus(trx, [gate.id], gateStatus);
      }
      const extra: NewEntry[] = [];
      if (nextStep) {
        const opened = this.openStep(nextStep, now);
        await trx
          .updateTable('approvals')
          .set({ status: 'pending', requested_at: now, expires_at: opened.expires_at, remind_at: opened.remind_at })
          .where('id', '=', nextStep.id)
          .where('status', '=', 'waiting')
          .execute();
        await syncRoles(trx, { approvalId: nextStep.id });
        extra.push(gateOpenedEntry(opened, actor.id, now));
      }
      if (gateStatus === 'rejected' && !sideGate) {
        // A reject at any step ends the chain: the steps that never opened are cancelled.
        extra.push(
          ...(await cancelGates(
            trx,
            [task.id],
            { statuses: ['waiting'] },
            { actor: actor.id, now, reason: `step ${gate.step + 1} was rejected` },
          )),
        );
      }
      if (taskStatus !== task.status) {
        if (!canTransition(task.status as TaskStatus, taskStatus)) {
          throw new HumanOSError('invalid_state', `task ${task.id} is ${task.status}`);
        }
        const upd = await trx
          .updateTable('tasks')
          .set({
            status: taskStatus,
            updated_at: now,
            ...(taskStatus === 'approved' && !review
              ? { approved_payload: j(approvedPayload), approved_digest: digest }
              : {}),
            // A reviewer who says "stop" takes the task over, as with override.
            ...(taskStatus === 'overridden' ? { overridden_by: actor.id, lease_id: null, lease_expires_at: null } : {}),
            ...(assignTo ? { assigned_to: assignTo } : {}),
          })
          .where('id', '=', task.id)
          .where('status', '=', task.status)
          .executeTakeFirst();
        if (Number(upd.numUpdatedRows) !== 1)
          throw new HumanOSError('invalid_state', `task ${task.id} changed concurrently`);
      } else if (assignTo) {
        await trx
          .updateTable('tasks')
          .set({ assigned_to: assignTo, updated_at: now })
          .where('id', '=', task.id)
          .execute();
      } else if (gate.kind === 'decision') {
        if (gateStatus === 'approved') {
          await trx
            .updateTable('approvals')
            .set({ proposal: j({ ...proposal, approvedPayload, approvedDigest: digest }) })
            .where('id', '=', gate.id)
            .execute();
        }
      } else if (input.edits) {
        // A partial quorum or an earlier chain step: later approvers see, and approve, the edited payload.
        await trx
          .updateTable('tasks')
          .set({ payload: j(approvedPayload), updated_at: now })
          .where('id', '=', task.id)
          .execute();
      }

      const appended = await this.ledger.append(trx, [
        {
          type: 'approval.decided',
          at: iso(now),
          actor: actor.id,
          taskId: task.id,
          approvalId: gate.id,
          data: { record, signature, gateStatus, taskStatus },
        },
        ...extra,
      ]);
      const ledgerIndex = appended.seqs[0] as number;
      await trx
        .insertInto('decisions')
        .values({
          approval_id: gate.id,
          task_id: task.id,
          principal_id: actor.id,
          verdict,
          reason,
          feedback: input.feedback ?? null,
          edits: input.edits ? j(input.edits) : null,
          payload_digest: digest,
          decided_at: now,
          record: canonicalJson(record),
          signature,
          ledger_index: ledgerIndex,
        })
        .execute();
      touched.add(task.id);
      return { gate, record, signature, gateStatus, taskStatus, ledgerIndex };
    });
    if (!seal) throw new Error('a decision committed without a ledger checkpoint');
    const provenance = await this.provenance(result.ledgerIndex, seal, result.signature);
    const base = {
      approvalId: approvalId,
      status: result.gateStatus,
      taskId: result.record.taskId,
      taskStatus: result.taskStatus,
    };
    return verdict === 'approved'
      ? {
          ...base,
          approvedBy: actor.id,
          approvedAt: result.record.decidedAt,
          approvalReason: result.record.reason,
          feedback: result.record.feedback,
          edits: result.record.edits,
          payloadDigest: result.record.payloadDigest,
          provenance,
        }
      : {
          ...base,
          rejectedBy: actor.id,
          rejectedAt: result.record.decidedAt,
          rejectionReason: result.record.reason,
          feedback: result.record.feedback,
          provenance,
        };
  }

  /** Signature plus an inclusion proof against a signed checkpoint that already contains the entry. */
  private async provenance(ledgerIndex: number, seal: Seal, signature: string): Promise<Record<string, unknown>> {
    const { size: treeSize, checkpoint, rootHash: rootHashB64 } = seal;
    const proof = seal.proveAppended(ledgerIndex) ?? (await this.ledger.inclusionProof(this.db, ledgerIndex, treeSize));
    return {
      approvalSignature: signature,
      ledgerProof: `0x${proof.map((h) => bytesToHex(h)).join('')}`,
      ledgerIndex,
      treeSize,
      rootHash: bytesToHex(Buffer.from(rootHashB64, 'base64'), '0x'),
      inclusionProof: proof.map((h) => bytesToHex(h, '0x')),
      checkpoint,
      signer: this.signerDid,
    };
  }

  // ---- waiting -----------------------------------------------------------------------------------

  /** Where the task's approval stands, in the shape `waitForApproval` returns. */
  async decisionState(actor: Principal, taskId: string): Promise<Record<string, unknown>> {
    const task = await this.visibleTask(actor, taskId);
    return this.decisionOf(task);
  }

  private async decisionOf(task: TaskRow): Promise<Record<string, unknown>> {
    const gates = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('task_id', '=', task.id)
      .orderBy('kind', 'desc')
      .orderBy('step')
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
    const decisions = await this.db
      .selectFrom('decisions')
      .selectAll()
      .where('task_id', '=', task.id)
      .orderBy('decided_at')
      .execute();
    const executionGateIds = new Set(gates.filter((g) => g.kind === 'execution').map((g) => g.id));
    const pendingGate = gates.find((g) => g.status === 'pending' && g.kind === 'execution');
    const ctx = {
      aiProposal: p<AiProposal>(task.ai_proposal),
      risk: p<RiskAssessment>(task.risk),
      description: task.description,
    };
    const decided = task.status !== 'awaiting_approval';
    const approved = decided && !['rejected', 'expired', 'cancelled'].includes(task.status);
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
      approvalId: (rejection ?? lastApproval)?.approval_id ?? pendingGate?.id ?? null,
      approvedBy: approved ? (lastApproval?.principal_id ?? null) : null,
      approvers: approvals.map((d) => d.principal_id),
      approvedAt: approved && lastApproval ? iso(lastApproval.decided_at) : null,
      approvalReason: approved ? (lastApproval?.reason ?? null) : null,
      rejectedBy: rejection?.principal_id ?? null,
      rejectedAt: rejection ? iso(rejection.decided_at) : null,
      rejectionReason: rejection?.reason ?? null,
      feedback: (rejection ?? lastApproval)?.feedback ?? null,
      edits: edits.length === 0 ? null : edits.reduce((a, e) => composeMergePatches(a, e) as Record<string, unknown>),
      approvedPayload: p(task.approved_payload),
      payloadDigest: task.approved_digest,
      expired: task.status === 'expired',
      cancelled: task.status === 'cancelled',
      approvalRequest: pendingGate
        ? this.gateView(
            pendingGate,
            ctx,
            decisions.filter((d) => d.approval_id === pendingGate.id),
          )
        : null,
    };
  }

  /** Long-poll: returns as soon as the task leaves `awaiting_approval`, or after `waitSeconds`. */
  async waitForDecision(
    actor: Principal,
    taskId: string,
    waitSeconds: number,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + waitSeconds * 1000;
    let state = await this.decisionState(actor, taskId);
    while (!state.decided && Date.now() < deadline && !signal?.aborted) {
      // Poll at most every second in case a wake-up hint from another replica was lost.
      await this.notifier.waitForTask(taskId, Math.min(1000, deadline - Date.now()), signal);
      state = await this.decisionState(actor, taskId);
    }
    return state;
  }

  waitForLedgerChange(ms: number, signal?: AbortSignal): Promise<void> {
    return this.notifier.waitForLedger(ms, signal);
  }

  /** Ledger entries after `afterSeq` that `actor` may see (the SSE stream's source). */
  async eventsAfter(
    actor: Principal,
    afterSeq: number,
    limit = 200,
  ): Promise<{ events: Record<string, unknown>[]; lastSeq: number }> {
    const rows = await this.db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry', 'task_id'])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    if (rows.length === 0) return { events: [], lastSeq: afterSeq };
    const admin = actor.roles.includes('admin');
    const taskIds = [...new Set(rows.map((r) => r.task_id).filter((t): t is string => t !== null))];
    const visible = new Set<string>();
    if (!admin && taskIds.length > 0) {
      // The same rule as `canSee`, for a page of tasks at once.
      const tasks = await this.db
        .selectFrom('tasks')
        .select(['id', 'requester', 'on_behalf_of', 'executor', 'assigned_to', 'required_capabilities'])
        .where('id', 'in', taskIds)
        .execute();
      const rest: string[] = [];
      for (const t of tasks) {
        if (this.seesFromRow(actor, t)) visible.add(t.id);
        else rest.push(t.id);
      }
      if (rest.length > 0 && actor.roles.length > 0) {
        const byRole = await this.db
          .selectFrom('approvals')
          .select('approvals.task_id')
          .where('approvals.task_id', 'in', rest)
          .where((eb) => this.heldByRoles(eb, actor.roles))
          .execute();
        for (const r of byRole) visible.add(r.task_id);
      }
    }
    const events = rows
      .filter((r) => admin || (r.task_id !== null && visible.has(r.task_id)))
      .map((r) => JSON.parse(r.entry) as Record<string, unknown>);
    return { events, lastSeq: Number(rows[rows.length - 1]?.seq) };
  }

  /**
   * Every ledger entry of a task, each with `verified`: its stored bytes hash to a leaf whose
   * inclusion proof leads to the latest signed checkpoint. A row changed after the fact shows false.
   */
  async taskHistory(actor: Principal, taskId: string): Promise<Record<string, unknown>> {
    await this.visibleTask(actor, taskId);
    const cp = await this.ledger.latestCheckpoint(this.db);
    const size = cp ? Number(cp.size) : 0;
    const root = cp ? new Uint8Array(Buffer.from(cp.root_hash, 'base64')) : undefined;
    const rows = await this.db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry'])
      .where('task_id', '=', taskId)
      .where('seq', '<', size)
      .orderBy('seq')
      .execute();
    const events = [];
    for (const r of rows) {
      const index = Number(r.seq);
      let verified = false;
      let e: Partial<LedgerEntry> = {};
      try {
        e = JSON.parse(r.entry) as LedgerEntry;
        const proof = await this.ledger.inclusionProof(this.db, index, size);
        verifyInclusion(index, size, entryLeafHash(r.entry), proof, root as Uint8Array);
        verified = e.seq === index;
      } catch {
        verified = false;
      }
      events.push({
        index,
        type: e.type ?? 'unreadable',
        at: e.at ?? null,
        actor: e.actor ?? null,
        approvalId: e.approvalId ?? null,
        verified,
      });
    }
    return { taskId, checkpointSize: size, checkpoint: cp?.note ?? null, events };
  }

  /**
   * An executing agent submits one in-run decision. Under `all_decisions` (and when the decision is
   * critical under `critical_only`, or below the confidence threshold) it gets its own `decision`
   * gate that the agent waits on; otherwise it is approved at once and recorded in the ledger.
   */
  async submitDecision(
    actor: Principal,
    taskId: string,
    input: {
      action: string;
      reasoning?: string | null;
      confidence?: number | null;
      alternatives?: string[];
      payload?: unknown;
    },
  ): Promise<Record<string, unknown>> {
    const now = this.clock.now();
    return this.write(async (trx, touched) => {
      const task = await this.loadTask(trx, taskId, true);
      if (!(await this.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      if (task.executor !== actor.id)
        throw new HumanOSError('forbidden', 'only the executor of this task submits its in-run decisions');
      if (task.status !== 'executing')
        throw new HumanOSError('invalid_state', `task ${taskId} is ${task.status}, not executing`, {
          status: task.status,
        });
      const hitl = p<HumanInLoop>(task.hitl);
      const client = p<{ autoEscalation?: { confidenceThreshold?: number; escalateTo?: string } } | null>(task.client);
      const payload = input.payload ?? {};
      const risk = assessRisk({
        description: input.action,
        requiredCapabilities: p<string[]>(task.required_capabilities),
        payload,
      });
      const critical = riskRank(risk.level) >= riskRank('high') || risk.factors.includes('irreversible_action');
      const threshold = client?.autoEscalation?.confidenceThreshold;
      const confidence = input.confidence ?? null;
      const reason =
        hitl.approvalRequired === 'all_decisions'
          ? 'all_decisions: every in-run decision needs approval'
          : hitl.approvalRequired === 'critical_only' && critical
            ? `critical_only: this decision is ${risk.level} risk${risk.factors.includes('irreversible_action') ? ', irreversible' : ''}`
            : threshold !== undefined && (confidence === null || confidence < threshold)
              ? `confidence ${confidence ?? 'unknown'} is below the threshold ${threshold}`
              : riskRank(risk.level) >= riskRank('high')
                ? `policy floor: ${risk.level} risk requires human approval`
                : null;
      const proposal = {
        action: input.action,
        reasoning: input.reasoning ?? null,
        confidence,
        alternatives: input.alternatives ?? [],
        payload,
      };
      touched.add(taskId);
      if (reason === null) {
        const appended = await this.ledger.append(trx, [
          {
            type: 'task.decision_auto_approved',
            at: iso(now),
            actor: actor.id,
            taskId,
            data: { ...proposal, payloadDigest: payloadDigest(payload), risk },
          },
        ]);
        return {
          taskId,
          status: 'approved',
          autoApproved: true,
          payload,
          payloadDigest: payloadDigest(payload),
          ledgerIndex: appended.seqs[0],
        };
      }
      const row = await this.openSideGate(trx, task, 'decision', now, {
        reason,
        escalateTo: client?.autoEscalation?.escalateTo,
        timeoutSec: hitl.approvalTimeout ?? null,
        escalationPolicy: hitl.escalationPolicy ?? null,
        escalationTarget: hitl.escalateTo ?? null,
        proposal,
      });
      await this.ledger.append(trx, [gateOpenedEntry(row, actor.id, now)]);
      return {
        taskId,
        status: 'pending',
        autoApproved: false,
        approvalRequest: this.gateView(row, { aiProposal: p(task.ai_proposal), risk, description: task.description }),
      };
    });
  }

  /**
   * Opens a gate beside a running task (an in-run `decision` or a low-confidence `review`) for the
   * escalation role, else the role of the task's first execution gate, else the default role.
   */
  private async openSideGate(
    trx: Transaction<Database>,
    task: TaskRow,
    kind: 'decision' | 'review',
    now: number,
    o: SideGateOptions,
  ): Promise<ApprovalRow> {
    const firstGate = await trx
      .selectFrom('approvals')
      .select('approver_role')
      .where('task_id', '=', task.id)
      .where('kind', '=', 'execution')
      .orderBy('step')
      .limit(1)
      .executeTakeFirst();
    const role =
      o.escalateTo ?? firstGate?.approver_role.split(', ')[0] ?? this.options.policy.defaultApproverRole ?? 'approver';
    const count = await trx
      .selectFrom('approvals')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('task_id', '=', task.id)
      .where('kind', '=', kind)
      .executeTakeFirst();
    const spec: GateSpec = {
      roles: [role],
      required: 1,
      reason: o.reason,
      timeoutSec: o.timeoutSec ?? null,
      escalationPolicy: o.escalationPolicy ?? null,
      escalateTo: o.escalationTarget ?? null,
    };
    const row = {
      ...this.newGateRow(task.id, kind, Number(count?.n ?? 0), spec, 'pending', now),
      proposal: o.proposal === undefined ? null : j(o.proposal),
    };
    await insertGate(trx, row, [role]);
    return row;
  }

  /** Long-poll on one gate: returns when it leaves `pending` or after `waitSeconds`. */
  async waitForApproval(
    actor: Principal,
    approvalId: string,
    waitSeconds: number,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + waitSeconds * 1000;
    let view = await this.getApproval(actor, approvalId);
    while (view.status === 'pending' && Date.now() < deadline && !signal?.aborted) {
      await this.notifier.waitForTask(view.taskId as string, Math.min(1000, deadline - Date.now()), signal);
      view = await this.getApproval(actor, approvalId);
    }
    return view;
  }
}
