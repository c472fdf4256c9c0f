import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { WitnessStatus } from '../ledger/witnesses.js';
import type { HumanOSService } from '../service.js';
import { registerDomainMetrics } from './domainMetrics.js';

/**
 * Prometheus metrics at `GET /metrics` (unauthenticated, like /healthz: counts and timings only,
 * no task content). One registry per app, so tests and several servers in a process do not collide.
 */
export function registerMetrics(
  app: FastifyInstance,
  service: HumanOSService,
  witnesses?: () => WitnessStatus[],
): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'humanos_' });
  registerDomainMetrics(registry, service);
  const requests = new Counter({
    name: 'humanos_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'humanos_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30, 60],
    registers: [registry],
  });
  registerStoreMetrics(registry, service);
  new Gauge({
    name: 'humanos_webhook_deliveries',
    help: 'Webhook deliveries by status (pending is the backlog; failed gave up and wait for a retry)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await service.webhooks.countByStatus()) this.set({ status: r.status }, r.n);
    },
  });
  new Counter({
    name: 'humanos_integrity_violations_total',
    help: 'Executions refused because the store disagreed with the signed ledger (edited rows)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(service.integrityViolations);
    },
  });
  registerWriteMetrics(registry, service);
  new Gauge({
    name: 'humanos_notification_deliveries',
    help: 'Slack and e-mail notifications in the outbox by sink (channel:plan, channel:slack, channel:email) and status',
    labelNames: ['sink', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await service.channels.countByStatus()) this.set({ sink: r.sink, status: r.status }, r.n);
    },
  });
  registerInFlight(app, registry);
  if (witnesses) registerWitnessMetrics(registry, witnesses);
  app.addHook('onResponse', async (req, reply) => {
    // The route pattern, not the URL: ids would make unbounded label values.
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

/** The group committer (kernel/committer.ts): batches run a second time, and writes waiting for a batch. */
function registerWriteMetrics(registry: Registry, service: HumanOSService): void {
  new Counter({
    name: 'humanos_write_batch_reruns_total',
    help: 'Write batches run again with a savepoint per operation because one failed after writing (a lost held check, a constraint)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(service.batchReruns);
    },
  });
  new Gauge({
    name: 'humanos_write_queue_operations',
    help: 'Write operations waiting for the next group-commit batch (one batch runs at a time: a queue that stays long means writes arrive faster than batches commit)',
    registers: [registry],
    collect() {
      this.set(service.writesWaiting);
    },
  });
}

/** The store: entries in the signed ledger, and the SQL statements sent to it (store/statements.ts). */
function registerStoreMetrics(registry: Registry, service: HumanOSService): void {
  new Gauge({
    name: 'humanos_ledger_entries',
    help: 'Entries in the signed ledger',
    registers: [registry],
    async collect() {
      this.set(await service.ledger.size(service.store.db));
    },
  });
  new Counter({
    name: 'humanos_db_statements_total',
    help: 'SQL statements sent to the store by kind (select, insert, update, delete, begin, commit, …)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of Object.entries(service.store.statements.snapshot())) this.inc({ kind }, n);
    },
  });
}

/**
 * Requests being answered now, long-polls and event streams included (they hold theirs open): how
 * many clients a replica is holding, and what a drain on shutdown must answer. Counted down when
 * the response closes, which also covers streams that take over the socket (no onResponse then).
 */
function registerInFlight(app: FastifyInstance, registry: Registry): void {
  const inFlight = new Gauge({
    name: 'humanos_http_requests_in_flight',
    help: 'Requests being answered now (long-polls and event streams included), by method and route',
    labelNames: ['method', 'route'] as const,
    registers: [registry],
  });
  app.addHook('onRequest', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched' };
    inFlight.inc(labels);
    reply.raw.once('close', () => inFlight.dec(labels));
  });
}

/** Per witness (by URL): the size it last cosigned for this server, and its consecutive failures. */
function registerWitnessMetrics(registry: Registry, witnesses: () => WitnessStatus[]): void {
  new Gauge({
    name: 'humanos_witness_cosigned_size',
    help: 'The ledger size each witness last cosigned for this server (-1: none yet); alert when it lags humanos_ledger_entries',
    labelNames: ['witness'] as const,
    registers: [registry],
    collect() {
      for (const w of witnesses()) this.set({ witness: w.url }, w.cosignedSize ?? -1);
    },
  });
  new Gauge({
    name: 'humanos_witness_failures',
    help: 'Consecutive failed submissions to each witness (0: the last one was cosigned)',
    labelNames: ['witness'] as const,
    registers: [registry],
    collect() {
      for (const w of witnesses()) this.set({ witness: w.url }, w.consecutiveFailures);
    },
  });
}
