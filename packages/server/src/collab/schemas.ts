import { type Static, Type as T } from 'typebox';
import { closed, Did, IsoTime, Items, Nullable, named, view } from '../kernel/schemas.js';

/** `POST /approvals/{id}/comments`: markdown as the author writes it; `@did:human:…` mentions a colleague. */
export const CommentBody = named(
  'CommentBody',
  T.Object(
    {
      body: T.String({
        minLength: 1,
        maxLength: 10_000,
        description:
          'Markdown (no raw HTML). `@did:human:ann` mentions a principal who may see the request: they are notified in their channels.',
      }),
    },
    { ...closed, description: 'A comment on an approval request' },
  ),
);

/** One comment as every reader sees it: the text as written and its safe HTML rendering. */
export const CommentView = named(
  'ApprovalComment',
  view(
    {
      id: T.String({ description: '`comment:…`' }),
      approvalId: T.String(),
      taskId: T.String(),
      author: T.String(),
      body: T.String({ description: 'The markdown as its author wrote it' }),
      html: T.String({
        description:
          'The markdown rendered to HTML with raw HTML disabled (every `<` of the text is escaped) and only http(s)/mailto links',
      }),
      mentions: T.Array(T.String(), { description: 'The principals it mentioned (each was notified)' }),
      digest: T.String({
        description: 'SHA-256 of the canonical comment, as its `comment.added` ledger entry carries',
      }),
      ledgerIndex: T.Integer(),
      createdAt: IsoTime,
    },
    'A comment on an approval request (recorded in the ledger as `comment.added`; not a decision)',
  ),
);

export const CommentList = named('ApprovalCommentList', Items(CommentView, 'The comments on a request, oldest first'));

/** `POST /approvals/{id}/assign`. */
export const AssignBody = named(
  'AssignBody',
  T.Object(
    { assignee: Did },
    { ...closed, description: 'The eligible approver a lead hands the request to (notified; first in their inbox)' },
  ),
);

/** Who is looking at a request and who it is assigned to: the answer of claim, release and assign. */
export const ClaimState = named(
  'ApprovalClaim',
  view(
    {
      approvalId: T.String(),
      claimedBy: Nullable(T.String({ description: 'Who is looking at it (not a lock: anyone eligible may decide)' })),
      claimedUntil: Nullable(IsoTime),
      assignee: Nullable(T.String()),
      assignedBy: Nullable(T.String()),
      assignedAt: Nullable(IsoTime),
    },
    'A request’s claim and assignment',
  ),
);

export type CommentBody = Static<typeof CommentBody>;
export type CommentView = Static<typeof CommentView>;
export type CommentList = Static<typeof CommentList>;
export type ClaimState = Static<typeof ClaimState>;
