import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyDocument, SigningKey } from '@humanos/core';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { StartupError } from './errors.js';
import { buildApp } from './http/app.js';
import { Ledger } from './kernel/ledger.js';
import { Notifier } from './kernel/notifier.js';
import { establishLedgerIdentity, type LedgerIdentity, loadSigningKeys } from './ledger/keys.js';
import { CheckpointPin } from './ledger/pin.js';
import { WitnessCosigner } from './ledger/witnesses.js';
import { loadPolicy } from './policy/policyFile.js';
import { ADMIN_DID, newToken } from './principals/principals.js';
import { type Clock, HumanOSService, systemClock } from './service.js';
import { openStore, type Store } from './store/connect.js';
import type { WebhookSettings } from './webhooks/webhooks.js';

/** How often the store refreshes planner statistics (SQLite's `PRAGMA optimize`). */
const MAINTAIN_EVERY_MS = 60 * 60 * 1000;

export const VERSION = '0.1.0';

export interface HumanOSServer {
  app: FastifyInstance;
  service: HumanOSService;
  store: Store;
  /**
   * Where the generated admin token is (a 0600 file in the data directory), when this start created
   * the admin with it or the file is still there from the start that did; undefined when the admin's
   * token came from `HUMANOS_ADMIN_TOKEN`. `created` says whether this start created the admin.
   */
  adminTokenFile: { path: string; created: boolean } | undefined;
  /** Base URL once listening. */
  url: string;
  /**
   * Stops gracefully: refuses new requests (503 problem+json), ends event streams and long-polls
   * (streams with a reconnect notice, long-polls with the state they have), waits for in-flight
   * requests and background work (so every acknowledged write is committed), then closes the store.
   */
  close(): Promise<void>;
}

export { StartupError };

/** A policy that requires passkeys needs a relying party: such gates could never be decided (said at start-up). */
function requirePasskeysConfigured(policy: PolicyDocument, config: ServerConfig): void {
  if (policy.requirePasskey && !config.integrations.webauthn) {
    throw new StartupError(
      'HUMANOS_POLICY',
      'the policy has requirePasskey but passkeys are not configured (HUMANOS_WEBAUTHN_RP_ID or HUMANOS_PUBLIC_URL)',
    );
  }
}

/** The file a generated admin token is written to, in the data directory. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * Creates the data directory owner-only (0700): it holds the SQLite database (payloads, webhook
 * secrets), the signing key and the generated admin token. An existing directory is left as it is.
 */
function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** What tests and embedders may set besides the configuration. */
export interface StartOptions {
  clock?: Clock;
  logger?: boolean | { level: string };
  listen?: boolean;
  webhooks?: Partial<WebhookSettings>;
  /** Check responses against their schemas (tests); also on with `HUMANOS_VALIDATE_RESPONSES=1`. */
  validateResponses?: boolean;
  /**
   * `false`: no background sweeps (deadlines, reminders, leases, reviews, outbox, maintenance); the
   * embedder runs them itself through `service`. The test harness does, with its frozen clock: a
   * sweep on a wall-clock timer would land between a test's clock step and its "nothing changed"
   * check and expire what it just made due. Default `true`, every `HUMANOS_TIMER_INTERVAL_MS`.
   */
  sweep?: boolean;
}

/** Opens the store; a failure names the setting that points at it. */
async function openConfiguredStore(config: ServerConfig, report: (e: Error) => void): Promise<Store> {
  try {
    return await openStore(
      config.databaseUrl
        ? {
            kind: 'postgres',
            url: config.databaseUrl,
            onConnectionError: report,
            namedStatements: config.pgNamedStatements,
          }
        : { kind: 'sqlite', file: `${config.dataDir}/humanos.db` },
    );
  } catch (e) {
    const setting = config.databaseUrl ? 'DATABASE_URL' : 'HUMANOS_DATA_DIR';
    throw new StartupError(setting, `cannot open the store: ${(e as Error).message}`);
  }
}

/** Binds the port; a failure names PORT (in use, not allowed) or HOST (no such address). */
async function listenOn(app: FastifyInstance, config: ServerConfig): Promise<string> {
  try {
    return await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const where = `${config.host}:${config.port}`;
    if (code === 'EADDRINUSE') throw new StartupError('PORT', `${where} is already in use (${code})`);
    if (code === 'EACCES') throw new StartupError('PORT', `not allowed to listen on ${where} (${code})`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new StartupError('HOST', `cannot listen on ${where}: no such local address (${code})`);
    }
    throw new StartupError('PORT', `cannot listen on ${where}: ${(e as Error).message}`);
  }
}

/**
 * Opens the store, loads the ledger key, binds the port, then bootstraps the admin (so a start that
 * cannot bind creates nothing) and starts the timer loop.
 *
 * @example
 * const server = await startServer(loadConfig(process.env));
 * console.log(server.url);
 */
export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<HumanOSServer> {
  const { policy, source: policySource } = loadPolicy(config.policyFile, config.defaultApproverRole);
  requirePasskeysConfigured(policy, config);
  ensurePrivateDir(config.dataDir);
  const keys = loadSigningKeys(config.signingKey, config.previousSigningKeyFile, ensurePrivateDir);
  // Bound once the app (and its logger) exists.
  let log: (msg: string, e: unknown) => void = () => {};
  const store = await openConfiguredStore(config, (e) => log('database connection failed', e));
  const notifier = new Notifier();
  let stopListening: (() => Promise<void>) | undefined;
  let built: FastifyInstance | undefined;
  let cosigner: WitnessCosigner | undefined;
  try {
    const { identity, pin, witnesses } = await checkedIdentity(config, store, keys);
    cosigner = witnesses;
    const { origin } = identity;
    stopListening = await listenToReplicas(store, notifier, (msg, e) => log(msg, e));
    const service = new HumanOSService(store, keys.key, origin, opts.clock ?? systemClock, notifier, {
      policy,
      policySource,
      webhooks: opts.webhooks,
      integrations: config.integrations,
      auth: config.auth,
      team: config.team,
      onBackgroundError: (e) => log('background work failed', e),
      onIntegrityViolation: (detail) => log('integrity violation: the store disagrees with the signed ledger', detail),
      onSealed: (seal) => {
        pin?.record(seal);
        cosigner?.sealed();
      },
      keyChain: identity.keys,
      retiredKey: keys.previous,
    });
    // A store from before task heads (migration 0017) gets its map built from the signed log, once.
    await service.ledger.ensureTaskHeads(store.db);
    const app = await buildApp({
      service,
      bodyLimit: config.bodyLimit,
      logger: opts.logger ?? { level: config.logLevel },
      logSlowMs: config.logSlowMs,
      version: VERSION,
      rateLimit: config.rateLimit,
      signInRateLimit: config.signInRateLimit,
      maxStreamsPerPrincipal: config.maxStreamsPerPrincipal,
      mcp: config.mcp,
      trustProxy: config.trustProxy,
      validateResponses: opts.validateResponses ?? process.env.HUMANOS_VALIDATE_RESPONSES === '1',
      witnesses: witnesses.configured ? () => witnesses.status() : undefined,
    });
    built = app;
    log = (msg, e) => app.log.warn({ err: e }, msg);
    witnesses.logTo(log);
    // The rotation's seal (signed by both keys) reaches the witnesses now, while they still know
    // the previous key; later checkpoints need them restarted with the new one (operations.md).
    if (identity.rotated) witnesses.sealed();
    // Before listening: whoever waits for the server to be up has seen the warning by then.
    await logUndecidable(service, app.log);
    logKeys(identity, app.log);
    const url = opts.listen !== false ? await listenOn(app, config) : '';
    const adminTokenFile = await bootstrapAdmin(config, service, app.log);
    warnTestMode(config, app.log);
    const onSweepError = (e: unknown) => app.log.error({ err: e }, 'timer sweep failed');
    const background = startSweeper(service, store, config, opts.sweep !== false, onSweepError);
    const close = () => stop({ app, notifier, background, stopListening, cosigner, pin, store });
    return { app, service, store, adminTokenFile, url, close: once(close) };
  } catch (e) {
    cosigner?.stop();
    await notifier.close();
    // Bound, but the admin could not be created (the store failed): do not leave the port held.
    await built?.close().catch(() => {});
    await stopListening?.();
    await store.close();
    throw e;
  }
}

/**
 * Before serving: the configured key must be the log's, or rotate to it (ledger/keys.ts); a store
 * behind the pinned checkpoint or the witnessed one is refused before anything is written to its log
 * (a rotation's `ledger.key_rotated` entry included). The checks only read the log: any Ledger of
 * the origin does.
 */
async function checkedIdentity(
  config: ServerConfig,
  store: Store,
  keys: ReturnType<typeof loadSigningKeys>,
): Promise<{ identity: LedgerIdentity; pin: CheckpointPin; witnesses: WitnessCosigner }> {
  let pin: CheckpointPin | undefined;
  let witnesses: WitnessCosigner | undefined;
  try {
    const identity = await establishLedgerIdentity(store, keys, config.origin, async (origin) => {
      const reader = new Ledger(store.dialect, keys.key, origin);
      pin = await pinnedCheckpoint(config, store, reader);
      witnesses = await witnessedStore({ db: store.db, ledger: reader, origin }, keys.key, config);
    });
    return { identity, pin: pin as CheckpointPin, witnesses: witnesses as WitnessCosigner };
  } catch (e) {
    // Checked, then refused (another key, a rotation that failed): no witness retries left behind.
    (witnesses as WitnessCosigner | undefined)?.stop();
    throw e;
  }
}

/**
 * The witnesses' cosigner, after checking the store is not behind what a quorum of them cosigned:
 * they need nothing on this replica's disk, so a rolled-back store is refused wherever it runs (an
 * ephemeral container without the pin file included).
 */
async function witnessedStore(
  deps: ConstructorParameters<typeof WitnessCosigner>[0],
  key: SigningKey,
  config: ServerConfig,
): Promise<WitnessCosigner> {
  const cosigner = new WitnessCosigner(deps, key, config.witnesses);
  const unwitnessed = await cosigner.problem();
  if (unwitnessed) {
    cosigner.stop();
    throw new StartupError('HUMANOS_WITNESSES', unwitnessed);
  }
  return cosigner;
}

/** The graceful stop: no new requests, streams and long-polls ended, background work done, then the store. */
async function stop(parts: {
  app: FastifyInstance;
  notifier: Notifier;
  background: { stop(): Promise<void> };
  stopListening: (() => Promise<void>) | undefined;
  cosigner: WitnessCosigner | undefined;
  pin: CheckpointPin | undefined;
  store: Store;
}): Promise<void> {
  const { app } = parts;
  app.log.info('shutting down: no new requests; ending event streams and long-polls');
  await parts.notifier.close();
  await Promise.all([closeHttp(app), parts.background.stop()]);
  await parts.stopListening?.();
  parts.cosigner?.stop();
  await parts.pin?.flush();
  await parts.store.close();
  app.log.info('stopped');
}

/** Wake-ups from other replicas' commits (PostgreSQL NOTIFY) reach this process's waiters. */
function listenToReplicas(
  store: Store,
  notifier: Notifier,
  log: (msg: string, e: unknown) => void,
): Promise<() => Promise<void>> {
  return store.listen({
    onMessage: (payload) => notifier.received(payload),
    onError: (e) => log('replica notifications interrupted; reconnecting', e),
    onResync: () => notifier.resync(),
  });
}

/** The pin file (ledger/pin.ts), after checking the store is not behind it. */
async function pinnedCheckpoint(config: ServerConfig, store: Store, ledger: Ledger): Promise<CheckpointPin> {
  const pin = new CheckpointPin(`${config.dataDir}/ledger-checkpoint.json`, ledger.origin);
  const behind = await pin.problem({ db: store.db, ledger });
  if (behind) throw new StartupError('HUMANOS_DATA_DIR', behind);
  return pin;
}

/** A server started with the test review clock says so once (never in production). */
function warnTestMode(config: ServerConfig, log: FastifyBaseLogger): void {
  if (config.testReviewClockOffsetMs > 0) {
    log.warn(
      `test mode: audit reviews open as if the clock were ${config.testReviewClockOffsetMs} ms later (HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS)`,
    );
  }
}

/** Says which key signs (never the key itself, only its public half) and when this start rotated. */
function logKeys(identity: LedgerIdentity, log: FastifyBaseLogger): void {
  const { current } = identity.keys;
  if (identity.rotated) {
    log.warn(
      { origin: identity.origin, publicKey: current.publicKey, fromSize: current.fromSize },
      'ledger signing key rotated: unset HUMANOS_PREVIOUS_SIGNING_KEY_FILE for the next starts, give every replica the new key, and have every witness restarted with it (--log <origin>=<publicKey>)',
    );
  } else log.info({ origin: identity.origin, publicKey: current.publicKey }, 'ledger signing key');
}

/** Once per start: the policy's gates nobody holds the role for only ever expire (docs/policy.md). */
async function logUndecidable(service: HumanOSService, log: FastifyBaseLogger): Promise<void> {
  for (const w of await service.policy.undecidable()) log.warn({ code: w.code }, `policy: ${w.message}`);
}

/** How long in-flight requests get to finish before their connections are cut. */
const DRAIN_REQUESTS_MS = 6_000;

/**
 * Stops accepting and waits for the requests in flight (their writes commit and are answered); a
 * connection still open after `DRAIN_REQUESTS_MS` is cut (its write, if any, still commits).
 */
async function closeHttp(app: FastifyInstance): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), DRAIN_REQUESTS_MS);
  cut.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

/** `fn` run at most once; later calls share the first call's promise (SIGTERM then SIGINT). */
function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
}

/**
 * Creates `did:human:admin` on an empty store. With `HUMANOS_ADMIN_TOKEN` that token; otherwise a
 * generated one, written to `<data dir>/admin-token` (0600) BEFORE the admin is created, so no start
 * can create an admin whose token nobody has: a start that dies after writing the file reuses it.
 * Warns when `HUMANOS_ADMIN_TOKEN` is set but the admin already exists with another token.
 */
async function bootstrapAdmin(
  config: ServerConfig,
  service: HumanOSService,
  log: FastifyBaseLogger,
): Promise<HumanOSServer['adminTokenFile']> {
  const principals = service.principals;
  if (config.adminToken) {
    const boot = await principals.bootstrapAdmin(config.adminToken);
    if (!boot.created && (await principals.authenticate(config.adminToken))?.id !== ADMIN_DID) {
      log.warn(
        `HUMANOS_ADMIN_TOKEN is set but ${ADMIN_DID} already exists with another token: the variable is ignored. ` +
          'Use the existing token, or rotate it (humanos principals rotate did:human:admin).',
      );
    }
    return undefined;
  }
  const path = join(config.dataDir, ADMIN_TOKEN_FILE);
  const existing = existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
  const token = existing || newToken();
  if (!existing) writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'w' });
  const boot = await principals.bootstrapAdmin(token);
  if (boot.created) return { path, created: true };
  if ((await principals.authenticate(token))?.id === ADMIN_DID) return { path, created: false };
  // The admin was made elsewhere (another replica, or with HUMANOS_ADMIN_TOKEN): this token is not it.
  rmSync(path, { force: true });
  return undefined;
}

/**
 * One sweep of the background work: deadlines, reminders, expired leases, audit reviews, the outbox,
 * maintenance. `reviewClockOffsetMs` is 0 except on a test server (`HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS`).
 */
function sweeper(
  service: HumanOSService,
  store: Store,
  reviewClockOffsetMs: number,
  onError: (e: unknown) => void,
): () => Promise<void> {
  let maintainedAt = Date.now();
  return async () => {
    try {
      await service.timers.expireDue();
      await service.timers.remindDue();
      await service.delegations.sweep();
      await service.execution.reclaimExpiredLeases();
      await service.auditReviews.openDue(100, reviewClockOffsetMs);
      await service.outbox.deliverDue();
      if (Date.now() - maintainedAt > MAINTAIN_EVERY_MS) {
        maintainedAt = Date.now();
        await store.maintain();
        await service.outbox.pruneDelivered();
        await service.auth.sessions.prune();
      }
    } catch (e) {
      onError(e);
    }
  };
}

/**
 * Runs the sweeper every `HUMANOS_TIMER_INTERVAL_MS` (never when `on` is false: `StartOptions.sweep`); `stop`
 * waits for a sweep in progress (its writes commit).
 */
function startSweeper(
  service: HumanOSService,
  store: Store,
  config: Pick<ServerConfig, 'timerIntervalMs' | 'testReviewClockOffsetMs'>,
  on: boolean,
  onError: (e: unknown) => void,
): { stop(): Promise<void> } {
  if (!on) return { stop: async () => {} };
  const intervalMs = config.timerIntervalMs;
  const tick = sweeper(service, store, config.testReviewClockOffsetMs, onError);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, intervalMs);
      timer.unref();
    });
  };
  timer = setTimeout(loop, 0);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
