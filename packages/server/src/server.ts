import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSigningKey, type SigningKey, sha256Hex, signingKeyFromPem, signingKeyToPem } from '@humanos/core';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { StartupError } from './errors.js';
import { buildApp } from './http/app.js';
import { Notifier } from './kernel/notifier.js';
import { CheckpointPin } from './ledger/pin.js';
import { loadPolicy } from './policy/policyFile.js';
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
  /** Set when this start created the admin principal with a generated token (print it once). */
  generatedAdminToken: string | undefined;
  /** Base URL once listening. */
  url: string;
  close(): Promise<void>;
}

export { StartupError };

function loadOrCreateKey(file: string): SigningKey {
  if (existsSync(file)) {
    try {
      return signingKeyFromPem(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new StartupError(
        'HUMANOS_SIGNING_KEY_FILE',
        `cannot read an Ed25519 key from ${file}: ${(e as Error).message}`,
      );
    }
  }
  const key = generateSigningKey();
  mkdirSync(dirname(file), { recursive: true });
  // 'wx': never overwrite a key another process wrote in the meantime.
  try {
    writeFileSync(file, signingKeyToPem(key), { mode: 0o600, flag: 'wx' });
  } catch {
    return signingKeyFromPem(readFileSync(file, 'utf8'));
  }
  return key;
}

/** What tests and embedders may set besides the configuration. */
export interface StartOptions {
  clock?: Clock;
  logger?: boolean | { level: string };
  listen?: boolean;
  webhooks?: Partial<WebhookSettings>;
  /** Check responses against their schemas (tests); also on with `HUMANOS_VALIDATE_RESPONSES=1`. */
  validateResponses?: boolean;
}

/**
 * Opens the store, loads the ledger key, bootstraps the admin, and starts listening and the timer loop.
 *
 * @example
 * const server = await startServer(loadConfig(process.env));
 * console.log(server.url);
 */
export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<HumanOSServer> {
  const { policy, source: policySource } = loadPolicy(config.policyFile, config.defaultApproverRole);
  const key = loadOrCreateKey(config.signingKeyFile);
  const store = await openStore(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', file: `${config.dataDir}/humanos.db` },
  );
  const notifier = new Notifier();
  let timer: NodeJS.Timeout | undefined;
  try {
    const origin = config.origin ?? `humanos.ledger/${sha256Hex(key.publicKeyRaw).slice(0, 8)}`;
    await checkLedgerIdentity(store, key, origin);
    const pin = new CheckpointPin(`${config.dataDir}/ledger-checkpoint.json`, origin);
    const stopListening = await store.listen(
      (payload) => notifier.received(payload),
      () => {},
    );
    // Bound once the app (and its logger) exists.
    let reportBackground: (e: unknown) => void = () => {};
    let reportIntegrity: (detail: { taskId: string; reason: string }) => void = () => {};
    const service = new HumanOSService(store, key, origin, opts.clock ?? systemClock, notifier, {
      policy,
      policySource,
      webhooks: opts.webhooks,
      onBackgroundError: (e) => reportBackground(e),
      onIntegrityViolation: (detail) => reportIntegrity(detail),
      onSealed: (seal) => pin.record(seal),
    });
    const behind = await pin.problem(service.deps);
    if (behind) throw new StartupError('HUMANOS_DATA_DIR', behind);
    const boot = await service.principals.bootstrapAdmin(config.adminToken);
    const app = await buildApp({
      service,
      bodyLimit: config.bodyLimit,
      logger: opts.logger ?? { level: config.logLevel },
      version: VERSION,
      validateResponses: opts.validateResponses ?? process.env.HUMANOS_VALIDATE_RESPONSES === '1',
    });
    reportBackground = (e) => app.log.error({ err: e }, 'background work failed');
    reportIntegrity = (detail) =>
      app.log.error(detail, 'integrity violation: the store disagrees with the signed ledger');
    let url = '';
    if (opts.listen !== false) {
      url = await app.listen({ port: config.port, host: config.host });
    }
    const tick = sweeper(service, store, (e) => app.log.error({ err: e }, 'timer sweep failed'));
    const loop = async () => {
      await tick();
      timer = setTimeout(loop, config.timerIntervalMs).unref();
    };
    timer = setTimeout(loop, 0).unref();
    return {
      app,
      service,
      store,
      generatedAdminToken: boot.generatedToken,
      url,
      async close() {
        clearTimeout(timer);
        await stopListening();
        await pin.flush();
        await notifier.close();
        await app.close();
        await store.close();
      },
    };
  } catch (e) {
    clearTimeout(timer);
    await notifier.close();
    await store.close();
    throw e;
  }
}

/**
 * The store remembers which key and origin sign its ledger; a replica with another key would fork
 * the log's signatures, so it refuses to start instead.
 */
async function checkLedgerIdentity(store: Store, key: SigningKey, origin: string): Promise<void> {
  const publicHex = Buffer.from(key.publicKeyRaw).toString('hex');
  await store.db
    .insertInto('meta')
    .values([
      { key: 'ledger_public_key', value: publicHex },
      { key: 'ledger_origin', value: origin },
    ])
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const meta = Object.fromEntries(
    (await store.db.selectFrom('meta').selectAll().execute()).map((r) => [r.key, r.value]),
  );
  if (meta.ledger_public_key !== publicHex) {
    throw new StartupError(
      'HUMANOS_SIGNING_KEY_FILE',
      `this store's ledger is signed by another key (${meta.ledger_public_key}); use that key`,
    );
  }
  if (meta.ledger_origin !== origin) {
    throw new StartupError('HUMANOS_LEDGER_ORIGIN', `this store's ledger origin is ${meta.ledger_origin}`);
  }
}

/** One sweep of the background work: deadlines, reminders, expired leases, webhooks, maintenance. */
function sweeper(service: HumanOSService, store: Store, onError: (e: unknown) => void): () => Promise<void> {
  let maintainedAt = Date.now();
  return async () => {
    try {
      await service.timers.expireDue();
      await service.timers.remindDue();
      await service.execution.reclaimExpiredLeases();
      await service.webhooks.deliverDue();
      if (Date.now() - maintainedAt > MAINTAIN_EVERY_MS) {
        maintainedAt = Date.now();
        await store.maintain();
        await service.webhooks.pruneDelivered();
      }
    } catch (e) {
      onError(e);
    }
  };
}
