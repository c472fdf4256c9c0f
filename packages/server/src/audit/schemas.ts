import { AUDIT_REVIEW_ID_PATTERN, REVIEW_FREQUENCIES, TASK_ID_PATTERN } from '@humanos/core';
import { type Static, Type as T } from 'typebox';
import {
  CURSOR,
  closed,
  Did,
  Enum,
  IsoTime,
  LIMIT,
  Nullable,
  named,
  Page,
  TaskStatusSchema,
  TEXT,
  view,
} from '../kernel/schemas.js';

/** Request and response schemas of the periodic audit reviews (`/audit/reviews`). */

export const ReviewStatusSchema = named(
  'ReviewStatus',
  Enum(['open', 'completed'] as const, 'Open until an auditor completes it'),
);
export const ReviewFrequencySchema = named(
  'ReviewFrequency',
  Enum(REVIEW_FREQUENCIES, 'The `auditFrequency` of the runs it covers'),
);
export const ReviewOutcomeSchema = named(
  'ReviewOutcome',
  Enum(['no_issues', 'issues_found'] as const, 'What the auditor concluded'),
);

export const ReviewIdParams = T.Object({ reviewId: T.String({ pattern: AUDIT_REVIEW_ID_PATTERN }) }, closed);

export const ListReviewsQuery = T.Object(
  {
    status: T.Optional(ReviewStatusSchema),
    frequency: T.Optional(ReviewFrequencySchema),
    limit: LIMIT,
    cursor: CURSOR,
  },
  closed,
);
export const ReviewTasksQuery = T.Object({ limit: LIMIT, cursor: CURSOR }, closed);

export const CompleteReviewBody = named(
  'CompleteReviewBody',
  T.Object(
    {
      outcome: ReviewOutcomeSchema,
      findings: TEXT(10_000, { minLength: 1, description: 'What the auditor looked at and found' }),
      flaggedTaskIds: T.Optional(
        T.Array(T.String({ pattern: TASK_ID_PATTERN }), {
          maxItems: 100,
          description: 'Runs of this review that need attention (each must be covered by the review)',
        }),
      ),
    },
    closed,
  ),
);

const reviewedTask = {
  taskId: T.String({ pattern: TASK_ID_PATTERN }),
  description: T.String(),
  requester: Did,
  status: TaskStatusSchema,
  riskLevel: Nullable(T.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
};

/** A covered run as the review lists it. */
export const ReviewedTask = named('ReviewedTask', view(reviewedTask, 'An unattended run covered by the review'));

export const SampledTask = named(
  'SampledTask',
  view(
    {
      ...reviewedTask,
      reason: named('SampleReason', Enum(['failed', 'high_risk', 'random'] as const, 'Why it is in the sample')),
    },
    'A run the auditor is asked to inspect',
  ),
);

export const AuditReviewView = named(
  'AuditReview',
  view(
    {
      id: T.String({ pattern: AUDIT_REVIEW_ID_PATTERN }),
      frequency: ReviewFrequencySchema,
      periodStart: IsoTime,
      periodEnd: IsoTime,
      status: ReviewStatusSchema,
      auditorRole: T.String(),
      taskCount: T.Integer({ description: 'Unattended runs created in the period' }),
      statusCounts: T.Record(T.String(), T.Integer(), { description: 'Covered runs by task status when counted' }),
      sample: T.Array(SampledTask),
      openedAt: IsoTime,
      ledgerIndex: T.Integer({ description: 'The `audit.review_opened` ledger entry' }),
      completedAt: Nullable(IsoTime),
      completedBy: Nullable(Did),
      outcome: Nullable(ReviewOutcomeSchema),
      findings: Nullable(T.String()),
      flaggedTaskIds: T.Array(T.String()),
      completedLedgerIndex: Nullable(T.Integer()),
    },
    'A periodic audit review of unattended runs',
  ),
);

export const ReviewPage = named('AuditReviewPage', Page(AuditReviewView, 'Audit reviews, newest period first'));
export const ReviewTaskPage = named('ReviewedTaskPage', Page(ReviewedTask, 'The runs a review covers, oldest first'));

/** `GET /audit/approvers`: the window (default the last 30 days). */
export const ApproverMetricsQuery = T.Object(
  { since: T.Optional(IsoTime), until: T.Optional(IsoTime) },
  { ...closed, description: 'The window `[since, until)`; default the 30 days before now' },
);

const reviewStats = {
  decisions: T.Integer(),
  approved: T.Integer(),
  rejected: T.Integer(),
  edited: T.Integer({ description: 'Approvals that edited the payload' }),
  approvalRate: Nullable(T.Number({ description: 'approved / decisions' })),
  medianSecondsToDecide: Nullable(
    T.Number({ description: 'From when the approver first had the request (opened it, or its message was delivered)' }),
  ),
  fastShare: Nullable(T.Number({ description: 'The share of timed decisions made in under `fastSeconds`' })),
  unopened: T.Integer({ description: 'Decisions made without opening the request or being sent it (counted as 0 s)' }),
  timed: T.Integer({ description: 'Decisions whose time to decide is known (the median and fast share count these)' }),
};

export const ApproverMetricsReport = named(
  'ApproverMetrics',
  view(
    {
      since: IsoTime,
      until: IsoTime,
      fastSeconds: T.Integer({ description: 'A decision under this many seconds counts as fast' }),
      truncated: T.Boolean({ description: 'More than 100 000 decisions in the window: the newest were counted' }),
      approvers: T.Array(
        named('ApproverStats', view({ principal: Did, ...reviewStats }, 'How one approver decided in the window')),
      ),
      roles: T.Array(
        named(
          'RoleReviewStats',
          view(
            { role: T.String(), ...reviewStats },
            'How the requests of one role were decided (a gate open to several roles counts under each)',
          ),
        ),
      ),
    },
    'Against rubber-stamping: approval rate, time to decide, fast decisions, edits and rejections',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type AuditReviewView = Static<typeof AuditReviewView>;
export type ReviewPage = Static<typeof ReviewPage>;
export type ReviewTaskPage = Static<typeof ReviewTaskPage>;
export type ReviewedTask = Static<typeof ReviewedTask>;
export type SampledTask = Static<typeof SampledTask>;
export type ApproverMetricsReport = Static<typeof ApproverMetricsReport>;
