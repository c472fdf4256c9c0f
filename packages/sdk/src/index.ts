/**
 * `@human/sdk`: the TypeScript client of HumanOS.
 *
 * @example
 * import { HumanOS } from '@human/sdk'; // configured from HUMANOS_URL and HUMANOS_API_KEY
 * const task = await HumanOS.createTask({ description: 'Send the Q4 email', humanInLoop: { approverRole: 'comms_lead' } });
 * const approval = await HumanOS.waitForApproval(task.id);
 * if (approval.approved) await HumanOS.executeTask(task.id, { handler: (payload) => send(payload) });
 */
export {
  isStandardWebhookSecret,
  verifyWebhookSignature,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookApprovalContext,
  type WebhookDelivery,
  type WebhookTaskContext,
} from '@humanos/core';
export {
  type CreatedWebhook,
  type Me,
  PolicyClient,
  type PolicyDocumentView,
  PrincipalsClient,
  type RotatedToken,
  WebhooksClient,
} from './admin.js';
export { ApprovalsClient, CollabClient, type DecideOptions } from './approvals.js';
export {
  AuditClient,
  type AuditReview,
  type CompleteReviewInput,
  type ReviewedTask,
  type ReviewFrequency,
  type ReviewOutcome,
  type ReviewStatus,
  type SampledTask,
} from './audit.js';
export {
  type ChannelDelivery,
  type ChannelLinks,
  type ChannelPreferences,
  type ChannelPreferencesView,
  type ChannelStatus,
  ChannelsClient,
  type MyChannels,
  type RoleChannel,
  type SlackLinkCode,
} from './channels.js';
export { HumanOSClient } from './client.js';
export {
  type CreateDelegationBody,
  type Delegation,
  type DelegationSide,
  DelegationsClient,
  type UpdateDelegationBody,
} from './delegations.js';
export {
  type ClientErrorCode,
  HumanOSApiError,
  type HumanOSApiErrorInit,
  type HumanOSErrorCode,
  isTransient,
  PayloadDigestRequiredError,
  type Problem,
  SERVER_ERROR_CODES,
  type ServerErrorCode,
  StalePayloadError,
} from './errors.js';
export { type ClaimOptions, type ExecuteTaskOptions, ExecutionClient, LONG_POLL_SECONDS } from './execution.js';
export { configureHumanOS, defaultHumanOSClient, HumanOS } from './facade.js';
export {
  type Checkpoint,
  type CheckpointStore,
  type ConsistencyProof,
  LedgerClient,
  type LedgerPublicKey,
  memoryCheckpointStore,
  type PinnedCheckpoint,
} from './ledger.js';
export {
  ApprovalDeniedError,
  type ApprovalGuard,
  type Denial,
  denialOf,
  type RequireApprovalOptions,
  requireApproval,
} from './requireApproval.js';
export { TasksClient, type WaitForApprovalOptions } from './tasks.js';
export { type ClientOptions, newIdempotencyKey, paginate, parseRetryAfter, SDK_VERSION } from './transport.js';
export type * from './types.js';
export { Worker, type WorkerClient, type WorkerOptions } from './worker.js';
