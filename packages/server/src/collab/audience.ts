import { HumanOSError } from '@humanos/core';
import type { Kysely } from 'kysely';
import { isAdmin, isReadOnly, type Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import { eligibleApprovers } from '../principals/holders.js';
import type { Database } from '../store/schema.js';

/** The role of a lead: may assign requests they can see to an eligible approver (admins may too). */
export const LEAD_ROLE = 'approval_lead';

/** A gate, its task and its roles, if `actor` may see the task (else `not_found`, as every approval route). */
export async function visibleGate(
  deps: FeatureDeps,
  db: Kysely<Database>,
  actor: Principal,
  approvalId: string,
  lock = false,
): Promise<{ gate: ApprovalRow; task: TaskRow; roles: string[] }> {
  let q = db.selectFrom('approvals').selectAll().where('id', '=', approvalId);
  if (lock) q = deps.dialect.forUpdate(q);
  const gate = await q.executeTakeFirst();
  if (!gate) throw new HumanOSError('not_found', `no approval ${approvalId}`);
  const task = await deps.access.loadTask(db, gate.task_id);
  if (!(await deps.access.canSee(db, actor, task))) throw new HumanOSError('not_found', `no approval ${approvalId}`);
  const roles = (
    await db.selectFrom('approval_roles').select('role').where('approval_id', '=', approvalId).execute()
  ).map((r) => r.role);
  return { gate, task, roles };
}

/**
 * Of `ids`, those a comment may not mention: a mention notifies, and a notice shows the request, so
 * only a principal who may see it is mentionable — an enabled human who holds a role of one of the
 * task's gates (not the read-only relay role), the human the task acts for, its requester, or an
 * admin. Unknown ids are refused alike, so a refusal tells the author nothing they did not type.
 */
export async function unmentionable(db: Kysely<Database>, task: TaskRow, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('principals')
    .select(['id', 'kind', 'roles', 'disabled_at'])
    .where('id', 'in', ids)
    .execute();
  const gateRoles = new Set(
    (
      await db
        .selectFrom('approval_roles')
        .innerJoin('approvals', 'approvals.id', 'approval_roles.approval_id')
        .select('approval_roles.role')
        .where('approvals.task_id', '=', task.id)
        .execute()
    ).map((r) => r.role),
  );
  const ok = new Set(
    rows
      .filter((r) => {
        if (r.kind !== 'human' || r.disabled_at !== null) return false;
        const who: Principal = { id: r.id, kind: 'human', roles: p<string[]>(r.roles) };
        if (isAdmin(who) || r.id === task.on_behalf_of || r.id === task.requester) return true;
        return !isReadOnly(who) && who.roles.some((role) => gateRoles.has(role));
      })
      .map((r) => r.id),
  );
  return ids.filter((id) => !ok.has(id));
}

/** Whether `id` may decide the gate now (holds a role, enabled, not its requester, no seat yet). */
export async function mayDecide(
  db: Kysely<Database>,
  a: { gate: ApprovalRow; task: TaskRow; roles: string[] },
  id: string,
): Promise<boolean> {
  if (a.gate.status !== 'pending') return false;
  return (await eligibleApprovers(db, a.gate, a.task, a.roles)).includes(id);
}

/** A lead: a human holding `approval_lead`, or an admin. */
export function isLead(actor: Principal): boolean {
  return actor.kind === 'human' && (isAdmin(actor) || actor.roles.includes(LEAD_ROLE));
}
