import { describe, expect, it } from 'vitest';
import { rankCandidates } from '../src/routing.js';

describe('routing ranking', () => {
  it('ranks by capability match, then by past quality (shrunk for few ratings)', () => {
    const ranked = rankCandidates(
      ['sql', 'backups'],
      [
        { id: 'did:agent:half', capabilities: ['sql'], feedback: { meanQuality: 1, count: 50 } },
        { id: 'did:agent:full-poor', capabilities: ['sql', 'backups'], feedback: { meanQuality: 0, count: 10 } },
        { id: 'did:agent:full-good', capabilities: ['sql', 'backups', 'x'], feedback: { meanQuality: 1, count: 10 } },
        { id: 'did:agent:none', capabilities: ['email'], feedback: null },
      ],
    );
    expect(ranked.map((r) => r.id)).toEqual(['did:agent:full-good', 'did:agent:full-poor', 'did:agent:half']);
    // full-good: 0.7·1 + 0.3·((1·10 + 0.5·3) / 13)
    expect(ranked[0]?.score).toBeCloseTo(0.7 + 0.3 * (11.5 / 13), 6);
  });
});
