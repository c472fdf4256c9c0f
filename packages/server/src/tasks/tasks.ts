import { HumanOSError, type TaskStatus, TERMINAL_TASK_STATUSES } from '@humanos/core';
import { cancelGates } from '../approvals/gates.js';
import type { Principal } from '../kernel/access.js';
import { decodeCursor, encodeCursor } from '../kernel/cursor.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { StoredResponse } from '../kernel/idempotency.js';
import { recheckDelay } from '../kernel/notifier.js';
import { textBytes, withinBytes } from '../kernel/routes.js';
import { iso } from '../kernel/rows.js';
import type { CreateTaskInput } from '../policy/input.js';
import { createTask } from './create.js';
import { type ReviseInput, reviseTask } from './revise.js';
import type { RevisedTask, TaskPage, TaskView } from './schemas.js';
import { taskView } from './views.js';

/** Tasks: creating (with policy planning and idempotency), reading, listing and withdrawing them. */
export class Tasks {
  constructor(private readonly deps: FeatureDeps) {}

  /** See `createTask`. */
  create(actor: Principal, input: CreateTaskInput, idempotencyKey?: string): Promise<StoredResponse> {
    return createTask(this.deps, actor, input, idempotencyKey);
  }

  /** See `reviseTask` (`POST /tasks/{id}/revise`). */
  revise(actor: Principal, taskId: string, input: ReviseInput): Promise<RevisedTask> {
    return reviseTask(this.deps, actor, taskId, input);
  }

  /**
   * Withdraws a task that has not started executing. Its requester, the human it acts for, or an
   * admin may; its open gates are cancelled (they leave every inbox), waiters learn the outcome, and
   * the task can never execute. A running task is stopped with an override instead.
   *
   * @example
   * await tasks.cancel(agent, 'task:human:…', 'the customer withdrew the order');
   */
  async cancel(actor: Principal, taskId: string, reason: string): Promise<TaskView> {
    const now = this.deps.now();
    await this.deps.write(async (trx, touched) => {
      const task = await this.deps.access.loadTask(trx, taskId, true);
      if (!(await this.deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      if (task.requester !== actor.id && task.on_behalf_of !== actor.id && !this.deps.access.isAdmin(actor)) {
        throw new HumanOSError('not_requester', 'only the requester, the human it acts for, or an admin can cancel it');
      }
      if (!['awaiting_approval', 'approved', 'changes_requested'].includes(task.status)) {
        throw new HumanOSError(
          'invalid_state',
          `task ${taskId} is ${task.status}; only a task that has not started executing can be cancelled${
            task.status === 'executing' || task.status === 'paused' ? ' (stop a running one with an override)' : ''
          }`,
          { taskStatus: task.status },
        );
      }
      const upd = await trx
        .updateTable('tasks')
        .set({ status: 'cancelled', updated_at: now })
        .where('id', '=', taskId)
        .where('status', '=', task.status)
        .executeTakeFirst();
      if (Number(upd.numUpdatedRows) !== 1) throw new HumanOSError('conflict', `task ${taskId} changed concurrently`);
      const gates = await cancelGates(
        trx,
        [taskId],
        { statuses: ['pending', 'waiting'] },
        { actor: actor.id, now, reason: 'the task was cancelled' },
      );
      await this.deps.ledger.append(trx, [
        {
          type: 'task.cancelled',
          at: iso(now),
          actor: actor.id,
          taskId,
          data: { reason, previousStatus: task.status },
        },
        ...gates,
      ]);
      touched.add(taskId);
    });
    return this.get(actor, taskId);
  }

  async get(actor: Principal, taskId: string): Promise<TaskView> {
    return taskView(this.deps.db, await this.deps.access.visibleTask(this.deps.db, actor, taskId));
  }

  /**
   * Long-poll (`GET /tasks/{id}?wait=`): answers the task as soon as it is finished (a terminal
   * status: completed, failed, rejected, expired, cancelled), when `waitSeconds` pass, or with its
   * current state when `signal` aborts (the client left, the server stops).
   *
   * Woken by the commit that touched the task (here or, via NOTIFY, on another replica); between
   * hints it reads only the task's status, and builds the full view once, at the end.
   *
   * @example
   * const done = await tasks.wait(agent, taskId, 30, clientGone(reply)); // done.status === 'completed'
   */
  async wait(actor: Principal, taskId: string, waitSeconds: number, signal?: AbortSignal): Promise<TaskView> {
    const deadline = Date.now() + waitSeconds * 1000;
    // Watching before the first read: a completion committed while it runs is not slept through.
    const watch = this.deps.notifier.watch([`task:${taskId}`]);
    try {
      // The first read checks visibility (404 for a task this caller may not see) and answers a finished task at once.
      const view = await this.get(actor, taskId);
      if (TERMINAL_TASK_STATUSES.has(view.status)) return view;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted || this.deps.notifier.stopping.aborted) break;
        await watch.next(recheckDelay(left), signal);
        const row = await this.deps.db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirst();
        if (!row || TERMINAL_TASK_STATUSES.has(row.status as TaskStatus)) break;
      }
    } finally {
      watch.close();
    }
    return this.get(actor, taskId);
  }

  /** Tasks the caller requested (or acts for); admins see all. Newest first, keyset-paginated. */
  async list(
    actor: Principal,
    q: { status?: TaskStatus | undefined; limit: number; cursor?: string | undefined },
  ): Promise<TaskPage> {
    let query = this.deps.db.selectFrom('tasks').selectAll();
    if (!this.deps.access.isAdmin(actor)) {
      query = query.where((eb) => eb.or([eb('requester', '=', actor.id), eb('on_behalf_of', '=', actor.id)]));
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.cursor !== undefined) query = query.where('created_seq', '<', decodeCursor(q.cursor));
    // Sizes first, rows second: a page of 1 MB payloads is never read (or sent) 200 at a time.
    const heads = await query
      .clearSelect()
      .select(['id', 'created_seq', textBytes(TASK_BIG_COLUMNS).as('bytes')])
      .orderBy('created_seq', 'desc')
      .limit(q.limit + 1)
      .execute();
    const ids = withinBytes(heads.slice(0, q.limit), (h) => Number(h.bytes)).map((h) => h.id);
    const rows = ids.length === 0 ? [] : await selectTasks(this.deps.db, ids);
    const items = await Promise.all(rows.map((t) => taskView(this.deps.db, t)));
    const last = rows[rows.length - 1];
    return { items, nextCursor: heads.length > rows.length && last ? encodeCursor(last.created_seq) : null };
  }
}

/** The columns that can be large (agent-supplied JSON): what a list page is sized by. */
const TASK_BIG_COLUMNS = [
  'payload',
  'proposed_payload',
  'approved_payload',
  'result',
  'ai_proposal',
  'description',
] as const;

function selectTasks(db: FeatureDeps['db'], ids: string[]) {
  return db.selectFrom('tasks').selectAll().where('id', 'in', ids).orderBy('created_seq', 'desc').execute();
}
