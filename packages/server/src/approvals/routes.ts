import { API_PREFIX, type Api, clientGone } from '../kernel/routes.js';
import { ApprovalIdParams, WaitQuery } from '../kernel/schemas.js';
import type { Approvals } from './approvals.js';
import { ApproveBody, InboxQuery, RejectBody } from './schemas.js';

/** The inbox (`GET /approvals`), one approval (optionally long-polled), approve and reject. */
export function approvalRoutes(api: Api, approvals: Approvals): void {
  api.get(`${API_PREFIX}/approvals`, { schema: { tags: ['approvals'], querystring: InboxQuery } }, async (req) =>
    approvals.inbox(req.principal, {
      status: req.query.status ?? 'pending',
      limit: req.query.limit ?? 50,
      cursor: req.query.cursor,
    }),
  );
  api.get(
    `${API_PREFIX}/approvals/:approvalId`,
    { schema: { tags: ['approvals'], params: ApprovalIdParams, querystring: WaitQuery } },
    async (req, reply) => {
      if (!req.query.wait) return approvals.get(req.principal, req.params.approvalId);
      return approvals.wait(req.principal, req.params.approvalId, req.query.wait, clientGone(reply));
    },
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/approve`,
    { schema: { tags: ['approvals'], params: ApprovalIdParams, body: ApproveBody } },
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
    { schema: { tags: ['approvals'], params: ApprovalIdParams, body: RejectBody } },
    async (req) =>
      approvals.decide(req.principal, req.params.approvalId, 'rejected', {
        by: req.body.rejectedBy,
        reason: req.body.rejectionReason,
        feedback: req.body.feedback,
      }),
  );
}
