import { type GateSpec, HumanOSError, payloadDigest, type RiskAssessment } from '@humanos/core';
import type { Transaction } from 'kysely';
import { gateOpenedEntry, insertGate, newGateRow } from '../approvals/gates.js';
import { maxRevisions, revisionsOf } from '../approvals/requestChanges.js';
import { payloadDiff } from '../approvals/seen.js';
import { gateView } from '../approvals/views.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso, j, p, type TaskRow } from '../kernel/rows.js';
import type { CreateTaskInput } from '../policy/input.js';
import { planTask } from '../policy/plan.js';
import type { Database } from '../store/schema.js';
import { proposalOf } from './create.js';
import type { RevisedTask } from './schemas.js';

/** What the agent resubmits: the new payload, and optionally a new proposal and risk claim. */
export interface ReviseInput {
  payload: object;
  aiProposal?: CreateTaskInput['aiProposal'];
  riskAssessment?: CreateTaskInput['riskAssessment'];
}

/**
 * The agent answers requested changes with a new version of its task (issue 26). Only the agent that
 * created the task may (`not_requester`), only while it is `changes_requested` (`invalid_state`: a
 * task awaiting approval cannot be swapped under its approvers), and at most `maxRevisions` times
 * (`revision_limit`). The revision is planned by the policy exactly as a new task would be (a larger
 * amount gets the stronger gates), so every gate is asked again: fresh gates, none of the earlier
 * version's approvals counts (`executionAuthority` supersedes them at `task.revised`). When the policy
 * would gate the new payload no more, the gate that asked for changes is asked again: a human who
 * asked to see a change sees it. The `task.revised` entry carries both digests, the new payload and
 * proposal, and the diff from the previous version.
 *
 * @example
 * await reviseTask(deps, agent, 'task:human:…', { payload: { invoice: 'INV-3', amount: 4800 } });
 */
export async function reviseTask(
  deps: FeatureDeps,
  actor: Principal,
  taskId: string,
  input: ReviseInput,
): Promise<RevisedTask> {
  const now = deps.now();
  return deps.write(async (trx, touched) => {
    const task = await deps.access.loadTask(trx, taskId, true);
    if (!(await deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
    if (task.requester !== actor.id)
      throw new HumanOSError('not_requester', 'only the agent that created a task can revise it');
    if (task.status !== 'changes_requested')
      throw new HumanOSError(
        'invalid_state',
        `task ${taskId} is ${task.status}; only a task whose approver requested changes can be revised`,
        { taskStatus: task.status },
      );
    const open = await trx
      .selectFrom('task_versions')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('revised_at', 'is', null)
      .executeTakeFirstOrThrow();
    const revisions = await revisionsOf(trx, taskId);
    if (revisions >= maxRevisions(deps))
      throw new HumanOSError('revision_limit', `task ${taskId} has been revised the most times the policy allows`);
    const r = plan(deps, task, input);
    const gates = await gatesFor(trx, task, open.approval_id, r.plan, now);
    const previous = p<unknown>(task.payload);
    const diff = payloadDiff(previous, r.payload);
    const version = open.version + 1;
    const appended = await deps.ledger.append(trx, [
      {
        type: 'task.revised',
        at: iso(now),
        actor: actor.id,
        taskId,
        data: {
          version,
          previousDigest: open.payload_digest,
          payloadDigest: r.digest,
          payload: r.payload,
          aiProposal: r.aiProposal,
          risk: r.plan.plan.risk,
          policy: r.plan.plan.policy,
          diff,
        },
      },
      ...gates.map((g) => gateOpenedEntry(g.row, actor.id, now)),
    ]);
    await writeRevision(trx, task, r, now);
    for (const g of gates) await insertGate(trx, g.row, g.roles);
    await trx
      .updateTable('task_versions')
      .set({ revised_at: now, revised_digest: r.digest, revised_seq: appended.seqs[0] as number, diff: j(diff) })
      .where('task_id', '=', taskId)
      .where('version', '=', open.version)
      .execute();
    touched.add(taskId);
    return response(task, r, gates, { version, previousDigest: open.payload_digest, diff });
  });
}

type Revision = ReturnType<typeof plan>;

/** The new version as the policy plans it: the task's request with the new payload and proposal. */
function plan(deps: FeatureDeps, task: TaskRow, input: ReviseInput) {
  const client = p<Pick<CreateTaskInput, 'autoEscalation' | 'auditFrequency'> | null>(task.client);
  const request = {
    description: task.description,
    requiredCapabilities: p<string[]>(task.required_capabilities),
    humanInLoop: p<CreateTaskInput['humanInLoop']>(task.hitl),
    payload: input.payload,
    ...(task.on_behalf_of ? { onBehalfOf: task.on_behalf_of } : {}),
    ...(client?.autoEscalation ? { autoEscalation: client.autoEscalation } : {}),
    ...(input.aiProposal ? { aiProposal: input.aiProposal } : {}),
    ...(input.riskAssessment ? { riskAssessment: input.riskAssessment } : {}),
  };
  const planned = planTask(request, deps.policy, deps.policySource);
  return {
    plan: planned,
    payload: planned.payload as Record<string, unknown>,
    digest: payloadDigest(planned.payload),
    aiProposal: proposalOf(request),
  };
}

/** The new version's execution gates: the policy's steps, else the gate that asked for changes again. */
async function gatesFor(
  trx: Transaction<Database>,
  task: TaskRow,
  askedOn: string,
  r: Revision['plan'],
  now: number,
): Promise<{ row: ApprovalRow; roles: string[] }[]> {
  let steps: GateSpec[] = r.plan.steps;
  if (steps.length === 0) {
    const asked = await trx.selectFrom('approvals').selectAll().where('id', '=', askedOn).executeTakeFirstOrThrow();
    const roles = (
      await trx.selectFrom('approval_roles').select('role').where('approval_id', '=', askedOn).execute()
    ).map((x) => x.role);
    steps = [
      {
        roles,
        required: asked.required,
        reason: 'review the revision you asked for',
        timeoutSec: asked.timeout_ms === null ? null : asked.timeout_ms / 1000,
        escalationPolicy: asked.escalation_policy as GateSpec['escalationPolicy'],
        escalateTo: asked.escalate_to,
      },
    ];
  }
  return steps.map((step, i) => ({
    row: newGateRow(task.id, 'execution', i, step, i === 0 ? 'pending' : 'waiting', now),
    roles: step.roles,
  }));
}

/** The task row takes the new version: payload (as proposed), proposal, risk and policy; awaiting approval. */
async function writeRevision(trx: Transaction<Database>, task: TaskRow, r: Revision, now: number): Promise<void> {
  const upd = await trx
    .updateTable('tasks')
    .set({
      payload: j(r.payload),
      payload_digest: r.digest,
      proposed_payload: j(r.payload),
      ai_proposal: j(r.aiProposal),
      risk: j(r.plan.plan.risk satisfies RiskAssessment),
      policy: j(r.plan.plan.policy),
      // The new version's text against its payload (what its approvers are warned of).
      warnings: j(r.plan.warnings),
      warnings_digest: r.digest,
      status: 'awaiting_approval',
      updated_at: now,
    })
    .where('id', '=', task.id)
    .where('status', '=', 'changes_requested')
    .executeTakeFirst();
  if (Number(upd.numUpdatedRows) !== 1) throw new HumanOSError('invalid_state', `task ${task.id} changed concurrently`);
}

function response(
  task: TaskRow,
  r: Revision,
  gates: { row: ApprovalRow }[],
  v: Pick<RevisedTask, 'version' | 'previousDigest' | 'diff'>,
): RevisedTask {
  const ctx = {
    aiProposal: r.aiProposal,
    risk: r.plan.plan.risk,
    description: task.description,
    digest: r.digest,
    warnings: r.plan.warnings,
  };
  const body: RevisedTask = {
    taskId: task.id,
    status: 'awaiting_approval',
    ...v,
    payloadDigest: r.digest,
    policy: r.plan.plan.policy,
  };
  const first = gates.find((g) => g.row.status === 'pending');
  if (first) body.approvalRequest = gateView(first.row, ctx);
  if (gates.length > 1) body.approvalChain = gates.map((g) => gateView(g.row, ctx));
  return body;
}
