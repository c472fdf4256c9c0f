import { HumanOSError } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso } from '../kernel/rows.js';
import { allColumns, preparedInsert } from '../store/prepared.js';
import type { Database } from '../store/schema.js';

/** Where a person had a request in front of them, or decided it. */
export type ReviewChannel = 'api' | 'web' | 'slack' | 'email';

/** The channel of a REST caller: a sign-in session is the console, a token is the API. */
export function restChannel(actor: Principal): 'api' | 'web' {
  return actor.auth?.method === 'session' ? 'web' : 'api';
}

/**
 * Records that `actor` opened a pending request (a GET of the approval, the e-mail confirmation
 * page): the first time only, never moved. Only humans are recorded (agents never decide). A read
 * first, so a page that polls writes once.
 *
 * @example
 * await recordOpen(deps, gate, actor, 'web');
 */
export async function recordOpen(
  deps: FeatureDeps,
  gate: Pick<ApprovalRow, 'id' | 'status'>,
  actor: Pick<Principal, 'id' | 'kind'>,
  channel: ReviewChannel,
): Promise<void> {
  if (actor.kind !== 'human' || gate.status !== 'pending') return;
  const seen = await deps.db
    .selectFrom('approval_opens')
    .select('opened_at')
    .where('approval_id', '=', gate.id)
    .where('principal_id', '=', actor.id)
    .executeTakeFirst();
  if (seen) return;
  const now = deps.now();
  await deps.write(async (trx) => {
    await RECORD_OPEN(trx, [{ approval_id: gate.id, principal_id: actor.id, channel, opened_at: now }]);
  });
}

/**
 * When `principal` first had the request in front of them, as far as the server can tell: their
 * first open of it on any channel (console, API, the e-mail confirmation page); else, for a decision
 * made in Slack or by e-mail, when that channel delivered the request to them (a Slack message in
 * their DM or in a role channel; their e-mail) — the server cannot see a message being read, so it
 * counts from its delivery. Undefined: they never had it (a bare API decision without a GET).
 *
 * @example
 * await reviewStart(trx, gate.id, 'did:human:ann', 'slack') // 1767000000000
 */
export async function reviewStart(
  db: Kysely<Database> | Transaction<Database>,
  approvalId: string,
  principal: string,
  channel: ReviewChannel,
): Promise<{ at: number; how: string } | undefined> {
  const open = await db
    .selectFrom('approval_opens')
    .select(['opened_at', 'channel'])
    .where('approval_id', '=', approvalId)
    .where('principal_id', '=', principal)
    .executeTakeFirst();
  if (open) return { at: Number(open.opened_at), how: `opened (${open.channel})` };
  if (channel !== 'slack' && channel !== 'email') return undefined;
  const delivered = await db
    .selectFrom('channel_messages')
    .select((eb) => eb.fn.min('created_at').as('at'))
    .where('approval_id', '=', approvalId)
    .where('channel', '=', channel)
    .where((eb) =>
      channel === 'slack'
        ? eb.or([eb('principal_id', '=', principal), eb('principal_id', 'is', null)])
        : eb('principal_id', '=', principal),
    )
    .executeTakeFirst();
  const at = delivered?.at;
  return at === null || at === undefined ? undefined : { at: Number(at), how: `delivered (${channel})` };
}

/**
 * The policy's `minReviewSeconds` (carried by the gate): a decision earlier than that after the
 * approver first had the request (`reviewStart`) is refused with `review_too_fast`, saying how many
 * seconds are left; nothing is written. Run inside the decision's transaction. A decision that
 * passes records its start (the first open, else the delivery it counted from, else the decision
 * itself) so the approver metrics measure every decision from the same moment.
 *
 * @example
 * await checkReviewTime(trx, actor, gate, 'web', now);
 */
export async function checkReviewTime(
  trx: Transaction<Database>,
  actor: Principal,
  gate: ApprovalRow,
  channel: ReviewChannel,
  now: number,
): Promise<void> {
  const min = gate.min_review_seconds;
  const timed = min !== null && min > 0;
  // No review time to check and no delivery to count from: recording a blind decision's start is the
  // only thing left, and `on conflict do nothing` keeps an open already recorded — one statement.
  if (!timed && channel !== 'slack' && channel !== 'email') return recordStart(trx, actor, gate, channel, now);
  const start = await reviewStart(trx, gate.id, actor.id, channel);
  if (timed) {
    const ready = start === undefined ? undefined : start.at + min * 1000;
    if (ready === undefined || now < ready) {
      const secondsLeft = ready === undefined ? min : Math.ceil((ready - now) / 1000);
      throw new HumanOSError(
        'review_too_fast',
        start === undefined
          ? `the policy asks for ${min} s of review and ${actor.id} has not opened this request: open it (GET /approvals/${gate.id}, the console) and decide after ${min} s`
          : `the policy asks for ${min} s of review: ${actor.id} ${start.how} at ${iso(start.at)}; ${secondsLeft} s left`,
        { secondsLeft, decidableAt: ready === undefined ? null : iso(ready), minReviewSeconds: min },
      );
    }
  }
  if (start?.how.startsWith('opened')) return;
  await recordStart(trx, actor, gate, channel, now, start?.at);
}

/**
 * Records where a decision's review started when no open was recorded: the metrics count from the
 * delivery (`deliveredAt`), or (a decision made blind) from the decision. An open already recorded
 * stays as it is.
 */
async function recordStart(
  trx: Transaction<Database>,
  actor: Principal,
  gate: ApprovalRow,
  channel: ReviewChannel,
  now: number,
  deliveredAt?: number,
): Promise<void> {
  await RECORD_OPEN.later(trx, [
    {
      approval_id: gate.id,
      principal_id: actor.id,
      channel: deliveredAt !== undefined ? `delivered:${channel}` : `unopened:${channel}`,
      opened_at: deliveredAt ?? now,
    },
  ]);
}

/** A person's first open of a gate; an open already recorded stays as it is. */
const RECORD_OPEN = preparedInsert(
  'approval_opens',
  allColumns<'approval_opens'>({ approval_id: 1, principal_id: 1, channel: 1, opened_at: 1 }),
  (q) => q.onConflict((oc) => oc.doNothing()),
);
