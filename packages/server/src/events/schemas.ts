import { type Static, Type as T } from 'typebox';
import { GateView } from '../approvals/schemas.js';
import { closed, IsoTime, JsonObject, Nullable, named, TaskStatusSchema, view } from '../kernel/schemas.js';

/** Request schemas of the event stream. */
export const EventsQuery = T.Object({ after: T.Optional(T.Integer({ minimum: -1 })) }, closed);

/* Response schemas. */

export const DecisionView = named(
  'TaskDecision',
  view(
    {
      taskId: T.String(),
      status: TaskStatusSchema,
      decided: T.Boolean({ description: 'Whether the task is past its approval' }),
      approved: T.Boolean(),
      autoApproved: T.Boolean({ description: 'Approved without an execution gate' }),
      approvalId: Nullable(T.String({ description: 'The deciding gate, else the open one' })),
      approvedBy: Nullable(T.String({ description: 'The last approver' })),
      approvers: T.Array(T.String()),
      approvedAt: Nullable(IsoTime),
      approvalReason: Nullable(T.String()),
      rejectedBy: Nullable(T.String()),
      rejectedAt: Nullable(IsoTime),
      rejectionReason: Nullable(T.String()),
      feedback: Nullable(T.String()),
      edits: Nullable(JsonObject),
      approvedPayload: Nullable(JsonObject),
      payloadDigest: Nullable(T.String()),
      expired: T.Boolean(),
      cancelled: T.Boolean(),
      approvalRequest: Nullable(GateView),
      changesRequested: T.Boolean({
        description:
          'An approver asked the agent for changes (`feedback` says what, `changesRequestedBy` who): revise with `POST /tasks/{id}/revise`',
      }),
      changesRequestedBy: Nullable(T.String()),
      version: T.Integer({ description: 'The task’s version: 1 as created, one more per revision' }),
      alternative: Nullable(
        named(
          'ChosenAlternative',
          view(
            {
              index: T.Integer({ description: '0-based index into `aiProposal.alternatives`' }),
              action: T.String({ description: 'The alternative’s text' }),
              payloadDigest: T.String({ description: 'The digest of its payload: what executes' }),
            },
            'The alternative of the proposal an approver approved instead of the proposal',
          ),
        ),
      ),
    },
    'The task’s decision: whether it was decided and approved, by whom, with which edits and approved payload',
  ),
);
/** `GET /events` answers a Server-Sent Events stream. */
export const EventStream = {
  200: {
    description: 'Server-Sent Events: one `event:` per ledger entry (`id:` its index), and keep-alive comments',
    content: { 'text/event-stream': { schema: T.String() } },
  },
};

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type DecisionView = Static<typeof DecisionView>;
