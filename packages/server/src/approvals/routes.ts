import { API_PREFIX, type Api, clientGone } from '../kernel/routes.js';
import { ApprovalIdParams, op, responses, WaitQuery } from '../kernel/schemas.js';
import type { Approvals } from './approvals.js';
import { ApproveBody, DecisionResult, GatePage, GateView, InboxQuery, RejectBody } from './schemas.js';

/** The inbox (`GET /approvals`), one approval (optionally long-polled), approve and reject. */
export function approvalRoutes(api: Api, approvals: Approvals): void {
  api.get(
    `${API_PREFIX}/approvals`,
    {
      schema: {
        ...op('listApprovals', 'The inbox', 'Approval requests this principal may decide (by role), oldest first.'),
        tags: ['approvals'],
        querystring: InboxQuery,
        response: responses(200, GatePage, 400, 401),
      },
    },
    async (req) =>
      approvals.inbox(req.principal, {
        status: req.query.status ?? 'pending',
        limit: req.query.limit ?? 50,
        cursor: req.query.cursor,
      }),
  );
  api.get(
    `${API_PREFIX}/approvals/:approvalId`,
    {
      schema: {
        ...op(
          'getApproval',
          'Get an approval request',
          'One gate with its chain and task; `?wait=` long-polls until it leaves `pending`.',
        ),
        tags: ['approvals'],
        params: ApprovalIdParams,
        querystring: WaitQuery,
        response: responses(200, GateView, 400, 401, 404),
      },
    },
    async (req, reply) => {
      if (!req.query.wait) return approvals.get(req.principal, req.params.approvalId);
      return approvals.wait(req.principal, req.params.approvalId, req.query.wait, clientGone(reply));
    },
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/approve`,
    {
      schema: {
        ...op(
          'approve',
          'Approve',
          'Approves the request, optionally with edits (a JSON merge patch) and feedback; signed into the ledger.',
        ),
        tags: ['approvals'],
        params: ApprovalIdParams,
        body: ApproveBody,
        response: responses(200, DecisionResult, 400, 401, 403, 404, 409, 410),
      },
    },
    async (req) => {
      const b = req.body ?? {};
      return approvals.decide(req.principal, req.params.approvalId, 'approved', {
        by: b.approvedBy,
        reason: b.approvalReason,
        feedback: b.feedback,
        edits: b.edits as Record<string, unknown> | undefined,
        assignTo: b.assignTo,
      });
    },
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/reject`,
    {
      schema: {
        ...op('reject', 'Reject', 'Rejects the request with a reason; the task is rejected. Signed into the ledger.'),
        tags: ['approvals'],
        params: ApprovalIdParams,
        body: RejectBody,
        response: responses(200, DecisionResult, 400, 401, 403, 404, 409, 410),
      },
    },
    async (req) =>
      approvals.decide(req.principal, req.params.approvalId, 'rejected', {
        by: req.body.rejectedBy,
        reason: req.body.rejectionReason,
        feedback: req.body.feedback,
      }),
  );
}
