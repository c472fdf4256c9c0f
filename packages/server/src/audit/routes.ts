import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import type { ApproverMetrics } from './approvers.js';
import type { AuditReviews } from './reviews.js';
import {
  ApproverMetricsQuery,
  ApproverMetricsReport,
  AuditReviewView,
  CompleteReviewBody,
  ListReviewsQuery,
  ReviewIdParams,
  ReviewPage,
  ReviewTaskPage,
  ReviewTasksQuery,
} from './schemas.js';

const DOC = {
  list: {
    ...op(
      'listAuditReviews',
      'List audit reviews',
      'Periodic reviews of unattended runs (`auditFrequency` daily/weekly/monthly), newest period first. Admin or auditor.',
    ),
    response: responses(200, ReviewPage, 400, 401, 403),
  },
  get: {
    ...op('getAuditReview', 'Get an audit review', 'One review: its period, counts and the sample to inspect.'),
    response: responses(200, AuditReviewView, 400, 401, 403, 404),
  },
  tasks: {
    ...op('listAuditReviewTasks', 'Runs of an audit review', 'Every unattended run the review covers, oldest first.'),
    response: responses(200, ReviewTaskPage, 400, 401, 403, 404),
  },
  approvers: {
    ...op(
      'getApproverMetrics',
      'Approver metrics',
      'Against rubber-stamping: per approver and per role, the approval rate, median time to decide (from when the approver first had the request), the share of decisions under 5 s, edits and rejections, over a window (default the last 30 days). Admin or auditor.',
    ),
    response: responses(200, ApproverMetricsReport, 400, 401, 403),
  },
  complete: {
    ...op(
      'completeAuditReview',
      'Complete an audit review',
      'A human auditor signs the review off with an outcome, findings and flagged runs; recorded in the ledger.',
    ),
    response: responses(200, AuditReviewView, 400, 401, 403, 404, 409),
  },
};

/**
 * `GET /audit/reviews`, `GET /audit/reviews/{id}`, `GET /audit/reviews/{id}/tasks`,
 * `POST /audit/reviews/{id}/complete`, and the approver metrics `GET /audit/approvers`.
 */
export function auditRoutes(api: Api, reviews: AuditReviews, metrics: ApproverMetrics): void {
  const tags = ['audit'];
  api.get(
    `${API_PREFIX}/audit/approvers`,
    { schema: { ...DOC.approvers, tags, querystring: ApproverMetricsQuery } },
    async (req) => metrics.report(req.principal, req.query),
  );
  api.get(
    `${API_PREFIX}/audit/reviews`,
    { schema: { ...DOC.list, tags, querystring: ListReviewsQuery } },
    async (req) => reviews.list(req.principal, { ...req.query, limit: req.query.limit ?? 50 }),
  );
  api.get(
    `${API_PREFIX}/audit/reviews/:reviewId`,
    { schema: { ...DOC.get, tags, params: ReviewIdParams } },
    async (req) => reviews.get(req.principal, req.params.reviewId),
  );
  api.get(
    `${API_PREFIX}/audit/reviews/:reviewId/tasks`,
    { schema: { ...DOC.tasks, tags, params: ReviewIdParams, querystring: ReviewTasksQuery } },
    async (req) => reviews.tasks(req.principal, req.params.reviewId, { ...req.query, limit: req.query.limit ?? 50 }),
  );
  api.post(
    `${API_PREFIX}/audit/reviews/:reviewId/complete`,
    { schema: { ...DOC.complete, tags, params: ReviewIdParams, body: CompleteReviewBody } },
    async (req) => reviews.complete(req.principal, req.params.reviewId, req.body),
  );
}
