import { API_PREFIX, type Api } from '../kernel/routes.js';
import { ApprovalIdParams, op, responses } from '../kernel/schemas.js';
import type { Claims } from './claims.js';
import type { Comments } from './comments.js';
import { AssignBody, ClaimState, CommentBody, CommentList, CommentView } from './schemas.js';

const DOC = {
  comment: {
    ...op(
      'addComment',
      'Comment on an approval request',
      'Markdown (raw HTML is shown as text). `@did:human:…` mentions a principal who may see the request (a role of its gates, the human it acts for, its requester, an admin): they are notified in their channels; a mention of anyone else refuses the comment (`409 mention_not_allowed`, nothing written). Recorded in the ledger as `comment.added` (the comment’s digest), not a decision.',
    ),
    response: responses(201, CommentView, 400, 401, 403, 404, 409),
  },
  comments: {
    ...op('listComments', 'Comments on an approval request', 'The conversation on a request, oldest first.'),
    response: responses(200, CommentList, 400, 401, 404),
  },
  claim: {
    ...op(
      'claimApproval',
      'Claim an approval request',
      'Tells the other approvers that the caller is looking at it, for HUMANOS_CLAIM_SECONDS (default 10 minutes; claiming again renews). Not a lock: anyone eligible may still decide. `409 claim_held` while someone else’s claim is live.',
    ),
    response: responses(200, ClaimState, 400, 401, 403, 404, 409),
  },
  release: {
    ...op('releaseApproval', 'Release a claim', 'Ends the caller’s claim (an admin may end anyone’s).'),
    response: responses(200, ClaimState, 400, 401, 404, 409),
  },
  assign: {
    ...op(
      'assignApproval',
      'Assign an approval request',
      'A lead (`approval_lead` role or admin) hands an open request to a named approver who may decide it now; they are notified and find it first in their inbox. Recorded in the ledger (`approval.assigned`). `403 lead_required`; `409 assignee_not_eligible` (nothing changed).',
    ),
    response: responses(200, ClaimState, 400, 401, 403, 404, 409),
  },
};

/** Comments, claims and assignment of approval requests. */
export function collabRoutes(api: Api, comments: Comments, claims: Claims): void {
  const params = ApprovalIdParams;
  const tags = ['approvals', 'collaboration'];
  api.post(
    `${API_PREFIX}/approvals/:approvalId/comments`,
    { schema: { ...DOC.comment, tags, params, body: CommentBody } },
    async (req, reply) => {
      reply.code(201);
      return comments.add(req.principal, req.params.approvalId, req.body.body);
    },
  );
  api.get(`${API_PREFIX}/approvals/:approvalId/comments`, { schema: { ...DOC.comments, tags, params } }, async (req) =>
    comments.list(req.principal, req.params.approvalId),
  );
  api.post(`${API_PREFIX}/approvals/:approvalId/claim`, { schema: { ...DOC.claim, tags, params } }, async (req) =>
    claims.claim(req.principal, req.params.approvalId),
  );
  api.delete(`${API_PREFIX}/approvals/:approvalId/claim`, { schema: { ...DOC.release, tags, params } }, async (req) =>
    claims.release(req.principal, req.params.approvalId),
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/assign`,
    { schema: { ...DOC.assign, tags, params, body: AssignBody } },
    async (req) => claims.assign(req.principal, req.params.approvalId, req.body.assignee),
  );
}
