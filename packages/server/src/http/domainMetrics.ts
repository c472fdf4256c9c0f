import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HumanOSService } from '../service.js';
import type { Database } from '../store/schema.js';

/** The `type` of a stored entry, from its tail: canonical JSON puts `type` and `v` last. */
const TYPE_TAIL = /"type":"([a-z_.]+)","v":\d+}$/;

/** Execution outcomes by the entry that records them. */
const EXECUTION_OUTCOMES: Record<string, string> = {
  'task.completed': 'completed',
  'task.failed': 'failed',
  'task.lease_expired': 'lease_expired',
  'task.overridden': 'overridden',
};

type Entry = Database['ledger_entries'];

/**
 * Approval and execution figures at `/metrics`, derived without touching feature logic: counters
 * and the time-to-decision histogram from the ledger entries each committed batch appended
 * (`service.onAppended`), gauges from queries at scrape time. Counts start at zero with the process
 * (Prometheus' `rate`/`increase` handle restarts).
 *
 * - `humanos_approvals_pending{role}` — open gates a role may decide (scrape time)
 * - `humanos_approval_decision_seconds{verdict}` — request to decision, per decision
 * - `humanos_approvals_expired_total`, `humanos_approvals_escalated_total`
 * - `humanos_executions_total{outcome}` — completed, failed, lease_expired, overridden
 * - `humanos_policy_floor_applied_total` — tasks whose requested autonomy the policy floor refused
 *   (the floor raised the requirement to a human approval)
 * - `humanos_tasks_created_total`
 * - against rubber-stamping, per role over the last 7 days (scrape time, from the decisions; per
 *   approver only in `GET /audit/approvers`, so labels stay bounded by the roles people hold):
 *   `humanos_role_decisions{role,verdict}`, `humanos_role_edited_approvals{role}`,
 *   `humanos_role_approval_rate{role}`, `humanos_role_decide_median_seconds{role}`,
 *   `humanos_role_fast_decision_share{role}` (under 5 s)
 */
export function registerDomainMetrics(registry: Registry, service: HumanOSService): void {
  const registers = [registry];
  new Gauge({
    name: 'humanos_approvals_pending',
    help: 'Open approval gates by approver role',
    labelNames: ['role'] as const,
    registers,
    async collect() {
      this.reset();
      const rows = await service.store.db
        .selectFrom('approval_roles')
        .select(['role', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'pending')
        .groupBy('role')
        .execute();
      for (const r of rows) this.set({ role: r.role }, Number(r.n));
    },
  });
  const decisionSeconds = new Histogram({
    name: 'humanos_approval_decision_seconds',
    help: 'Time from an approval request to each decision on it, by verdict',
    labelNames: ['verdict'] as const,
    buckets: [1, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 3 * 24 * 3600],
    registers,
  });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers });
  const expired = counter('humanos_approvals_expired_total', 'Approval gates that expired undecided');
  const escalated = counter('humanos_approvals_escalated_total', 'Approval gates escalated to the next role');
  const executions = counter('humanos_executions_total', 'Finished or interrupted executions by outcome', ['outcome']);
  const floor = counter(
    'humanos_policy_floor_applied_total',
    'Tasks whose requested autonomy the policy floor refused',
  );
  const created = counter('humanos_tasks_created_total', 'Tasks created');
  registerReviewMetrics(registry, service);

  const observe = (e: Entry) => {
    const type = TYPE_TAIL.exec(e.entry)?.[1];
    if (type === 'approval.expired') expired.inc();
    else if (type === 'approval.escalated') escalated.inc();
    else if (type && EXECUTION_OUTCOMES[type]) executions.inc({ outcome: EXECUTION_OUTCOMES[type] });
    else if (type === 'task.created') {
      created.inc();
      const data = (JSON.parse(e.entry) as { data?: { policy?: { floorApplied?: boolean } } }).data;
      if (data?.policy?.floorApplied) floor.inc();
    }
  };
  service.onAppended((entries) => {
    for (const e of entries) observe(e);
  });
  // The gate's request time comes with the decision (it read the gate): no query after the commit.
  service.onDecided((d) => decisionSeconds.observe({ verdict: d.verdict }, Math.max(0, (d.at - d.requestedAt) / 1000)));
}

/** One computation per scrape shared by the per-role gauges (they are collected one after another). */
function perRoleOnce(service: HumanOSService) {
  let last: { at: number; value: ReturnType<HumanOSService['approverMetrics']['perRole']> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > 1000) last = { at: now, value: service.approverMetrics.perRole() };
    return last.value;
  };
}

/** The per-role review gauges (see `registerDomainMetrics`). */
function registerReviewMetrics(registry: Registry, service: HumanOSService): void {
  const perRole = perRoleOnce(service);
  type Stats = Awaited<ReturnType<typeof perRole>>[number];
  const gauge = (name: string, help: string, set: (g: Gauge<string>, s: Stats) => void, labels = ['role']) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await perRole()) set(this, s);
      },
    });
  gauge(
    'humanos_role_decisions',
    'Decisions on the role’s requests in the last 7 days, by verdict',
    (g, s) => {
      g.set({ role: s.role, verdict: 'approved' }, s.approved);
      g.set({ role: s.role, verdict: 'rejected' }, s.rejected);
    },
    ['role', 'verdict'],
  );
  gauge('humanos_role_edited_approvals', 'Approvals that edited the payload, last 7 days', (g, s) =>
    g.set({ role: s.role }, s.edited),
  );
  const ifKnown = (g: Gauge<string>, role: string, v: number | null) => {
    if (v !== null) g.set({ role }, v);
  };
  gauge('humanos_role_approval_rate', 'Approved / decided on the role’s requests, last 7 days', (g, s) =>
    ifKnown(g, s.role, s.approvalRate),
  );
  gauge(
    'humanos_role_decide_median_seconds',
    'Median time from when the approver first had a request to the decision, last 7 days',
    (g, s) => ifKnown(g, s.role, s.medianSecondsToDecide),
  );
  gauge('humanos_role_fast_decision_share', 'Share of decisions made in under 5 s, last 7 days', (g, s) =>
    ifKnown(g, s.role, s.fastShare),
  );
}
