import type { FeatureDeps } from '../kernel/deps.js';
import type { ApprovalRow, TaskRow } from '../kernel/rows.js';
import { iso, p } from '../kernel/rows.js';
import { activeDelegationsTo, delegatorRoles, forbiddingRule, scopeCovers } from './authority.js';
import type { DelegationScope, OnBehalfOfView } from './schemas.js';

/** The task columns a delegate's inbox row carries, to judge the delegation's scope on. */
type ScopedRow = Pick<ApprovalRow, 'id' | 'kind' | 'proposal'> &
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
 *
 * @example
 * const rows = await delegatedRows(deps, 'did:human:bob', (role, people) => roleRows(role, people));
 */
export async function delegatedRows<R extends ScopedRow>(
  deps: FeatureDeps,
  delegate: string,
  fetch: (role: string, people: string[]) => Promise<R[]>,
): Promise<Marked<R>[]> {
  const now = deps.now();
  const out: Marked<R>[] = [];
  for (const d of await activeDelegationsTo(deps.db, delegate, now)) {
    const held = await delegatorRoles(deps.db, d.delegator);
    if (!held) continue;
    const scope = p<DelegationScope>(d.scope);
    const mark: OnBehalfOfView = { delegator: d.delegator, delegationId: d.id, until: iso(d.ends_at) };
    for (const role of p<string[]>(d.roles).filter((r) => held.includes(r))) {
      for (const r of await fetch(role, [delegate, d.delegator])) {
        const task = {
          risk: r.risk,
          description: r.description,
          payload: r.task_payload ?? 'null',
          required_capabilities: r.required_capabilities ?? '[]',
          policy: r.policy ?? 'null',
        };
        if (!scopeCovers(scope, r, task)) continue;
        if (forbiddingRule(deps.policy, task as TaskRow, [role])) continue;
        out.push({ ...r, delegatedFor: mark });
      }
    }
  }
  return out;
}

/** The inbox item's `onBehalfOf` member, for a row a delegate sees through a delegation. */
export function onBehalfView(r: object): { onBehalfOf?: OnBehalfOfView } {
  const m = (r as { delegatedFor?: OnBehalfOfView }).delegatedFor;
  return m ? { onBehalfOf: m } : {};
}
