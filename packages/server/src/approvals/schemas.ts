import { APPROVAL_STATUSES } from '@humanos/core';
import { Type as T } from 'typebox';
import {
  CURSOR,
  closed,
  Did,
  Enum,
  GateStatusSchema,
  IsoTime,
  JsonObject,
  LIMIT,
  Nullable,
  Page,
  TaskStatusSchema,
  TEXT,
  view,
} from '../kernel/schemas.js';

/** Request schemas of the approval routes. */
export const ApproveBody = T.Object(
  {
    approvedBy: T.Optional(Did),
    approvalReason: T.Optional(TEXT(5000)),
    feedback: T.Optional(TEXT(5000)),
    edits: T.Optional(
      T.Object({}, { additionalProperties: true, description: 'RFC 7386 JSON merge patch over the payload' }),
    ),
    assignTo: T.Optional(Did),
  },
  closed,
);

export const RejectBody = T.Object(
  {
    rejectedBy: T.Optional(Did),
    rejectionReason: TEXT(5000),
    feedback: T.Optional(TEXT(5000)),
  },
  closed,
);

export const InboxQuery = T.Object(
  { status: T.Optional(T.Union(APPROVAL_STATUSES.map((s) => T.Literal(s)))), limit: LIMIT, cursor: CURSOR },
  closed,
);

/* Response schemas. */

/** An approval request (gate) as every route shows it: open, with its required members typed. */
export const GateView = view(
  {
    id: T.String({ description: '`approval:human:…`' }),
    taskId: T.String(),
    kind: Enum(['execution', 'routing', 'review', 'decision', 'audit'] as const, 'What the gate decides'),
    status: GateStatusSchema,
    requestedAt: IsoTime,
    expiresAt: Nullable(IsoTime),
    approverRole: T.String(),
    step: T.Integer(),
    required: T.Integer({ description: 'Approvals needed (a quorum when above 1)' }),
    approvals: T.Integer({ description: 'Approvals given that still count' }),
    aiProposal: JsonObject,
    decisions: T.Array(JsonObject),
  },
  'An approval request (gate): its policy, progress, the proposal it decides and its decisions',
);
export const GatePage = Page(GateView, 'A page of the inbox');
export const DecisionResult = view(
  {
    approvalId: T.String(),
    status: GateStatusSchema,
    taskId: T.String(),
    taskStatus: TaskStatusSchema,
    payloadDigest: T.Optional(Nullable(T.String())),
    provenance: JsonObject,
  },
  'The decision as recorded: the gate and task status after it, who decided, and its provenance',
);
