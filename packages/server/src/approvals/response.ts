import type { ApprovalStatus, DecisionRecord, TaskStatus } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import { type PasskeyEvidence, signedWith } from '../passkeys/decision.js';
import type { ApprovalResult, ProvenanceView, RejectionResult } from './schemas.js';

/** What a decision's answer is made of (`decide.ts`'s outcome). */
export interface DecidedOutcome {
  record: DecisionRecord;
  gateStatus: ApprovalStatus;
  taskStatus: TaskStatus;
  passkey?: PasskeyEvidence;
}

/**
 * The answer to `approve` / `reject`: the gate and task after the decision, who decided, why, and its
 * provenance (and the passkey that signed it, if one did); `prov` is the whole provenance, or
 * (remembered before commit) its index and signature.
 *
 * @example
 * const body = responseOf(actor, gate.id, outcome, 'approved', { ledgerIndex, approvalSignature });
 */
export function responseOf<P extends Pick<ProvenanceView, 'ledgerIndex' | 'approvalSignature'>>(
  actor: Principal,
  approvalId: string,
  o: DecidedOutcome,
  verdict: 'approved' | 'rejected',
  prov: P,
): (Omit<ApprovalResult, 'provenance'> | Omit<RejectionResult, 'provenance'>) & { provenance: P } {
  const signedWithPasskey = signedWith(o.passkey);
  const base = {
    approvalId,
    status: o.gateStatus,
    taskId: o.record.taskId,
    taskStatus: o.taskStatus,
    signedWithPasskey,
  };
  const r = o.record;
  return verdict === 'approved'
    ? {
        ...base,
        approvedBy: actor.id,
        approvedAt: r.decidedAt,
        approvalReason: r.reason,
        feedback: r.feedback,
        // The signed record types its edits loosely (`unknown`); they are the approve body's object or null.
        edits: r.edits as ApprovalResult['edits'],
        payloadDigest: r.payloadDigest,
        provenance: prov,
      }
    : {
        ...base,
        rejectedBy: actor.id,
        rejectedAt: r.decidedAt,
        rejectionReason: r.reason,
        feedback: r.feedback,
        provenance: prov,
      };
}
