import {
  type DecisionRecord,
  gateRisk,
  HumanOSError,
  type PolicyDocument,
  type RiskAssessment,
  ruleMatch,
} from '@humanos/core';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { isReadOnly } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import type { DelegationScope } from './schemas.js';
import type { DelegationRow } from './terms.js';

/** A decision's authority through a delegation: whose seat it fills, in which role, under which entry. */
export interface Delegated {
  delegationId: string;
  /** The ledger index of its `delegation.created` entry: what the signed decision cites. */
  createdSeq: number;
  delegator: string;
  role: string;
}

/** The delegations in force for `delegate` at `now` ([starts_at, ends_at), not ended). */
export async function activeDelegationsTo(
  db: Kysely<Database> | Transaction<Database>,
  delegate: string,
  now: number,
): Promise<DelegationRow[]> {
  return db
    .selectFrom('delegations')
    .selectAll()
    .where('delegate', '=', delegate)
    .where('ended_at', 'is', null)
    .where('starts_at', '<=', now)
    .where('ends_at', '>', now)
    .execute();
}

/**
 * Whether a delegation's scope covers a task's gate: the policy's action matcher (`ruleMatch`, as a
 * policy rule would match the task) and the gate's risk level. A matcher that cannot read what it
 * names does not cover (a policy rule fails closed by applying; a delegation fails closed by not).
 */
export function scopeCovers(
  scope: DelegationScope,
  gate: Pick<ApprovalRow, 'kind' | 'proposal'>,
  task: Pick<TaskRow, 'description' | 'required_capabilities' | 'payload' | 'risk'>,
): boolean {
  const risk = gateRisk({ kind: gate.kind, proposal: p(gate.proposal) }, p<RiskAssessment>(task.risk));
  if (scope.riskLevels && !scope.riskLevels.includes(risk.level)) return false;
  if (!scope.match) return true;
  const m = ruleMatch(
    { id: 'delegation-scope', match: scope.match },
    {
      description: task.description,
      requiredCapabilities: p<string[]>(task.required_capabilities),
      payload: p(task.payload),
    },
    risk,
  );
  return m.matches && m.flags.length === 0;
}

/** The roles a policy rule demands (approver role, chain steps, quorum). */
function ruleRoles(rule: PolicyDocument['rules'][number]): string[] {
  const r = rule.require;
  return [
    ...(r.approverRole ? [r.approverRole] : []),
    ...(r.approvalChain ?? []).map((s) => s.role),
    ...(r.quorum?.eligible ?? []),
  ];
}

/** A rule applied to the task that says `delegable: false` and demands one of these roles, if any. */
export function forbiddingRule(policy: PolicyDocument, task: TaskRow, roles: readonly string[]): string | undefined {
  const applied = p<{ rulesApplied?: string[] } | null>(task.policy)?.rulesApplied ?? [];
  return policy.rules.find(
    (r) => r.require.delegable === false && applied.includes(r.id) && ruleRoles(r).some((x) => roles.includes(x)),
  )?.id;
}

/**
 * The decide path's step for someone who holds none of the gate's roles: a delegation in force now,
 * from an enabled human who holds one of the roles (now, not when it was made), that delegates that
 * role, whose scope covers the task, and whose delegator did not ask for the task. Undefined when
 * there is none (the caller refuses with `role_required`); `delegation_forbidden` when there is one
 * but the policy rule behind the gate says `delegable: false`.
 */
export async function delegatedAuthority(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actorId: string,
  gateRoles: readonly string[],
  gate: ApprovalRow,
  task: TaskRow,
  now: number,
): Promise<Delegated | undefined> {
  const found = await coveringDelegation(trx, actorId, gateRoles, gate, task, now);
  if (!found) return undefined;
  const rule = forbiddingRule(deps.policy, task, gateRoles);
  if (rule) {
    throw new HumanOSError('delegation_forbidden', `policy rule ${rule} does not allow a delegate to decide this`, {
      rule,
    });
  }
  return found;
}

async function coveringDelegation(
  trx: Transaction<Database>,
  actorId: string,
  gateRoles: readonly string[],
  gate: ApprovalRow,
  task: TaskRow,
  now: number,
): Promise<Delegated | undefined> {
  for (const d of await activeDelegationsTo(trx, actorId, now)) {
    if (d.delegator === task.requester || d.delegator === task.on_behalf_of) continue;
    const held = await delegatorRoles(trx, d.delegator);
    if (!held) continue;
    const role = p<string[]>(d.roles).find((r) => gateRoles.includes(r) && held.includes(r));
    if (role === undefined || !scopeCovers(p<DelegationScope>(d.scope), gate, task)) continue;
    return { delegationId: d.id, createdSeq: Number(d.created_seq), delegator: d.delegator, role };
  }
  return undefined;
}

/**
 * The roles a delegator holds now, if they can still lend them: an enabled human, not a read-only
 * relay (authority is checked when the delegate acts, not when the delegation was made).
 */
export async function delegatorRoles(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
): Promise<string[] | undefined> {
  const d = await db
    .selectFrom('principals')
    .select(['kind', 'roles', 'disabled_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (d?.kind !== 'human' || d.disabled_at !== null) return undefined;
  const held = p<string[]>(d.roles);
  return isReadOnly({ id, kind: 'human', roles: held }) ? undefined : held;
}

/** What a delegate's signed decision record adds: who it was for, in which role, under which entry. */
export function onBehalfFields(d: Delegated | undefined): Pick<DecisionRecord, 'onBehalfOf' | 'delegation' | 'role'> {
  return d ? { onBehalfOf: d.delegator, delegation: d.createdSeq, role: d.role } : {};
}

/**
 * The seat rule with delegations: a decision fills its maker's seat and, on behalf, the delegator's;
 * so an earlier decision by or for either of them holds the seat. `people`: the maker, and the
 * delegator when the decision is on behalf.
 */
export function seatHolders(people: readonly string[]) {
  return (eb: ExpressionBuilder<Database, 'decisions'>) =>
    eb.or([eb('decisions.principal_id', 'in', people), eb('decisions.on_behalf_of', 'in', people)]);
}
