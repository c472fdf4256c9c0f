import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditPeriod, REVIEW_FREQUENCIES, type ReviewedRun, sampleRuns } from '../src/index.js';

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
  const run = (id: string, status = 'completed', riskLevel: string | null = 'low'): ReviewedRun => ({
    id,
    status,
    riskLevel,
  });

  it('failures first, then high or critical risk, then a deterministic draw, up to the size', () => {
    const runs = [
      run('a'),
      run('b', 'failed'),
      run('c', 'completed', 'critical'),
      run('d'),
      run('e', 'failed', 'high'),
    ];
    const s = sampleRuns(runs, 4);
    expect(s.slice(0, 3)).toEqual([
      { id: 'b', reason: 'failed' },
      { id: 'e', reason: 'failed' },
      { id: 'c', reason: 'high_risk' },
    ]);
    expect(s[3]?.reason).toBe('random');
    expect(sampleRuns(runs, 4)).toEqual(s);
    expect(sampleRuns([...runs].reverse(), 4).slice(3)).toEqual(s.slice(3));
  });

  it('property: no duplicates, at most size, all runs when fewer, every failure when they fit', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            id: fc.string({ minLength: 1, maxLength: 8 }),
            status: fc.constantFrom('completed', 'failed', 'executing'),
            riskLevel: fc.constantFrom('low', 'medium', 'high', 'critical', null),
          }),
          { selector: (r) => r.id, maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 15 }),
        (runs, size) => {
          const s = sampleRuns(runs, size);
          const ids = s.map((x) => x.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(s.length).toBe(Math.min(size, runs.length));
          const failed = runs.filter((r) => r.status === 'failed').map((r) => r.id);
          if (failed.length <= size) for (const id of failed) expect(ids).toContain(id);
        },
      ),
    );
  });
});
