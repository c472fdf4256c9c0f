import type { Auth } from '../auth/auth.js';
import type { Access } from '../kernel/access.js';
import { API_PREFIX, type Api, clientGone, sendProblem } from '../kernel/routes.js';
import { op, problemsOnly, responses, TaskIdParams, WaitQuery } from '../kernel/schemas.js';
import type { Feed } from './feed.js';
import { DecisionView, EventStream, EventsQuery } from './schemas.js';
import { streamEvents } from './stream.js';
import type { Decisions } from './taskDecision.js';

export interface EventRouteDeps {
  decisions: Decisions;
  feed: Feed;
  auth: Auth;
  access: Access;
  /** Concurrent streams a principal may hold (admins are exempt); 0: no cap. */
  maxStreamsPerPrincipal: number;
}

/** Waiting: the decision long-poll (`GET /tasks/{id}/decision?wait=`) and the SSE feed (`GET /events`). */
export function eventRoutes(api: Api, deps: EventRouteDeps): void {
  const open = new Map<string, number>();
  api.get(
    `${API_PREFIX}/tasks/:taskId/decision`,
    {
      schema: {
        ...op('getDecision', 'Wait for the decision', 'The task’s decision; `?wait=` long-polls until it is decided.'),
        tags: ['tasks'],
        params: TaskIdParams,
        querystring: WaitQuery,
        response: responses(200, DecisionView, 400, 401, 404),
      },
    },
    async (req, reply) => deps.decisions.wait(req.principal, req.params.taskId, req.query.wait ?? 0, clientGone(reply)),
  );
  api.get(
    `${API_PREFIX}/events`,
    {
      schema: {
        ...op(
          'streamEvents',
          'Event stream',
          'Ledger events visible to this principal as Server-Sent Events; resumes after `Last-Event-ID` or `?after=`.',
        ),
        tags: ['events'],
        querystring: EventsQuery,
        response: { ...EventStream, ...problemsOnly(400, 401) },
      },
    },
    async (req, reply) => {
      const header = req.headers['last-event-id'];
      let after = req.query.after ?? -1;
      if (typeof header === 'string' && header !== '') {
        if (!/^\d{1,15}$/.test(header))
          return sendProblem(reply, 'bad_request', 'Last-Event-ID must be a ledger index');
        after = Number(header);
      }
      const who = req.principal.id;
      const held = open.get(who) ?? 0;
      const cap = deps.maxStreamsPerPrincipal;
      if (cap > 0 && held >= cap && !deps.access.isAdmin(req.principal)) {
        reply.header('retry-after', '5');
        return sendProblem(
          reply,
          'too_many_streams',
          `${who} already holds ${held} event streams (the limit is ${cap})`,
        );
      }
      open.set(who, held + 1);
      try {
        await streamEvents(deps, req, reply, after);
      } finally {
        const n = (open.get(who) ?? 1) - 1;
        if (n <= 0) open.delete(who);
        else open.set(who, n);
      }
    },
  );
}
