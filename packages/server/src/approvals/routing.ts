import { HumanOSError, QUALITY_SCORE, type RankedCandidate, rankCandidates } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

/** Candidates for a task, ranked by capability match and past feedback on their work. */
export async function rankResources(
  db: Kysely<Database>,
  required: string[],
  exclude: (string | null)[],
): Promise<RankedCandidate[]> {
  const principals = await db
    .selectFrom('principals')
    .select(['id', 'capabilities'])
    .where('capabilities', '!=', '[]')
    // A disabled principal cannot take work.
    .where('disabled_at', 'is', null)
    .execute();
  const fb = await db
    .selectFrom('feedback')
    .innerJoin('tasks', 'tasks.id', 'feedback.task_id')
    .select(['tasks.executor', 'feedback.quality'])
    .where('tasks.executor', 'is not', null)
    .execute();
  const quality = new Map<string, { sum: number; count: number }>();
  for (const f of fb) {
    const q = quality.get(f.executor as string) ?? { sum: 0, count: 0 };
    q.sum += QUALITY_SCORE[f.quality] ?? 0.5;
    q.count += 1;
    quality.set(f.executor as string, q);
  }
  return rankCandidates(
    required,
    principals
      .filter((pr) => !exclude.includes(pr.id))
      .map((pr) => {
        const q = quality.get(pr.id);
        return {
          id: pr.id,
          capabilities: p<string[]>(pr.capabilities),
          feedback: q ? { meanQuality: q.sum / q.count, count: q.count } : null,
        };
      }),
  );
}

/** A routing approval names the resource that gets the task; no other decision may. */
export async function routingTarget(
  trx: Transaction<Database>,
  gate: ApprovalRow,
  task: TaskRow,
  verdict: 'approved' | 'rejected',
  input: { assignTo?: string | undefined },
): Promise<string | undefined> {
  if (!(gate.kind === 'routing' && verdict === 'approved')) {
    if (input.assignTo !== undefined)
      throw new HumanOSError('validation_failed', 'assignTo only goes with approving a routing request');
    return undefined;
  }
  const assignTo =
    input.assignTo ?? p<{ proposedResource: string | null }>(gate.proposal).proposedResource ?? undefined;
  if (!assignTo) throw new HumanOSError('validation_failed', 'no resource was proposed: name one with assignTo');
  const resource = await trx.selectFrom('principals').select('id').where('id', '=', assignTo).executeTakeFirst();
  if (!resource) throw new HumanOSError('validation_failed', `assignTo names no principal: ${assignTo}`);
  if (assignTo === task.requester)
    throw new HumanOSError('validation_failed', 'a task cannot be routed back to its requester');
  return assignTo;
}
