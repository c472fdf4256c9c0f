import { randomBytes, randomInt } from 'node:crypto';
import { type HumanInLoop, HumanOSError } from '@humanos/core';
import type { Transaction } from 'kysely';
import type { Attempt, DeliveryRow, Outbox } from '../delivery/outbox.js';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso, j, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { createTask } from '../tasks/create.js';
import type { Tasks } from '../tasks/tasks.js';
import { type Flaw, plantFlaw } from './flaw.js';
import type { AttentionCheckItem, AttentionCheckReport } from './schemas.js';

/** Attention checks are opt-in (HUMANOS_ATTENTION_CHECKS=on); off by default. */
export interface AttentionSettings {
  enabled: boolean;
  /** Checks per 1000 real requests opened (HUMANOS_ATTENTION_CHECK_PER_THOUSAND, default 20). */
  perThousand: number;
  /** The agent id a check is requested by (HUMANOS_ATTENTION_CHECK_REQUESTER; no principal may use it). */
  requester: string;
}

export const ATTENTION_OFF: AttentionSettings = {
  enabled: false,
  perThousand: 20,
  requester: 'did:agent:ops-assistant',
};

const SINK = 'attention:checks';
type CheckRow = Database['attention_checks'];

/**
 * Attention checks, run as phishing simulations are: at the configured rate, when a real request
 * opens, a synthetic copy of it with one planted flaw (an amount ten times the stated one, or an IBAN
 * with two digits swapped; the text keeps stating the real value) reaches the same approvers through
 * the same inbox and channels. It can never execute: its signed `task.created` entry carries
 * `attentionCheck: true`, and `executionAuthority` (core) refuses any task so marked, whatever its
 * decisions. After the first decision the check's task is cancelled, its view says it was a check and
 * what was wrong, and the result (rejected = caught, approved = missed) counts for that approver in
 * the audit view.
 *
 * @example
 * const checks = new AttentionChecks(deps, tasks, outbox, { enabled: true, perThousand: 20, requester: 'did:agent:ops-assistant' });
 */
export class AttentionChecks {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly tasks: Tasks,
    outbox: Outbox,
    readonly settings: AttentionSettings,
  ) {
    if (!settings.enabled) return;
    outbox.addSink(SINK, { send: (d, entry) => this.send(d, entry) });
    outbox.subscribe({ id: SINK, patterns: ['approval.requested', 'approval.decided'] });
  }

  private async send(_d: DeliveryRow, entry: string): Promise<Attempt> {
    const e = JSON.parse(entry) as { type: string; approvalId?: string };
    const gate = e.approvalId
      ? await this.deps.db.selectFrom('approvals').selectAll().where('id', '=', e.approvalId).executeTakeFirst()
      : undefined;
    if (!gate) return { ok: true, status: null, error: null };
    if (e.type === 'approval.decided' && gate.attention_check !== null) await this.settle(gate);
    else if (e.type === 'approval.requested' && gate.attention_check === null && this.sampled(gate)) {
      await this.plantFrom(gate.task_id).catch((err: unknown) => {
        // A source that cannot carry a flaw (no amount or IBAN) is skipped, not retried.
        if (!(err instanceof HumanOSError)) throw err;
      });
    }
    return { ok: true, status: null, error: null };
  }

  private sampled(gate: ApprovalRow): boolean {
    return gate.kind === 'execution' && gate.step === 0 && randomInt(1000) < this.settings.perThousand;
  }

  /** Plants a check now (admin): modelled on `sourceTaskId`, or the newest open request that can carry a flaw. */
  async plant(actor: Principal, sourceTaskId?: string): Promise<AttentionCheckItem> {
    this.deps.access.requireAdmin(actor);
    if (!this.settings.enabled)
      throw new HumanOSError('invalid_state', 'attention checks are off (HUMANOS_ATTENTION_CHECKS=on)');
    const source = sourceTaskId ?? (await this.newestPlantable());
    if (!source)
      throw new HumanOSError('invalid_state', 'no open request with an amount or an IBAN to model a check on');
    const id = await this.plantFrom(source);
    const row = await this.deps.db
      .selectFrom('attention_checks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return checkItem(row);
  }

  private async newestPlantable(): Promise<string | undefined> {
    const open = await this.deps.db
      .selectFrom('tasks')
      .select(['id', 'payload'])
      .where('status', '=', 'awaiting_approval')
      .where('requester', '!=', this.settings.requester)
      .orderBy('created_seq', 'desc')
      .limit(50)
      .execute();
    return open.find((t) => plantFlaw(p(t.payload)) !== undefined)?.id;
  }

  /** Creates the check modelled on a real task, in one transaction with its gate's mark and its row. */
  private async plantFrom(sourceTaskId: string): Promise<string> {
    const source = await this.deps.access.loadTask(this.deps.db, sourceTaskId);
    if (source.requester === this.settings.requester)
      throw new HumanOSError('invalid_state', 'a check is not modelled on a check');
    const planted = plantFlaw(p(source.payload));
    if (!planted)
      throw new HumanOSError('invalid_state', `task ${sourceTaskId} has no amount or IBAN to plant a flaw in`);
    const proposal = p<{ action: string; reasoning: string | null; confidence: number | null; alternatives: string[] }>(
      source.ai_proposal,
    );
    const id = `check:${randomBytes(12).toString('hex')}`;
    const actor: Principal = { id: this.settings.requester, kind: 'agent', roles: [] };
    const stated = `${planted.flaw.field.slice(1)}: ${planted.flaw.shown}.`;
    await createTask(
      this.deps,
      actor,
      {
        description: source.description,
        payload: planted.payload,
        requiredCapabilities: p<string[]>(source.required_capabilities),
        humanInLoop: p<HumanInLoop>(source.hitl),
        // The text states the real value; the payload carries the planted one.
        aiProposal: { ...proposal, reasoning: proposal.reasoning ? `${stated} ${proposal.reasoning}` : stated },
      },
      undefined,
      {
        entryData: { attentionCheck: true },
        within: (trx, taskId, gates) => this.mark(trx, id, taskId, gates, source, planted.flaw),
      },
    );
    return id;
  }

  private async mark(
    trx: Transaction<Database>,
    id: string,
    taskId: string,
    gates: ApprovalRow[],
    source: TaskRow,
    flaw: Flaw,
  ) {
    const first = gates.find((g) => g.status === 'pending' && g.kind === 'execution');
    if (!first) throw new HumanOSError('invalid_state', 'the policy opens no execution gate for this request');
    await trx
      .updateTable('approvals')
      .set({ attention_check: j(flaw) })
      .where('task_id', '=', taskId)
      .execute();
    const row: CheckRow = {
      id,
      task_id: taskId,
      approval_id: first.id,
      source_task_id: source.id,
      flaw: j(flaw),
      created_at: this.deps.now(),
      decided_by: null,
      verdict: null,
      caught: null,
      decided_at: null,
    };
    await trx.insertInto('attention_checks').values(row).execute();
  }

  /** After a decision on a check: its result is recorded and its task cancelled, so nobody else is asked. */
  private async settle(gate: ApprovalRow): Promise<void> {
    const first = await this.deps.db
      .selectFrom('decisions')
      .selectAll()
      .where('approval_id', '=', gate.id)
      .orderBy('decided_at')
      .limit(1)
      .executeTakeFirst();
    if (!first) return;
    await this.deps.write(async (trx) => {
      await trx
        .updateTable('attention_checks')
        .set({
          decided_by: first.principal_id,
          verdict: first.verdict,
          caught: first.verdict === 'rejected' ? 1 : 0,
          decided_at: Number(first.decided_at),
        })
        .where('approval_id', '=', gate.id)
        .where('decided_by', 'is', null)
        .execute();
    });
    const task = await this.deps.access.loadTask(this.deps.db, gate.task_id);
    if (task.status === 'awaiting_approval' || task.status === 'approved') {
      const actor: Principal = { id: this.settings.requester, kind: 'agent', roles: [] };
      await this.tasks.cancel(actor, task.id, 'attention check: decided').catch((e: unknown) => {
        // Decided or cancelled meanwhile: nothing left to cancel.
        if (!(e instanceof HumanOSError)) throw e;
      });
    }
  }

  /** Results per approver (every decision on a check) and the latest checks. Admin or auditor. */
  async report(actor: Principal): Promise<AttentionCheckReport> {
    this.deps.access.requireAuditor(actor, 'the attention-check results');
    const decisions = await this.deps.db
      .selectFrom('decisions')
      .innerJoin('attention_checks', 'attention_checks.approval_id', 'decisions.approval_id')
      .select(['decisions.principal_id', 'decisions.verdict', 'decisions.decided_at'])
      .execute();
    const per = new Map<string, { decided: number; caught: number; missed: number; last: number }>();
    for (const d of decisions) {
      const r = per.get(d.principal_id) ?? { decided: 0, caught: 0, missed: 0, last: 0 };
      r.decided += 1;
      if (d.verdict === 'rejected') r.caught += 1;
      else r.missed += 1;
      r.last = Math.max(r.last, Number(d.decided_at));
      per.set(d.principal_id, r);
    }
    const rows = await this.deps.db
      .selectFrom('attention_checks')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(100)
      .execute();
    return {
      enabled: this.settings.enabled,
      perThousand: this.settings.perThousand,
      approvers: [...per]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([principal, r]) => ({
          principal,
          decided: r.decided,
          caught: r.caught,
          missed: r.missed,
          lastAt: r.last ? iso(r.last) : null,
        })),
      checks: rows.map(checkItem),
    };
  }
}

function checkItem(r: CheckRow): AttentionCheckItem {
  return {
    id: r.id,
    approvalId: r.approval_id,
    taskId: r.task_id,
    sourceTaskId: r.source_task_id,
    flaw: { ...p<Flaw>(r.flaw), caught: r.caught === null ? null : Number(r.caught) === 1 },
    createdAt: iso(Number(r.created_at)),
    decidedBy: r.decided_by,
    verdict: r.verdict,
    decidedAt: r.decided_at === null ? null : iso(Number(r.decided_at)),
  };
}
