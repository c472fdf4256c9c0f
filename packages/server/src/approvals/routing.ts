import { QUALITY_SCORE, type RankedCandidate, rankCandidates } from '@humanos/core';
import type { Kysely } from 'kysely';
import { p } from '../kernel/rows.js';
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
