import { API_PREFIX, type Api, clientGone, sendProblem } from '../kernel/routes.js';
import { TaskIdParams, WaitQuery } from '../kernel/schemas.js';
import type { Principals } from '../principals/principals.js';
import type { Decisions } from './decisions.js';
import type { Feed } from './feed.js';
import { EventsQuery } from './schemas.js';
import { streamEvents } from './stream.js';

/** Waiting: the decision long-poll (`GET /tasks/{id}/decision?wait=`) and the SSE feed (`GET /events`). */
export function eventRoutes(api: Api, deps: { decisions: Decisions; feed: Feed; principals: Principals }): void {
  api.get(
    `${API_PREFIX}/tasks/:taskId/decision`,
    { schema: { tags: ['tasks'], params: TaskIdParams, querystring: WaitQuery } },
    async (req, reply) => deps.decisions.wait(req.principal, req.params.taskId, req.query.wait ?? 0, clientGone(reply)),
  );
  api.get(`${API_PREFIX}/events`, { schema: { tags: ['events'], querystring: EventsQuery } }, async (req, reply) => {
    const header = req.headers['last-event-id'];
    let after = req.query.after ?? -1;
    if (typeof header === 'string' && header !== '') {
      if (!/^\d{1,15}$/.test(header)) return sendProblem(reply, 'bad_request', 'Last-Event-ID must be a ledger index');
      after = Number(header);
    }
    await streamEvents(deps, req, reply, after);
  });
}
