import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses, TaskIdParams } from '../kernel/schemas.js';
import { TaskView } from '../tasks/schemas.js';
import type { InRunDecisions } from './decisions.js';
import type { Execution } from './execution.js';
import type { Feedback } from './feedback.js';
import {
  CalibrationQuery,
  CalibrationReport,
  ClaimBody,
  ClaimResult,
  CompleteBody,
  ExecuteBody,
  ExecutionGrant,
  FailBody,
  FeedbackBody,
  FeedbackResult,
  HeartbeatBody,
  HeartbeatResult,
  InRunDecisionBody,
  InRunDecisionResult,
  OverrideBody,
  OverrideResult,
} from './schemas.js';

/** Claims, execute, heartbeats, in-run decisions, override, complete/fail, feedback and calibration. */
export function executionRoutes(api: Api, execution: Execution, decisions: InRunDecisions, feedback: Feedback): void {
  const task = { tags: ['execution'], params: TaskIdParams };
  const run = [400, 401, 403, 404, 409] as const;
  api.post(
    `${API_PREFIX}/executions/claim`,
    {
      schema: {
        ...op(
          'claimExecutions',
          'Claim approved tasks',
          'An executor claims approved tasks whose capabilities it has registered; each comes with its execution grant.',
        ),
        tags: ['execution'],
        body: ClaimBody,
        response: responses(200, ClaimResult, 400, 401, 403),
      },
    },
    async (req) => ({
      items: await execution.claim(req.principal, req.body),
    }),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/execute`,
    {
      schema: {
        ...op(
          'executeTask',
          'Start executing',
          'Starts the approved task: a lease and the signed grant with the approved payload.',
        ),
        ...task,
        body: ExecuteBody,
        response: responses(200, ExecutionGrant, ...run),
      },
    },
    async (req) => execution.execute(req.principal, req.params.taskId, req.body ?? {}),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/heartbeat`,
    {
      schema: {
        ...op(
          'heartbeat',
          'Heartbeat',
          'Renews the lease and reports progress and confidence; a drop in confidence can pause the run for a review.',
        ),
        ...task,
        body: HeartbeatBody,
        response: responses(200, HeartbeatResult, ...run),
      },
    },
    async (req) => execution.heartbeat(req.principal, req.params.taskId, req.body),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/decisions`,
    {
      schema: {
        ...op(
          'submitDecision',
          'Ask for an in-run decision',
          'The executor asks a human to decide one step of a running task.',
        ),
        ...task,
        body: InRunDecisionBody,
        response: responses(201, InRunDecisionResult, ...run),
      },
    },
    async (req, reply) => reply.code(201).send(await decisions.submit(req.principal, req.params.taskId, req.body)),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/override`,
    {
      schema: {
        ...op(
          'overrideTask',
          'Take over',
          'A human takes over a running task (or lets it continue); the executor’s lease is revoked.',
        ),
        ...task,
        body: OverrideBody,
        response: responses(200, OverrideResult, ...run),
      },
    },
    async (req) => execution.override(req.principal, req.params.taskId, req.body),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/complete`,
    {
      schema: {
        ...op('completeTask', 'Complete', 'The lease holder reports success with a result.'),
        ...task,
        body: CompleteBody,
        response: responses(200, TaskView, ...run),
      },
    },
    async (req) => execution.finish(req.principal, req.params.taskId, 'completed', req.body ?? {}),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/fail`,
    {
      schema: {
        ...op('failTask', 'Fail', 'The lease holder reports failure with an error.'),
        ...task,
        body: FailBody,
        response: responses(200, TaskView, ...run),
      },
    },
    async (req) => execution.finish(req.principal, req.params.taskId, 'failed', req.body ?? {}),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/feedback`,
    {
      schema: {
        ...op(
          'recordFeedback',
          'Rate a task',
          'Feedback on a finished task: quality and notes, for calibration and routing.',
        ),
        tags: ['feedback'],
        params: TaskIdParams,
        body: FeedbackBody,
        response: responses(201, FeedbackResult, ...run),
      },
    },
    async (req, reply) => reply.code(201).send(await feedback.record(req.principal, req.params.taskId, req.body)),
  );
  api.get(
    `${API_PREFIX}/calibration`,
    {
      schema: {
        ...op('getCalibration', 'Calibration', 'How well an agent’s stated confidence predicted approval and quality.'),
        tags: ['feedback'],
        querystring: CalibrationQuery,
        response: responses(200, CalibrationReport, 400, 401, 403),
      },
    },
    async (req) => feedback.calibration(req.principal, req.query),
  );
}
