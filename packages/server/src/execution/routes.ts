import { API_PREFIX, type Api, clientGone } from '../kernel/routes.js';
import { op, responses, TaskIdParams, WaitQuery } from '../kernel/schemas.js';
import { TaskView } from '../tasks/schemas.js';
import type { Execution } from './execution.js';
import type { Feedback } from './feedback.js';
import type { InRunDecisions } from './inRunDecisions.js';
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

const run = [400, 401, 403, 404, 409] as const;
/** Each operation's documentation and responses (the request schemas stay beside their route). */
const DOC = {
  claim: {
    ...op(
      'claimExecutions',
      'Claim approved tasks',
      'An executor claims approved tasks whose capabilities it has registered; each comes with its execution grant. With `?wait=` (seconds, at most 60) and nothing to claim, the call waits: it answers as soon as a task it can claim appears (on any replica), or with no items when the wait ends. Idle workers use it instead of asking again and again.',
    ),
    response: responses(200, ClaimResult, 400, 401, 403),
  },
  execute: {
    ...op(
      'executeTask',
      'Start executing',
      'Starts the approved task: a lease and the signed grant with the approved payload.',
    ),
    response: responses(200, ExecutionGrant, ...run),
  },
  heartbeat: {
    ...op(
      'heartbeat',
      'Heartbeat',
      'Renews the lease and reports progress and confidence; a drop in confidence can pause the run for a review.',
    ),
    response: responses(200, HeartbeatResult, ...run),
  },
  decision: {
    ...op(
      'submitDecision',
      'Ask for an in-run decision',
      'The executor asks a human to decide one step of a running task.',
    ),
    response: responses(201, InRunDecisionResult, ...run),
  },
  override: {
    ...op(
      'overrideTask',
      'Take over',
      'A human takes over a running task (or lets it continue); the executor’s lease is revoked.',
    ),
    response: responses(200, OverrideResult, ...run),
  },
  complete: {
    ...op('completeTask', 'Complete', 'The lease holder reports success with a result.'),
    response: responses(200, TaskView, ...run),
  },
  fail: {
    ...op('failTask', 'Fail', 'The lease holder reports failure with an error.'),
    response: responses(200, TaskView, ...run),
  },
  feedback: {
    ...op(
      'recordFeedback',
      'Rate a task',
      'Feedback on a finished task: quality and notes, for calibration and routing.',
    ),
    response: responses(201, FeedbackResult, ...run),
  },
  calibration: {
    ...op('getCalibration', 'Calibration', 'How well an agent’s stated confidence predicted approval and quality.'),
    response: responses(200, CalibrationReport, 400, 401, 403),
  },
};

/** Claims, execute, heartbeats, in-run decisions, override, complete/fail, feedback and calibration. */
export function executionRoutes(api: Api, execution: Execution, decisions: InRunDecisions, feedback: Feedback): void {
  const task = { tags: ['execution'], params: TaskIdParams };
  api.post(
    `${API_PREFIX}/executions/claim`,
    { schema: { ...DOC.claim, tags: ['execution'], body: ClaimBody, querystring: WaitQuery } },
    async (req, reply) => ({
      items: req.query.wait
        ? await execution.claimWaiting(req.principal, req.body, req.query.wait, clientGone(reply))
        : await execution.claim(req.principal, req.body),
    }),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/execute`,
    { schema: { ...DOC.execute, ...task, body: ExecuteBody } },
    async (req) => execution.execute(req.principal, req.params.taskId, req.body ?? {}),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/heartbeat`,
    { schema: { ...DOC.heartbeat, ...task, body: HeartbeatBody } },
    async (req) => execution.heartbeat(req.principal, req.params.taskId, req.body),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/decisions`,
    { schema: { ...DOC.decision, ...task, body: InRunDecisionBody } },
    async (req, reply) => reply.code(201).send(await decisions.submit(req.principal, req.params.taskId, req.body)),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/override`,
    { schema: { ...DOC.override, ...task, body: OverrideBody } },
    async (req) => execution.override(req.principal, req.params.taskId, req.body),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/complete`,
    { schema: { ...DOC.complete, ...task, body: CompleteBody } },
    async (req) => execution.finish(req.principal, req.params.taskId, 'completed', req.body ?? {}),
  );
  api.post(`${API_PREFIX}/tasks/:taskId/fail`, { schema: { ...DOC.fail, ...task, body: FailBody } }, async (req) =>
    execution.finish(req.principal, req.params.taskId, 'failed', req.body ?? {}),
  );
  api.post(
    `${API_PREFIX}/tasks/:taskId/feedback`,
    { schema: { ...DOC.feedback, tags: ['feedback'], params: TaskIdParams, body: FeedbackBody } },
    async (req, reply) => reply.code(201).send(await feedback.record(req.principal, req.params.taskId, req.body)),
  );
  api.get(
    `${API_PREFIX}/calibration`,
    { schema: { ...DOC.calibration, tags: ['feedback'], querystring: CalibrationQuery } },
    async (req) => feedback.calibration(req.principal, req.query),
  );
}
