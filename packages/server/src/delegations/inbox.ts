import type { FeatureDeps } from '../kernel/deps.js';
import type { ApprovalRow, TaskRow } from '../kernel/rows.js';
import { iso, p } from '../kernel/rows.js';
import { activeDelegationsTo, delegatorRoles, forbiddingRule, scopeCovers } from './authority.js';
import type { DelegationScope, OnBehalfOfView } from './schemas.js';

/** The task columns a delegate's inbox row carries, to judge the delegation's scope on. */
type ScopedRow = Pick<ApprovalRow, 'id' | 'kind' | 'proposal' | 'requested_at'> &
  Pick<TaskRow, 'risk' | 'description'> & {
    task_payload?: string;
    required_capabilities?: string;
    policy?: string;
  };

/** An inbox row a delegate sees through a delegation. */
type Marked<R> = R & { delegatedFor: OnBehalfOfView };

/**
 * The delegate's part of the inbox: for each delegation in force, the gates of each delegated role the
 * delegator still holds (fetched by the inbox's own per-role query, leaving out the tasks either of
 * them asked for and gates either sat on), within the delegation's scope and not forbidden by a
 * `delegable: false` rule, each marked with whom it is decided for. These rows are why pending
 * requests "move" to the delegate when the window starts and back when it ends: the window decides.
 * The scope filters after the query, so a role's walk goes on (`fetch` from the last row seen) until
 * more than `limit` rows are kept or the walk ends: a page is never cut short by rows out of scope.
 *
 * @example
 * const rows = await delegatedRows(deps, 'did:human:bob', 50, (role, people, from) => roleRows(role, people, from));
 */
export async function delegatedRows<R extends ScopedRow>(
  deps: FeatureDeps,
  delegate: string,
  limit: number,
  fetch: (role: string, people: string[], from?: [number, string]) => Promise<R[]>,
): Promise<Marked<R>[]> {
  const now = deps.now();
  const out: Marked<R>[] = [];
  for (const d of await activeDelegationsTo(deps.db, delegate, now)) {
    const held = await delegatorRoles(deps.db, d.delegator);
    if (!held) continue;
    const scope = p<DelegationScope>(d.scope);
    const mark: OnBehalfOfView = { delegator: d.delegator, delegationId: d.id, until: iso(d.ends_at) };
    for (const role of p<string[]>(d.roles).filter((r) => held.includes(r))) {
      let from: [number, string] | undefined;
      let kept = 0;
      for (;;) {
        const rows = await fetch(role, [delegate, d.delegator], from);
        for (const r of rows) {
          if (!covered(deps, scope, r, role)) continue;
          out.push({ ...r, delegatedFor: mark });
          kept++;
        }
        const last = rows[rows.length - 1];
        // The walk returns `limit + 1` rows while there are more.
        if (kept > limit || rows.length <= limit || !last) break;
        from = [last.requested_at, last.id];
      }
    }
  }
  return out;
}

/** Whether a delegation's scope covers a gate of `role`, and no `delegable: false` rule forbids it. */
function covered(deps: FeatureDeps, scope: DelegationScope, r: ScopedRow, role: string): boolean {
  const task = {
    risk: r.risk,
    description: r.description,
    payload: r.task_payload ?? 'null',
    required_capabilities: r.required_capabilities ?? '[]',
    policy: r.policy ?? 'null',
  };
  return scopeCovers(scope, r, task) && !forbiddingRule(deps.policy, task as TaskRow, [role]);
}

/** The inbox item's `onBehalfOf` member, for a row a delegate sees through a delegation. */
export function onBehalfView(r: object): { onBehalfOf?: OnBehalfOfView } {
  const m = (r as { delegatedFor?: OnBehalfOfView }).delegatedFor;
  return m ? { onBehalfOf: m } : {};
}
