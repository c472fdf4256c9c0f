import { API_PREFIX, type Api } from '../kernel/routes.js';
import { TaskIdParams } from '../kernel/schemas.js';
import type { InRunDecisions } from './decisions.js';
import type { Execution } from './execution.js';
import type { Feedback } from './feedback.js';
import {
  CalibrationQuery,
  ClaimBody,
  CompleteBody,
  ExecuteBody,
  FailBody,
  FeedbackBody,
  HeartbeatBody,
  InRunDecisionBody,
  OverrideBody,
} from './schemas.js';

/** Claims, execute, heartbeats, in-run decisions, override, complete/fail, feedback and calibration. */
export function executionRoutes(api: Api, execution: Execution, decisions: InRunDecisions, feedback: Feedback): void {
  const task = { tags: ['execution'], params: TaskIdParams };
  api.post(`${API_PREFIX}/executions/claim`, { schema: { tags: ['execution'], body: ClaimBody } }, async (req) => ({
    items: await execution.claim(req.principal, req.body),
  }));
  api.post(`${API_PREFIX}/tasks/:taskId/execute`, { schema: { ...task, body: ExecuteBody } }, async (req) =>
    execution.execute(req.principal, req.params.taskId, req.body ?? {}),
  );
  api.post(`${API_PREFIX}/tasks/:taskId/heartbeat`, { schema: { ...task, body: HeartbeatBody } }, async (req) =>
    execution.heartbeat(req.principal, req.params.taskId, req.body),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/decisions`,
    { schema: { ...task, body: InRunDecisionBody } },
    async (req, reply) => reply.code(201).send(await decisions.submit(req.principal, req.params.taskId, req.body)),
  );
  api.post(`${API_PREFIX}/tasks/:taskId/override`, { schema: { ...task, body: OverrideBody } }, async (req) =>
    execution.override(req.principal, req.params.taskId, req.body),
  );
  api.post(`${API_PREFIX}/tasks/:taskId/complete`, { schema: { ...task, body: CompleteBody } }, async (req) =>
    execution.finish(req.principal, req.params.taskId, 'completed', req.body ?? {}),
  );
  api.post(`${API_PREFIX}/tasks/:taskId/fail`, { schema: { ...task, body: FailBody } }, async (req) =>
    execution.finish(req.principal, req.params.taskId, 'failed', req.body ?? {}),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/feedback`,
    { schema: { tags: ['feedback'], params: TaskIdParams, body: FeedbackBody } },
    async (req, reply) => reply.code(201).send(await feedback.record(req.principal, req.params.taskId, req.body)),
  );
  api.get(`${API_PREFIX}/calibration`, { schema: { tags: ['feedback'], querystring: CalibrationQuery } }, async (req) =>
    feedback.calibration(req.principal, req.query),
  );
}
