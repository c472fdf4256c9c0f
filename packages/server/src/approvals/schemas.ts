import { APPROVAL_STATUSES } from '@humanos/core';
import { Type as T } from 'typebox';
import { CURSOR, closed, Did, LIMIT, TEXT } from '../kernel/schemas.js';

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
