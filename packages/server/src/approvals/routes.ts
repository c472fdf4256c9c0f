import { API_PREFIX, type Api, clientGone } from '../kernel/routes.js';
import { ApprovalIdParams, op, Problem, responses, WaitQuery } from '../kernel/schemas.js';
import { ChallengeBody, DecisionChallenge } from '../passkeys/schemas.js';
import type { Approvals } from './approvals.js';
import {
  ApprovalResult,
  ApproveBody,
  ChangesRequestedResult,
  DecisionHeaders,
  GateDetail,
  GatePage,
  InboxQuery,
  RejectBody,
  RejectionResult,
  RequestChangesBody,
  StalePayloadProblem,
} from './schemas.js';
import { seenDigest } from './seen.js';

/** The problems of a decision; a 409 may be `stale_payload`, with the current version and the diff. */
const decisionProblems = {
  409: {
    description:
      'Conflicts with the current state (`already_decided`, `already_seated`, `out_of_turn`, …), or `stale_payload`: the payload changed since the digest the decider named (nothing was written)',
    content: { 'application/problem+json': { schema: StalePayloadProblem } },
  },
  428: {
    description:
      '`payload_digest_required`: the payload has been edited, so an approval must name the digest it saw (`payloadDigest` or `If-Match`; `currentDigest` of `GET /approvals/{id}`, also its ETag)',
    content: { 'application/problem+json': { schema: Problem } },
  },
};

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
      'One gate with its chain and task; `?wait=` long-polls until it leaves `pending`. The `ETag` is the quoted `currentDigest`: send it back as `If-Match` (or `payloadDigest`) when deciding.',
    ),
    response: responses(200, GateDetail, 400, 401, 404),
  },
  approve: {
    ...op(
      'approve',
      'Approve',
      'Approves the request, optionally with edits (a JSON merge patch over the version named by `payloadDigest`) and feedback; signed into the ledger. The digest the approver was shown is required once the payload has been edited (`428 payload_digest_required`); a digest of another version is `409 stale_payload`. A retry with the same `Idempotency-Key` and body gets the first answer again.',
    ),
    response: { ...responses(200, ApprovalResult, 400, 401, 403, 404, 409, 410), ...decisionProblems },
    headers: DecisionHeaders,
  },
  reject: {
    ...op(
      'reject',
      'Reject',
      'Rejects the request with a reason; the task is rejected. Signed into the ledger. `payloadDigest` (or `If-Match`) is optional; a digest of another version is `409 stale_payload`. A retry with the same `Idempotency-Key` and body gets the first answer again.',
    ),
    response: { ...responses(200, RejectionResult, 400, 401, 403, 404, 409, 410), 409: decisionProblems[409] },
    headers: DecisionHeaders,
  },
  requestChanges: {
    ...op(
      'requestChanges',
      'Request changes',
      'Answers the request with feedback instead of a verdict: the task goes back to its agent (`changes_requested`, the feedback in `GET /tasks/{id}/decision` and the `task.changes_requested` event), and every gate of this version stops counting; the agent resubmits with `POST /tasks/{id}/revise`. Needs the digest the approver was shown (`payloadDigest` or `If-Match`): another version is `409 stale_payload`. `409 revision_limit` once the task was revised as often as the policy allows.',
    ),
    response: { ...responses(200, ChangesRequestedResult, 400, 401, 403, 404, 409, 410), ...decisionProblems },
    headers: DecisionHeaders,
  },
  challenge: {
    ...op(
      'passkeyChallenge',
      'Challenge for a passkey-signed decision',
      'A single-use nonce (2 minutes, this approval and caller) and the WebAuthn request options whose challenge commits to the decision: nonce ‖ SHA-256 of the canonical {approvalId, verdict, payloadDigest after edits, editsDigest, approver}. Sign it with `navigator.credentials.get` and send the assertion as the decision’s `passkey`.',
    ),
    response: responses(200, DecisionChallenge, 400, 401, 403, 404, 409),
  },
};

/** The inbox (`GET /approvals`), one approval (optionally long-polled), approve and reject. */
export function approvalRoutes(api: Api, approvals: Approvals): void {
  api.post(
    `${API_PREFIX}/approvals/:approvalId/passkey-challenge`,
    { schema: { ...DOC.challenge, tags: ['approvals', 'passkeys'], params: ApprovalIdParams, body: ChallengeBody } },
    async (req) =>
      approvals.passkeyChallenge(req.principal, req.params.approvalId, {
        ...req.body,
        edits: req.body.edits as Record<string, unknown> | undefined,
      }),
  );
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
      const view = req.query.wait
        ? await approvals.wait(req.principal, req.params.approvalId, req.query.wait, clientGone(reply))
        : await approvals.get(req.principal, req.params.approvalId);
      // The version an approval would approve now, as an entity tag to send back in If-Match.
      reply.header('etag', `"${String(view.currentDigest)}"`);
      return view;
    },
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/approve`,
    { schema: { ...DOC.approve, tags: ['approvals'], params: ApprovalIdParams, body: ApproveBody } },
    async (req) => {
      const b = req.body ?? {};
      const input = {
        payloadDigest: seenDigest(b.payloadDigest, ifMatch(req.headers)),
        by: b.approvedBy,
        reason: b.approvalReason,
        feedback: b.feedback,
        edits: b.edits as Record<string, unknown> | undefined,
        assignTo: b.assignTo,
        passkey: b.passkey,
        alternative: b.alternative,
      };
      return approvals.decide(req.principal, req.params.approvalId, 'approved', input, keyOf(req.headers));
    },
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/request-changes`,
    { schema: { ...DOC.requestChanges, tags: ['approvals'], params: ApprovalIdParams, body: RequestChangesBody } },
    async (req) =>
      approvals.requestChanges(req.principal, req.params.approvalId, {
        feedback: req.body.feedback,
        payloadDigest: seenDigest(req.body.payloadDigest, ifMatch(req.headers)),
        by: req.body.requestedBy,
      }),
  );
  api.post(
    `${API_PREFIX}/approvals/:approvalId/reject`,
    { schema: { ...DOC.reject, tags: ['approvals'], params: ApprovalIdParams, body: RejectBody } },
    async (req) =>
      approvals.decide(
        req.principal,
        req.params.approvalId,
        'rejected',
        {
          payloadDigest: seenDigest(req.body.payloadDigest, ifMatch(req.headers)),
          by: req.body.rejectedBy,
          reason: req.body.rejectionReason,
          feedback: req.body.feedback,
          passkey: req.body.passkey,
        },
        keyOf(req.headers),
      ),
  );
}

function ifMatch(headers: Record<string, unknown>): string | undefined {
  const value = headers['if-match'];
  return typeof value === 'string' ? value : undefined;
}

function keyOf(headers: Record<string, unknown>): string | undefined {
  const key = headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}
