import type { Transaction } from 'kysely';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { activeDelegationsTo, forbiddingRule, scopeCovers } from './authority.js';
import type { DelegationScope } from './schemas.js';

/** An approver who is out of office for a gate: who decides in their place, until when, their note. */
export interface Away {
  delegate: string;
  delegationId: string;
  until: string;
  message: string | null;
}

/** A plain notice a channel sends as is (Slack DM text, e-mail subject and text). */
export interface Notice {
  subject: string;
  text: string;
}

/**
 * Who among `people` is out of office for this gate now: an active out-of-office delegation of one of
 * the gate's roles, whose scope covers the task and whose rule allows delegation, to a delegate who
 * did not ask for the task. The channels send those people a notice naming the delegate instead of the
 * request, and ask the delegate (`planner.ts`).
 *
 * @example
 * const away = await outOfOffice(trx, deps, ['did:human:ann'], gate, task, ['finance'], now);
 * away.get('did:human:ann'); // { delegate: 'did:human:bob', until: '2026-…', … }
 */
export async function outOfOffice(
  trx: Transaction<Database>,
  deps: FeatureDeps,
  people: readonly string[],
  gate: ApprovalRow,
  task: TaskRow,
  roles: readonly string[],
  now: number,
): Promise<Map<string, Away>> {
  const away = new Map<string, Away>();
  if (people.length === 0 || forbiddingRule(deps.policy, task, roles)) return away;
  const rows = await trx
    .selectFrom('delegations')
    .selectAll()
    .where('delegator', 'in', [...people])
    .where('out_of_office', '=', 1)
    .where('ended_at', 'is', null)
    .where('starts_at', '<=', now)
    .where('ends_at', '>', now)
    .orderBy('created_at')
    .execute();
  for (const d of rows) {
    if (away.has(d.delegator) || d.delegate === task.requester || d.delegate === task.on_behalf_of) continue;
    if (!p<string[]>(d.roles).some((r) => roles.includes(r))) continue;
    if (!scopeCovers(p<DelegationScope>(d.scope), gate, task)) continue;
    away.set(d.delegator, { delegate: d.delegate, delegationId: d.id, until: iso(d.ends_at), message: d.message });
  }
  return away;
}

/** The auto-reply an absent approver gets in place of a request: who has it instead, and until when. */
export function awayNotice(gate: ApprovalRow, task: TaskRow, a: Away): Notice {
  const note = a.message ? `\nYour note: ${a.message}` : '';
  return {
    subject: `Out of office: "${task.description.slice(0, 80)}" went to ${a.delegate}`,
    text: `You are out of office until ${a.until}. The request ${gate.id} ("${task.description.slice(0, 200)}") was sent to ${a.delegate}, who decides it on your behalf.${note}`,
  };
}

/**
 * The message a delegate gets when a delegation's window starts: whose requests are theirs to decide
 * until when, and how many are waiting now.
 */
export async function startedNotice(
  deps: FeatureDeps,
  delegationId: string,
): Promise<{ delegate: string; notice: Notice } | undefined> {
  const d = await deps.db.selectFrom('delegations').selectAll().where('id', '=', delegationId).executeTakeFirst();
  if (!d || d.ended_at !== null) return undefined;
  const now = deps.now();
  const active = (await activeDelegationsTo(deps.db, d.delegate, now)).some((x) => x.id === d.id);
  if (!active) return undefined;
  const roles = p<string[]>(d.roles);
  const waiting = await deps.db
    .selectFrom('approval_roles')
    .select((eb) => eb.fn.count<number>('approval_id').distinct().as('n'))
    .where('role', 'in', roles)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const n = Number(waiting?.n ?? 0);
  const why = d.out_of_office === 1 ? `${d.delegator} is out of office` : `${d.delegator} delegated to you`;
  return {
    delegate: d.delegate,
    notice: {
      subject: `${why} until ${iso(d.ends_at)}`,
      text: `${why} until ${iso(d.ends_at)}: requests for ${roles.join(', ')} are yours to decide on their behalf (${n} waiting now).${d.message ? `\nTheir note: ${d.message}` : ''}`,
    },
  };
}
