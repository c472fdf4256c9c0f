import { didKeyFromPublicKey, type KeyChain, type PolicyDocument, type SigningKey } from '@humanos/core';
import { Approvals } from './approvals/approvals.js';
import { ATTENTION_OFF, AttentionChecks } from './attention/attention.js';
import { ApproverMetrics } from './audit/approvers.js';
import { AuditReviews } from './audit/reviews.js';
import { Auth } from './auth/auth.js';
import { Channels } from './channels/channels.js';
import { Claims } from './collab/claims.js';
import { Comments } from './collab/comments.js';
import { type AuthConfig, type IntegrationConfig, NO_INTEGRATIONS, type TeamConfig } from './config.js';
import { Timers } from './deadlines/timers.js';
import { Delegations } from './delegations/delegations.js';
import { Outbox } from './delivery/outbox.js';
import { Feed } from './events/feed.js';
import { Decisions } from './events/taskDecision.js';
import { Execution } from './execution/execution.js';
import { Feedback } from './execution/feedback.js';
import { InRunDecisions } from './execution/inRunDecisions.js';
import { Access } from './kernel/access.js';
import { GroupCommitter } from './kernel/committer.js';
import type { Clock, Decided, FeatureDeps, WriteFn } from './kernel/deps.js';
import { Ledger, type Seal } from './kernel/ledger.js';
import type { Notifier } from './kernel/notifier.js';
import { History } from './ledger/history.js';
import { Passkeys } from './passkeys/passkeys.js';
import { Policy } from './policy/policy.js';
import { Principals } from './principals/principals.js';
import type { Store } from './store/connect.js';
import type { Database } from './store/schema.js';
import { Tasks } from './tasks/tasks.js';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings, Webhooks } from './webhooks/webhooks.js';

export type { Principal } from './kernel/access.js';
export { type Clock, systemClock } from './kernel/deps.js';

export interface ServiceOptions {
  policy: PolicyDocument;
  policySource: 'built-in' | 'file';
  /** Public URL, webhook allow-list, Slack and e-mail settings (from the configuration). */
  integrations?: IntegrationConfig;
  /** Single sign-on and sessions (from the configuration); without it: tokens only, no SSO. */
  auth?: AuthConfig;
  /** Overrides of webhook delivery tuning (tests shorten the backoff). */
  webhooks?: Partial<WebhookSettings>;
  /** Where failures of background work (webhook sends started after a commit) are reported. */
  onBackgroundError?: (e: unknown) => void;
  /** Called after each commit that sealed a checkpoint (the pin file outside the database follows it). */
  onSealed?: (seal: Seal) => void;
  /** Where refusals because the store disagrees with the signed ledger are reported (besides the count). */
  onIntegrityViolation?: (detail: { taskId: string; reason: string }) => void;
  /** Claims and attention checks (from the configuration); without it: 10-minute claims, no checks. */
  team?: TeamConfig;
  /** The ledger's keys over time (ledger/keys.ts); without it: `key` from size 0. */
  keyChain?: KeyChain;
  /** The key this start rotated away from (HUMANOS_PREVIOUS_SIGNING_KEY_FILE), for e-mail links it issued. */
  retiredKey?: SigningKey;
}

/** Tokens for everyone, no single sign-on (a service built without a configuration). */
const NO_SSO: AuthConfig = { oidc: undefined, humanTokens: true, sessionIdleSeconds: 7200, sessionMaxSeconds: 43_200 };

/**
 * The composition root: builds the shared dependencies (store, ledger, group commit, access rules)
 * once and hands them to each feature module. No domain logic lives here; every operation is in its
 * feature's folder (see docs/contributing.md).
 *
 * @example
 * const service = new HumanOSService(store, key, origin, systemClock, notifier, { policy, policySource: 'built-in' });
 * await service.tasks.create(agent, { description: 'Wire $50', payload: { amount: 50 } });
 */
export class HumanOSService {
  readonly ledger: Ledger;
  /** The current ledger key as a `did:key`. */
  get signerDid(): string {
    return didKeyFromPublicKey(this.deps.key.publicKeyRaw);
  }
  /** What every feature gets. */
  readonly deps: FeatureDeps;
  readonly principals: Principals;
  /** How requests authenticate (tokens, sessions) and how people sign in (OIDC). */
  readonly auth: Auth;
  readonly tasks: Tasks;
  readonly approvals: Approvals;
  readonly execution: Execution;
  readonly inRunDecisions: InRunDecisions;
  readonly feedback: Feedback;
  readonly timers: Timers;
  readonly auditReviews: AuditReviews;
  /** Against rubber-stamping: per approver and per role (`GET /audit/approvers`, `/metrics`). */
  readonly approverMetrics: ApproverMetrics;
  readonly policy: Policy;
  /** The durable outbox webhooks and the notification channels deliver through. */
  readonly outbox: Outbox;
  readonly webhooks: Webhooks;
  readonly decisions: Decisions;
  readonly feed: Feed;
  readonly history: History;
  readonly passkeys: Passkeys;
  readonly delegations: Delegations;
  /** Refusals because the store disagreed with the signed ledger, since start (`/metrics`). */
  integrityViolations = 0;
  /** Write batches run a second time, with savepoints, since start (`/metrics`; `kernel/committer.ts`). */
  get batchReruns(): number {
    return this.committer.reruns;
  }
  /** Write operations queued for the next batch, now (`/metrics`). */
  get writesWaiting(): number {
    return this.committer.waiting;
  }
  private readonly committer: GroupCommitter;
  readonly channels: Channels;
  readonly comments: Comments;
  readonly claims: Claims;
  readonly attention: AttentionChecks;
  private readonly appendedObservers: ((entries: readonly Database['ledger_entries'][]) => void)[] = [];

  /**
   * Calls `fn` after every committed write batch with the ledger entries it appended (in order). For
   * observers that derive figures from what happened (the domain metrics) without touching feature
   * logic; `fn` must not throw or write.
   *
   * @example
   * service.onAppended((entries) => { for (const e of entries) counter.inc(); });
   */
  onAppended(fn: (entries: readonly Database['ledger_entries'][]) => void): void {
    this.appendedObservers.push(fn);
  }

  private readonly decidedObservers: ((decided: Decided) => void)[] = [];

  /**
   * Calls `fn` after every committed decision, with its gate's request time (the decision-time
   * histogram); `fn` must not throw or write.
   *
   * @example
   * service.onDecided((d) => histogram.observe({ verdict: d.verdict }, (d.at - d.requestedAt) / 1000));
   */
  onDecided(fn: (decided: Decided) => void): void {
    this.decidedObservers.push(fn);
  }

  private readonly decided = (decided: Decided): void => {
    for (const fn of this.decidedObservers) fn(decided);
  };

  constructor(
    readonly store: Store,
    key: SigningKey,
    readonly origin: string,
    readonly clock: Clock,
    notifier: Notifier,
    options: ServiceOptions,
  ) {
    this.ledger = new Ledger(store.dialect, key, origin, options.keyChain);
    const writeSealed = <T>(fn: WriteFn<T>) => this.committer.run((trx, ctx) => fn(trx, ctx.touched));
    this.deps = {
      db: store.db,
      dialect: store.dialect,
      ledger: this.ledger,
      now: () => clock.now(),
      write: async (fn) => (await writeSealed(fn)).value,
      writeSealed,
      key,
      retiredKey: options.retiredKey,
      origin,
      signerDid: didKeyFromPublicKey(key.publicKeyRaw),
      policy: options.policy,
      policySource: options.policySource,
      notifier,
      access: new Access(options.policy),
      publicUrl: options.integrations?.publicUrl,
      webauthn: options.integrations?.webauthn,
      onDecided: this.decided,
      onIntegrityViolation: (detail) => {
        this.integrityViolations += 1;
        options.onIntegrityViolation?.(detail);
      },
    };
    ({ outbox: this.outbox, webhooks: this.webhooks } = deliveryOf(this.deps, options));
    const outbox = this.outbox;
    this.committer = new GroupCommitter(
      store.db,
      this.ledger,
      () => clock.now(),
      (ids, appended, seal) => {
        notifier.changed(ids);
        outbox.afterCommit();
        for (const fn of this.appendedObservers) fn(appended);
        if (seal) options.onSealed?.(seal);
      },
      (trx, appended) => outbox.enqueue(trx, appended),
    );
    this.principals = new Principals(this.deps);
    notifier.onPrincipalsChanged(() => this.principals.invalidate());
    this.auth = new Auth(
      this.deps,
      this.principals,
      options.auth ?? NO_SSO,
      options.integrations?.publicUrl && new URL(options.integrations.publicUrl).origin,
    );
    this.tasks = new Tasks(this.deps);
    this.approvals = new Approvals(this.deps);
    this.execution = new Execution(this.deps);
    this.inRunDecisions = new InRunDecisions(this.deps);
    this.feedback = new Feedback(this.deps);
    this.timers = new Timers(this.deps);
    this.auditReviews = new AuditReviews(this.deps);
    this.approverMetrics = new ApproverMetrics(this.deps);
    this.policy = new Policy(this.deps);
    this.decisions = new Decisions(this.deps);
    this.feed = new Feed(this.deps);
    this.history = new History(this.deps);
    this.passkeys = new Passkeys(this.deps);
    this.delegations = new Delegations(this.deps);
    this.channels = new Channels(
      this.deps,
      outbox,
      (actor, id, verdict, input) => this.approvals.decide(actor, id, verdict, input),
      { ...(options.integrations ?? NO_INTEGRATIONS), timeoutMs: outbox.settings.timeoutMs },
    );
    this.comments = new Comments(this.deps);
    this.claims = new Claims(this.deps, options.team?.claimSeconds);
    this.attention = new AttentionChecks(this.deps, this.tasks, outbox, options.team?.attention ?? ATTENTION_OFF);
  }
}

/** The one durable outbox (webhooks and channels are its sinks) and the webhooks feature on it. */
function deliveryOf(deps: FeatureDeps, options: ServiceOptions): { outbox: Outbox; webhooks: Webhooks } {
  const webhookDeps = {
    ...deps,
    onError: (e: unknown) => options.onBackgroundError?.(e),
    settings: {
      ...DEFAULT_WEBHOOK_SETTINGS,
      publicUrl: options.integrations?.publicUrl,
      allowHosts: options.integrations?.webhookAllowHosts ?? [],
      ...options.webhooks,
    },
  };
  const outbox = new Outbox(webhookDeps);
  return { outbox, webhooks: new Webhooks(webhookDeps, outbox) };
}
