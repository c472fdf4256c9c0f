import type { ApprovalStatus } from '@humanos/core';
import { CONSOLE_LIMITS, HumanOSError } from '@humanos/core';
import { sql } from 'kysely';
import { delegatedRows, onBehalfView } from '../delegations/inbox.js';
import type { Principal } from '../kernel/access.js';
import { decodePairCursor, encodePairCursor } from '../kernel/cursor.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { replay, requestHash } from '../kernel/idempotency.js';
import { recheckDelay } from '../kernel/notifier.js';
import { rowBytes, withinBytes } from '../kernel/routes.js';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import type { ChallengeInput } from '../passkeys/decision.js';
import type { DecisionChallenge } from '../passkeys/schemas.js';
import { assignedFirst } from './assigned.js';
import { type DecideInput, decide } from './decide.js';
import { gateDisplay } from './display.js';
import { taskDecisions } from './gates.js';
import { decisionChallenge } from './passkeyChallenge.js';
import { replayedDecision } from './provenance.js';
import { type RequestChangesInput, requestChanges } from './requestChanges.js';
import { recordOpen, restChannel } from './review.js';
import type {
  ApprovalResult,
  ChangesRequestedResult,
  DecisionResult,
  GateDetail,
  GatePage,
  RejectionResult,
} from './schemas.js';
import { gateContext, gateDecisions, gateView } from './views.js';

/** A row of an inbox walk: the gate and what its view needs of its task. */
type InboxRow = ApprovalRow &
  Pick<TaskRow, 'ai_proposal' | 'risk' | 'description' | 'created_seq' | 'payload_digest'> & {
    legacy_payload: string | null;
  };

/** Approval requests (gates): reading one, the caller's inbox, deciding, and waiting on one. */
/**
 * The payload of a task whose stored warnings were computed for another payload (or never: rows
 * from before 0022), for `gateContext` to compute them from the payload as it stands; null (not
 * fetched) where the stored ones hold.
 */
const WARNINGS_PAYLOAD = sql<
  string | null
>`case when tasks.warnings_digest is null or tasks.payload_digest is null or tasks.warnings_digest <> tasks.payload_digest then tasks.payload end`.as(
  'warnings_payload',
);

export class Approvals {
  constructor(private readonly deps: FeatureDeps) {}

  /** The challenge of a passkey-signed decision: see `decisionChallenge` (`POST /approvals/{id}/passkey-challenge`). */
  passkeyChallenge(actor: Principal, approvalId: string, input: ChallengeInput): Promise<DecisionChallenge> {
    return decisionChallenge(this.deps, actor, approvalId, input);
  }

  /**
   * See `decide`. With an `Idempotency-Key`, a retry of the same decision (same approval, verdict and
   * body) gets the first answer again instead of `already_decided`; the same key on another request
   * is refused with `idempotency_key_reused`. The key is remembered in the decision's transaction.
   *
   * @example
   * await approvals.decide(cfo, approvalId, 'approved', { reason: 'ok' }, req.headers['idempotency-key']);
   */
  decide(
    actor: Principal,
    approvalId: string,
    verdict: 'approved',
    input: DecideInput,
    idempotencyKey?: string,
  ): Promise<ApprovalResult>;
  decide(
    actor: Principal,
    approvalId: string,
    verdict: 'rejected',
    input: DecideInput,
    idempotencyKey?: string,
  ): Promise<RejectionResult>;
  decide(
    actor: Principal,
    approvalId: string,
    verdict: 'approved' | 'rejected',
    input: DecideInput,
    idempotencyKey?: string,
  ): Promise<DecisionResult>;
  // The answer's kind follows the verdict: `responseOf` builds one per verdict, and a replay is of the
  // same verdict (the request hash includes it).
  async decide(
    actor: Principal,
    approvalId: string,
    verdict: 'approved' | 'rejected',
    input: DecideInput,
    idempotencyKey?: string,
  ): Promise<DecisionResult> {
    if (idempotencyKey === undefined) return decide(this.deps, actor, approvalId, verdict, input);
    const idem = { key: idempotencyKey, hash: requestHash({ approvalId, verdict, input }) };
    const earlier = await replay(this.deps.db, actor.id, idem.key, idem.hash);
    if (earlier) return replayedDecision(this.deps, earlier.body);
    try {
      return await decide(this.deps, actor, approvalId, verdict, input, idem);
    } catch (e) {
      // Two retries racing: the loser finds the gate decided (or the key taken). Answer as the winner.
      const won = await replay(this.deps.db, actor.id, idem.key, idem.hash);
      if (won) return replayedDecision(this.deps, won.body);
      throw e;
    }
  }

  /** See `requestChanges` (`POST /approvals/{id}/request-changes`). */
  requestChanges(actor: Principal, approvalId: string, input: RequestChangesInput): Promise<ChangesRequestedResult> {
    return requestChanges(this.deps, actor, approvalId, input);
  }

  async get(actor: Principal, approvalId: string): Promise<GateDetail> {
    const g = await this.deps.db.selectFrom('approvals').selectAll().where('id', '=', approvalId).executeTakeFirst();
    if (!g) throw new HumanOSError('not_found', `no approval ${approvalId}`);
    const task = await this.deps.access.loadTask(this.deps.db, g.task_id);
    if (!(await this.deps.access.canSee(this.deps.db, actor, task)))
      throw new HumanOSError('not_found', `no approval ${approvalId}`);
    // The approver has the request in front of them from now on (minReviewSeconds, the metrics).
    await recordOpen(this.deps, g, actor, restChannel(actor));
    const decisions = await taskDecisions(this.deps.db, task.id);
    const steps = await this.deps.db
      .selectFrom('approvals')
      .selectAll()
      .where('task_id', '=', task.id)
      .where('kind', '=', g.kind)
      .orderBy('step')
      .orderBy('requested_at')
      .execute();
    const context = { ...gateContext(task), now: this.deps.now() };
    return {
      ...gateView(
        g,
        context,
        decisions.filter((d) => d.approval_id === g.id),
      ),
      // The payload this gate decides as approvers see it in every channel (the console's limits).
      display: gateDisplay(this.deps.policy, g, task, CONSOLE_LIMITS),
      // Every step (or escalation) of this task's gates, with earlier decisions and their reasons.
      chain: steps.map((x) => ({
        id: x.id,
        step: x.step,
        approverRole: x.approver_role,
        status: x.status,
        required: x.required,
        reason: x.reason,
        decisions: gateDecisions(
          x,
          context,
          decisions.filter((d) => d.approval_id === x.id),
        ),
      })),
      task: {
        id: task.id,
        description: task.description,
        requester: task.requester,
        onBehalfOf: task.on_behalf_of,
        status: task.status,
        payload: p(task.payload),
        proposedPayload: p(task.proposed_payload ?? task.payload),
        requiredCapabilities: p(task.required_capabilities),
        policy: p(task.policy),
      },
    };
  }

  /**
   * The caller's inbox: gates in `status` whose role the caller holds. For pending gates, those the
   * caller may not decide (its own tasks, gates it already sat on) are left out.
   */
  async inbox(
    actor: Principal,
    q: { status: ApprovalStatus; limit: number; cursor?: string | undefined },
  ): Promise<GatePage> {
    const after = q.cursor !== undefined ? decodePairCursor(q.cursor) : undefined;
    // One index range walk per role (role, status, requested_at, id), each stopping after a page;
    // merged here. A single query over all roles would have to sort every matching gate.
    const perRole = await Promise.all(
      [...new Set(actor.roles)].map((role) => this.roleRows(role, [actor.id], q, after)),
    );
    const own = new Set(perRole.flat().map((r) => r.id));
    // Gates of roles delegated to the caller, marked with whom they decide for (delegations/inbox.ts).
    const delegated = (
      await delegatedRows(this.deps, actor.id, q.limit, (role, people, from) =>
        this.roleRows(role, people, q, from ?? after, true),
      )
    ).filter((r) => !own.has(r.id));
    return this.pageOf(
      actor,
      [...perRole.flat(), ...delegated],
      q.limit,
      q.status === 'pending' && after === undefined,
    );
  }

  /** The walks merged into one page (newest first); the first pending page starts with the caller's assignments. */
  private async pageOf(actor: Principal, walked: InboxRow[], limit: number, withAssigned: boolean): Promise<GatePage> {
    const seen = new Set<string>();
    const rows = walked
      .sort((a, b) => b.requested_at - a.requested_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .filter((r) => !seen.has(r.id) && seen.add(r.id));
    const page = withinBytes(rows.slice(0, limit), rowBytes);
    const now = this.deps.now();
    // What a lead assigned to the caller comes first (and only there: the walk leaves it out).
    const items = [
      ...(withAssigned ? await assignedFirst(this.deps, actor) : []),
      ...page.map((r) => ({ ...gateView(r, { ...gateContext(r), now }), ...onBehalfView(r) })),
    ];
    const last = page[page.length - 1];
    return {
      items,
      nextCursor: rows.length > page.length && last ? encodePairCursor(last.requested_at, last.id) : null,
    };
  }

  /**
   * One role's page of the inbox for `people` (the caller, and on behalf the delegator too): their
   * own tasks and gates either of them sat on are left out of the pending ones.
   */
  private roleRows(
    role: string,
    people: string[],
    q: { status: ApprovalStatus; limit: number },
    after: [number, string] | undefined,
    forDelegate = false,
  ) {
    let query = this.deps.db
      .selectFrom('approval_roles')
      .innerJoin('approvals', 'approvals.id', 'approval_roles.approval_id')
      .innerJoin('tasks', 'tasks.id', 'approvals.task_id')
      .selectAll('approvals')
      .select(['tasks.ai_proposal', 'tasks.risk', 'tasks.description', 'tasks.created_seq', 'tasks.payload_digest'])
      // A delegate's rows: what the delegation's scope and the policy's `delegable` are judged on.
      .$if(forDelegate, (qb) =>
        qb.select([
          'tasks.payload as task_payload',
          'tasks.required_capabilities',
          'tasks.policy',
          'tasks.requester',
          'tasks.on_behalf_of',
        ]),
      )
      .select(['tasks.warnings', 'tasks.warnings_digest', WARNINGS_PAYLOAD])
      .select((eb) =>
        eb.case().when('tasks.payload_digest', 'is', null).then(eb.ref('tasks.payload')).end().as('legacy_payload'),
      )
      .where('approval_roles.role', '=', role)
      .where('approval_roles.status', '=', q.status);
    if (q.status === 'pending') {
      query = query
        // The caller's assigned gates head the first page (`assignedFirst`), not the walk.
        .where((eb) => eb.or([eb('approvals.assignee', 'is', null), eb('approvals.assignee', '!=', people[0] ?? '')]))
        .where('tasks.requester', 'not in', people)
        .where((eb) => eb.or([eb('tasks.on_behalf_of', 'is', null), eb('tasks.on_behalf_of', 'not in', people)]))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('decisions as d')
                .innerJoin('approvals as seat', 'seat.id', 'd.approval_id')
                .select('d.approval_id')
                .whereRef('d.task_id', '=', 'approvals.task_id')
                .where((eb) => eb.or([eb('d.principal_id', 'in', people), eb('d.on_behalf_of', 'in', people)]))
                // A cancelled gate (an earlier version's, issue 26) holds no seat.
                .where('seat.status', '!=', 'cancelled')
                // An approval of an earlier version of the payload holds no seat: asked again.
                .where((eb) =>
                  eb.or([
                    eb('seat.kind', '!=', 'execution'),
                    eb('tasks.payload_digest', 'is', null),
                    eb('d.payload_digest', '=', eb.ref('tasks.payload_digest')),
                  ]),
                )
                .where((eb) =>
                  eb.or([
                    eb('d.approval_id', '=', eb.ref('approvals.id')),
                    eb.and([eb('approvals.kind', '=', 'execution'), eb('seat.kind', '=', 'execution')]),
                  ]),
                ),
            ),
          ),
        );
    }
    if (after) {
      const [at, id] = after;
      query = query.where((eb) =>
        eb.or([
          eb('approval_roles.requested_at', '<', at),
          eb.and([eb('approval_roles.requested_at', '=', at), eb('approval_roles.approval_id', '<', id)]),
        ]),
      );
    }
    return query
      .orderBy('approval_roles.requested_at', 'desc')
      .orderBy('approval_roles.approval_id', 'desc')
      .limit(q.limit + 1)
      .execute();
  }

  /** Long-poll on one gate: returns when it leaves `pending` or after `waitSeconds`. */
  async wait(actor: Principal, approvalId: string, waitSeconds: number, signal?: AbortSignal): Promise<GateDetail> {
    const deadline = Date.now() + waitSeconds * 1000;
    let view = await this.get(actor, approvalId);
    if (view.status !== 'pending') return view;
    // The gate's task is known from the first read; a decision made while that read ran is caught by
    // the second read, after which every change wakes the watch.
    const watch = this.deps.notifier.watch([`task:${view.taskId}`]);
    try {
      view = await this.get(actor, approvalId);
      while (view.status === 'pending' && Date.now() < deadline && !signal?.aborted) {
        await watch.next(recheckDelay(deadline - Date.now()), signal);
        view = await this.get(actor, approvalId);
      }
    } finally {
      watch.close();
    }
    return view;
  }
}
