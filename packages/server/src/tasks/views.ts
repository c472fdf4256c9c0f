import type { Kysely } from 'kysely';
import { type GatesAndDecisions, taskGatesAndDecisions } from '../approvals/gates.js';
import { gateContext, gateView } from '../approvals/views.js';
import { iso, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import type { TaskView } from './schemas.js';

/**
 * A task as the API shows it: its request, policy, payloads, proposal, gates with decisions, and
 * outcome. Its gates and decisions are read unless given (`read`, e.g. from `lockTaskWithGates`).
 */
export async function taskView(db: Kysely<Database>, t: TaskRow, read?: GatesAndDecisions): Promise<TaskView> {
  const { gates, decisions } = read ?? (await taskGatesAndDecisions(db, t.id));
  const ctx = gateContext(t);
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
      gateView(
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
