import { API_PREFIX, type Api, clientGone } from '../kernel/routes.js';
import { IdempotencyHeaders, op, responses, TaskIdParams, WaitQuery } from '../kernel/schemas.js';
import { CreateTaskBody } from '../policy/schemas.js';
import { CancelBody, CreatedTask, ListTasksQuery, RevisedTask, ReviseTaskBody, TaskPage, TaskView } from './schemas.js';
import type { Tasks } from './tasks.js';

/** `GET /tasks/{id}`, optionally long-polled until the task finishes. */
const GET_TASK_SCHEMA = {
  ...op(
    'getTask',
    'Get a task',
    'The task with its gates, decisions and outcome. With `?wait=` (seconds, at most 60) the call long-polls until the task is finished — a terminal status: `completed`, `failed`, `rejected`, `expired` or `cancelled` — and answers it then, or answers the task as it is when the wait ends (check `status`). A finished task is answered at once.',
  ),
  tags: ['tasks'],
  params: TaskIdParams,
  querystring: WaitQuery,
  response: responses(200, TaskView, 400, 401, 404),
};

/** `POST /tasks` (with `Idempotency-Key`), `GET /tasks`, `GET /tasks/{id}`, `POST /tasks/{id}/cancel`. */
export function taskRoutes(api: Api, tasks: Tasks): void {
  api.post(
    `${API_PREFIX}/tasks`,
    {
      schema: {
        ...op(
          'createTask',
          'Create a task',
          'An agent asks to do something; the policy plans its approval gates. Replays with the same `Idempotency-Key` answer 200 with the same body.',
        ),
        tags: ['tasks'],
        body: CreateTaskBody,
        response: { ...responses(201, CreatedTask, 400, 401, 403, 409), 200: CreatedTask } as Record<string, unknown>,
        headers: IdempotencyHeaders,
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const out = await tasks.create(req.principal, req.body, typeof key === 'string' ? key : undefined);
      return reply.code(out.statusCode).send(out.body);
    },
  );
  api.get(
    `${API_PREFIX}/tasks`,
    {
      schema: {
        ...op('listTasks', 'List tasks', 'Tasks visible to this principal, newest first.'),
        tags: ['tasks'],
        querystring: ListTasksQuery,
        response: responses(200, TaskPage, 400, 401),
      },
    },
    async (req) =>
      tasks.list(req.principal, { status: req.query.status, limit: req.query.limit ?? 50, cursor: req.query.cursor }),
  );
  api.get(`${API_PREFIX}/tasks/:taskId`, { schema: GET_TASK_SCHEMA }, async (req, reply) =>
    req.query.wait
      ? tasks.wait(req.principal, req.params.taskId, req.query.wait, clientGone(reply))
      : tasks.get(req.principal, req.params.taskId),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/cancel`,
    {
      schema: {
        ...op('cancelTask', 'Cancel a task', 'The requester (or an admin) cancels a task that has not finished.'),
        tags: ['tasks'],
        params: TaskIdParams,
        body: CancelBody,
        response: responses(200, TaskView, 400, 401, 403, 404, 409),
      },
    },
    async (req) => tasks.cancel(req.principal, req.params.taskId, req.body.reason),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/revise`,
    {
      schema: {
        ...op(
          'reviseTask',
          'Revise a task',
          'The agent that created a task answers requested changes with a new version (payload, and optionally proposal and risk): the policy plans its gates anew and every gate is asked again (no approval of an earlier version counts). Only the requester, only while `changes_requested` (`409 invalid_state`), at most the policy’s `maxRevisions` times (`409 revision_limit`).',
        ),
        tags: ['tasks'],
        params: TaskIdParams,
        body: ReviseTaskBody,
        response: responses(200, RevisedTask, 400, 401, 403, 404, 409),
      },
    },
    async (req) => tasks.revise(req.principal, req.params.taskId, req.body),
  );
}
