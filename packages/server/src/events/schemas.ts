import { Type as T } from 'typebox';
import { closed, Nullable, TaskStatusSchema, view } from '../kernel/schemas.js';

/** Request schemas of the event stream. */
export const EventsQuery = T.Object({ after: T.Optional(T.Integer({ minimum: -1 })) }, closed);

/* Response schemas. */

export const DecisionView = view(
  {
    taskId: T.String(),
    status: TaskStatusSchema,
    decided: T.Boolean({ description: 'Whether the task is past its approval' }),
    approved: T.Boolean(),
    autoApproved: T.Boolean(),
    approvalId: Nullable(T.String()),
    approvers: T.Array(T.String()),
    expired: T.Boolean(),
    cancelled: T.Boolean(),
  },
  'The task’s decision: whether it was decided and approved, by whom, with which edits and approved payload',
);
/** `GET /events` answers a Server-Sent Events stream. */
export const EventStream = {
  200: {
    description: 'Server-Sent Events: one `event:` per ledger entry (`id:` its index), and keep-alive comments',
    content: { 'text/event-stream': { schema: T.String() } },
  },
};
