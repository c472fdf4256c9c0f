import {
  type AiProposal,
  type ApprovalWarning,
  capabilityKey,
  type GateSpec,
  HumanOSError,
  inAuditSample,
  newTaskId,
  payloadDigest,
  type TaskStatus,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import { gateOpenedEntry, insertGate, newGateRow } from '../approvals/gates.js';
import { rankResources } from '../approvals/routing.js';
import { gateView } from '../approvals/views.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { remember, replay, requestHash, type StoredResponse } from '../kernel/idempotency.js';
import type { NewEntry } from '../kernel/ledger.js';
import { type ApprovalRow, iso, j } from '../kernel/rows.js';
import type { CreateTaskInput, PlannedTaskInput } from '../policy/input.js';
import { planTask, withDefaults } from '../policy/plan.js';
import { plannedGates, undecidableGates } from '../policy/undecidable.js';
import { requireOnBehalfOfConsent } from '../principals/consents.js';
import { allColumns, preparedInsert } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import type { CreatedTask } from './schemas.js';

/** A task as planned before it is written: its id, policy outcome, proposal and first status. */
interface Planned {
  taskId: string;
  input: PlannedTaskInput;
  plan: ReturnType<typeof planTask>;
  aiProposal: AiProposal;
  status: TaskStatus;
  gated: boolean;
  digest: string;
  now: number;
}

interface GateToOpen {
  row: ApprovalRow;
  roles: string[];
}

/**
 * What a server-made task adds (an attention check, `attention/`): members of its signed creation
 * entry, and more writes in the transaction that creates it.
 */
export interface CreateExtras {
  entryData?: Record<string, unknown>;
  within?: (trx: Transaction<Database>, taskId: string, gates: ApprovalRow[]) => Promise<void>;
}

/**
 * Creates a task: plans its gates from the policy and the request, writes the task, its gates and
 * their ledger entries in one transaction. With an idempotency key, a retry with the same body gets
 * the first response back, and the same key with another body is refused.
 *
 * @example
 * const { statusCode, body } = await createTask(deps, agent, { description: 'Wire $50', payload: { amount: 50 } });
 */
export async function createTask(
  deps: FeatureDeps,
  actor: Principal,
  input: CreateTaskInput,
  idempotencyKey?: string,
  extras: CreateExtras = {},
): Promise<StoredResponse> {
  const hash = idempotencyKey ? requestHash(input) : '';
  if (idempotencyKey) {
    const earlier = await replay(deps.db, actor.id, idempotencyKey, hash);
    if (earlier) return earlier;
  }
  const planned = prepare(deps, withDefaults(input));
  try {
    return await deps.write(async (trx, touched) => {
      // Who a task acts for is excluded from deciding it: only a human who consented may be named.
      if (input.onBehalfOf) await requireOnBehalfOfConsent(deps, trx, actor, input.onBehalfOf, planned.now);
      touched.add(planned.taskId);
      const gates = await gatesFor(trx, deps, actor, planned);
      // The agent's text against the payload (recorded on every gate: what its approvers were shown),
      // and the gates no enabled human can decide (for the requester).
      const textWarnings = planned.plan.warnings;
      const warnings = [...textWarnings, ...(await warningsOf(trx, actor, planned, gates))];
      const created = createdEntry(actor, planned, warnings);
      const entries: NewEntry[] = [
        { ...created, data: { ...created.data, ...extras.entryData } },
        ...gates.map((g) => {
          const e = gateOpenedEntry(g.row, actor.id, planned.now);
          return { ...e, data: { ...e.data, warnings: textWarnings } };
        }),
      ];
      const appended = await deps.ledger.append(trx, entries);
      await insertTask(trx, actor, planned, appended.seqs[0] as number);
      for (const g of gates) await insertGate(trx, g.row, g.roles);
      await extras.within?.(
        trx,
        planned.taskId,
        gates.map((g) => g.row),
      );
      const response = { statusCode: 201, body: responseBody(planned, gates, warnings) };
      if (idempotencyKey) await remember(trx, actor.id, idempotencyKey, hash, response, planned.now);
      return response;
    });
  } catch (e) {
    // Two retries of one call racing: the loser's insert hits the key's primary key. Replay.
    const earlier = idempotencyKey ? await replay(deps.db, actor.id, idempotencyKey, hash) : undefined;
    if (earlier) return earlier;
    throw e;
  }
}

/**
 * The proposal as stored and shown: the seed's shape, with the alternatives' payloads when the agent
 * sent them (one per alternative, null for a text-only one).
 *
 * @example
 * proposalOf({ description: 'Delete backup', aiProposal: { alternatives: ['Archive'], alternativePayloads: [{ archive: true }] } });
 */
export function proposalOf(input: Pick<PlannedTaskInput, 'description' | 'aiProposal'>): AiProposal {
  const alternatives = input.aiProposal?.alternatives ?? [];
  const payloads = input.aiProposal?.alternativePayloads;
  if (payloads !== undefined && payloads.length !== alternatives.length) {
    throw new HumanOSError(
      'validation_failed',
      `aiProposal.alternativePayloads has ${payloads.length} entries for ${alternatives.length} alternatives: give one per alternative (null for a text-only one)`,
    );
  }
  return {
    action: input.aiProposal?.action ?? input.description,
    reasoning: input.aiProposal?.reasoning ?? null,
    confidence: input.aiProposal?.confidence ?? null,
    alternatives,
    ...(payloads !== undefined ? { alternativePayloads: payloads as (Record<string, unknown> | null)[] } : {}),
  };
}

function prepare(deps: FeatureDeps, input: PlannedTaskInput): Planned {
  const plan = planTask(input, deps.policy, deps.policySource);
  const gated = plan.plan.steps.length > 0 || input.routing !== undefined;
  return {
    taskId: newTaskId(),
    input,
    plan,
    aiProposal: proposalOf(input),
    status: gated ? 'awaiting_approval' : 'approved',
    gated,
    digest: payloadDigest(plan.payload),
    now: deps.now(),
  };
}

/**
 * What the requester should know now: the gates no enabled human other than the requester (and
 * whom the task acts for) can decide (`gate_undecidable`), in the create response and the event.
 */
async function warningsOf(
  trx: Transaction<Database>,
  actor: Principal,
  t: Planned,
  gates: GateToOpen[],
): Promise<ApprovalWarning[]> {
  const routing = gates.find((g) => g.row.kind === 'routing');
  const audit = gates.find((g) => g.row.kind === 'audit');
  const needs = plannedGates(t.plan.plan.steps, routing?.roles[0] ?? null, audit?.roles[0] ?? null);
  return undecidableGates(trx, needs, new Set([actor.id, ...(t.input.onBehalfOf ? [t.input.onBehalfOf] : [])]));
}

function createdEntry(actor: Principal, t: Planned, warnings: ApprovalWarning[]): NewEntry {
  return {
    type: 'task.created',
    at: iso(t.now),
    actor: actor.id,
    taskId: t.taskId,
    data: {
      description: t.input.description,
      requiredCapabilities: t.plan.requiredCapabilities,
      onBehalfOf: t.input.onBehalfOf ?? null,
      payloadDigest: t.digest,
      payload: t.plan.payload,
      humanInLoop: t.plan.hitl,
      risk: t.plan.plan.risk,
      aiProposal: t.aiProposal,
      policy: t.plan.plan.policy,
      status: t.status,
      warnings,
    },
  };
}

/** The gates a new task opens: routing first (if asked), then the execution steps, then a spot-check. */
async function gatesFor(
  trx: Transaction<Database>,
  deps: FeatureDeps,
  actor: Principal,
  t: Planned,
): Promise<GateToOpen[]> {
  const { input, plan, taskId, now } = t;
  const hitl = plan.hitl;
  const gates: GateToOpen[] = [];
  if (input.routing) {
    // Routing comes first: a human picks the resource, then the execution gates open.
    const ranked = await rankResources(trx, plan.requiredCapabilities, [actor.id, input.onBehalfOf ?? null]);
    const role = input.routing.approverRole ?? hitl.approverRole ?? deps.policy.defaultApproverRole ?? 'approver';
    const spec: GateSpec = {
      roles: [role],
      required: 1,
      reason: 'which resource gets this task',
      timeoutSec: hitl.approvalTimeout ?? null,
      escalationPolicy: hitl.escalationPolicy ?? null,
      escalateTo: hitl.escalateTo ?? null,
    };
    const row = newGateRow(taskId, 'routing', 0, spec, 'pending', now);
    row.proposal = j({ proposedResource: ranked[0]?.id ?? null, ranking: ranked.slice(0, 10) });
    gates.push({ row, roles: [role] });
  }
  gates.push(
    ...plan.plan.steps.map((step, i) => ({
      row: newGateRow(taskId, 'execution', i, step, i === 0 && !input.routing ? 'pending' : 'waiting', now),
      roles: step.roles,
    })),
  );
  if (plan.plan.audit && inAuditSample(taskId, input.auditFrequency ?? 'always')) {
    const auditor = deps.access.auditorRole;
    const spec: GateSpec = {
      roles: [auditor],
      required: 1,
      reason: `spot-check (auditFrequency: ${input.auditFrequency})`,
      timeoutSec: null,
      escalationPolicy: null,
      escalateTo: null,
    };
    gates.push({ row: newGateRow(taskId, 'audit', 0, spec, 'pending', now), roles: [auditor] });
  }
  return gates;
}

async function insertTask(trx: Transaction<Database>, actor: Principal, t: Planned, createdSeq: number) {
  const { input, plan, now } = t;
  await INSERT_TASK.later(trx, [
    {
      id: t.taskId,
      requester: actor.id,
      on_behalf_of: input.onBehalfOf ?? null,
      description: input.description,
      required_capabilities: j(plan.requiredCapabilities),
      payload: j(plan.payload),
      payload_digest: t.digest,
      cap_key: capabilityKey(plan.requiredCapabilities),
      // Unattended runs a periodic audit review will cover (`always` is a per-task spot-check instead).
      audit_frequency: plan.plan.audit && input.auditFrequency !== 'always' ? (input.auditFrequency ?? null) : null,
      audit_review_id: null,
      proposed_payload: j(plan.payload),
      approved_payload: t.gated ? null : j(plan.payload),
      approved_digest: t.gated ? null : t.digest,
      hitl: j(plan.hitl),
      client: j({ autoEscalation: input.autoEscalation ?? null, auditFrequency: input.auditFrequency ?? null }),
      policy: j(plan.plan.policy),
      risk: j(plan.plan.risk),
      ai_proposal: j(t.aiProposal),
      status: t.status,
      execution_id: null,
      executor: null,
      result: null,
      error: null,
      created_at: now,
      updated_at: now,
      created_seq: createdSeq,
      lease_id: null,
      lease_expires_at: null,
      attempt: 0,
      last_confidence: null,
      overridden_by: null,
      warnings: j(plan.warnings),
      warnings_digest: t.digest,
      assigned_to: null,
    },
  ]);
}

const INSERT_TASK = preparedInsert(
  'tasks',
  allColumns<'tasks'>({
    id: 1,
    requester: 1,
    on_behalf_of: 1,
    description: 1,
    required_capabilities: 1,
    payload: 1,
    proposed_payload: 1,
    approved_payload: 1,
    approved_digest: 1,
    hitl: 1,
    client: 1,
    policy: 1,
    risk: 1,
    ai_proposal: 1,
    status: 1,
    execution_id: 1,
    executor: 1,
    result: 1,
    error: 1,
    created_at: 1,
    updated_at: 1,
    created_seq: 1,
    lease_id: 1,
    lease_expires_at: 1,
    attempt: 1,
    last_confidence: 1,
    overridden_by: 1,
    assigned_to: 1,
    payload_digest: 1,
    cap_key: 1,
    audit_frequency: 1,
    audit_review_id: 1,
    warnings: 1,
    warnings_digest: 1,
  }),
);

/** The 201 body: status and policy, the first open gate, and the whole chain when there are several. */
function responseBody(t: Planned, gates: GateToOpen[], warnings: ApprovalWarning[]): CreatedTask {
  const ctx = {
    aiProposal: t.aiProposal,
    risk: t.plan.plan.risk,
    description: t.input.description,
    digest: t.digest,
    warnings: t.plan.warnings,
  };
  const body: CreatedTask = { taskId: t.taskId, status: t.status, policy: t.plan.plan.policy, warnings };
  const first = gates.find((g) => g.row.status === 'pending' && g.row.kind !== 'audit');
  if (first) body.approvalRequest = gateView(first.row, ctx);
  if (gates.length > 1 && first) {
    body.approvalChain = gates.filter((g) => g.row.kind !== 'audit').map((g) => gateView(g.row, ctx));
  }
  return body;
}
