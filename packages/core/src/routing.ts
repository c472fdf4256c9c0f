/**
 * Routing: which resource (agent or human) should get a task. Pure ranking from registered
 * capabilities and past human feedback on each resource's work.
 */

export interface RoutingCandidate {
  id: string;
  capabilities: readonly string[];
  /** Past feedback on tasks this resource ran: mean quality 0..1 and how many ratings. */
  feedback: { meanQuality: number; count: number } | null;
}

export interface RankedCandidate {
  id: string;
  score: number;
  capabilityMatch: number;
  meanQuality: number | null;
  ratings: number;
}

export const QUALITY_SCORE: Record<string, number> = { poor: 0, fair: 1 / 3, good: 2 / 3, excellent: 1 };

/**
 * Ranks candidates: capability match (share of the required capabilities a candidate has) weighs
 * most; past quality moves candidates with equal match, shrunk towards neutral (0.5) when there are
 * few ratings so one lucky rating does not dominate.
 *
 * @example
 * rankCandidates(['sql'], [{ id: 'did:agent:a', capabilities: ['sql'], feedback: null }])[0].id // 'did:agent:a'
 */
export function rankCandidates(
  required: readonly string[],
  candidates: readonly RoutingCandidate[],
): RankedCandidate[] {
  return candidates
    .map((c) => {
      const have = new Set(c.capabilities);
      const capabilityMatch = required.length === 0 ? 1 : required.filter((r) => have.has(r)).length / required.length;
      const n = c.feedback?.count ?? 0;
      const quality = c.feedback ? (c.feedback.meanQuality * n + 0.5 * 3) / (n + 3) : 0.5;
      return {
        id: c.id,
        score: Math.round((0.7 * capabilityMatch + 0.3 * quality) * 1e6) / 1e6,
        capabilityMatch,
        meanQuality: c.feedback?.meanQuality ?? null,
        ratings: n,
      };
    })
    .filter((c) => c.capabilityMatch > 0)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}
