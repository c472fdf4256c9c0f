/** Tasks: create, read, wait for the human decision, withdraw, take over, give feedback. */
import { isTransient } from './errors.js';
import { paginate, path, query, sleep, type Transport } from './transport.js';
import type {
  AgentCalibration,
  ApprovalOutcome,
  ApprovalRequest,
  CreatedTask,
  CreateTaskInput,
  FeedbackInput,
  FeedbackResult,
  OverrideInput,
  OverrideResult,
  Page,
  RevisedTask,
  ReviseInput,
  Task,
  TaskHistory,
  TaskStatus,
} from './types.js';

export interface WaitForApprovalOptions {
  /** Called once for each gate that opens (the first one, and any escalation). */
  onApprovalRequest?: (request: ApprovalRequest) => void | Promise<void>;
  /** Stop waiting after this many ms and resolve `{ decided: false, timedOut: true }`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Gates that reached a human: a `waiting` chain step, or one cancelled before its turn, never did. */
const OPENED: ReadonlySet<string> = new Set(['pending', 'approved', 'rejected', 'expired']);

export class TasksClient {
  constructor(private readonly http: Transport) {}

  /**
   * Creates a task. Retries reuse one idempotency key, so a retried create never makes two tasks.
   *
   * @example
   * const task = await client.tasks.create({ description: 'Rotate the signing key', humanInLoop: { approverRole: 'security' } });
   */
  async create(input: CreateTaskInput, opts: { idempotencyKey?: string } = {}): Promise<CreatedTask> {
    const out = await this.http.request<Omit<CreatedTask, 'id'>>('POST', path`/tasks`, {
      body: input,
      idempotencyKey: opts.idempotencyKey ?? true,
    });
    return { id: out.taskId, ...out };
  }

  get(taskId: string, opts: { signal?: AbortSignal } = {}): Promise<Task> {
    return this.http.request('GET', path`/tasks/${taskId}`, { retry: true, signal: opts.signal });
  }

  /** The caller's tasks (all of them for admins), newest first. */
  list(q: { status?: TaskStatus; limit?: number; cursor?: string } = {}): Promise<Page<Task>> {
    return this.http.request('GET', `${path`/tasks`}${query(q)}`, { retry: true });
  }

  /**
   * Every task {@link list} shows, newest first, fetching page after page (of `limit`) as the loop goes.
   *
   * @example
   * for await (const t of client.tasks.listAll({ status: 'awaiting_approval' })) console.log(t.id, t.description);
   */
  listAll(q: { status?: TaskStatus; limit?: number } = {}): AsyncGenerator<Task, void, undefined> {
    return paginate((cursor) => this.list({ ...q, ...(cursor ? { cursor } : {}) }));
  }

  /** One long-poll round: returns when the task is decided or after `waitSeconds` (max 60). */
  decision(taskId: string, waitSeconds = 0, signal?: AbortSignal): Promise<Omit<ApprovalOutcome, 'timedOut'>> {
    return this.http.request('GET', `${path`/tasks/${taskId}/decision`}?wait=${waitSeconds}`, {
      retry: true,
      timeoutMs: this.http.timeoutMs + waitSeconds * 1000,
      signal,
    });
  }

  /**
   * Waits for the human decision on a task. Calls `onApprovalRequest` once for each gate that opens.
   * Resolves with the outcome; it does not throw because time ran out: with `timeoutMs` it resolves
   * `{ decided: false, timedOut: true }`. A restarting server is ridden out, not reported.
   *
   * @example
   * const approval = await client.waitForApproval(task.id, { timeoutMs: 60_000 });
   * if (approval.approved) console.log(approval.approvedBy, approval.approvedPayload);
   */
  async waitForApproval(taskId: string, opts: WaitForApprovalOptions = {}): Promise<ApprovalOutcome> {
    const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
    const announced = new Set<string>();
    let wait = 0;
    for (;;) {
      let state: Omit<ApprovalOutcome, 'timedOut'>;
      try {
        state = await this.decision(taskId, wait, opts.signal);
      } catch (e) {
        if (!isTransient(e) || Date.now() >= deadline) throw e;
        await sleep(500, opts.signal);
        continue;
      }
      let gates = state.approvalRequest ? [state.approvalRequest] : [];
      // A gate that opened and was decided between two looks (or before the first) shows in no
      // decision answer; the task lists them all, so each is still announced once.
      if (opts.onApprovalRequest && state.decided)
        gates = (await this.get(taskId, { signal: opts.signal })).approvals.filter((g) => OPENED.has(g.status));
      for (const request of gates) {
        if (announced.has(request.id)) continue;
        announced.add(request.id);
        await opts.onApprovalRequest?.(request);
      }
      if (state.decided) return { ...state, timedOut: false };
      const left = deadline - Date.now();
      if (left <= 0) return { ...state, timedOut: true };
      wait = Math.max(0, Math.min(30, Math.floor(left / 1000)));
      if (wait === 0) await sleep(Math.min(left, 250), opts.signal);
    }
  }

  /**
   * Answers requested changes with a new version of the task (only the agent that created it, only
   * while `changes_requested`): the policy plans its gates anew and every approver is asked again;
   * no approval of an earlier version counts. Then wait again with {@link waitForApproval}.
   *
   * @example
   * const approval = await client.waitForApproval(task.id);
   * if (approval.changesRequested) {
   *   await client.reviseTask(task.id, { payload: redraft(approval.feedback) });
   *   const again = await client.waitForApproval(task.id);
   * }
   */
  revise(taskId: string, body: ReviseInput): Promise<RevisedTask> {
    return this.http.request('POST', path`/tasks/${taskId}/revise`, { body });
  }

  /**
   * Withdraws a task that has not started executing (its requester, the human it acts for, or an
   * admin): its open approvals are cancelled and it can never execute. Waiters see
   * `{decided: true, approved: false, cancelled: true}`.
   *
   * @example
   * await HumanOS.cancelTask(task.id, { reason: 'the customer withdrew the order' });
   */
  cancel(taskId: string, body: { reason: string }): Promise<Task> {
    return this.http.request('POST', path`/tasks/${taskId}/cancel`, { body });
  }

  /**
   * A human takes over a running task. With `continueExecution: false` the executor's lease is
   * revoked; finish it with `completeTask`.
   */
  override(taskId: string, body: OverrideInput): Promise<OverrideResult> {
    return this.http.request('POST', path`/tasks/${taskId}/override`, { body });
  }

  /** A human's verdict on a finished task; it feeds calibration. */
  feedback(taskId: string, body: FeedbackInput): Promise<FeedbackResult> {
    return this.http.request('POST', path`/tasks/${taskId}/feedback`, { body });
  }

  /** Every ledger event of one task, oldest first, each checked against the latest checkpoint. */
  history(taskId: string): Promise<TaskHistory> {
    return this.http.request('GET', path`/tasks/${taskId}/history`, { retry: true });
  }

  /**
   * Calibration of an agent: Brier score, reliability curve, decision rates, recommended autonomy.
   * Every confidence the agent stated counts (at creation, in heartbeats, in in-run decisions), each
   * judged by the human's correctness verdict; `byStage` splits them by where they were stated.
   */
  calibration(agent: string, capability?: string): Promise<AgentCalibration> {
    return this.http.request('GET', `${path`/calibration`}${query({ agent, capability })}`, { retry: true });
  }
}
