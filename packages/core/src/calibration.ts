/**
 * Calibration: how well an agent's stated confidence matches human verdicts, and how often humans
 * approve, edit, reject or take over its work. Pure: the server feeds it rows.
 */

export interface CalibrationSample {
  /** The agent's stated confidence for the task, 0..1. */
  confidence: number;
  /** The human's verdict on the outcome. */
  correct: boolean;
}

export interface DecisionCounts {
  /** Execution gates decided by humans. */
  decided: number;
  approved: number;
  /** Approvals that edited the payload. */
  edited: number;
  rejected: number;
  /** Tasks that started executing, and of those, how many a human took over. */
  executed: number;
  overridden: number;
}

export interface ReliabilityBin {
  /** Bin [from, to) of stated confidence (the last bin includes 1). */
  from: number;
  to: number;
  count: number;
  meanConfidence: number | null;
  observedAccuracy: number | null;
}

export type AutonomyLevel = 'all_decisions' | 'before_execution' | 'critical_only' | 'confidence';

export interface CalibrationReport {
  samples: number;
  brierScore: number | null;
  reliability: ReliabilityBin[];
  approvalRate: number | null;
  editRate: number | null;
  rejectionRate: number | null;
  overrideRate: number | null;
  recommendedAutonomy: AutonomyLevel;
  evidence: string[];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * Brier score (mean squared gap between confidence and outcome), a 10-bin reliability curve, the
 * decision rates, and the autonomy level the evidence supports.
 *
 * @example
 * calibrate([{ confidence: 0.9, correct: true }, { confidence: 0.6, correct: false }], counts).brierScore // (0.01 + 0.36) / 2
 */
export function calibrate(samples: readonly CalibrationSample[], counts: DecisionCounts, bins = 10): CalibrationReport {
  const brierScore =
    samples.length === 0
      ? null
      : samples.reduce((s, x) => s + (x.confidence - (x.correct ? 1 : 0)) ** 2, 0) / samples.length;
  const reliability: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = b / bins;
    const to = (b + 1) / bins;
    const inBin = samples.filter(
      (x) => x.confidence >= from && (x.confidence < to || (b === bins - 1 && x.confidence <= 1)),
    );
    reliability.push({
      from,
      to,
      count: inBin.length,
      meanConfidence: inBin.length ? inBin.reduce((s, x) => s + x.confidence, 0) / inBin.length : null,
      observedAccuracy: inBin.length ? inBin.filter((x) => x.correct).length / inBin.length : null,
    });
  }
  const approvalRate = ratio(counts.approved, counts.decided);
  const editRate = ratio(counts.edited, counts.approved);
  const rejectionRate = ratio(counts.rejected, counts.decided);
  const overrideRate = ratio(counts.overridden, counts.executed);

  // Autonomy is earned on evidence: enough reviewed outcomes, good calibration, few corrections.
  const evidence: string[] = [
    `${samples.length} outcomes with feedback, ${counts.decided} human decisions, ${counts.executed} executions`,
  ];
  let level: AutonomyLevel = 'before_execution';
  if ((rejectionRate ?? 0) > 0.2 || (overrideRate ?? 0) > 0.2) {
    level = 'all_decisions';
    evidence.push(
      `rejection rate ${pctText(rejectionRate)} or override rate ${pctText(overrideRate)} above 20 %: every decision needs a human`,
    );
  } else if (samples.length < 20 || counts.decided < 20) {
    evidence.push('fewer than 20 reviewed outcomes or decisions: not enough evidence to reduce oversight');
  } else if (
    brierScore !== null &&
    brierScore <= 0.05 &&
    (rejectionRate ?? 1) <= 0.02 &&
    (editRate ?? 1) <= 0.05 &&
    (overrideRate ?? 1) <= 0.02
  ) {
    level = 'confidence';
    evidence.push(
      `Brier ${brierScore.toFixed(3)} ≤ 0.05 and rejections, edits and overrides rare: gate only low-confidence decisions`,
    );
  } else if (brierScore !== null && brierScore <= 0.15 && (rejectionRate ?? 1) <= 0.05 && (overrideRate ?? 1) <= 0.05) {
    level = 'critical_only';
    evidence.push(`Brier ${brierScore.toFixed(3)} ≤ 0.15 and rejections ≤ 5 %: gate only critical actions`);
  } else {
    evidence.push(
      `Brier ${brierScore?.toFixed(3) ?? 'n/a'}, rejection rate ${pctText(rejectionRate)}: keep approval before execution`,
    );
  }
  return {
    samples: samples.length,
    brierScore,
    reliability,
    approvalRate,
    editRate,
    rejectionRate,
    overrideRate,
    recommendedAutonomy: level,
    evidence,
  };
}

function pctText(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`;
}
