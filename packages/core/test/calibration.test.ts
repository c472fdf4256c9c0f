import { describe, expect, it } from 'vitest';
import { calibrate } from '../src/calibration.js';

describe('calibration', () => {
  const counts = { decided: 10, approved: 8, edited: 2, rejected: 2, executed: 8, overridden: 1 };

  it('matches a hand computation', () => {
    const r = calibrate(
      [
        { confidence: 0.9, correct: true }, // (0.1)^2 = 0.01
        { confidence: 0.8, correct: false }, // 0.64
        { confidence: 0.55, correct: true }, // 0.2025
        { confidence: 0.95, correct: true }, // 0.0025
      ],
      counts,
    );
    expect(r.brierScore).toBeCloseTo((0.01 + 0.64 + 0.2025 + 0.0025) / 4, 12);
    const bin = (from: number) => r.reliability.find((b) => Math.abs(b.from - from) < 1e-9);
    expect(bin(0.9)).toMatchObject({ count: 2, observedAccuracy: 1 });
    expect(bin(0.9)?.meanConfidence).toBeCloseTo(0.925, 12);
    expect(bin(0.8)).toMatchObject({ count: 1, observedAccuracy: 0 });
    expect(bin(0.5)).toMatchObject({ count: 1, observedAccuracy: 1 });
    expect(r.approvalRate).toBe(0.8);
    expect(r.editRate).toBe(0.25);
    expect(r.rejectionRate).toBe(0.2);
    expect(r.overrideRate).toBe(0.125);
    expect(r.recommendedAutonomy).toBe('before_execution'); // not enough evidence
  });

  it('recommends less oversight only on enough good evidence, more on many rejections', () => {
    const good = Array.from({ length: 40 }, (_, i) => ({ confidence: 0.97, correct: i !== 0 }));
    const many = { decided: 40, approved: 40, edited: 1, rejected: 0, executed: 40, overridden: 0 };
    expect(calibrate(good, many).recommendedAutonomy).toBe('confidence');
    expect(calibrate(good, { ...many, rejected: 10, approved: 30 }).recommendedAutonomy).toBe('all_decisions');
    expect(
      calibrate([], { decided: 0, approved: 0, edited: 0, rejected: 0, executed: 0, overridden: 0 }).brierScore,
    ).toBeNull();
  });
});
