/** Approvals: the approver's side (inbox, read, approve, reject) and waiting on one gate. */
import { path, query, type Transport } from './transport.js';
import type {
  ApprovalRequest,
  ApprovalResult,
  ApprovalStatus,
  ApprovalView,
  ApproveInput,
  Page,
  RejectInput,
  RejectionResult,
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
   * @example
   * const r = await client.approve(approvalId, { approvalReason: 'verified', edits: { amount: 4500 } });
   * console.log(r.taskStatus, r.provenance.ledgerIndex);
   */
  approve(approvalId: string, body: ApproveInput = {}, opts: DecideOptions = {}): Promise<ApprovalResult> {
    return this.http.request('POST', path`/approvals/${approvalId}/approve`, {
      body,
      idempotencyKey: opts.idempotencyKey ?? true,
    });
  }

  /**
   * Rejects a gate; the task will not run.
   *
   * @example
   * await client.reject(approvalId, { rejectionReason: 'vendor is not on the approved list' });
   */
  reject(approvalId: string, body: RejectInput, opts: DecideOptions = {}): Promise<RejectionResult> {
    return this.http.request('POST', path`/approvals/${approvalId}/reject`, {
      body,
      idempotencyKey: opts.idempotencyKey ?? true,
    });
  }
}
