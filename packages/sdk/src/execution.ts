/**
 * Execution: running what was approved, by the caller (`executeTask` with a handler) or by the
 * capability workers (`executeTask` without one waits for them), plus the low-level calls (claim,
 * heartbeat, complete, fail) and in-run decisions.
 */
import { payloadDigest } from '@humanos/core';
import type { ApprovalsClient } from './approvals.js';
import { HumanOSApiError, isTransient } from './errors.js';
import { watchTakeover } from './takeover.js';
import { path, sleep, type Transport } from './transport.js';
import type {
  Execution,
  ExecutionContext,
  ExecutionHandler,
  HeartbeatInput,
  HeartbeatResult,
  InRunDecisionInput,
  InRunDecisionOutcome,
  InRunDecisionResponse,
  JsonObject,
  Task,
  TaskStatus,
} from './types.js';

export interface ExecuteTaskOptions {
  /**
   * Runs the approved payload here: the SDK starts the execution, heartbeats the lease while the
   * handler runs, then completes (or fails) the task. Without a handler the task is left to the
   * workers whose capabilities cover it, and the call waits until they finish it.
   */
  handler?: ExecutionHandler;
  /**
   * The payload you expect to run: refused (`payload_mismatch`, nothing runs) if it is not the approved
   * one. With a handler the server compares it; without one the SDK compares its digest with the
   * task's approved `payloadDigest` before waiting for the workers.
   */
  payload?: JsonObject;
  /** With a handler: the lease length in seconds (5–3600). Default 60. */
  leaseSeconds?: number;
  /** Without a handler: give up waiting after this many ms (throws `timeout`). Default: no limit. */
  timeoutMs?: number;
  /** Without a handler: cancels the wait (rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Without a handler, only against an older server without the task long-poll: longest pause
   * between two looks at the task, in ms. Default 1000.
   */
  pollIntervalMs?: number;
}

type Finish = { executionId?: string; leaseId?: string };

/** Options of `claim`. */
export interface ClaimOptions {
  /** Tasks to claim at most (1–50). Default 1. */
  limit?: number;
  /** The lease length in seconds (5–3600). Default 60. */
  leaseSeconds?: number;
  /** Long-poll: with nothing to claim, wait up to this many seconds (1–60) for work. Default 0 (answer at once). */
  waitSeconds?: number;
  /** Cancels the call (a worker that stops). */
  signal?: AbortSignal;
}

/**
 * Seconds of one long-poll round (claims, task completion): under the server's 60 s bound, over the
 * 25 s an idle worker may wait between two requests, and under the 60 s read timeout of common
 * reverse proxies (docs/operations.md).
 */
export const LONG_POLL_SECONDS = 30;

const FINISHED: ReadonlySet<TaskStatus> = new Set(['completed', 'failed']);
const STILL_RUNNING: ReadonlySet<TaskStatus> = new Set(['approved', 'executing', 'paused', 'overridden']);
const STOP_CODES = new Set(['task_overridden', 'lease_lost', 'invalid_state', 'forbidden']);

export class ExecutionClient {
  constructor(
    private readonly http: Transport,
    private readonly approvals: ApprovalsClient,
  ) {}

  /**
   * Executes an approved task and resolves with the finished task (`completed` or `failed`, with
   * `result` / `error`).
   *
   * @example
   * // Run it here, on the approved (possibly edited) payload:
   * const done = await client.executeTask(task.id, { handler: (payload) => pay(payload) });
   * // Or leave it to the workers with the task's capabilities and wait for them:
   * const finished = await client.executeTask(task.id, { timeoutMs: 60_000 });
   * console.log(finished.status, finished.result);
   */
  async executeTask(taskId: string, opts: ExecuteTaskOptions = {}): Promise<Task> {
    if (!opts.handler) return this.waitForCompletion(taskId, opts);
    const execution = await this.start(taskId, opts);
    return this.runExecution(execution, opts.handler, opts.leaseSeconds);
  }

  /** Starts execution of an approved task and returns the approved payload, lease and signed grant. */
  start(taskId: string, opts: { payload?: JsonObject; leaseSeconds?: number } = {}): Promise<Execution> {
    return this.http.request('POST', path`/tasks/${taskId}/execute`, {
      body: {
        ...(opts.payload === undefined ? {} : { payload: opts.payload }),
        ...(opts.leaseSeconds ? { leaseSeconds: opts.leaseSeconds } : {}),
      },
    });
  }

  /**
   * Waits until the workers finish an approved task. Throws `invalid_state` if no worker can ever
   * take it (not approved, or it names no capabilities), `timeout` after `timeoutMs`.
   *
   * No polling: one read checks the task, then long-polls (`GET /tasks/{id}?wait=`, up to
   * `LONG_POLL_SECONDS` each) answer as soon as it finishes, so a task finished within one round
   * costs two requests whatever it took. Against a server without that long-poll (it answers at
   * once) the SDK falls back to reading with backoff, pausing at most `pollIntervalMs`.
   */
  async waitForCompletion(
    taskId: string,
    opts: Pick<ExecuteTaskOptions, 'payload' | 'timeoutMs' | 'signal' | 'pollIntervalMs'> = {},
  ): Promise<Task> {
    const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
    const maxPause = opts.pollIntervalMs ?? 1000;
    let pause = Math.min(100, maxPause);
    let wait = 0;
    for (let first = true; ; first = false) {
      const asked = Date.now();
      const task = await this.look(taskId, wait, opts.signal);
      if (task) {
        if (first) checkPayload(task, opts.payload);
        if (FINISHED.has(task.status)) return task;
        checkWaitable(task, first);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new HumanOSApiError('timeout', 0, `task ${taskId} did not finish within ${opts.timeoutMs} ms`);
      }
      // A long-poll that came back early without an answer (an older server, one stopping, the
      // server briefly unreachable) is followed by a pause, never by an immediate retry.
      if (!first && (!task || Date.now() - asked < (wait * 1000) / 2)) {
        await sleep(Math.min(pause, left), opts.signal);
        pause = Math.min(maxPause, pause * 1.5);
      }
      // Never past the caller's deadline (the server takes tenths of a second too).
      wait = Math.max(0.1, Math.min(LONG_POLL_SECONDS, Math.round((deadline - Date.now()) / 100) / 10));
    }
  }

  /**
   * One read of the task (long-polled until it finishes when `waitSeconds` > 0); undefined when the
   * server is briefly unreachable (ridden out).
   */
  private async look(taskId: string, waitSeconds: number, signal: AbortSignal | undefined): Promise<Task | undefined> {
    const url = waitSeconds > 0 ? `${path`/tasks/${taskId}`}?wait=${waitSeconds}` : path`/tasks/${taskId}`;
    try {
      return await this.http.request<Task>('GET', url, {
        retry: true,
        signal,
        timeoutMs: this.http.timeoutMs + waitSeconds * 1000,
      });
    } catch (e) {
      if (isTransient(e)) return undefined;
      throw e;
    }
  }

  /** Runs a handler for a started execution: heartbeats, abort on takeover, then complete or fail. */
  async runExecution(execution: Execution, handler: ExecutionHandler, leaseSeconds = 60): Promise<Task> {
    const lease = new Lease(this.http, this.approvals, execution, leaseSeconds);
    const finish: Finish = { executionId: execution.executionId, leaseId: execution.leaseId };
    const timer = setInterval(() => void lease.beat().catch(() => {}), Math.max(1000, (leaseSeconds * 1000) / 3));
    timer.unref?.();
    // A takeover reaches the handler over the event stream within a second; heartbeats stay the fallback.
    const watching = new AbortController();
    const from = execution.grant.checkpointSize - 1;
    void watchTakeover(this.http, execution.taskId, Math.max(-1, from), watching.signal, (e) => lease.stop(e));
    try {
      let result: unknown;
      try {
        result = await handler(execution.payload, lease.context());
      } catch (e) {
        if (lease.stopped) throw lease.stopped;
        await this.fail(execution.taskId, { message: (e as Error).message }, finish);
        throw e;
      }
      if (lease.stopped) throw lease.stopped;
      return await this.complete(execution.taskId, result, finish);
    } finally {
      clearInterval(timer);
      watching.abort();
    }
  }

  /**
   * Claims up to `limit` approved tasks this worker's capabilities cover (needs the executor role).
   * With `waitSeconds` (1–60) and nothing to claim, the server holds the call until work it can claim
   * appears or the wait ends (then none): what `Worker` does instead of asking again and again.
   *
   * @example
   * const [execution] = await client.claim(['accounting'], { waitSeconds: 30 });
   * if (execution) await client.runExecution(execution, (payload) => pay(payload));
   */
  async claim(capabilities: string[], opts: ClaimOptions = {}): Promise<Execution[]> {
    const { waitSeconds = 0, signal, ...rest } = opts;
    const url = waitSeconds > 0 ? `${path`/executions/claim`}?wait=${waitSeconds}` : path`/executions/claim`;
    const r = await this.http.request<{ items: Execution[] }>('POST', url, {
      body: { capabilities, ...rest },
      signal,
      timeoutMs: this.http.timeoutMs + waitSeconds * 1000,
    });
    return r.items;
  }

  /**
   * Extends a running execution's lease and reports confidence and progress, for callers that run
   * the execution themselves (a handler given to `executeTask` / `runExecution` is heartbeated for
   * you). A low confidence may pause the run for a human review: the answer's `action` is then `wait`.
   *
   * @example
   * const beat = await client.heartbeat(task.id, { leaseId: execution.leaseId, confidence: 0.55, progress: '3 of 5 tables' });
   * if (beat.action === 'wait') console.log('a human reviews', beat.approvalRequest?.id);
   */
  heartbeat(taskId: string, body: HeartbeatInput): Promise<HeartbeatResult> {
    return this.http.request('POST', path`/tasks/${taskId}/heartbeat`, { body });
  }

  complete(taskId: string, result?: unknown, opts: Finish = {}): Promise<Task> {
    return this.http.request('POST', path`/tasks/${taskId}/complete`, {
      body: { ...(result === undefined ? {} : { result }), ...opts },
    });
  }

  fail(taskId: string, error?: unknown, opts: Finish = {}): Promise<Task> {
    return this.http.request('POST', path`/tasks/${taskId}/fail`, {
      body: { ...(error === undefined ? {} : { error }), ...opts },
    });
  }

  /**
   * Submits an in-run decision of an executing task. Under `all_decisions` (or when the decision is
   * critical / below the confidence threshold) it opens a `decision` gate and, by default, waits for
   * the human; otherwise it is auto-approved and recorded. Returns whether to go ahead, and with
   * which payload (the human's edits applied).
   *
   * @example
   * const d = await client.submitDecision(taskId, { action: 'drop table old_orders', confidence: 0.4 });
   * if (d.approved) await drop(d.payload);
   */
  async submitDecision(
    taskId: string,
    decision: InRunDecisionInput,
    opts: { wait?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<InRunDecisionOutcome> {
    const r = await this.http.request<InRunDecisionResponse>('POST', path`/tasks/${taskId}/decisions`, {
      body: decision,
    });
    if (r.status === 'approved') return { approved: true, decided: true, status: 'approved', payload: r.payload };
    // A policy chain makes several steps: the decision stands when the last one does (a reject at any
    // step cancels the rest, which ends the wait on the last one too).
    const gate = r.approvalChain?.at(-1) ?? r.approvalRequest;
    if (opts.wait === false)
      return { approved: false, decided: false, status: 'pending', payload: null, approvalRequest: gate };
    const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
    for (;;) {
      const wait = Math.max(1, Math.min(30, Math.floor((deadline - Date.now()) / 1000)));
      const view = await this.approvals.wait(gate.id, wait, opts.signal);
      if (view.status !== 'pending') {
        const approved = view.status === 'approved';
        return {
          approved,
          decided: true,
          status: view.status,
          payload: view.approvedPayload ?? null,
          approvalRequest: view,
        };
      }
      if (Date.now() >= deadline)
        return { approved: false, decided: false, status: 'pending', payload: null, approvalRequest: view };
    }
  }
}

/** Why a task that is not finished can never be finished by a worker, or nothing if it can. */
/**
 * Refuses a payload that is not the approved one, as the server's `/execute` does (409
 * `payload_mismatch` with both digests): what the workers run is the approved payload, so waiting for
 * them under another one would pretend it ran. A task not approved yet is refused by its status.
 */
function checkPayload(task: Task, payload: JsonObject | undefined): void {
  if (payload === undefined || task.payloadDigest === null) return;
  const givenDigest = payloadDigest(payload);
  if (givenDigest === task.payloadDigest) return;
  const detail = 'the payload differs from the approved payload; it needs a new approval';
  throw new HumanOSApiError('payload_mismatch', 409, detail, {
    problem: {
      type: 'urn:humanos:problem:payload_mismatch',
      title: 'Conflict',
      status: 409,
      code: 'payload_mismatch',
      detail,
      approvedDigest: task.payloadDigest,
      givenDigest,
    },
  });
}

function checkWaitable(task: Task, first: boolean): void {
  if (STILL_RUNNING.has(task.status)) {
    // Workers claim only tasks that name capabilities; a task without them is run by its requester.
    if (first && task.status === 'approved' && task.requiredCapabilities.length === 0) {
      throw new HumanOSApiError(
        'invalid_state',
        0,
        `task ${task.id} names no requiredCapabilities, so no worker will claim it: pass a handler to run it here`,
      );
    }
    return;
  }
  const code = task.status === 'expired' ? 'approval_expired' : 'invalid_state';
  throw new HumanOSApiError(code, 0, `task ${task.id} is ${task.status}; only an approved task can execute`);
}

/** The lease of one running execution: heartbeats, and the abort signal a takeover fires. */
class Lease {
  readonly ac = new AbortController();
  stopped: HumanOSApiError | undefined;

  constructor(
    private readonly http: Transport,
    private readonly approvals: ApprovalsClient,
    private readonly execution: Execution,
    private readonly leaseSeconds: number,
  ) {}

  async beat(body: { confidence?: number; progress?: string } = {}): Promise<HeartbeatResult> {
    const { taskId, leaseId } = this.execution;
    try {
      return await this.http.request<HeartbeatResult>('POST', path`/tasks/${taskId}/heartbeat`, {
        body: { leaseId, leaseSeconds: this.leaseSeconds, ...body },
      });
    } catch (e) {
      if (e instanceof HumanOSApiError && STOP_CODES.has(e.code)) this.stop(e);
      throw e;
    }
  }

  /** Stops the handler: its signal aborts with the reason (a takeover, a lost lease). */
  stop(e: HumanOSApiError): void {
    if (this.ac.signal.aborted) return;
    this.stopped = e;
    this.ac.abort(e);
  }

  /** Reports confidence/progress; while a human reviews a low-confidence pause, waits for them. */
  async report(r: { confidence?: number; progress?: string }): Promise<void> {
    let answer = await this.beat(r);
    while (answer.action === 'wait' && !this.ac.signal.aborted) {
      if (answer.approvalRequest)
        await this.approvals.wait(answer.approvalRequest.id, 30, this.ac.signal).catch(() => {});
      answer = await this.beat({});
    }
    if (this.ac.signal.aborted) throw this.stopped ?? new HumanOSApiError('task_overridden', 409, 'execution stopped');
  }

  context(): ExecutionContext {
    return { execution: this.execution, signal: this.ac.signal, report: (r) => this.report(r) };
  }
}
