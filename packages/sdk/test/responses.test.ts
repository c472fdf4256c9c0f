/**
 * Type-level drift checks of the SDK's responses: what each SDK method resolves with is the same type
 * as `Static<typeof Schema>` of the response schema the server's route declares (and validates its
 * responses against in every test server, `validateResponses`). A drift either way (a member missing,
 * added, renamed, optional on one side only, nullable on one side only, a wider or narrower union)
 * fails `npm run typecheck`: tsconfig.test.json includes this file. The SDK stays standalone: it
 * imports nothing of the server; only this test does, type-only.
 *
 * Adding a check for a new route or SDK type:
 * 1. Give the route a precise response schema in `packages/server/src/<feature>/schemas.ts` (`view`,
 *    `Items`, `Page` keep member types; use `Nullable`, `T.Optional`, `Enum`/`Literals` for unions).
 * 2. Type the SDK method's promise with a named type in `packages/sdk/src/types.ts` (no
 *    `Record<string, unknown>` where the server knows the shape).
 * 3. Add a line below: `same<Mutual<Norm<Res<XxxClient['method']>>, Norm<Static<typeof XxxSchema>>>>(true);`
 *    (`Norm` maps TypeBox's open `object` to `Record<string, unknown>` and flattens intersections;
 *    `Res` is what the method resolves with). If the compiler says `false`, compare both sides and fix
 *    the wrong one: the server's handler (its view function) is what is actually sent.
 * Request bodies, queries, error codes and the enum-like unions are checked in types.test.ts.
 */
import type { Static, TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import type {
  ApprovalResult as ApprovalResultSchema,
  DecisionEntry,
  GateDetail,
  GatePage,
  GateView,
  ProvenanceView,
  RejectionResult as RejectionResultSchema,
} from '../../server/src/approvals/schemas.js';
import type {
  ChannelDeliveries,
  ChannelStatus as ChannelStatusSchema,
  LinkCode,
  LinksView,
  MyChannels as MyChannelsSchema,
  PreferencesView,
  RoleChannelView,
} from '../../server/src/channels/schemas.js';
import type { DecisionView as TaskDecisionSchema } from '../../server/src/events/schemas.js';
import type {
  CalibrationReport,
  ClaimResult,
  ExecutionGrant as ExecutionGrantSchema,
  FeedbackResult as FeedbackResultSchema,
  HeartbeatResult as HeartbeatResultSchema,
  InRunDecisionResult,
  OverrideResult as OverrideResultSchema,
  SignedGrant,
} from '../../server/src/execution/schemas.js';
import type {
  PolicyOutcome as PolicyOutcomeSchema,
  Problem as ProblemSchema,
} from '../../server/src/kernel/schemas.js';
import type {
  CheckpointView,
  ConsistencyProofView,
  HistoryView,
  PublicKeyView,
} from '../../server/src/ledger/schemas.js';
import type {
  PolicyDocumentView as PolicyDocumentSchema,
  PolicyEvaluation as PolicyEvaluationSchema,
} from '../../server/src/policy/schemas.js';
import type {
  Capabilities,
  CreatedPrincipal as CreatedPrincipalSchema,
  Me as MeSchema,
  PrincipalList,
  PrincipalView as PrincipalSchema,
  RotatedToken as RotatedTokenSchema,
} from '../../server/src/principals/schemas.js';
import type { CreatedTask as CreatedTaskSchema, TaskPage, TaskView } from '../../server/src/tasks/schemas.js';
import type {
  CreatedWebhook as CreatedWebhookSchema,
  DeliveryList,
  DeliveryView,
  WebhookList,
  WebhookView,
} from '../../server/src/webhooks/schemas.js';
import type {
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalsClient,
  ChannelsClient,
  DecisionView,
  Execution,
  ExecutionClient,
  ExecutionGrant,
  GateDecision,
  HeartbeatResult,
  InRunDecisionResponse,
  LedgerClient,
  Page,
  PolicyClient,
  PolicyOutcome,
  PrincipalsClient,
  Problem,
  Provenance,
  Task,
  TaskBase,
  TasksClient,
  WebhooksClient,
} from '../src/index.js';
import { type Known, type Mutual, type Norm, type Res, same } from './drift.js';

/** `A` and `Static<S>` are the same type once both are normalised. */
type Same<A, S> = Mutual<Norm<A>, Norm<S>>;
type St<S extends TSchema> = Static<S>;

// ---- tasks ----
// A task is `Task`: `RunningTask | IdleTask`, which narrows `confidence` by `status` (a running task
// always has one); both extend `TaskBase`, which is the view's type member for member.
same<Same<TaskBase, St<typeof TaskView>>>(true);
same<Same<Page<TaskBase>, St<typeof TaskPage>>>(true);
same<Task extends TaskBase ? true : false>(true);
same<Mutual<Task['status'], TaskBase['status']>>(true);
same<Mutual<Res<TasksClient['get']>, Task>>(true);
same<Mutual<Res<TasksClient['list']>, Page<Task>>>(true);
same<Mutual<Res<TasksClient['cancel']>, Task>>(true);
// The SDK adds `id` (= `taskId`, as the seed reads it) to the create response itself.
same<Same<Omit<Res<TasksClient['create']>, 'id'>, St<typeof CreatedTaskSchema>>>(true);
same<Same<PolicyOutcome, St<typeof PolicyOutcomeSchema>>>(true);
// `waitForApproval` adds `timedOut` (its own deadline) to the decision long-poll's answer.
same<Same<Res<TasksClient['decision']>, St<typeof TaskDecisionSchema>>>(true);
same<Same<Omit<ApprovalOutcome, 'timedOut'>, St<typeof TaskDecisionSchema>>>(true);
same<Same<Res<TasksClient['override']>, St<typeof OverrideResultSchema>>>(true);
same<Same<Res<TasksClient['feedback']>, St<typeof FeedbackResultSchema>>>(true);
same<Same<Res<TasksClient['history']>, St<typeof HistoryView>>>(true);
same<Same<Res<TasksClient['calibration']>, St<typeof CalibrationReport>>>(true);

// ---- approvals ----
same<Same<ApprovalRequest, St<typeof GateView>>>(true);
same<Same<GateDecision, St<typeof GateView>['decisions'][number]>>(true);
same<Same<DecisionView, St<typeof DecisionEntry>>>(true);
same<Same<Res<ApprovalsClient['inbox']>, St<typeof GatePage>>>(true);
same<Same<Res<ApprovalsClient['get']>, St<typeof GateDetail>>>(true);
same<Same<Res<ApprovalsClient['wait']>, St<typeof GateDetail>>>(true);
same<Same<Res<ApprovalsClient['approve']>, St<typeof ApprovalResultSchema>>>(true);
same<Same<Res<ApprovalsClient['reject']>, St<typeof RejectionResultSchema>>>(true);
same<Same<Provenance, St<typeof ProvenanceView>>>(true);

// ---- execution ----
same<Same<Res<ExecutionClient['start']>, St<typeof ExecutionGrantSchema>>>(true);
same<Same<Execution, St<typeof ExecutionGrantSchema>>>(true);
same<Same<ExecutionGrant, St<typeof SignedGrant>>>(true);
same<Same<{ items: Res<ExecutionClient['claim']> }, St<typeof ClaimResult>>>(true);
same<Mutual<Res<ExecutionClient['complete']>, Task>>(true);
same<Mutual<Res<ExecutionClient['fail']>, Task>>(true);
same<Same<HeartbeatResult, St<typeof HeartbeatResultSchema>>>(true);
same<Same<InRunDecisionResponse, St<typeof InRunDecisionResult>>>(true);

// ---- principals ----
same<Same<Res<PrincipalsClient['create']>, St<typeof CreatedPrincipalSchema>>>(true);
same<Same<Res<PrincipalsClient['list']>, St<typeof PrincipalList>>>(true);
same<Same<Res<PrincipalsClient['get']>, St<typeof PrincipalSchema>>>(true);
same<Same<Res<PrincipalsClient['update']>, St<typeof PrincipalSchema>>>(true);
same<Same<Res<PrincipalsClient['me']>, St<typeof MeSchema>>>(true);
same<Same<Res<PrincipalsClient['registerCapabilities']>, St<typeof Capabilities>>>(true);
same<Same<Res<PrincipalsClient['rotateToken']>, St<typeof RotatedTokenSchema>>>(true);

// ---- webhooks ----
same<Same<Res<WebhooksClient['create']>, St<typeof CreatedWebhookSchema>>>(true);
same<Same<Res<WebhooksClient['rotateSecret']>, St<typeof CreatedWebhookSchema>>>(true);
same<Same<Res<WebhooksClient['list']>, St<typeof WebhookList>>>(true);
same<Same<Res<WebhooksClient['remove']>, St<typeof WebhookView>>>(true);
same<Same<Res<WebhooksClient['deliveries']>, St<typeof DeliveryList>>>(true);
same<Same<Res<WebhooksClient['retryDelivery']>, St<typeof DeliveryView>>>(true);

// ---- policy ----
same<Same<Res<PolicyClient['evaluate']>, St<typeof PolicyEvaluationSchema>>>(true);
same<Same<Res<PolicyClient['get']>, St<typeof PolicyDocumentSchema>>>(true);

// ---- ledger ----
same<Same<Res<LedgerClient['checkpoint']>, St<typeof CheckpointView>>>(true);
same<Same<Res<LedgerClient['checkedCheckpoint']>, St<typeof CheckpointView>>>(true);
same<Same<Res<LedgerClient['publicKey']>, St<typeof PublicKeyView>>>(true);
same<Same<import('../src/index.js').ConsistencyProof, St<typeof ConsistencyProofView>>>(true);

// ---- channels ----
same<Same<Res<ChannelsClient['status']>, St<typeof ChannelStatusSchema>>>(true);
same<Same<Res<ChannelsClient['me']>, St<typeof MyChannelsSchema>>>(true);
same<Same<Res<ChannelsClient['setPreferences']>, St<typeof PreferencesView>>>(true);
same<Same<Res<ChannelsClient['linkCode']>, St<typeof LinkCode>>>(true);
same<Same<Res<ChannelsClient['setLinks']>, St<typeof LinksView>>>(true);
same<Same<Res<ChannelsClient['setRoleChannel']>, St<typeof RoleChannelView>>>(true);
same<Same<Res<ChannelsClient['deliveries']>, St<typeof ChannelDeliveries>>>(true);

// ---- problems ----
// The SDK's `Problem` keeps an index signature (code-specific extra members such as `taskStatus`) and
// an optional `instance` (callers build problems for `new HumanOSApiError(…, problem)`); the rest is
// the schema's.
type ServerProblem = Omit<St<typeof ProblemSchema>, 'instance'> & { instance?: string };
same<Same<Known<Problem>, ServerProblem>>(true);

describe('SDK response types match the server', () => {
  it('are checked at compile time (npm run typecheck); this file only has to compile', () => {
    expect(same(true)).toBe(true);
  });
});
