/**
 * `HumanOSClient`: one object per server and token. Each concern has its own sub-client
 * (`client.tasks`, `client.approvals`, `client.executions`, `client.principals`, `client.webhooks`,
 * `client.policy`, `client.ledger`); the flat methods (`client.createTask`, `client.approve`, …)
 * are the same calls under the names the SDK has always had.
 *
 * @example
 * const client = new HumanOSClient({ baseUrl: 'http://127.0.0.1:8787', apiKey: process.env.AGENT_KEY });
 * const task = await client.tasks.create({ description: 'Pay ACME $5,000', humanInLoop: { approverRole: 'finance_manager' } });
 * const approval = await client.waitForApproval(task.id, { timeoutMs: 60_000 });
 */

import { PolicyClient, PrincipalsClient, WebhooksClient } from './admin.js';
import { ApprovalsClient, CollabClient } from './approvals.js';
import { AuditClient } from './audit.js';
import { ChannelsClient } from './channels.js';
import { DelegationsClient } from './delegations.js';
import { ExecutionClient } from './execution.js';
import { LedgerClient } from './ledger.js';
import { type RequireApprovalOptions, requireApproval } from './requireApproval.js';
import { TasksClient } from './tasks.js';
import { type ClientOptions, Transport } from './transport.js';
import type { Execution, ExecutionHandler } from './types.js';

type Args<F> = F extends (...a: infer A) => unknown ? A : never;
type Ret<F> = F extends (...a: never[]) => infer R ? R : never;

export class HumanOSClient {
  readonly baseUrl: string;
  readonly tasks: TasksClient;
  readonly approvals: ApprovalsClient;
  readonly executions: ExecutionClient;
  readonly principals: PrincipalsClient;
  readonly webhooks: WebhooksClient;
  readonly policy: PolicyClient;
  readonly ledger: LedgerClient;
  readonly channels: ChannelsClient;
  /** Periodic audit reviews of unattended runs (admin or auditor). */
  readonly audit: AuditClient;
  /** Delegation and out-of-office: deciding on behalf of someone for a bounded window. */
  readonly delegations: DelegationsClient;
  /** Comments, claims and assignment of approval requests. */
  readonly collab: CollabClient;

  constructor(opts: ClientOptions = {}) {
    const http = new Transport(opts);
    this.baseUrl = http.baseUrl;
    this.tasks = new TasksClient(http);
    this.approvals = new ApprovalsClient(http);
    this.executions = new ExecutionClient(http, this.approvals);
    this.principals = new PrincipalsClient(http);
    this.webhooks = new WebhooksClient(http);
    this.policy = new PolicyClient(http);
    this.ledger = new LedgerClient(http, opts.checkpointStore, opts.trustedPublicKey);
    this.channels = new ChannelsClient(http);
    this.audit = new AuditClient(http);
    this.delegations = new DelegationsClient(http);
    this.collab = new CollabClient(http);
  }

  // ---- tasks (see TasksClient) ----
  createTask(...a: Args<TasksClient['create']>): Ret<TasksClient['create']> {
    return this.tasks.create(...a);
  }
  getTask(...a: Args<TasksClient['get']>): Ret<TasksClient['get']> {
    return this.tasks.get(...a);
  }
  listTasks(...a: Args<TasksClient['list']>): Ret<TasksClient['list']> {
    return this.tasks.list(...a);
  }
  decision(...a: Args<TasksClient['decision']>): Ret<TasksClient['decision']> {
    return this.tasks.decision(...a);
  }
  waitForApproval(...a: Args<TasksClient['waitForApproval']>): Ret<TasksClient['waitForApproval']> {
    return this.tasks.waitForApproval(...a);
  }
  reviseTask(...a: Args<TasksClient['revise']>): Ret<TasksClient['revise']> {
    return this.tasks.revise(...a);
  }
  cancelTask(...a: Args<TasksClient['cancel']>): Ret<TasksClient['cancel']> {
    return this.tasks.cancel(...a);
  }
  overrideTask(...a: Args<TasksClient['override']>): Ret<TasksClient['override']> {
    return this.tasks.override(...a);
  }
  provideFeedback(...a: Args<TasksClient['feedback']>): Ret<TasksClient['feedback']> {
    return this.tasks.feedback(...a);
  }
  taskHistory(...a: Args<TasksClient['history']>): Ret<TasksClient['history']> {
    return this.tasks.history(...a);
  }
  calibration(...a: Args<TasksClient['calibration']>): Ret<TasksClient['calibration']> {
    return this.tasks.calibration(...a);
  }

  // ---- approvals (see ApprovalsClient) ----
  inbox(...a: Args<ApprovalsClient['inbox']>): Ret<ApprovalsClient['inbox']> {
    return this.approvals.inbox(...a);
  }
  getApproval(...a: Args<ApprovalsClient['get']>): Ret<ApprovalsClient['get']> {
    return this.approvals.get(...a);
  }
  approve(...a: Args<ApprovalsClient['approve']>): Ret<ApprovalsClient['approve']> {
    return this.approvals.approve(...a);
  }
  reject(...a: Args<ApprovalsClient['reject']>): Ret<ApprovalsClient['reject']> {
    return this.approvals.reject(...a);
  }
  requestChanges(...a: Args<ApprovalsClient['requestChanges']>): Ret<ApprovalsClient['requestChanges']> {
    return this.approvals.requestChanges(...a);
  }

  // ---- execution (see ExecutionClient) ----
  executeTask(...a: Args<ExecutionClient['executeTask']>): Ret<ExecutionClient['executeTask']> {
    return this.executions.executeTask(...a);
  }
  waitForCompletion(...a: Args<ExecutionClient['waitForCompletion']>): Ret<ExecutionClient['waitForCompletion']> {
    return this.executions.waitForCompletion(...a);
  }
  /** Starts execution of an approved task (the caller runs it); finish with `completeTask`/`failTask`. */
  startExecution(...a: Args<ExecutionClient['start']>): Promise<Execution> {
    return this.executions.start(...a);
  }
  runExecution(
    execution: Execution,
    handler: ExecutionHandler,
    leaseSeconds?: number,
  ): Ret<ExecutionClient['runExecution']> {
    return this.executions.runExecution(execution, handler, leaseSeconds);
  }
  claim(...a: Args<ExecutionClient['claim']>): Ret<ExecutionClient['claim']> {
    return this.executions.claim(...a);
  }
  heartbeat(...a: Args<ExecutionClient['heartbeat']>): Ret<ExecutionClient['heartbeat']> {
    return this.executions.heartbeat(...a);
  }
  completeTask(...a: Args<ExecutionClient['complete']>): Ret<ExecutionClient['complete']> {
    return this.executions.complete(...a);
  }
  failTask(...a: Args<ExecutionClient['fail']>): Ret<ExecutionClient['fail']> {
    return this.executions.fail(...a);
  }
  submitDecision(...a: Args<ExecutionClient['submitDecision']>): Ret<ExecutionClient['submitDecision']> {
    return this.executions.submitDecision(...a);
  }

  /**
   * Wraps a function so each call first asks a human (see {@link requireApproval}); this client
   * creates the tasks.
   *
   * @example
   * const sendEmail = client.requireApproval(rawSendEmail, { humanInLoop: { approverRole: 'comms_lead' } });
   */
  readonly requireApproval: typeof requireApproval = ((
    fn: (...args: unknown[]) => unknown,
    options: RequireApprovalOptions<unknown> = {},
  ) =>
    requireApproval(fn, { ...options, client: this } as RequireApprovalOptions<string> & {
      onReject?: 'return';
    })) as typeof requireApproval;

  // ---- principals (see PrincipalsClient) ----
  createPrincipal(...a: Args<PrincipalsClient['create']>): Ret<PrincipalsClient['create']> {
    return this.principals.create(...a);
  }
  listPrincipals(...a: Args<PrincipalsClient['list']>): Ret<PrincipalsClient['list']> {
    return this.principals.list(...a);
  }
  getPrincipal(...a: Args<PrincipalsClient['get']>): Ret<PrincipalsClient['get']> {
    return this.principals.get(...a);
  }
  updatePrincipal(...a: Args<PrincipalsClient['update']>): Ret<PrincipalsClient['update']> {
    return this.principals.update(...a);
  }
  rotateToken(...a: Args<PrincipalsClient['rotateToken']>): Ret<PrincipalsClient['rotateToken']> {
    return this.principals.rotateToken(...a);
  }
  me(...a: Args<PrincipalsClient['me']>): Ret<PrincipalsClient['me']> {
    return this.principals.me(...a);
  }
  registerCapabilities(
    ...a: Args<PrincipalsClient['registerCapabilities']>
  ): Ret<PrincipalsClient['registerCapabilities']> {
    return this.principals.registerCapabilities(...a);
  }

  // ---- webhooks (see WebhooksClient) ----
  createWebhook(...a: Args<WebhooksClient['create']>): Ret<WebhooksClient['create']> {
    return this.webhooks.create(...a);
  }
  rotateWebhookSecret(...a: Args<WebhooksClient['rotateSecret']>): Ret<WebhooksClient['rotateSecret']> {
    return this.webhooks.rotateSecret(...a);
  }
  listWebhooks(...a: Args<WebhooksClient['list']>): Ret<WebhooksClient['list']> {
    return this.webhooks.list(...a);
  }
  removeWebhook(...a: Args<WebhooksClient['remove']>): Ret<WebhooksClient['remove']> {
    return this.webhooks.remove(...a);
  }
  webhookDeliveries(...a: Args<WebhooksClient['deliveries']>): Ret<WebhooksClient['deliveries']> {
    return this.webhooks.deliveries(...a);
  }
  retryWebhookDelivery(...a: Args<WebhooksClient['retryDelivery']>): Ret<WebhooksClient['retryDelivery']> {
    return this.webhooks.retryDelivery(...a);
  }

  // ---- policy and ledger ----
  evaluatePolicy(...a: Args<PolicyClient['evaluate']>): Ret<PolicyClient['evaluate']> {
    return this.policy.evaluate(...a);
  }
  getPolicy(...a: Args<PolicyClient['get']>): Ret<PolicyClient['get']> {
    return this.policy.get(...a);
  }
  ledgerCheckpoint(...a: Args<LedgerClient['checkpoint']>): Ret<LedgerClient['checkpoint']> {
    return this.ledger.checkpoint(...a);
  }
  ledgerPublicKey(...a: Args<LedgerClient['publicKey']>): Ret<LedgerClient['publicKey']> {
    return this.ledger.publicKey(...a);
  }
  exportLedger(...a: Args<LedgerClient['export']>): Ret<LedgerClient['export']> {
    return this.ledger.export(...a);
  }
  verifyLedger(...a: Args<LedgerClient['verify']>): Ret<LedgerClient['verify']> {
    return this.ledger.verify(...a);
  }
}
