import type { SelectQueryBuilder } from 'kysely';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { eligibleApprovers } from '../principals/holders.js';
import type { Database } from '../store/schema.js';
import type { GateView } from './schemas.js';
import { gateContext, gateView } from './views.js';

/** The inbox walk leaves out the caller's assigned gates: `assignedFirst` puts them on top of page one. */
export function notAssignedTo<O>(
  query: SelectQueryBuilder<Database, 'approval_roles' | 'approvals' | 'tasks', O>,
  actor: Principal,
) {
  return query.where((eb) => eb.or([eb('approvals.assignee', 'is', null), eb('approvals.assignee', '!=', actor.id)]));
}

/**
 * The open gates a lead assigned to the caller that the caller may still decide (a role of the gate,
 * not its requester, no seat yet), newest first: the head of the first page of the pending inbox.
 *
 * @example
 * const items = [...(await assignedFirst(deps, actor)), ...walked];
 */
export async function assignedFirst(deps: FeatureDeps, actor: Principal, limit = 50): Promise<GateView[]> {
  const rows = await deps.db
    .selectFrom('approvals')
    .innerJoin('tasks', 'tasks.id', 'approvals.task_id')
    .selectAll('approvals')
    .where('approvals.assignee', '=', actor.id)
    .where('approvals.status', '=', 'pending')
    .orderBy('approvals.assigned_at', 'desc')
    .limit(limit)
    .execute();
  const now = deps.now();
  const out: GateView[] = [];
  for (const r of rows) {
    const task = await deps.access.loadTask(deps.db, r.task_id);
    const roles = (
      await deps.db.selectFrom('approval_roles').select('role').where('approval_id', '=', r.id).execute()
    ).map((x) => x.role);
    if (!roles.some((role) => actor.roles.includes(role))) continue;
    if (!(await eligibleApprovers(deps.db, r, task, roles)).includes(actor.id)) continue;
    // As the inbox walk shows a gate: the task's text and digest, not its payload.
    const legacy_payload = task.payload_digest === null ? task.payload : null;
    out.push(gateView(r, { ...gateContext({ ...task, payload: undefined, legacy_payload }), now }));
  }
  return out;
}
