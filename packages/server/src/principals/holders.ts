import type { Kysely, Transaction } from 'kysely';
import { isReadOnly } from '../kernel/access.js';
import { type ApprovalRow, j, p, type TaskRow } from '../kernel/rows.js';
import { prepared, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';

/**
 * For each of `roles`, the enabled humans holding it who may act on an approval. `principal_roles`
 * finds the candidates by index; their `roles` column (the record) decides. A read-only relay (the
 * `integration` role) is left out: it can decide nothing on any channel. Agents never decide, so
 * they are never holders.
 *
 * @example
 * const byRole = await holdersOf(db, ['cfo', 'finance']);
 * byRole.get('cfo') // ['did:human:carol']
 */
export async function holdersOf(db: Kysely<Database>, roles: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(roles.map((r) => [r, []]));
  if (roles.length === 0) return out;
  const unique = [...new Set(roles)];
  const humans =
    unique.length === 1
      ? await HOLDERS_OF_ONE.rows(db, { role: unique[0] as string })
      : await db
          .selectFrom('principals')
          .select(['id', 'roles'])
          .where('kind', '=', 'human')
          .where('disabled_at', 'is', null)
          .where('id', 'in', (eb) =>
            eb.selectFrom('principal_roles').select('principal_id').where('role', 'in', unique),
          )
          .execute();
  for (const h of humans) {
    const held = p<string[]>(h.roles);
    if (isReadOnly({ id: h.id, kind: 'human', roles: held })) continue;
    for (const r of held) out.get(r)?.push(h.id);
  }
  return out;
}

/** The usual case, a gate with one role: one statement compiled once (`store/prepared.ts`). */
const HOLDERS_OF_ONE = prepared((db, v: Slots<{ role: string }>) =>
  db
    .selectFrom('principals')
    .select(['id', 'roles'])
    .where('kind', '=', 'human')
    .where('disabled_at', 'is', null)
    .where('id', 'in', (eb) => eb.selectFrom('principal_roles').select('principal_id').where('role', '=', v.role)),
);

/**
 * Writes a principal's roles: the record (`principals.roles`) and its index (`principal_roles`), in
 * the caller's transaction. Every change of a principal's roles goes through here.
 *
 * @example await setRoles(trx, 'did:human:carol', ['cfo']);
 */
export async function setRoles(trx: Transaction<Database>, id: string, roles: readonly string[]): Promise<void> {
  await trx
    .updateTable('principals')
    .set({ roles: j(roles) })
    .where('id', '=', id)
    .execute();
  await indexRoles(trx, id, roles);
}

/**
 * The index rows of a principal's roles, replacing any; for a principal just inserted with `roles`.
 *
 * @example await indexRoles(trx, row.id, ['approver']);
 */
export async function indexRoles(trx: Transaction<Database>, id: string, roles: readonly string[]): Promise<void> {
  await trx.deleteFrom('principal_roles').where('principal_id', '=', id).execute();
  const unique = [...new Set(roles)];
  if (unique.length > 0)
    await trx
      .insertInto('principal_roles')
      .values(unique.map((role) => ({ role, principal_id: id })))
      .execute();
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
