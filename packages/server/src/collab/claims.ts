import { HumanOSError } from '@humanos/core';
import { teamFields } from '../approvals/views.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso } from '../kernel/rows.js';
import { isLead, mayDecide, visibleGate } from './audience.js';
import type { ClaimState } from './schemas.js';

/** How long a claim lasts unless renewed (HUMANOS_CLAIM_SECONDS, default 10 minutes). */
export const DEFAULT_CLAIM_SECONDS = 600;

/** A gate's claim (while live) and assignment as the API shows them (as its approval view does). */
export function claimState(g: ApprovalRow, now: number): ClaimState {
  const { claimedBy, claimedUntil, assignee, assignedBy } = teamFields(g, now);
  const assignedAt = g.assigned_at === null ? null : iso(Number(g.assigned_at));
  return { approvalId: g.id, claimedBy, claimedUntil, assignee, assignedBy, assignedAt };
}

/**
 * Claims and assignment. A claim says "I am looking at this" to the other approvers of the role for a
 * few minutes; it is not a lock — anyone eligible may still decide, and the claim ends with the
 * decision. A lead (`approval_lead` role or admin, who may see the request) assigns a request to one
 * named eligible approver, who is notified and finds it first in their inbox; the assignment is a
 * ledger entry (`approval.assigned`). Claims are not: they are transient, like presence.
 *
 * @example
 * await claims.claim(ann, approvalId); // { claimedBy: 'did:human:ann', claimedUntil: '…+10 min' }
 */
export class Claims {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly claimSeconds: number = DEFAULT_CLAIM_SECONDS,
  ) {}

  /** Claims (or renews the caller's claim on) an open request the caller may decide. */
  async claim(actor: Principal, approvalId: string): Promise<ClaimState> {
    const now = this.deps.now();
    const gate = await this.deps.write(async (trx) => {
      const a = await visibleGate(this.deps, trx, actor, approvalId, true);
      if (a.gate.status !== 'pending')
        throw new HumanOSError('invalid_state', `approval ${approvalId} is ${a.gate.status}, not open`);
      if (!(await mayDecide(trx, a, actor.id)))
        throw new HumanOSError('forbidden', 'only an approver who may decide this request can claim it');
      const held = claimState(a.gate, now);
      if (held.claimedBy !== null && held.claimedBy !== actor.id) {
        throw new HumanOSError('claim_held', `${held.claimedBy} is looking at it until ${held.claimedUntil}`, {
          claimedBy: held.claimedBy,
          claimedUntil: held.claimedUntil,
        });
      }
      const set = { claimed_by: actor.id, claimed_until: now + this.claimSeconds * 1000 };
      await trx.updateTable('approvals').set(set).where('id', '=', approvalId).execute();
      return { ...a.gate, ...set };
    });
    return claimState(gate, now);
  }

  /** Ends the caller's claim (an admin may end anyone's). No claim, or an expired one: nothing to do. */
  async release(actor: Principal, approvalId: string): Promise<ClaimState> {
    const now = this.deps.now();
    const gate = await this.deps.write(async (trx) => {
      const { gate: g } = await visibleGate(this.deps, trx, actor, approvalId, true);
      const held = claimState(g, now);
      if (held.claimedBy === null) return g;
      if (held.claimedBy !== actor.id && !this.deps.access.isAdmin(actor)) {
        throw new HumanOSError('claim_held', `the claim is ${held.claimedBy}'s`, {
          claimedBy: held.claimedBy,
          claimedUntil: held.claimedUntil,
        });
      }
      const set = { claimed_by: null, claimed_until: null };
      await trx.updateTable('approvals').set(set).where('id', '=', approvalId).execute();
      return { ...g, ...set };
    });
    return claimState(gate, now);
  }

  /** A lead assigns an open request to a principal who may decide it now; anyone else is refused. */
  async assign(actor: Principal, approvalId: string, assignee: string): Promise<ClaimState> {
    if (!isLead(actor)) throw new HumanOSError('lead_required', 'assigning needs the approval_lead role or admin');
    const now = this.deps.now();
    const gate = await this.deps.write(async (trx) => {
      const a = await visibleGate(this.deps, trx, actor, approvalId, true);
      if (a.gate.status !== 'pending')
        throw new HumanOSError('invalid_state', `approval ${approvalId} is ${a.gate.status}, not open`);
      if (!(await mayDecide(trx, a, assignee))) {
        throw new HumanOSError(
          'assignee_not_eligible',
          `${assignee} may not decide ${approvalId} now (no role of it, disabled, its requester, or already seated)`,
        );
      }
      await this.deps.ledger.append(trx, [
        {
          type: 'approval.assigned',
          at: iso(now),
          actor: actor.id,
          taskId: a.task.id,
          approvalId,
          data: { assignee, previous: a.gate.assignee },
        },
      ]);
      const set = { assignee, assigned_by: actor.id, assigned_at: now };
      await trx.updateTable('approvals').set(set).where('id', '=', approvalId).execute();
      return { ...a.gate, ...set };
    });
    return claimState(gate, now);
  }
}
