import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditPeriod, REVIEW_FREQUENCIES, REVIEW_SAMPLE_MAX, type ReviewedRun, sampleRuns } from '../src/index.js';

const at = (s: string) => Date.parse(s);

describe('auditPeriod', () => {
  it('days, ISO weeks and months in UTC', () => {
    expect(auditPeriod('daily', at('2026-01-10T23:59:59.999Z'))).toEqual({
      start: at('2026-01-10T00:00:00Z'),
      end: at('2026-01-11T00:00:00Z'),
    });
    // 2026-01-10 is a Saturday: its ISO week starts on Monday the 5th; a Monday starts its own week.
    expect(auditPeriod('weekly', at('2026-01-10T15:00:00Z'))).toEqual({
      start: at('2026-01-05T00:00:00Z'),
      end: at('2026-01-12T00:00:00Z'),
    });
    expect(auditPeriod('weekly', at('2026-01-12T00:00:00Z')).start).toBe(at('2026-01-12T00:00:00Z'));
    // A Sunday belongs to the week that started six days before.
    expect(auditPeriod('weekly', at('2026-01-11T23:00:00Z')).start).toBe(at('2026-01-05T00:00:00Z'));
    expect(auditPeriod('monthly', at('2028-02-29T12:00:00Z'))).toEqual({
      start: at('2028-02-01T00:00:00Z'),
      end: at('2028-03-01T00:00:00Z'),
    });
    expect(auditPeriod('monthly', at('2026-12-31T23:59:59Z')).end).toBe(at('2027-01-01T00:00:00Z'));
  });

  it('property: every instant lies in its period, periods tile time and have the right length', () => {
    const DAY = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: at('1990-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        fc.constantFrom(...REVIEW_FREQUENCIES),
        (t, f) => {
          const p = auditPeriod(f, t);
          expect(p.start).toBeLessThanOrEqual(t);
          expect(t).toBeLessThan(p.end);
          expect(auditPeriod(f, p.start)).toEqual(p);
          expect(auditPeriod(f, p.end).start).toBe(p.end);
          expect(auditPeriod(f, p.start - 1).end).toBe(p.start);
          const len = (p.end - p.start) / DAY;
          if (f === 'daily') expect(len).toBe(1);
          if (f === 'weekly') expect([len, new Date(p.start).getUTCDay()]).toEqual([7, 1]);
          if (f === 'monthly') expect(len >= 28 && len <= 31 && new Date(p.start).getUTCDate() === 1).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('sampleRuns', () => {
  const run = (
    id: string,
    status = 'completed',
    riskLevel: string | null = 'low',
    requester = 'did:agent:a',
    capabilities: string[] = [],
  ): ReviewedRun => ({ id, status, riskLevel, requester, capabilities });
  const stratum = (r: ReviewedRun) => `${r.requester} ${[...new Set(r.capabilities)].sort().join(',')}`;

  it('within one stratum: failures first, then high or critical risk, then a deterministic draw, up to the size', () => {
    const runs = [
      run('a'),
      run('b', 'failed'),
      run('c', 'completed', 'critical'),
      run('d'),
      run('e', 'failed', 'high'),
    ];
    const s = sampleRuns(runs, { size: 4 });
    expect(
      s
        .slice(0, 2)
        .map((x) => x.id)
        .sort(),
    ).toEqual(['b', 'e']);
    expect(s.slice(0, 3).map((x) => x.reason)).toEqual(['failed', 'failed', 'high_risk']);
    expect(s[2]?.id).toBe('c');
    expect(s[3]?.reason).toBe('random');
    expect(sampleRuns(runs, { size: 4 })).toEqual(s);
    expect(sampleRuns([...runs].reverse(), { size: 4 })).toEqual(s);
  });

  it('the flood of the issue: 10 failed no-op runs and one real run of the same agent — the real run is sampled', () => {
    const noops = Array.from({ length: 10 }, (_, i) => run(`noop${i}`, 'failed', 'low', 'did:agent:a', ['noop']));
    const real = run('wire', 'completed', 'medium', 'did:agent:a', ['payments']);
    const s = sampleRuns([...noops, real], { size: 10 });
    expect(s).toHaveLength(10);
    expect(s.map((x) => x.id)).toContain('wire');
    expect(s.filter((x) => x.reason === 'failed')).toHaveLength(9);
  });

  it('more strata than the size: the sample grows to one run per stratum, up to max', () => {
    const runs = Array.from({ length: 30 }, (_, i) => run(`r${i}`, 'completed', 'low', `did:agent:a${i}`));
    expect(sampleRuns(runs, { size: 10 })).toHaveLength(30);
    expect(sampleRuns(runs, { size: 10, max: 20 })).toHaveLength(20);
    expect(sampleRuns(runs.slice(0, 4), { size: 10 })).toHaveLength(4);
  });

  it('beyond max: the agents take turns, and the seed (the review) keys which strata are drawn', () => {
    // One agent spreads 200 runs over 200 capability sets; two others have one run each.
    const flood = Array.from({ length: 200 }, (_, i) => run(`f${i}`, 'failed', 'critical', 'did:agent:m', [`c${i}`]));
    const runs = [...flood, run('x', 'completed', 'low', 'did:agent:x'), run('y', 'completed', 'low', 'did:agent:y')];
    const a = sampleRuns(runs, { size: 10, max: 20, seed: 'review:1' });
    expect(a).toHaveLength(20);
    expect(a.map((r) => r.id)).toEqual(expect.arrayContaining(['x', 'y']));
    const b = sampleRuns(runs, { size: 10, max: 20, seed: 'review:2' });
    expect(b.map((r) => r.id).sort()).not.toEqual(a.map((r) => r.id).sort());
    expect(sampleRuns([...runs].reverse(), { size: 10, max: 20, seed: 'review:1' })).toEqual(a);
  });

  it('scales: 100 000 runs in 100 000 strata of one agent (no argument-spread limits), the other agent still sampled', () => {
    const runs = Array.from({ length: 100_000 }, (_, i) => run(`r${i}`, 'failed', 'low', 'did:agent:m', [`c${i}`]));
    runs.push(run('other', 'completed', 'low', 'did:agent:o'));
    const s = sampleRuns(runs, { seed: 'review:x' });
    expect(s).toHaveLength(REVIEW_SAMPLE_MAX);
    expect(s.map((x) => x.id)).toContain('other');
  });

  const arbRuns = (maxLength: number) =>
    fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 8 }),
        status: fc.constantFrom('completed', 'failed', 'executing'),
        riskLevel: fc.constantFrom('low', 'medium', 'high', 'critical', null),
        requester: fc.constantFrom('did:agent:a', 'did:agent:b', 'did:agent:c', 'did:human:d'),
        capabilities: fc.array(fc.constantFrom('pay', 'mail', 'db', 'noop'), { maxLength: 3 }),
      }),
      { selector: (r) => r.id, maxLength },
    );

  it('property: no duplicates, size grown to the strata up to max, every stratum sampled when they fit', () => {
    fc.assert(
      fc.property(arbRuns(60), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 40 }), (runs, size, max) => {
        const s = sampleRuns(runs, { size, max, seed: 'seed' });
        const ids = s.map((x) => x.id);
        expect(new Set(ids).size).toBe(ids.length);
        const strata = new Set(runs.map(stratum));
        const target = Math.min(Math.max(size, strata.size), Math.max(size, max));
        expect(s.length).toBe(Math.min(target, runs.length));
        const byId = new Map(runs.map((r) => [r.id, r]));
        const sampled = new Set(ids.map((id) => stratum(byId.get(id) as ReviewedRun)));
        if (strata.size <= s.length) expect(sampled).toEqual(strata);
        // Each stratum's first pick is its most urgent run: a failure if it has one.
        for (const key of sampled) {
          const mine = runs.filter((r) => stratum(r) === key);
          if (mine.some((r) => r.status === 'failed')) {
            expect(s.some((x) => x.reason === 'failed' && stratum(byId.get(x.id) as ReviewedRun) === key)).toBe(true);
          }
        }
      }),
    );
  });

  it('property: no single stratum, however many failed or critical runs it floods in, excludes another stratum', () => {
    fc.assert(
      fc.property(
        arbRuns(30),
        fc.integer({ min: 0, max: 300 }),
        fc.constantFrom('did:agent:a', 'did:agent:flood'),
        fc.array(fc.constantFrom('pay', 'noop'), { maxLength: 2 }),
        fc.integer({ min: 1, max: 12 }),
        (others, floodCount, requester, capabilities, size) => {
          const flood = Array.from({ length: floodCount }, (_, i) => ({
            ...run(`flood-${i}`, i % 2 ? 'failed' : 'completed', 'critical', requester),
            capabilities,
          }));
          const s = sampleRuns([...flood, ...others], { size });
          const ids = new Set(s.map((x) => x.id));
          const strata = new Set([...flood, ...others].map(stratum));
          if (strata.size > REVIEW_SAMPLE_MAX) return;
          for (const key of strata) {
            const members = [...flood, ...others].filter((r) => stratum(r) === key);
            expect(members.some((r) => ids.has(r.id))).toBe(true);
          }
        },
      ),
    );
  });
});
