/** Approvals: the approver's side (inbox, read, approve, reject) and waiting on one gate. */
import { paginate, path, query, type Transport } from './transport.js';
import type {
  ApprovalClaim,
  ApprovalComment,
  ApprovalRequest,
  ApprovalResult,
  ApprovalStatus,
  ApprovalView,
  ApproveInput,
  ChangesRequestedResult,
  GateRef,
  Page,
  RejectInput,
  RejectionResult,
  RequestChangesInput,
} from './types.js';

export interface DecideOptions {
  /**
   * Sent as `Idempotency-Key` (default: a fresh key per call, reused by its retries). The server
   * remembers it with the decision, so a call retried after a lost answer gets the first answer back
   * instead of `already_decided`, and never decides twice.
   */
  idempotencyKey?: string;
}

export class ApprovalsClient {
  constructor(private readonly http: Transport) {}

  /**
   * The caller's inbox: gates its roles may decide (default `status: 'pending'`).
   *
   * @example
   * const { items } = await client.approvals.inbox();
   * for (const a of items) console.log(a.id, a.task.description, a.riskAssessment.level);
   */
  inbox(q: { status?: ApprovalStatus; limit?: number; cursor?: string } = {}): Promise<Page<ApprovalRequest>> {
    return this.http.request('GET', `${path`/approvals`}${query(q)}`, { retry: true });
  }
  /**
   * Every gate of the caller's inbox (default `status: 'pending'`), page after page as the loop goes.
   *
   * @example
   * for await (const gate of client.approvals.inboxAll()) console.log(gate.id, gate.aiProposal.action);
   */
  inboxAll(q: { status?: ApprovalStatus; limit?: number } = {}): AsyncGenerator<ApprovalRequest, void, undefined> {
    return paginate((cursor) => this.inbox({ ...q, ...(cursor ? { cursor } : {}) }));
  }

  get(approvalId: string): Promise<ApprovalView> {
    return this.http.request('GET', path`/approvals/${approvalId}`, { retry: true });
  }

  /** One long-poll round on a gate: returns once it leaves `pending`, or after `waitSeconds` (1–60). */
  wait(approvalId: string, waitSeconds: number, signal?: AbortSignal): Promise<ApprovalView> {
    return this.http.request('GET', `${path`/approvals/${approvalId}`}?wait=${waitSeconds}`, {
      retry: true,
      timeoutMs: this.http.timeoutMs + waitSeconds * 1000,
      signal,
    });
  }

  /**
   * Approves a gate, optionally with edits (an RFC 7386 merge patch over the payload) or, on a
   * routing gate, `assignTo` (who executes). Answers with the signed decision and its ledger proof.
   *
   * The approval counts only for the payload version its maker saw. Pass the view you showed (an
   * inbox item or {@link get}'s answer) and its `currentDigest` is sent; or pass the id and name the
   * version yourself with `payloadDigest`. If the payload changed since, the call throws
   * {@link StalePayloadError} (with the current payload and the diff) and nothing is written; an
   * approval naming no version is refused with {@link PayloadDigestRequiredError} once the payload
   * has been edited.
   *
   * @example
   * const view = await client.approvals.get(approvalId);
   * show(view.task.payload);
   * const r = await client.approve(view, { approvalReason: 'verified', edits: { amount: 4500 } });
   * console.log(r.taskStatus, r.provenance.ledgerIndex, r.payloadDigest);
   * // or by id, with the digest kept from what was shown:
   * await client.approve(approvalId, { approvalReason: 'verified', payloadDigest: view.currentDigest });
   */
  approve(gate: GateRef, body: ApproveInput = {}, opts: DecideOptions = {}): Promise<ApprovalResult> {
    return this.http.request('POST', path`/approvals/${gateId(gate)}/approve`, {
      body: withDigest(gate, body),
      idempotencyKey: opts.idempotencyKey ?? true,
    });
  }

  /**
   * Rejects a gate; the task will not run. Like {@link approve}, it takes the view you showed (its
   * `currentDigest` is sent) or an id with an optional `payloadDigest`; a digest that is no longer
   * current throws {@link StalePayloadError}. Without one, a rejection stands for any version.
   *
   * @example
   * await client.reject(approvalId, { rejectionReason: 'vendor is not on the approved list' });
   * await client.reject(view, { rejectionReason: 'wrong IBAN' }); // bound to the version shown
   */
  reject(gate: GateRef, body: RejectInput, opts: DecideOptions = {}): Promise<RejectionResult> {
    return this.http.request('POST', path`/approvals/${gateId(gate)}/reject`, {
      body: withDigest(gate, body),
      idempotencyKey: opts.idempotencyKey ?? true,
    });
  }

  /**
   * Answers a gate with feedback instead of a verdict: the task goes back to its agent
   * (`changes_requested`; its `waitForApproval` resolves `{ changesRequested: true, feedback }`) and
   * every approval of this version stops counting; the agent resubmits with `reviseTask`. Bound to
   * the version shown like {@link approve} (a view's `currentDigest`, or `payloadDigest`); a digest
   * that is no longer current throws {@link StalePayloadError}.
   *
   * @example
   * const view = await client.approvals.get(approvalId);
   * await client.requestChanges(view, { feedback: 'Pay INV-3; INV-2 was paid in March' });
   */
  requestChanges(gate: GateRef, body: RequestChangesInput): Promise<ChangesRequestedResult> {
    return this.http.request('POST', path`/approvals/${gateId(gate)}/request-changes`, {
      body: withDigest(gate, body),
    });
  }
}

/**
 * Comments, claims and assignment of a request (issue 26): a conversation among the people who may see
 * it, "I am looking at it" for the other approvers, and a lead handing it to one of them.
 */
export class CollabClient {
  constructor(private readonly http: Transport) {}

  /**
   * Comments on a request (markdown; `@did:human:…` notifies a colleague who may see it). A mention of
   * anyone else is refused (`mention_not_allowed`) and nothing is written.
   *
   * @example
   * await client.collab.comment(approvalId, 'IBAN differs from the invoice — @did:human:bob can you check?');
   */
  comment(gate: GateRef, body: string): Promise<ApprovalComment> {
    return this.http.request('POST', path`/approvals/${gateId(gate)}/comments`, { body: { body } });
  }

  /** The comments on a request, oldest first. */
  async comments(gate: GateRef): Promise<ApprovalComment[]> {
    const r = await this.http.request<{ items: ApprovalComment[] }>('GET', path`/approvals/${gateId(gate)}/comments`, {
      retry: true,
    });
    return r.items;
  }

  /**
   * Claims a request for a few minutes (not a lock): the other approvers see who is looking at it.
   * Throws `claim_held` while someone else's claim is live.
   *
   * @example
   * const { claimedUntil } = await client.collab.claim(approvalId);
   */
  claim(gate: GateRef): Promise<ApprovalClaim> {
    return this.http.request('POST', path`/approvals/${gateId(gate)}/claim`, { body: {} });
  }

  /** Ends the caller's claim. */
  release(gate: GateRef): Promise<ApprovalClaim> {
    return this.http.request('DELETE', path`/approvals/${gateId(gate)}/claim`);
  }

  /**
   * A lead (`approval_lead` or admin) assigns a request to an approver who may decide it now.
   *
   * @example
   * await client.collab.assign(approvalId, 'did:human:bob');
   */
  assign(gate: GateRef, assignee: string): Promise<ApprovalClaim> {
    return this.http.request('POST', path`/approvals/${gateId(gate)}/assign`, { body: { assignee } });
  }
}

/** The gate's id, from an id or a view. */
function gateId(gate: GateRef): string {
  return typeof gate === 'string' ? gate : gate.id;
}

/** The body with the view's digest as `payloadDigest`, unless the caller named one. */
function withDigest<B extends { payloadDigest?: string }>(gate: GateRef, body: B): B {
  if (typeof gate === 'string' || body.payloadDigest !== undefined) return body;
  return { ...body, payloadDigest: gate.currentDigest };
}
