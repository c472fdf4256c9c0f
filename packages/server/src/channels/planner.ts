import type { Transaction } from 'kysely';
import { awayNotice, type Notice, outOfOffice, startedNotice } from '../delegations/notices.js';
import { loadApproval } from '../delivery/context.js';
import type { Attempt, DeliveryRow, Outbox } from '../delivery/outbox.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { ApprovalRow, TaskRow } from '../kernel/rows.js';
import { eligibleApprovers, humansHolding } from '../principals/holders.js';
import type { Database } from '../store/schema.js';
import { DEFAULT_PREFERENCES, type Identity, quietUntil } from './identity.js';
import type { NoticeAbout } from './teamNotice.js';

/** The outbox sinks of the channels: the planner fans an event out to one row per message. */
export const PLAN_SINK = 'channel:plan';
export const SLACK_SINK = 'channel:slack';
export const EMAIL_SINK = 'channel:email';

/** The events that notify: approval events, and a periodic audit review being opened (for the auditors). */
export const CHANNEL_EVENTS = [
  'approval.requested',
  'approval.reminder',
  'approval.escalated',
  'approval.decided',
  'approval.expired',
  'approval.cancelled',
  'audit.review_opened',
  'delegation.started',
  'comment.added',
  'approval.assigned',
];

/** An outbox row the planner adds: which sink, what to send (`target`, a SlackOp or EmailOp as JSON), and when. */
type PlanRow = { sink: string; target: string; at: number };

/** One message to send, as an outbox row's `target`. */
export type SlackOp =
  | { op: 'post'; to: string; principal: string | null }
  | { op: 'update'; message: string }
  | { op: 'remind'; message: string }
  | { op: 'audit_review'; to: string; review: string }
  | { op: 'notice'; to: string; text: string }
  | ({ op: 'team_notice'; to: string } & NoticeOp);
export type EmailOp =
  | { op: 'request' | 'reminder' | 'outcome'; principal: string }
  | { op: 'audit_review'; principal: string; review: string }
  | { op: 'notice'; principal: string; subject: string; text: string }
  | ({ op: 'team_notice'; principal: string } & NoticeOp);
/** A mention in a comment, or an assignment by a lead (`teamNotice.ts`). */
export type NoticeOp = { approval: string; about: NoticeAbout; by: string; comment: string | null };

const HOUR_MS = 3_600_000;

/**
 * Who a new request is sent to under the policy's per-approver hourly prompt cap (`promptCap`), and
 * records each as prompted. Without a cap: everyone eligible. With one: the eligible approvers who
 * got fewer than `cap` requests in the last hour; when they are fewer than the gate needs
 * (`required`), the least-prompted of the others fill up to that — a request always reaches enough
 * people to be decided, the cap only spreads the load. Everyone eligible still sees it in the inbox.
 */
async function withinCap(
  trx: Transaction<Database>,
  gate: ApprovalRow,
  eligible: string[],
  cap: number | undefined,
  now: number,
): Promise<string[]> {
  let chosen = eligible;
  if (cap !== undefined && eligible.length > 0) {
    const counts = new Map(
      (
        await trx
          .selectFrom('approval_prompts')
          .select(['principal_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('principal_id', 'in', eligible)
          .where('prompted_at', '>', now - HOUR_MS)
          // A planner retried after a crash counts this request's own prompts once, not against itself.
          .where('approval_id', '!=', gate.id)
          .groupBy('principal_id')
          .execute()
      ).map((r) => [r.principal_id, Number(r.n)]),
    );
    const load = (id: string) => counts.get(id) ?? 0;
    const under = eligible.filter((id) => load(id) < cap);
    const over = eligible
      .filter((id) => load(id) >= cap)
      .sort((x, y) => load(x) - load(y) || (x < y ? -1 : x > y ? 1 : 0));
    chosen = [...under, ...over.slice(0, Math.max(0, gate.required - under.length))];
  }
  if (chosen.length > 0)
    await trx
      .insertInto('approval_prompts')
      .values(chosen.map((id) => ({ approval_id: gate.id, principal_id: id, prompted_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  return chosen;
}

/** A reminder goes to those the request was sent to (the cap chose them), else to everyone eligible. */
async function promptedOf(trx: Transaction<Database>, approvalId: string, eligible: string[]): Promise<string[]> {
  const prompted = new Set(
    (
      await trx.selectFrom('approval_prompts').select('principal_id').where('approval_id', '=', approvalId).execute()
    ).map((r) => r.principal_id),
  );
  return prompted.size === 0 ? eligible : eligible.filter((id) => prompted.has(id));
}

/**
 * The planner: an outbox sink that turns one approval event into the messages it causes — a Slack
 * post per linked approver and per role channel, an e-mail per approver with an address, updates
 * of the Slack messages already posted, outcome e-mails — queued as outbox rows in one
 * transaction, each then sent (and retried) on its own. Approvers in their quiet hours get their
 * direct messages when the quiet hours end.
 */
export class Planner {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly identity: Identity,
    private readonly outbox: Outbox,
    private readonly enabled: { slack: boolean; email: boolean },
  ) {}

  async send(d: DeliveryRow, entry: string): Promise<Attempt> {
    const event = JSON.parse(entry) as TeamEvent & { data?: { reviewId?: string; delegationId?: string } };
    if (event.type === 'delegation.started')
      return this.noticeRows(d, () => this.startedRows(event.data?.delegationId));
    const reviewId = event.type === 'audit.review_opened' ? event.data?.reviewId : undefined;
    const team = event.type === 'comment.added' || event.type === 'approval.assigned';
    if (reviewId || team) {
      await this.deps.write(async (trx) => {
        const rows = reviewId ? await this.reviewNotices(trx, reviewId) : await this.teamNotices(trx, event);
        await this.outbox.insert(
          trx,
          rows.map((r) => ({ ...r, seq: Number(d.seq), eventType: d.event_type })),
        );
      });
      return { ok: true, status: null, error: null };
    }
    if (!event.approvalId) return { ok: true, status: null, error: null };
    const approvalId = event.approvalId;
    await this.deps.write(async (trx) => {
      const a = await loadApproval(trx, approvalId);
      if (!a) return;
      const rows =
        event.type === 'approval.requested' || event.type === 'approval.reminder'
          ? await this.asks(trx, a, event.type === 'approval.reminder')
          : await this.outcomes(trx, a.gate);
      await this.outbox.insert(
        trx,
        rows.map((r) => ({ ...r, seq: Number(d.seq), eventType: d.event_type })),
      );
    });
    return { ok: true, status: null, error: null };
  }

  /** A gate opens (or is reminded): every eligible approver on their channels, and the roles' Slack channels. */
  private async asks(
    trx: Transaction<Database>,
    a: { gate: ApprovalRow; task: TaskRow; roles: string[] },
    reminder: boolean,
  ): Promise<PlanRow[]> {
    if (a.gate.status !== 'pending') return [];
    const now = this.deps.now();
    const eligible = await eligibleApprovers(trx, a.gate, a.task, a.roles);
    // Out of office (delegations/notices.ts): the absent get a notice naming their delegate, who is asked.
    const away = await outOfOffice(trx, this.deps, eligible, a.gate, a.task, a.roles, now);
    const delegates = [...away.values()].map((x) => x.delegate).filter((x) => !eligible.includes(x));
    const present = [...new Set([...eligible.filter((x) => !away.has(x)), ...delegates])];
    // The hourly prompt cap applies to whoever is asked, delegates included.
    const people = reminder
      ? await promptedOf(trx, a.gate.id, present)
      : await withinCap(trx, a.gate, present, this.deps.policy.promptCap?.perApproverPerHour, now);
    const rows: PlanRow[] = [];
    if (!reminder) {
      for (const [absent, x] of away) rows.push(...(await this.notices(trx, [absent], awayNotice(a.gate, a.task, x))));
    }
    const posted = await trx
      .selectFrom('channel_messages')
      .select(['id', 'target'])
      .where('approval_id', '=', a.gate.id)
      .where('channel', '=', 'slack')
      .execute();
    if (this.enabled.slack && reminder) {
      // Reminders go into the thread of each message already posted.
      for (const m of posted) rows.push(slack({ op: 'remind', message: m.id }, now));
    } else if (this.enabled.slack) {
      const channels = await trx
        .selectFrom('role_channels')
        .select('slack_channel')
        .where('role', 'in', a.roles)
        .execute();
      for (const c of new Set(channels.map((x) => x.slack_channel)))
        rows.push(slack({ op: 'post', to: c, principal: null }, now));
    }
    // A reminder reaches Slack users in the threads above, not by a second DM.
    const dm = reminder ? undefined : (to: string, id: string): SlackOp => ({ op: 'post', to, principal: id });
    return [
      ...rows,
      ...(await this.toPeople(trx, people, dm, (id) => ({ op: reminder ? 'reminder' : 'request', principal: id }))),
    ];
  }

  /**
   * A periodic audit review opened: every auditor (a human holding the policy's auditor role) by
   * e-mail and Slack DM as their preferences allow (quiet hours respected), and the auditor role's
   * Slack channel. The review is completed in the console; the messages link to it.
   */
  private async reviewNotices(trx: Transaction<Database>, reviewId: string): Promise<PlanRow[]> {
    const now = this.deps.now();
    const role = this.deps.access.auditorRole;
    const people = await humansHolding(trx, [role]);
    const rows: PlanRow[] = [];
    if (this.enabled.slack) {
      const channels = await trx.selectFrom('role_channels').select('slack_channel').where('role', '=', role).execute();
      for (const c of new Set(channels.map((x) => x.slack_channel)))
        rows.push(slack({ op: 'audit_review', to: c, review: reviewId }, now));
    }
    const dm = (to: string): SlackOp => ({ op: 'audit_review', to, review: reviewId });
    return [
      ...rows,
      ...(await this.toPeople(trx, people, dm, (id) => ({ op: 'audit_review', principal: id, review: reviewId }))),
    ];
  }

  /** Writes the rows `plan` gives for a non-approval event (a notice). */
  private async noticeRows(d: DeliveryRow, plan: () => Promise<PlanRow[]>): Promise<Attempt> {
    const rows = await plan();
    await this.deps.write(async (trx) => {
      await this.outbox.insert(
        trx,
        rows.map((r) => ({ ...r, seq: Number(d.seq), eventType: d.event_type })),
      );
    });
    return { ok: true, status: null, error: null };
  }

  /** A delegation's window started: its delegate is told whose requests are theirs now. */
  private async startedRows(delegationId: string | undefined): Promise<PlanRow[]> {
    const started = delegationId ? await startedNotice(this.deps, delegationId) : undefined;
    if (!started) return [];
    return this.deps.write((trx) => this.notices(trx, [started.delegate], started.notice));
  }

  /** A plain notice to each person, by Slack DM and e-mail as their preferences allow. */
  private notices(trx: Transaction<Database>, people: string[], n: Notice): Promise<PlanRow[]> {
    return this.toPeople(
      trx,
      people,
      (to) => ({ op: 'notice', to, text: n.text }),
      (id) => ({ op: 'notice', principal: id, subject: n.subject, text: n.text }),
    );
  }

  /**
   * A comment's mentions (each mentioned person but its author) or a lead's assignee, as a Slack DM
   * and an e-mail as their preferences allow. Who may be mentioned or assigned was checked when the
   * comment or assignment was written (`collab/`).
   */
  private async teamNotices(trx: Transaction<Database>, event: TeamEvent): Promise<PlanRow[]> {
    const approval = event.approvalId;
    if (!approval) return [];
    const about: NoticeAbout = event.type === 'comment.added' ? 'mention' : 'assigned';
    const people =
      about === 'mention' ? (event.data?.mentions ?? []).filter((id) => id !== event.actor) : [event.data?.assignee];
    const op = {
      approval,
      about,
      by: event.actor,
      comment: about === 'mention' ? (event.data?.commentId ?? null) : null,
    };
    return this.toPeople(
      trx,
      people.filter((id): id is string => typeof id === 'string'),
      (to) => ({ op: 'team_notice', to, ...op }),
      (principal) => ({ op: 'team_notice', principal, ...op }),
    );
  }

  /**
   * Each person on the channels their preferences allow, after their quiet hours: a Slack DM (when
   * `dm` gives one and they linked Slack) and an e-mail (when they have an address).
   */
  private async toPeople(
    trx: Transaction<Database>,
    people: string[],
    dm: ((slackUser: string, id: string) => SlackOp) | undefined,
    email: (id: string) => EmailOp,
  ): Promise<PlanRow[]> {
    const now = this.deps.now();
    const addresses = await this.identity.addresses(trx, people);
    const prefs = await this.identity.preferences(trx, people);
    const rows: PlanRow[] = [];
    for (const id of people) {
      const pref = prefs.get(id) ?? DEFAULT_PREFERENCES;
      const at = quietUntil(pref, now) ?? now;
      const slackUser = addresses.get(id)?.get('slack');
      if (this.enabled.slack && dm && pref.slack && slackUser) rows.push(slack(dm(slackUser, id), at));
      if (this.enabled.email && pref.email && addresses.get(id)?.has('email')) {
        rows.push({ sink: EMAIL_SINK, target: JSON.stringify(email(id)), at });
      }
    }
    return rows;
  }

  /** A gate was decided, expired, escalated or cancelled: Slack messages updated, e-mail recipients told the outcome. */
  private async outcomes(trx: Transaction<Database>, gate: ApprovalRow): Promise<PlanRow[]> {
    const now = this.deps.now();
    const messages = await trx
      .selectFrom('channel_messages')
      .select(['id', 'channel', 'principal_id'])
      .where('approval_id', '=', gate.id)
      .execute();
    const rows: PlanRow[] = [];
    if (this.enabled.slack) {
      for (const m of messages.filter((x) => x.channel === 'slack'))
        rows.push(slack({ op: 'update', message: m.id }, now));
    }
    if (this.enabled.email && gate.status !== 'pending') {
      const deciders = new Set(
        (await trx.selectFrom('decisions').select('principal_id').where('approval_id', '=', gate.id).execute()).map(
          (r) => r.principal_id,
        ),
      );
      for (const m of messages.filter(
        (x) => x.channel === 'email' && x.principal_id && !deciders.has(x.principal_id),
      )) {
        rows.push({ sink: EMAIL_SINK, target: JSON.stringify({ op: 'outcome', principal: m.principal_id }), at: now });
      }
    }
    return rows;
  }
}

/** The ledger event of a comment or an assignment, as the planner reads it. */
type TeamEvent = {
  type: string;
  actor: string;
  approvalId?: string;
  data?: { mentions?: string[]; commentId?: string; assignee?: string };
};

function slack(op: SlackOp, at: number): PlanRow {
  return { sink: SLACK_SINK, target: JSON.stringify(op), at };
}
