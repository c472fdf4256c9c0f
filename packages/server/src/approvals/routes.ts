import { API_PREFIX, type Api, clientGone } from '../kernel/routes.js';
import { ApprovalIdParams, IdempotencyHeaders, op, responses, WaitQuery } from '../kernel/schemas.js';
import type { Approvals } from './approvals.js';
import {
  ApprovalResult,
  ApproveBody,
  GateDetail,
  GatePage,
  InboxQuery,
  RejectBody,
  RejectionResult,
} from './schemas.js';

/** Each operation's documentation and responses (the request schemas stay beside their route). */
const DOC = {
  inbox: {
    ...op('listApprovals', 'The inbox', 'Approval requests this principal may decide (by role), oldest first.'),
    response: responses(200, GatePage, 400, 401),
  },
  get: {
    ...op(
      'getApproval',
      'Get an approval request',
      'One gate with its chain and task; `?wait=` long-polls until it leaves `pending`.',
    ),
    response: responses(200, GateDetail, 400, 401, 404),
  },
  approve: {
    ...op(
      'approve',
      'Approve',
      'Approves the request, optionally with edits (a JSON merge patch) and feedback; signed into the ledger. A retry with the same `Idempotency-Key` and body gets the first answer again.',
    ),
    response: responses(200, ApprovalResult, 400, 401, 403, 404, 409, 410),
    headers: IdempotencyHeaders,
  },
  reject: {
    ...op(
      'reject',
      'Reject',
      'Rejects the request with a reason; the task is rejected. Signed into the ledger. A retry with the same `Idempotency-Key` and body gets the first answer again.',
    ),
    response: responses(200, RejectionResult, 400, 401, 403, 404, 409, 410),
    headers: IdempotencyHeaders,
  },
};

/** The inbox (`GET /approvals`), one approval (optionally long-polled), approve and reject. */
export function approvalRoutes(api: Api, approvals: Approvals): void {
  api.get(
    `${API_PREFIX}/approvals`,
    { schema: { ...DOC.inbox, tags: ['approvals'], querystring: InboxQuery } },
    async (req) =>
      approvals.inbox(req.principal, {
        status: req.query.status ?? 'pending',
        limit: req.query.limit ?? 50,
        cursor: req.query.cursor,
      }),
  );
  api.get(
    `${API_PREFIX}/approvals/:approvalId`,
    { schema: { ...DOC.get, tags: ['approvals'], params: ApprovalIdParams, querystring: WaitQuery } },
    async (req, reply) => {
      if (!req.query.wait) return approvals.get(req.principal, req.params.approvalId);
      return approvals.wait(req.principal, req.params.approvalId, req.query.wait, clientGone(reply));
    },
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/approve`,
    { schema: { ...DOC.approve, tags: ['approvals'], params: ApprovalIdParams, body: ApproveBody } },
    async (req) => {
      const b = req.body ?? {};
      const input = {
        by: b.approvedBy,
        reason: b.approvalReason,
        feedback: b.feedback,
        edits: b.edits as Record<string, unknown> | undefined,
        assignTo: b.assignTo,
      };
      return approvals.decide(req.principal, req.params.approvalId, 'approved', input, keyOf(req.headers));
    },
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/reject`,
    { schema: { ...DOC.reject, tags: ['approvals'], params: ApprovalIdParams, body: RejectBody } },
    async (req) =>
      approvals.decide(
        req.principal,
        req.params.approvalId,
        'rejected',
        { by: req.body.rejectedBy, reason: req.body.rejectionReason, feedback: req.body.feedback },
        keyOf(req.headers),
      ),
  );
}

function keyOf(headers: Record<string, unknown>): string | undefined {
  const key = headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}
