import {
  type AiProposal,
  type CalibrationReport,
  type CalibrationSample,
  calibrate,
  HumanOSError,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, j, p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import type { FeedbackResult } from './schemas.js';

/** Where a confidence came from: the proposal at creation, a heartbeat, or an in-run decision. */
export type ConfidenceStage = 'creation' | 'heartbeat' | 'decision';
export const CONFIDENCE_STAGES: readonly ConfidenceStage[] = ['creation', 'heartbeat', 'decision'];

/**
 * Records a confidence the executor reported while running (heartbeat or in-run decision); each one
 * becomes a calibration sample once a human says whether the task was right.
 */
export async function recordConfidence(
  trx: Transaction<Database>,
  r: { taskId: string; principal: string; stage: 'heartbeat' | 'decision'; confidence: number; now: number },
): Promise<void> {
  await trx
    .insertInto('confidence_reports')
    .values({
      task_id: r.taskId,
      principal_id: r.principal,
      stage: r.stage,
      confidence: r.confidence,
      reported_at: r.now,
    })
    .execute();
}

/** Per stage: how many samples and their Brier score (null without samples). */
export type StageCalibration = Record<ConfidenceStage, { samples: number; brierScore: number | null }>;

function byStage(samples: { stage: ConfidenceStage; sample: CalibrationSample }[]): StageCalibration {
  const out = {} as StageCalibration;
  for (const stage of CONFIDENCE_STAGES) {
    const mine = samples.filter((x) => x.stage === stage).map((x) => x.sample);
    const brier = mine.length
      ? mine.reduce((a, x) => a + (x.confidence - (x.correct ? 1 : 0)) ** 2, 0) / mine.length
      : null;
    out[stage] = { samples: mine.length, brierScore: brier };
  }
  return out;
}

/** Feedback on finished tasks, and the calibration of agents it feeds (confidence vs. human verdicts). */
export class Feedback {
  constructor(private readonly deps: FeatureDeps) {}

  /** A human's verdict on a finished task; feeds calibration. One per person per task. */
  async record(
    actor: Principal,
    taskId: string,
    input: {
      quality: 'poor' | 'fair' | 'good' | 'excellent';
      correctness?: boolean;
      comments?: string;
      improvements?: string[];
    },
  ): Promise<FeedbackResult> {
    const now = this.deps.now();
    return this.deps.write(async (trx, touched) => {
      const task = await this.deps.access.loadTask(trx, taskId, true);
      if (!(await this.deps.access.canSee(trx, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
      if (actor.kind !== 'human') throw new HumanOSError('agent_cannot_decide', 'feedback comes from humans');
      if (task.requester === actor.id)
        throw new HumanOSError('requester_cannot_decide', 'the requester cannot rate its own task');
      if (!['completed', 'failed'].includes(task.status)) {
        throw new HumanOSError(
          'invalid_state',
          `task ${taskId} is ${task.status}; feedback is given after it finished`,
          { status: task.status },
        );
      }
      const exists = await trx
        .selectFrom('feedback')
        .select('task_id')
        .where('task_id', '=', taskId)
        .where('principal_id', '=', actor.id)
        .executeTakeFirst();
      if (exists) throw new HumanOSError('conflict', `${actor.id} already gave feedback on ${taskId}`);
      const confidence = p<AiProposal>(task.ai_proposal).confidence;
      await trx
        .insertInto('feedback')
        .values({
          task_id: taskId,
          principal_id: actor.id,
          agent_id: task.requester,
          capabilities: task.required_capabilities,
          quality: input.quality,
          correctness: input.correctness === undefined ? null : input.correctness ? 1 : 0,
          comments: input.comments ?? null,
          improvements: j(input.improvements ?? []),
          confidence,
          created_at: now,
        })
        .execute();
      await this.deps.ledger.append(trx, [
        { type: 'task.feedback', at: iso(now), actor: actor.id, taskId, data: { ...input, confidence } },
      ]);
      touched.add(taskId);
      return { taskId, principal: actor.id, ...input, confidence, recordedAt: iso(now) };
    });
  }

  /** Calibration of one agent (optionally for one capability) from its tasks, decisions and feedback. */
  async calibration(
    actor: Principal,
    q: { agent: string; capability?: string | undefined },
  ): Promise<CalibrationReport & { agent: string; capability: string | null; byStage: StageCalibration }> {
    if (!this.deps.access.isAuditor(actor) && actor.id !== q.agent) {
      throw new HumanOSError(
        'forbidden',
        `calibration is for admins, the ${this.deps.access.auditorRole} role and the agent itself`,
      );
    }
    const tasks = (
      await this.deps.db
        .selectFrom('tasks')
        .select(['id', 'required_capabilities', 'status', 'attempt', 'overridden_by'])
        .where('requester', '=', q.agent)
        .execute()
    ).filter((t) => !q.capability || p<string[]>(t.required_capabilities).includes(q.capability));
    const ids = new Set(tasks.map((t) => t.id));
    const fb = (await this.deps.db.selectFrom('feedback').selectAll().where('agent_id', '=', q.agent).execute()).filter(
      (f) => ids.has(f.task_id),
    );
    const decisions = ids.size
      ? await this.deps.db
          .selectFrom('decisions')
          .innerJoin('approvals', 'approvals.id', 'decisions.approval_id')
          .select(['decisions.task_id', 'decisions.verdict', 'decisions.edits'])
          .where('approvals.kind', '=', 'execution')
          .where('decisions.task_id', 'in', [...ids])
          .execute()
      : [];
    const approved = decisions.filter((d) => d.verdict === 'approved');
    const samples = await this.samples(fb);
    const report = calibrate(
      samples.map((x) => x.sample),
      {
        decided: decisions.length,
        approved: approved.length,
        edited: approved.filter((d) => d.edits !== null).length,
        rejected: decisions.filter((d) => d.verdict === 'rejected').length,
        executed: tasks.filter((t) => Number(t.attempt) > 0).length,
        overridden: tasks.filter((t) => t.overridden_by !== null).length,
      },
    );
    return { agent: q.agent, capability: q.capability ?? null, ...report, byStage: byStage(samples) };
  }

  /**
   * One sample per stated confidence of a judged task: the proposal's (creation) and every one the
   * executor reported (heartbeats, in-run decisions), each against the human's correctness verdict.
   */
  private async samples(
    fb: { task_id: string; confidence: number | null; correctness: number | null }[],
  ): Promise<{ stage: ConfidenceStage; sample: CalibrationSample }[]> {
    const judged = fb.filter((f) => f.correctness !== null);
    const ids = [...new Set(judged.map((f) => f.task_id))];
    const reports = ids.length
      ? await this.deps.db.selectFrom('confidence_reports').selectAll().where('task_id', 'in', ids).execute()
      : [];
    return judged.flatMap((f) => {
      const correct = f.correctness === 1;
      const created =
        f.confidence === null
          ? []
          : [{ stage: 'creation' as const, sample: { confidence: Number(f.confidence), correct } }];
      const reported = reports
        .filter((r) => r.task_id === f.task_id)
        .map((r) => ({ stage: r.stage as ConfidenceStage, sample: { confidence: Number(r.confidence), correct } }));
      return [...created, ...reported];
    });
  }
}
