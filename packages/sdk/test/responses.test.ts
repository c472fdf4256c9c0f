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
 *    `Items`, `Page` keep member types; use `Nullable`, `T.Optional`, `Enum` for unions).
 * 2. Type the SDK method's promise with a named type in `packages/sdk/src/types.ts` (no
 *    `Record<string, unknown>` where the server knows the shape).
 * 3. Add a line below: `same<Mutual<Norm<Res<XxxClient['method']>>, Norm<Static<typeof XxxSchema>>>>(true);`
 *    (`Norm` maps TypeBox's open `object` to `Record<string, unknown>` and flattens intersections;
 *    `Res` is what the method resolves with). If the compiler says `false`, compare both sides and fix
 *    the wrong one: the server's handler (its view function) is what is actually sent.
 * Types generated from the OpenAPI document (`Task`, `ApprovalRequest`, `ApprovalResult`, …:
 * packages/sdk/src/openapi.gen.ts) need no line here: models.generated.test.ts keeps them current.
 */
import type { Static, TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import type {
  ChannelDeliveries,
  ChannelStatus as ChannelStatusSchema,
  LinkCode,
  LinksView,
  MyChannels as MyChannelsSchema,
  PreferencesView,
  RoleChannelView,
} from '../../server/src/channels/schemas.js';
import type { ClaimResult } from '../../server/src/execution/schemas.js';
import type { Problem as ProblemSchema } from '../../server/src/kernel/schemas.js';
import type {
  CheckpointView,
  ConsistencyProofView,
  HistoryView,
  PublicKeyView,
} from '../../server/src/ledger/schemas.js';
import type { PolicyDocumentView as PolicyDocumentSchema } from '../../server/src/policy/schemas.js';
import type {
  Capabilities,
  Me as MeSchema,
  PrincipalList,
  PrincipalView as PrincipalSchema,
  RotatedToken as RotatedTokenSchema,
} from '../../server/src/principals/schemas.js';
import type {
  CreatedWebhook as CreatedWebhookSchema,
  DeliveryList,
  DeliveryView,
  WebhookList,
  WebhookView,
} from '../../server/src/webhooks/schemas.js';
import type {
  ChannelsClient,
  ExecutionClient,
  LedgerClient,
  Page,
  PolicyClient,
  PrincipalsClient,
  Problem,
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
same<Task extends TaskBase ? true : false>(true);
same<Mutual<Task['status'], TaskBase['status']>>(true);
same<Mutual<Res<TasksClient['get']>, Task>>(true);
same<Mutual<Res<TasksClient['list']>, Page<Task>>>(true);
same<Mutual<Res<TasksClient['cancel']>, Task>>(true);
// The SDK adds `id` (= `taskId`, as the seed reads it) to the create response itself.
// `waitForApproval` adds `timedOut` (its own deadline) to the decision long-poll's answer.
same<Same<Res<TasksClient['history']>, St<typeof HistoryView>>>(true);

// ---- approvals ----

// ---- execution ----
same<Same<{ items: Res<ExecutionClient['claim']> }, St<typeof ClaimResult>>>(true);
same<Mutual<Res<ExecutionClient['complete']>, Task>>(true);
same<Mutual<Res<ExecutionClient['fail']>, Task>>(true);

// ---- principals ----
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
