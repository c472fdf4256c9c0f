import { API_PREFIX, type Api } from '../kernel/routes.js';
import { TaskIdParams } from '../kernel/schemas.js';
import { CancelBody, CreateTaskBody, ListTasksQuery } from './schemas.js';
import type { Tasks } from './tasks.js';

/** `POST /tasks` (with `Idempotency-Key`), `GET /tasks`, `GET /tasks/{id}`, `POST /tasks/{id}/cancel`. */
export function taskRoutes(api: Api, tasks: Tasks): void {
  api.post(
    `${API_PREFIX}/tasks`,
    {
      schema: {
        tags: ['tasks'],
        body: CreateTaskBody,
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const out = await tasks.create(req.principal, req.body, typeof key === 'string' ? key : undefined);
      return reply.code(out.statusCode).send(out.body);
    },
  );
  api.get(`${API_PREFIX}/tasks`, { schema: { tags: ['tasks'], querystring: ListTasksQuery } }, async (req) =>
    tasks.list(req.principal, { status: req.query.status, limit: req.query.limit ?? 50, cursor: req.query.cursor }),
  );
  api.get(`${API_PREFIX}/tasks/:taskId`, { schema: { tags: ['tasks'], params: TaskIdParams } }, async (req) =>
    tasks.get(req.principal, req.params.taskId),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/cancel`,
    { schema: { tags: ['tasks'], params: TaskIdParams, body: CancelBody } },
    async (req) => tasks.cancel(req.principal, req.params.taskId, req.body.reason),
  );
}
