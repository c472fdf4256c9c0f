import {
  assessTask,
  type GateSpec,
  gateRisk,
  type HumanInLoop,
  HumanOSError,
  payloadDigest,
  planGates,
  type RiskAssessment,
  riskRank,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import { gateOpenedEntry, insertGate, newGateRow, type SideGateOptions } from '../approvals/gates.js';
import { gateContext, gateView } from '../approvals/views.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso, j, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { recordConfidence } from './feedback.js';
import type { InRunDecisionResult } from './schemas.js';

/** An in-run decision as the agent submits it. */
export interface InRunDecisionInput {
  action: string;
  reasoning?: string | null;
  confidence?: number | null;
  alternatives?: string[];
  payload?: unknown;
}

type ClientSettings = { autoEscalation?: { confidenceThreshold?: number; escalateTo?: string } } | null;

/**
 * In-run decisions: what an executing agent asks before each step under gradual autonomy. A decision
 * goes through the same policy planning as a task's creation (its action and payload against the
 * policy's rules and the risk floor), so `enabled: false` or an agent-chosen role never weakens what
 * the policy requires; a policy chain becomes the decision's steps.
 */
export class InRunDecisions {
  constructor(private readonly deps: FeatureDeps) {}

  /**
   * Submits one in-run decision of an executing task: approved at once and recorded when neither the
   * agent's autonomy settings nor the policy want a human; otherwise it opens `decision` gates (one
   * per step, in a group) and answers `pending` with the first step and, for several, all of them.
   *
   * @example
   * await decisions.submit(agent, taskId, { action: 'wire funds to vendor', payload: { amount: 50000 } });
   */
  async submit(actor: Principal, taskId: string, input: InRunDecisionInput): Promise<InRunDecisionResult> {
    const now = this.deps.now();
    return this.deps.write(async (trx, touched) => {
      const task = await this.deps.access.loadTask(trx, taskId, true);
      if (!(await this.deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      if (task.executor !== actor.id)
        throw new HumanOSError('forbidden', 'only the executor of this task submits its in-run decisions');
      if (task.status !== 'executing')
        throw new HumanOSError('invalid_state', `task ${taskId} is ${task.status}, not executing`, {
          taskStatus: task.status,
        });
      const plan = await this.plan(trx, task, input);
      if (typeof input.confidence === 'number') {
        const c = { taskId, principal: actor.id, stage: 'decision' as const, confidence: input.confidence, now };
        await recordConfidence(trx, c);
        await trx.updateTable('tasks').set({ last_confidence: input.confidence }).where('id', '=', taskId).execute();
      }
      const payload = input.payload ?? {};
      const proposal = {
        action: input.action,
        reasoning: input.reasoning ?? null,
        confidence: input.confidence ?? null,
        alternatives: input.alternatives ?? [],
        payload,
      };
      touched.add(taskId);
      if (plan.steps.length === 0) {
        const appended = await this.deps.ledger.append(trx, [
          {
            type: 'task.decision_auto_approved',
            at: iso(now),
            actor: actor.id,
            taskId,
            data: { ...proposal, payloadDigest: payloadDigest(payload), risk: plan.risk, policy: plan.policy },
          },
        ]);
        const digest = payloadDigest(payload);
        const ledgerIndex = appended.seqs[0];
        if (ledgerIndex === undefined) throw new Error('an appended entry without a ledger index');
        return {
          taskId,
          status: 'approved',
          autoApproved: true,
          payload,
          payloadDigest: digest,
          ledgerIndex,
          policy: plan.policy,
        };
      }
      // The gates decide this action and payload: they carry its risk (at least the task's), which
      // every channel's rules (reasons, one-click links, dialogs, bulk approval) read via `gateRisk`.
      const risk = gateRisk({ kind: 'decision', proposal: { risk: plan.risk } }, p<RiskAssessment>(task.risk));
      const gates = await this.openSteps(trx, task, plan.steps, { ...proposal, risk }, now);
      await this.deps.ledger.append(
        trx,
        gates.map((g) => gateOpenedEntry(g, actor.id, now)),
      );
      const ctx = gateContext(task);
      const [first] = gates;
      if (!first) throw new Error('a pending in-run decision without a gate');
      return {
        taskId,
        status: 'pending',
        autoApproved: false,
        decisionId: first.id,
        approvalRequest: gateView(first, ctx),
        ...(gates.length > 1 ? { approvalChain: gates.map((g) => gateView(g, ctx)) } : {}),
        policy: plan.policy,
      };
    });
  }

  /** The agent's own wish (its autonomy settings) plus what the policy demands of this decision. */
  private async plan(trx: Transaction<Database>, task: TaskRow, input: InRunDecisionInput) {
    const hitl = p<HumanInLoop>(task.hitl);
    const client = p<ClientSettings>(task.client);
    const payload = input.payload ?? {};
    const requiredCapabilities = p<string[]>(task.required_capabilities);
    const facts = { description: input.action, requiredCapabilities, payload };
    // One level up where the action or reasoning disagrees with the payload, as for a task.
    const assessed = assessTask(
      { ...facts, text: { reasoning: input.reasoning ?? null } },
      undefined,
      this.deps.policy.risk,
    ).risk;
    const confidence = input.confidence ?? null;
    const wanted = gateReason(hitl, client?.autoEscalation?.confidenceThreshold, assessed, confidence);
    const role =
      client?.autoEscalation?.escalateTo ??
      (await firstGateRole(trx, task.id)) ??
      this.deps.policy.defaultApproverRole ??
      'approver';
    const asked = wanted
      ? {
          humanInLoop: {
            approverRole: role,
            approvalTimeout: hitl.approvalTimeout,
            escalationPolicy: hitl.escalationPolicy,
            escalateTo: hitl.escalateTo,
          },
        }
      : { humanInLoop: { enabled: false } };
    const plan = planGates(asked, { ...facts, confidence }, assessed, this.deps.policy, this.deps.policySource);
    for (const s of plan.steps) if (s.origin === 'client') s.reason = wanted;
    return plan;
  }

  /** One `decision` gate per step, in a group named by the first: the first open, the rest waiting. */
  private async openSteps(
    trx: Transaction<Database>,
    task: TaskRow,
    steps: GateSpec[],
    proposal: Record<string, unknown>,
    now: number,
  ): Promise<ApprovalRow[]> {
    const gates: ApprovalRow[] = [];
    for (const [i, step] of steps.entries()) {
      const row = newGateRow(task.id, 'decision', i, step, i === 0 ? 'pending' : 'waiting', now);
      row.proposal = j(proposal);
      row.group_id = gates[0]?.id ?? row.id;
      await insertGate(trx, row, step.roles);
      gates.push(row);
    }
    return gates;
  }
}

/** The role of the task's first execution gate, which an in-run decision goes to by default. */
async function firstGateRole(trx: Transaction<Database>, taskId: string): Promise<string | undefined> {
  const g = await trx
    .selectFrom('approvals')
    .select('approver_role')
    .where('task_id', '=', taskId)
    .where('kind', '=', 'execution')
    .orderBy('step')
    .limit(1)
    .executeTakeFirst();
  return g?.approver_role.split(', ')[0];
}

/**
 * Opens a `review` gate beside a running task (confidence dropped) for the escalation role, else the
 * role of the task's first execution gate, else the default role.
 */
export async function openReviewGate(
  deps: Pick<FeatureDeps, 'policy'>,
  trx: Transaction<Database>,
  task: TaskRow,
  now: number,
  o: SideGateOptions,
): Promise<ApprovalRow> {
  const role = o.escalateTo ?? (await firstGateRole(trx, task.id)) ?? deps.policy.defaultApproverRole ?? 'approver';
  const count = await trx
    .selectFrom('approvals')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('task_id', '=', task.id)
    .where('kind', '=', 'review')
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
    ...newGateRow(task.id, 'review', Number(count?.n ?? 0), spec, 'pending', now),
    proposal: o.proposal === undefined ? null : j(o.proposal),
  };
  await insertGate(trx, row, [role]);
  return row;
}

/**
 * Why the agent's own autonomy settings want a human for an in-run decision, or null: every decision
 * under `all_decisions`, a critical one under `critical_only`, low confidence against the threshold.
 * (The policy and the risk floor come on top, in `planGates`.)
 */
function gateReason(
  hitl: HumanInLoop,
  threshold: number | undefined,
  risk: RiskAssessment,
  confidence: number | null,
): string | null {
  const critical = riskRank(risk.level) >= riskRank('high') || risk.factors.includes('irreversible_action');
  return hitl.approvalRequired === 'all_decisions'
    ? 'all_decisions: every in-run decision needs approval'
    : hitl.approvalRequired === 'critical_only' && critical
      ? `critical_only: this decision is ${risk.level} risk${risk.factors.includes('irreversible_action') ? ', irreversible' : ''}`
      : threshold !== undefined && (confidence === null || confidence < threshold)
        ? `confidence ${confidence ?? 'unknown'} is below the threshold ${threshold}`
        : null;
}
