import {
  assessRisk,
  type GateSpec,
  type HumanInLoop,
  HumanOSError,
  payloadDigest,
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

/** In-run decisions: what an executing agent asks before each step under gradual autonomy. */
export class InRunDecisions {
  constructor(private readonly deps: FeatureDeps) {}

  /**
   * An executing agent submits one in-run decision. Under `all_decisions` (and when the decision is
   * critical under `critical_only`, or below the confidence threshold) it gets its own `decision`
   * gate that the agent waits on; otherwise it is approved at once and recorded in the ledger.
   */
  async submit(
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
      const hitl = p<HumanInLoop>(task.hitl);
      const client = p<{ autoEscalation?: { confidenceThreshold?: number; escalateTo?: string } } | null>(task.client);
      const payload = input.payload ?? {};
      const risk = assessRisk({
        description: input.action,
        requiredCapabilities: p<string[]>(task.required_capabilities),
        payload,
      });
      const confidence = input.confidence ?? null;
      const reason = gateReason(hitl, client?.autoEscalation?.confidenceThreshold, risk, confidence);
      const proposal = {
        action: input.action,
        reasoning: input.reasoning ?? null,
        confidence,
        alternatives: input.alternatives ?? [],
        payload,
      };
      touched.add(taskId);
      if (reason === null) {
        const appended = await this.deps.ledger.append(trx, [
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
      const row = await openSideGate(this.deps, trx, task, 'decision', now, {
        reason,
        escalateTo: client?.autoEscalation?.escalateTo,
        timeoutSec: hitl.approvalTimeout ?? null,
        escalationPolicy: hitl.escalationPolicy ?? null,
        escalationTarget: hitl.escalateTo ?? null,
        proposal,
      });
      await this.deps.ledger.append(trx, [gateOpenedEntry(row, actor.id, now)]);
      return {
        taskId,
        status: 'pending',
        autoApproved: false,
        approvalRequest: gateView(row, { ...gateContext(task), risk }),
      };
    });
  }
}

/**
 * Opens a gate beside a running task (an in-run `decision` or a low-confidence `review`) for the
 * escalation role, else the role of the task's first execution gate, else the default role.
 */
export async function openSideGate(
  deps: Pick<FeatureDeps, 'policy'>,
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
  const role = o.escalateTo ?? firstGate?.approver_role.split(', ')[0] ?? deps.policy.defaultApproverRole ?? 'approver';
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
    ...newGateRow(task.id, kind, Number(count?.n ?? 0), spec, 'pending', now),
    proposal: o.proposal === undefined ? null : j(o.proposal),
  };
  await insertGate(trx, row, [role]);
  return row;
}

/**
 * Why an in-run decision needs a human, or null when it may go ahead: every decision under
 * `all_decisions`, a critical one under `critical_only`, low confidence against the threshold, and
 * the policy floor (high risk) always.
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
        : riskRank(risk.level) >= riskRank('high')
          ? `policy floor: ${risk.level} risk requires human approval`
          : null;
}
