/**
 * Type-level drift checks of the SDK's hand-written request arguments against the server:
 * - request bodies and queries the SDK's methods take as arguments of their own: each is the same
 *   type as `Static<typeof Schema>` of the route's TypeBox request schema;
 * - the ledger's event vocabulary the SDK acts on is core's.
 * The request types with a schema of their own (`CreateTaskInput`, `ApproveInput`, …) and the status,
 * gate-kind, risk-level and error-code unions are generated from the OpenAPI document instead
 * (`packages/sdk/src/openapi.gen.ts`, `npm run gen:models`; models.generated.test.ts fails when the
 * committed file is stale), so they need no drift check. Responses: responses.test.ts.
 * A drift either way fails `npm run typecheck` (tsconfig.test.json includes this file); the runtime
 * assertions below keep vitest honest about it too. The SDK itself imports nothing of the server.
 *
 * Adding a check for a new request type: give the route a request schema in
 * `packages/server/src/<feature>/schemas.ts` (use `Enum(CONST_ARRAY)` rather than
 * `T.Union(CONST_ARRAY.map(T.Literal))`, whose static type is `never`), write the SDK input type in
 * `packages/sdk/src/types.ts`, then add `same<Mutual<Norm<SdkType>, Norm<Static<typeof Schema>>>>(true);`
 * below. `Norm` maps TypeBox's open `object` (payload, edits) to the SDK's `Record<string, unknown>`.
 */
import type { LedgerEntryType as CoreLedgerEntryType } from '@humanos/core';
import type { Static } from 'typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { InboxQuery } from '../../server/src/approvals/schemas.js';
import type { LinksBody, PreferencesBody } from '../../server/src/channels/schemas.js';
import type { CalibrationQuery, ClaimBody } from '../../server/src/execution/schemas.js';
import type { CapabilitiesBody, RotateTokenBody, UpdatePrincipalBody } from '../../server/src/principals/schemas.js';
import type { CancelBody, ListTasksQuery } from '../../server/src/tasks/schemas.js';
import type { CreateWebhookBody, DeliveriesQuery, RotateSecretBody } from '../../server/src/webhooks/schemas.js';
import type {
  ApprovalsClient,
  ChannelPreferences,
  ChannelsClient,
  ExecutionClient,
  LedgerEntryType,
  PrincipalsClient,
  Task,
  TasksClient,
  WebhooksClient,
} from '../src/index.js';
import type { TAKEOVER_EVENT } from '../src/takeover.js';
import { type Arg, type Mutual, type Norm, same } from './drift.js';

type Same<A, S> = Mutual<Norm<A>, Norm<S>>;

// ---- request bodies the SDK's methods take as arguments of their own (the request types with a
// schema of their own, the status and error-code unions are generated from the OpenAPI document:
// packages/sdk/src/openapi.gen.ts, checked by models.generated.test.ts) ----
same<Same<{ capabilities: Arg<PrincipalsClient['registerCapabilities'], 0> }, Static<typeof CapabilitiesBody>>>(true);
same<Same<Arg<PrincipalsClient['update'], 1>, Static<typeof UpdatePrincipalBody>>>(true);
same<Same<Arg<PrincipalsClient['rotateToken'], 1>, Static<typeof RotateTokenBody>>>(true);
same<Same<Arg<TasksClient['cancel'], 1>, Static<typeof CancelBody>>>(true);
same<Same<Arg<WebhooksClient['create'], 0>, Static<typeof CreateWebhookBody>>>(true);
same<Same<Arg<WebhooksClient['rotateSecret'], 1>, Static<typeof RotateSecretBody>>>(true);
same<Same<ChannelPreferences, Static<typeof PreferencesBody>>>(true);
same<Same<Arg<ChannelsClient['setLinks'], 1>, Static<typeof LinksBody>>>(true);
// `claim(capabilities, { limit, leaseSeconds, waitSeconds, signal })` sends all but the last two as one
// body (`waitSeconds` is the `?wait=` long-poll; `signal` cancels).
same<
  Same<
    { capabilities: Arg<ExecutionClient['claim'], 0> } & Omit<
      Arg<ExecutionClient['claim'], 1>,
      'waitSeconds' | 'signal'
    >,
    Static<typeof ClaimBody>
  >
>(true);

// ---- queries ----
same<Same<Arg<TasksClient['list'], 0>, Static<typeof ListTasksQuery>>>(true);
same<Same<Arg<ApprovalsClient['inbox'], 0>, Static<typeof InboxQuery>>>(true);
same<Same<Arg<WebhooksClient['deliveries'], 1>, Static<typeof DeliveriesQuery>>>(true);
same<Same<Arg<ChannelsClient['deliveries'], 0>, Static<typeof DeliveriesQuery>>>(true);
// `calibration(agent, capability?)` sends `?agent=…&capability=…`.
same<
  Same<
    { agent: Arg<TasksClient['calibration'], 0>; capability?: Arg<TasksClient['calibration'], 1> },
    Static<typeof CalibrationQuery>
  >
>(true);

// ---- the ledger's event vocabulary: the SDK's is core's ----
same<Mutual<LedgerEntryType, CoreLedgerEntryType>>(true);
// The one event the SDK acts on (a takeover on the event stream) is a ledger event type.
same<Mutual<typeof TAKEOVER_EVENT, 'task.overridden'>>(true);
same<typeof TAKEOVER_EVENT extends LedgerEntryType ? true : false>(true);

describe('SDK types match the server', () => {
  it('task.confidence is number | null: the seed comparison needs a guard', () => {
    expectTypeOf<Task['confidence']>().toEqualTypeOf<number | null>();
    const task = { confidence: null } as Pick<Task, 'confidence'>;
    // The seed's `task.confidence < 0.6` does not compile; this is how to write it.
    expect(task.confidence !== null && task.confidence < 0.6).toBe(false);
  });
});
