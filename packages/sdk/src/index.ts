/**
 * `@human/sdk`: the TypeScript client of HumanOS.
 *
 * @example
 * import { HumanOS } from '@human/sdk'; // configured from HUMANOS_URL and HUMANOS_API_KEY
 * const task = await HumanOS.createTask({ description: 'Send the Q4 email', humanInLoop: { approverRole: 'comms_lead' } });
 * const approval = await HumanOS.waitForApproval(task.id);
 * if (approval.approved) await HumanOS.executeTask(task.id, { handler: (payload) => send(payload) });
 */
import { randomUUID } from 'node:crypto';
import {
  type AiProposal,
  type HumanInLoop,
  type LedgerBundle,
  type PrincipalView,
  parseLedgerExport,
  type RiskAssessment,
  type TaskStatus,
  type VerifyReport,
  verifyLedger,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
} from '@humanos/core';

export { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '@humanos/core';
export type {
  AiProposal,
  HumanInLoop,
  PrincipalView,
  RiskAssessment,
  TaskStatus,
  VerifyReport,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
};

export interface ClientOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8787`. Default: `HUMANOS_URL`, else that address. */
  baseUrl?: string;
  /** Bearer token. Default: `HUMANOS_API_KEY`. */
  apiKey?: string;
  /** Per-request timeout in ms (long-polls add their wait). Default 30 000. */
  timeoutMs?: number;
  /** Retries of safe requests after network errors and 502/503/504. Default 3. */
  retries?: number;
  fetch?: typeof fetch;
}

export interface CreateTaskInput {
  description: string;
  requiredCapabilities?: string[];
  humanInLoop?: HumanInLoop;
  payload?: Record<string, unknown>;
  onBehalfOf?: string;
  aiProposal?: Partial<AiProposal>;
  riskAssessment?: Partial<RiskAssessment>;
}

export interface ApprovalRequest {
  id: string;
  required: number;
  approvals: number;
  taskId: string;
  kind: string;
  status: string;
  requestedAt: string;
  expiresAt: string | null;
  approverRole: string;
  task: { id: string; description: string; [k: string]: unknown };
  aiProposal: AiProposal;
  /** The proposal's alternatives, also at the top level as the seed reads them. */
  alternatives: string[];
  riskAssessment: RiskAssessment;
  decisions: unknown[];
  [k: string]: unknown;
}

/** What `evaluatePolicy` answers: the create response's `policy`, and the gates that would open. */
export interface PolicyEvaluation {
  policy: CreatedTask['policy'];
  riskAssessment: RiskAssessment;
  /** The routing gate that would come first, when routing approval was asked for. */
  routing: { approverRole: string } | null;
  gates: {
    step: number;
    approverRoles: string[];
    required: number;
    reason: string | null;
    /** Seconds. */
    timeout: number | null;
    escalationPolicy: 'auto' | 'reject' | null;
    escalateTo: string | null;
  }[];
  /** Set when the task would run unattended with a spot-check sample. */
  audit: { frequency: string; sampleRate: number } | null;
}

export interface CreatedTask {
  /** Same as `taskId`; the seed reads `task.id`. */
  id: string;
  taskId: string;
  status: TaskStatus;
  approvalRequest?: ApprovalRequest;
  policy: Record<string, unknown>;
}

export interface ApprovalOutcome {
  taskId: string;
  status: TaskStatus;
  /** False while undecided (only when `timeoutMs` ran out) and after reject, expiry or cancel. */
  approved: boolean;
  decided: boolean;
  /** True when `waitForApproval` stopped because its own `timeoutMs` ran out, not because of a decision. */
  timedOut: boolean;
  expired: boolean;
  /** The requester withdrew the task before it ran. */
  cancelled: boolean;
  autoApproved: boolean;
  approvalId: string | null;
  approvedBy: string | null;
  approvers: string[];
  approvedAt: string | null;
  approvalReason: string | null;
  rejectedBy: string | null;
  rejectedAt: string | null;
  rejectionReason: string | null;
  feedback: string | null;
  /** The human's merged edits (RFC 7386 merge patch), or null. */
  edits: Record<string, unknown> | null;
  approvedPayload: Record<string, unknown> | null;
  payloadDigest: string | null;
  approvalRequest: ApprovalRequest | null;
}

export interface Execution {
  taskId: string;
  /** Stable across attempts: use it as the idempotency key of the side effect. */
  executionId: string;
  /** This attempt's lease (a fencing token); heartbeats and completion carry it. */
  leaseId: string;
  leaseExpiresAt: string;
  attempt: number;
  description: string;
  requiredCapabilities: string[];
  status: 'executing';
  payload: Record<string, unknown>;
  payloadDigest: string;
  grant: Record<string, unknown>;
}

export interface Task {
  id: string;
  taskId: string;
  description: string;
  status: TaskStatus;
  /** The payload now: the proposal with the edits of approvers so far. */
  payload: Record<string, unknown>;
  /** The payload as the agent proposed it. */
  proposedPayload: Record<string, unknown>;
  approvedPayload: Record<string, unknown> | null;
  result: unknown;
  error: unknown;
  confidence: number | null;
  approvals: ApprovalRequest[];
  [k: string]: unknown;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  [k: string]: unknown;
}

/** An error answer from the server (problem+json), or a transport failure (`code: 'network_error'`). */
export class HumanOSApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(code: string, status: number, message: string, problem?: Problem) {
    super(message);
    this.name = 'HumanOSApiError';
    this.code = code;
    this.status = status;
    this.problem = problem;
  }
}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to repeat: GETs, and POSTs carrying an idempotency key. */
  retry?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  raw?: boolean;
}

const PREFIX = '/v1/humanos';
const RETRY_STATUSES = new Set([502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HumanOSClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? process.env.HUMANOS_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
    this.apiKey = opts.apiKey ?? process.env.HUMANOS_API_KEY;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 3;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private async request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const attempts = o.retry ? this.retries + 1 : 1;
    let lastError: HumanOSApiError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random()));
      const signals = [AbortSignal.timeout(o.timeoutMs ?? this.timeoutMs)];
      if (o.signal) signals.push(o.signal);
      let res: Response;
      try {
        res = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
            ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...o.headers,
          },
          body: o.body !== undefined ? JSON.stringify(o.body) : null,
          signal: AbortSignal.any(signals),
        });
      } catch (e) {
        if (o.signal?.aborted) throw e;
        lastError = new HumanOSApiError('network_error', 0, `${method} ${path}: ${(e as Error).message}`);
        continue;
      }
      if (res.ok) return (o.raw ? await res.text() : await res.json()) as T;
      const text = await res.text();
      let problem: Problem | undefined;
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        problem = undefined;
      }
      lastError = new HumanOSApiError(
        problem?.code ?? `http_${res.status}`,
        res.status,
        problem?.detail ?? `${method} ${path} answered ${res.status}`,
        problem,
      );
      if (!RETRY_STATUSES.has(res.status)) throw lastError;
    }
    throw lastError ?? new HumanOSApiError('network_error', 0, `${method} ${path} failed`);
  }

  /** Creates a task. Retries reuse one idempotency key, so a retried create never makes two tasks. */
  async createTask(input: CreateTaskInput, opts: { idempotencyKey?: string } = {}): Promise<CreatedTask> {
    const key = opts.idempotencyKey ?? randomUUID();
    const out = await this.request<Omit<CreatedTask, 'id'>>('POST', `${PREFIX}/tasks`, {
      body: input,
      headers: { 'idempotency-key': key },
      retry: true,
    });
    return { id: out.taskId, ...out };
  }

  getTask(taskId: string): Promise<Task> {
    return this.request('GET', `${PREFIX}/tasks/${encodeURIComponent(taskId)}`, { retry: true });
  }

  listTasks(
    q: { status?: TaskStatus; limit?: number; cursor?: string } = {},
  ): Promise<{ items: Task[]; nextCursor: string | null }> {
    return this.request('GET', `${PREFIX}/tasks${query(q)}`, { retry: true });
  }

  /** One long-poll round: returns when the task is decided or after `waitSeconds` (max 60). */
  decision(taskId: string, waitSeconds = 0, signal?: AbortSignal): Promise<Omit<ApprovalOutcome, 'timedOut'>> {
    return this.request('GET', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/decision?wait=${waitSeconds}`, {
      retry: true,
      timeoutMs: this.timeoutMs + waitSeconds * 1000,
      signal,
    });
  }

  /**
   * Waits for the human decision on a task. Calls `onApprovalRequest` once for each gate that opens
   * (the first one, and any escalation). Resolves with the outcome; it does not throw because time
   * ran out: with `timeoutMs` it resolves `{ decided: false, timedOut: true }`.
   */
  async waitForApproval(
    taskId: string,
    opts: {
      onApprovalRequest?: (request: ApprovalRequest) => void | Promise<void>;
      timeoutMs?: number;
      signal?: AbortSignal;
    } = {},
  ): Promise<ApprovalOutcome> {
    const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
    const announced = new Set<string>();
    let wait = 0;
    for (;;) {
      let state: Omit<ApprovalOutcome, 'timedOut'>;
      try {
        state = await this.decision(taskId, wait, opts.signal);
      } catch (e) {
        // Waiting is safe to repeat: ride out a restarting server instead of failing the caller.
        if (e instanceof HumanOSApiError && (e.code === 'network_error' || RETRY_STATUSES.has(e.status))) {
          if (Date.now() >= deadline) throw e;
          await sleep(500);
          continue;
        }
        throw e;
      }
      const request = state.approvalRequest;
      if (request && !announced.has(request.id)) {
        announced.add(request.id);
        await opts.onApprovalRequest?.(request);
      }
      if (state.decided) return { ...state, timedOut: false };
      const left = deadline - Date.now();
      if (left <= 0) return { ...state, timedOut: true };
      wait = Math.max(0, Math.min(30, Math.floor(left / 1000)));
      if (wait === 0) await sleep(Math.min(left, 250));
    }
  }

  /** The caller's inbox: gates its roles may decide. */
  inbox(
    q: { status?: string; limit?: number; cursor?: string } = {},
  ): Promise<{ items: ApprovalRequest[]; nextCursor: string | null }> {
    return this.request('GET', `${PREFIX}/approvals${query(q)}`, { retry: true });
  }

  getApproval(approvalId: string): Promise<ApprovalRequest> {
    return this.request('GET', `${PREFIX}/approvals/${encodeURIComponent(approvalId)}`, { retry: true });
  }

  approve(
    approvalId: string,
    body: { approvalReason?: string; feedback?: string; edits?: Record<string, unknown>; approvedBy?: string } = {},
  ): Promise<Record<string, unknown> & { provenance: Provenance }> {
    return this.request('POST', `${PREFIX}/approvals/${encodeURIComponent(approvalId)}/approve`, { body });
  }

  reject(
    approvalId: string,
    body: { rejectionReason: string; feedback?: string; rejectedBy?: string },
  ): Promise<Record<string, unknown> & { provenance: Provenance }> {
    return this.request('POST', `${PREFIX}/approvals/${encodeURIComponent(approvalId)}/reject`, { body });
  }

  /**
   * Submits an in-run decision of an executing task. Under `all_decisions` (or when the decision is
   * critical / below the confidence threshold) it opens a `decision` gate and, by default, waits for
   * the human; otherwise it is auto-approved and recorded. Returns whether to go ahead, and with
   * which payload (the human's edits applied).
   */
  async submitDecision(
    taskId: string,
    decision: {
      action: string;
      reasoning?: string;
      confidence?: number;
      alternatives?: string[];
      payload?: Record<string, unknown>;
    },
    opts: { wait?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<{
    approved: boolean;
    decided: boolean;
    status: string;
    payload: Record<string, unknown> | null;
    approvalRequest?: ApprovalRequest;
  }> {
    const r = await this.request<{
      status: string;
      payload?: Record<string, unknown>;
      approvalRequest?: ApprovalRequest;
    }>('POST', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/decisions`, { body: decision });
    if (r.status === 'approved')
      return { approved: true, decided: true, status: 'approved', payload: r.payload ?? decision.payload ?? {} };
    const gate = r.approvalRequest as ApprovalRequest;
    if (opts.wait === false)
      return { approved: false, decided: false, status: 'pending', payload: null, approvalRequest: gate };
    const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      const wait = Math.max(1, Math.min(30, Math.floor(left / 1000)));
      const view = await this.request<ApprovalRequest & { approvedPayload?: Record<string, unknown> | null }>(
        'GET',
        `${PREFIX}/approvals/${encodeURIComponent(gate.id)}?wait=${wait}`,
        { retry: true, timeoutMs: this.timeoutMs + wait * 1000, signal: opts.signal },
      );
      if (view.status !== 'pending') {
        return {
          approved: view.status === 'approved',
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

  /**
   * Executes an approved task. With a `handler`, runs it on the approved payload (human edits
   * included) while heartbeating the lease, and reports completion or failure; returns the completed
   * task. The handler's `signal` aborts if a human takes over or the lease is lost. Without a
   * handler, starts the execution and returns it; finish with `completeTask`.
   */
  async executeTask(
    taskId: string,
    opts: {
      payload?: Record<string, unknown>;
      handler?: (payload: Record<string, unknown>, ctx: ExecutionContext) => unknown | Promise<unknown>;
      leaseSeconds?: number;
    } = {},
  ): Promise<Task | Execution> {
    const execution = await this.request<Execution>('POST', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/execute`, {
      body: {
        ...(opts.payload === undefined ? {} : { payload: opts.payload }),
        ...(opts.leaseSeconds ? { leaseSeconds: opts.leaseSeconds } : {}),
      },
    });
    if (!opts.handler) return execution;
    return this.runExecution(execution, opts.handler, opts.leaseSeconds);
  }

  /** Runs a handler for a started execution: heartbeats, abort on takeover, then complete or fail. */
  async runExecution(
    execution: Execution,
    handler: (payload: Record<string, unknown>, ctx: ExecutionContext) => unknown | Promise<unknown>,
    leaseSeconds = 60,
  ): Promise<Task> {
    const ac = new AbortController();
    const { taskId, leaseId } = execution;
    let stopped: HumanOSApiError | undefined;
    const beat = async (body: { confidence?: number; progress?: string } = {}) => {
      try {
        return await this.request<{ status: string; action: 'wait' | 'continue'; approvalRequest?: ApprovalRequest }>(
          'POST',
          `${PREFIX}/tasks/${encodeURIComponent(taskId)}/heartbeat`,
          { body: { leaseId, leaseSeconds, ...body } },
        );
      } catch (e) {
        if (
          e instanceof HumanOSApiError &&
          ['task_overridden', 'lease_lost', 'invalid_state', 'forbidden'].includes(e.code)
        ) {
          stopped = e;
          ac.abort(e);
        }
        throw e;
      }
    };
    const timer = setInterval(() => void beat().catch(() => {}), Math.max(1000, (leaseSeconds * 1000) / 3));
    timer.unref?.();
    const ctx: ExecutionContext = {
      execution,
      signal: ac.signal,
      report: async (r) => {
        let answer = await beat(r);
        while (answer.action === 'wait' && !ac.signal.aborted) {
          if (answer.approvalRequest) {
            await this.request('GET', `${PREFIX}/approvals/${encodeURIComponent(answer.approvalRequest.id)}?wait=30`, {
              retry: true,
              timeoutMs: this.timeoutMs + 30_000,
              signal: ac.signal,
            }).catch(() => {});
          }
          answer = await beat({});
        }
        if (ac.signal.aborted) throw stopped ?? new HumanOSApiError('task_overridden', 409, 'execution stopped');
      },
    };
    try {
      let result: unknown;
      try {
        result = await handler(execution.payload, ctx);
      } catch (e) {
        if (stopped) throw stopped;
        await this.failTask(taskId, { message: (e as Error).message }, { executionId: execution.executionId, leaseId });
        throw e;
      }
      if (stopped) throw stopped;
      return await this.completeTask(taskId, result, { executionId: execution.executionId, leaseId });
    } finally {
      clearInterval(timer);
    }
  }

  /** Starts execution of an approved task and returns the approved payload, lease and signed grant. */
  startExecution(
    taskId: string,
    opts: { payload?: Record<string, unknown>; leaseSeconds?: number } = {},
  ): Promise<Execution> {
    return this.executeTask(taskId, opts) as Promise<Execution>;
  }

  /** Claims up to `limit` approved tasks this worker's capabilities cover (needs the executor role). */
  async claim(capabilities: string[], opts: { limit?: number; leaseSeconds?: number } = {}): Promise<Execution[]> {
    const r = await this.request<{ items: Execution[] }>('POST', `${PREFIX}/executions/claim`, {
      body: { capabilities, ...opts },
    });
    return r.items;
  }

  /**
   * Withdraws a task that has not started executing (its requester, the human it acts for, or an
   * admin): its open approvals are cancelled and it can never execute. Waiters see
   * `{decided: true, approved: false, cancelled: true}`.
   *
   * @example
   * await HumanOS.cancelTask(task.id, { reason: 'the customer withdrew the order' });
   */
  cancelTask(taskId: string, body: { reason: string }): Promise<Task> {
    return this.request('POST', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/cancel`, { body });
  }

  /**
   * A human takes over a running task. With `continueExecution: false` the executor's lease is
   * revoked; finish it with `completeTask`.
   */
  overrideTask(
    taskId: string,
    body: { overriddenBy?: string; reason: string; continueExecution: boolean },
  ): Promise<Record<string, unknown>> {
    return this.request('POST', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/override`, { body });
  }

  /** A human's verdict on a finished task; it feeds calibration. */
  provideFeedback(
    taskId: string,
    body: {
      quality: 'poor' | 'fair' | 'good' | 'excellent';
      correctness?: boolean;
      comments?: string;
      improvements?: string[];
    },
  ): Promise<Record<string, unknown>> {
    return this.request('POST', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/feedback`, { body });
  }

  /** Calibration of an agent: Brier score, reliability curve, decision rates, recommended autonomy. */
  calibration(
    agent: string,
    capability?: string,
  ): Promise<Record<string, unknown> & { brierScore: number | null; recommendedAutonomy: string }> {
    return this.request('GET', `${PREFIX}/calibration${query({ agent, capability })}`, { retry: true });
  }

  completeTask(taskId: string, result?: unknown, opts: { executionId?: string; leaseId?: string } = {}): Promise<Task> {
    return this.request('POST', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/complete`, {
      body: { ...(result === undefined ? {} : { result }), ...opts },
    });
  }

  failTask(taskId: string, error?: unknown, opts: { executionId?: string; leaseId?: string } = {}): Promise<Task> {
    return this.request('POST', `${PREFIX}/tasks/${encodeURIComponent(taskId)}/fail`, {
      body: { ...(error === undefined ? {} : { error }), ...opts },
    });
  }

  /**
   * Creates a principal (admin) and returns its token, shown this once. `tokenExpiresIn` (seconds)
   * issues a short-lived token, e.g. for an agent's run.
   */
  createPrincipal(input: {
    id: string;
    roles: string[];
    kind?: 'human' | 'agent';
    tokenExpiresIn?: number;
  }): Promise<{ id: string; kind: string; roles: string[]; token: string; tokenExpiresAt: string | null }> {
    return this.request('POST', `${PREFIX}/principals`, { body: input });
  }

  listPrincipals(): Promise<{ items: PrincipalView[] }> {
    return this.request('GET', `${PREFIX}/principals`, { retry: true });
  }

  /** One principal (admin, or the principal itself). */
  getPrincipal(principalId: string): Promise<PrincipalView> {
    return this.request('GET', `${PREFIX}/principals/${encodeURIComponent(principalId)}`, { retry: true });
  }

  /**
   * Changes a principal's roles and/or disables it (admin). Disabling refuses its token at once;
   * `disabled: false` allows it again.
   *
   * @example
   * await admin.updatePrincipal('did:human:ann', { roles: ['finance_manager', 'cfo'] });
   * await admin.updatePrincipal('did:agent:old-bot', { disabled: true });
   */
  updatePrincipal(principalId: string, change: { roles?: string[]; disabled?: boolean }): Promise<PrincipalView> {
    return this.request('PATCH', `${PREFIX}/principals/${encodeURIComponent(principalId)}`, {
      body: change,
      retry: true,
    });
  }

  /**
   * Replaces a principal's token (admin, or the principal itself); the old token stops working at
   * once. The new one is returned this once; `expiresIn` (seconds) makes it short-lived.
   */
  rotateToken(
    principalId: string,
    opts: { expiresIn?: number } = {},
  ): Promise<{ id: string; token: string; tokenExpiresAt: string | null }> {
    return this.request('POST', `${PREFIX}/principals/${encodeURIComponent(principalId)}/token`, { body: opts });
  }

  /**
   * Subscribes a URL to ledger events (admin). Keep the returned secret: it signs every delivery.
   *
   * @example
   * const hook = await admin.createWebhook({ url: 'https://chat.example.com/hooks/humanos', events: ['approval.*'] });
   * // in the receiver: verifyWebhookSignature(hook.secret, req.headers['x-humanos-signature'], rawBody)
   */
  createWebhook(input: { url: string; events?: string[]; secret?: string }): Promise<Webhook & { secret: string }> {
    return this.request('POST', `${PREFIX}/webhooks`, { body: input });
  }

  listWebhooks(): Promise<{ items: Webhook[] }> {
    return this.request('GET', `${PREFIX}/webhooks`, { retry: true });
  }

  /** Stops a subscription; deliveries still queued for it are cancelled. */
  removeWebhook(webhookId: string): Promise<Webhook> {
    return this.request('DELETE', `${PREFIX}/webhooks/${encodeURIComponent(webhookId)}`, { retry: true });
  }

  webhookDeliveries(
    webhookId: string,
    q: { status?: WebhookDeliveryStatus['status']; limit?: number } = {},
  ): Promise<{ items: WebhookDeliveryStatus[] }> {
    const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return this.request('GET', `${PREFIX}/webhooks/${encodeURIComponent(webhookId)}/deliveries${qs ? `?${qs}` : ''}`, {
      retry: true,
    });
  }

  /** Queues a failed delivery to be sent again now, its attempts counted afresh (admin). */
  retryWebhookDelivery(webhookId: string, deliveryId: string): Promise<WebhookDeliveryStatus> {
    return this.request(
      'POST',
      `${PREFIX}/webhooks/${encodeURIComponent(webhookId)}/deliveries/${encodeURIComponent(deliveryId)}/retry`,
    );
  }

  /**
   * A dry run of `createTask`: which policy applies, the risk, and the gates that would open, with
   * nothing created. Any principal may ask.
   *
   * @example
   * const r = await client.evaluatePolicy({ description: 'Wire $250,000 to ACME', payload: { amount: 250000 } });
   * r.gates.map((g) => g.approverRoles) // e.g. [['finance_manager'], ['cfo']]
   */
  evaluatePolicy(input: CreateTaskInput): Promise<PolicyEvaluation> {
    return this.request('POST', `${PREFIX}/policy/evaluate`, { body: input, retry: true });
  }

  /** The policy document in force and where it came from (admin or auditor). */
  getPolicy(): Promise<{ source: 'built-in' | 'file'; policy: Record<string, unknown> }> {
    return this.request('GET', `${PREFIX}/policy`, { retry: true });
  }

  ledgerCheckpoint(): Promise<{ size: number; rootHash: string; checkpoint: string; origin: string }> {
    return this.request('GET', `${PREFIX}/ledger/checkpoint`, { retry: true });
  }

  ledgerPublicKey(): Promise<{ origin: string; publicKey: string }> {
    return this.request('GET', `${PREFIX}/ledger/public-key`, { retry: true });
  }

  /** The full ledger as JSON Lines (needs the admin or auditor role). */
  exportLedger(): Promise<string> {
    return this.request('GET', `${PREFIX}/ledger/export`, { retry: true, raw: true, timeoutMs: 10 * 60_000 });
  }

  /**
   * Downloads the ledger and verifies it offline. Pass the public key you trust (a `did:key`);
   * without it, the server's own claim is used, which proves integrity but not authorship.
   */
  async verifyLedger(trustedPublicKey?: string): Promise<VerifyReport> {
    const bundle: LedgerBundle = parseLedgerExport(await this.exportLedger());
    return verifyLedger(bundle, trustedPublicKey);
  }
}

export interface ExecutionContext {
  execution: Execution;
  /** Aborts when a human takes over or the lease is lost: stop the side effect. */
  signal: AbortSignal;
  /** Reports confidence/progress; waits while a human reviews a low-confidence pause. */
  report(r: { confidence?: number; progress?: string }): Promise<void>;
}

/**
 * A worker process: claims approved tasks its capabilities cover and runs them, `concurrency` at a
 * time; `stop()` lets running handlers finish and claims nothing more.
 *
 * @example
 * const worker = new Worker(client, { capabilities: ['accounting'], handler: (payload) => pay(payload) });
 * worker.start();
 * process.on('SIGTERM', () => worker.stop());
 */
export class Worker {
  private running = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly client: HumanOSClient,
    private readonly opts: {
      capabilities: string[];
      handler: (payload: Record<string, unknown>, ctx: ExecutionContext) => unknown | Promise<unknown>;
      concurrency?: number;
      pollMs?: number;
      leaseSeconds?: number;
      onError?: (e: unknown) => void;
    },
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    const concurrency = this.opts.concurrency ?? 1;
    while (!this.stopping) {
      const free = concurrency - this.running;
      let claimed: Execution[] = [];
      if (free > 0) {
        try {
          claimed = await this.client.claim(this.opts.capabilities, {
            limit: free,
            ...(this.opts.leaseSeconds ? { leaseSeconds: this.opts.leaseSeconds } : {}),
          });
        } catch (e) {
          this.opts.onError?.(e);
        }
      }
      for (const execution of claimed) {
        this.running += 1;
        const job: Promise<unknown> = this.client
          .runExecution(execution, this.opts.handler, this.opts.leaseSeconds ?? 60)
          .catch((e) => this.opts.onError?.(e))
          .finally(() => {
            this.running -= 1;
            this.inFlight.delete(job);
          });
        this.inFlight.add(job);
      }
      if (claimed.length === 0) await sleep(this.opts.pollMs ?? 500);
    }
  }

  /** Graceful shutdown: no new claims; resolves when running handlers have finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }
}

export interface Provenance {
  approvalSignature: string;
  ledgerProof: string;
  ledgerIndex: number;
  treeSize: number;
  rootHash: string;
  inclusionProof: string[];
  checkpoint: string;
  signer: string;
}

function query(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

let defaultClient: HumanOSClient | undefined;

/** The client behind `HumanOS`, built on first use from `HUMANOS_URL` / `HUMANOS_API_KEY`. */
export function defaultHumanOSClient(): HumanOSClient {
  defaultClient ??= new HumanOSClient();
  return defaultClient;
}

/** Replaces the client behind `HumanOS` (e.g. after changing the environment in a test). */
export function configureHumanOS(opts: ClientOptions): HumanOSClient {
  defaultClient = new HumanOSClient(opts);
  return defaultClient;
}

/** The seed's static surface: `HumanOS.createTask(...)`, `HumanOS.waitForApproval(...)`, … */
export const HumanOS = {
  createTask: (input: CreateTaskInput, opts?: { idempotencyKey?: string }) =>
    defaultHumanOSClient().createTask(input, opts),
  getTask: (taskId: string) => defaultHumanOSClient().getTask(taskId),
  waitForApproval: (taskId: string, opts?: Parameters<HumanOSClient['waitForApproval']>[1]) =>
    defaultHumanOSClient().waitForApproval(taskId, opts),
  executeTask: (taskId: string, opts?: Parameters<HumanOSClient['executeTask']>[1]) =>
    defaultHumanOSClient().executeTask(taskId, opts),
  cancelTask: (taskId: string, body: { reason: string }) => defaultHumanOSClient().cancelTask(taskId, body),
  overrideTask: (taskId: string, body: { overriddenBy?: string; reason: string; continueExecution: boolean }) =>
    defaultHumanOSClient().overrideTask(taskId, body),
  provideFeedback: (taskId: string, body: Parameters<HumanOSClient['provideFeedback']>[1]) =>
    defaultHumanOSClient().provideFeedback(taskId, body),
  completeTask: (taskId: string, result?: unknown, opts?: { executionId?: string; leaseId?: string }) =>
    defaultHumanOSClient().completeTask(taskId, result, opts),
  failTask: (taskId: string, error?: unknown, opts?: { executionId?: string; leaseId?: string }) =>
    defaultHumanOSClient().failTask(taskId, error, opts),
};
