/**
 * `requireApproval(fn, options)`: a function call becomes a task a human approves, edits or rejects
 * before it runs — the guard an agent framework puts around a tool.
 *
 * The proposal is the call itself: `action` is the function's name, the payload is `{ args }`. The
 * function runs only on approval, with the approved arguments (a human's edits included), as the
 * task's execution: its return value is recorded as the task's result. A rejection (or expiry, or a
 * wait that ran out) is returned as a sentence an LLM can read, or thrown, as configured.
 */
import type { HumanOSClient } from './client.js';
import type { CreateTaskInput } from './types.js';

/** Why a guarded call did not run. */
export interface Denial {
  taskId: string;
  /** The action that was proposed (the function's name). */
  action: string;
  /**
   * `rejected` by a human, `expired` unanswered, `cancelled`, `timed_out` (our own wait), or
   * `changes_requested` (the human's `feedback` says what to change: call again with the changes).
   */
  outcome: 'rejected' | 'expired' | 'cancelled' | 'timed_out' | 'changes_requested';
  rejectedBy: string | null;
  reason: string | null;
  feedback: string | null;
  /** A sentence for an LLM, e.g. `The human did:human:ann rejected send_email: wrong recipient`. */
  message: string;
}

/** Thrown by a guarded call with `onReject: 'throw'`. */
export class ApprovalDeniedError extends Error {
  readonly denial: Denial;
  constructor(denial: Denial) {
    super(denial.message);
    this.name = 'ApprovalDeniedError';
    this.denial = denial;
  }
}

export interface RequireApprovalOptions<D = string> extends Omit<CreateTaskInput, 'description' | 'payload'> {
  /** The task's description; default `Call <name>(<args as JSON>)`. A function gets the arguments. */
  description?: string | ((args: unknown[]) => string);
  /** The proposed action; default the function's name. */
  action?: string;
  /** `'return'` (default): resolve with `denial.message`; `'throw'`: reject with ApprovalDeniedError;
   * a function: resolve with what it returns. */
  onReject?: 'return' | 'throw' | ((denial: Denial) => D);
  /** Stop waiting for a human after this many ms: the task is withdrawn and the call denied. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The client to use; default the one behind `HumanOS` (HUMANOS_URL / HUMANOS_API_KEY). */
  client?: HumanOSClient;
}

/** A guarded function: same arguments; resolves with the function's result, or the denial value `D`. */
export type ApprovalGuard<A extends unknown[], R, D = string> = (...args: A) => Promise<Awaited<R> | D>;

const MAX_DESCRIPTION = 2000;

/**
 * Wraps `fn` so that every call waits for a human's approval first.
 *
 * @example
 * const sendEmail = requireApproval(
 *   async function send_email(to: string, body: string) { return mailer.send(to, body); },
 *   { humanInLoop: { approverRole: 'comms_lead', approvalTimeout: 600 }, aiProposal: { reasoning: 'customer asked' } },
 * );
 * const answer = await sendEmail('ann@example.com', 'Your refund is on its way');
 * // approved: mailer.send's result (with the human's edits to the arguments applied)
 * // rejected: "The human did:human:lead rejected send_email: tone is too casual"
 */
export function requireApproval<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  options: RequireApprovalOptions<never> & { onReject: 'throw' },
): ApprovalGuard<A, R, never>;
export function requireApproval<A extends unknown[], R, D>(
  fn: (...args: A) => R | Promise<R>,
  options: RequireApprovalOptions<D> & { onReject: (denial: Denial) => D },
): ApprovalGuard<A, R, Awaited<D>>;
export function requireApproval<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  options?: RequireApprovalOptions<string> & { onReject?: 'return' },
): ApprovalGuard<A, R, string>;
export function requireApproval<A extends unknown[], R, D>(
  fn: (...args: A) => R | Promise<R>,
  options: RequireApprovalOptions<D> = {},
): ApprovalGuard<A, R, unknown> {
  const { description, action: actionOpt, onReject = 'return', timeoutMs, signal, client: given, ...task } = options;
  const action = actionOpt ?? (fn.name || 'anonymous function');
  return async (...args: A) => {
    const client = given ?? (await import('./facade.js')).defaultHumanOSClient();
    const created = await client.createTask({
      ...task,
      description: describe(description, action, args),
      payload: { args },
      aiProposal: { ...task.aiProposal, action },
    });
    const outcome = await client.waitForApproval(created.id, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(signal ? { signal } : {}),
    });
    if (!outcome.approved) {
      if (outcome.timedOut)
        await client.cancelTask(created.id, { reason: `no decision within ${timeoutMs} ms` }).catch(() => {});
      // A wrapped call cannot revise its own arguments: the caller calls again with the changes.
      if (outcome.changesRequested)
        await client
          .cancelTask(created.id, { reason: 'changes requested: the caller will call again' })
          .catch(() => {});
      return deny(denialOf(created.id, action, outcome), onReject);
    }
    let result: Awaited<R> | undefined;
    await client.executeTask(created.id, {
      handler: async (payload) => {
        result = await fn(...(approvedArgs(payload, args) as A));
        return toJson(result);
      },
    });
    return result as Awaited<R>;
  };
}

function describe(d: RequireApprovalOptions<unknown>['description'], action: string, args: unknown[]): string {
  const text = typeof d === 'function' ? d(args) : (d ?? `Call ${action}(${JSON.stringify(args).slice(1, -1)})`);
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

/** The approved arguments: the payload's `args` after the humans' edits (an array, else unchanged). */
function approvedArgs(payload: Record<string, unknown>, original: unknown[]): unknown[] {
  return Array.isArray(payload.args) ? payload.args : original;
}

/** The result as JSON the server can store (undefined becomes null; functions are dropped). */
function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}

/**
 * Why a call did not run, from a decision that was not an approval: the outcome, who and why, and a
 * sentence an LLM can read (what `requireApproval` answers, and what agent-framework adapters pass
 * on as the framework's rejection).
 *
 * @example
 * const outcome = await client.waitForApproval(task.id);
 * if (!outcome.approved) console.log(denialOf(task.id, 'send_email', outcome).message);
 */
export function denialOf(
  taskId: string,
  action: string,
  o: Awaited<ReturnType<HumanOSClient['waitForApproval']>>,
): Denial {
  const outcome: Denial['outcome'] = o.timedOut
    ? 'timed_out'
    : o.changesRequested
      ? 'changes_requested'
      : o.expired
        ? 'expired'
        : o.cancelled
          ? 'cancelled'
          : 'rejected';
  const why = [o.rejectionReason, o.feedback && o.feedback !== o.rejectionReason ? o.feedback : null]
    .filter(Boolean)
    .join(' — ');
  const message =
    outcome === 'changes_requested'
      ? `The human ${o.changesRequestedBy ?? 'approver'} asked for changes to ${action}: ${o.feedback ?? ''}. Call it again with the changes.`
      : outcome === 'rejected'
        ? `The human ${o.rejectedBy ?? 'approver'} rejected ${action}${why ? `: ${why}` : ''}. Do not retry it unchanged.`
        : outcome === 'expired'
          ? `Nobody approved ${action} in time; it was not run.`
          : outcome === 'cancelled'
            ? `The request to run ${action} was withdrawn; it was not run.`
            : `No human decided on ${action} in time; it was not run.`;
  return {
    taskId,
    action,
    outcome,
    rejectedBy: o.rejectedBy,
    reason: o.rejectionReason,
    feedback: o.feedback,
    message,
  };
}

function deny<D>(denial: Denial, onReject: NonNullable<RequireApprovalOptions<D>['onReject']>): unknown {
  if (onReject === 'throw') throw new ApprovalDeniedError(denial);
  if (onReject === 'return') return denial.message;
  return onReject(denial);
}
