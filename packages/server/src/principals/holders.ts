import type { Kysely } from 'kysely';
import { isReadOnly } from '../kernel/access.js';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

/**
 * For each of `roles`, the enabled humans holding it who may act on an approval (roles are a JSON
 * array column: a LIKE narrows, the filter decides). A read-only relay (the `integration` role) is
 * left out: it can decide nothing on any channel. Agents never decide, so they are never holders.
 *
 * @example
 * const byRole = await holdersOf(db, ['cfo', 'finance']);
 * byRole.get('cfo') // ['did:human:carol']
 */
export async function holdersOf(db: Kysely<Database>, roles: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(roles.map((r) => [r, []]));
  if (roles.length === 0) return out;
  const humans = await db
    .selectFrom('principals')
    .select(['id', 'roles'])
    .where('kind', '=', 'human')
    .where('disabled_at', 'is', null)
    .where((eb) => eb.or([...new Set(roles)].map((r) => eb('roles', 'like', `%${JSON.stringify(r)}%`))))
    .execute();
  for (const h of humans) {
    const held = p<string[]>(h.roles);
    if (isReadOnly({ id: h.id, kind: 'human', roles: held })) continue;
    for (const r of held) out.get(r)?.push(h.id);
  }
  return out;
}

/**
 * The enabled humans holding any of `roles` who may act on what they are sent (see `holdersOf`).
 *
 * @example
 * await humansHolding(db, ['approver']) // ['did:human:alice', 'did:human:bob']
 */
export async function humansHolding(db: Kysely<Database>, roles: readonly string[]): Promise<string[]> {
  return [...new Set([...(await holdersOf(db, roles)).values()].flat())];
}

/**
 * The humans who may decide a gate now: hold one of its roles, are not disabled, did not ask for
 * it (requester or the human it acts for), and have no seat on it yet (across the steps of an
 * execution chain). The decide path checks all of this again when they answer.
 */
export async function eligibleApprovers(
  db: Kysely<Database>,
  gate: ApprovalRow,
  task: TaskRow,
  roles: readonly string[],
): Promise<string[]> {
  const humans = await humansHolding(db, roles);
  // A delegate's decision fills the delegator's seat too (delegations/authority.ts, `seatHolders`).
  const seated = new Set(
    (
      await db
        .selectFrom('decisions')
        .innerJoin('approvals', 'approvals.id', 'decisions.approval_id')
        .select(['decisions.principal_id', 'decisions.on_behalf_of'])
        .where('decisions.task_id', '=', task.id)
        .where((eb) =>
          gate.kind === 'execution'
            ? eb('approvals.kind', '=', 'execution')
            : eb('decisions.approval_id', '=', gate.id),
        )
        .execute()
    ).flatMap((r) => (r.on_behalf_of ? [r.principal_id, r.on_behalf_of] : [r.principal_id])),
  );
  return humans.filter((id) => id !== task.requester && id !== task.on_behalf_of && !seated.has(id));
}
