/**
 * The labelled risk corpus (testdata/risk-corpus/actions.jsonl, 154 realistic agent actions written
 * for issue 25) rated as task creation rates (`assessTask`). The benchmark `bench/risk.mjs` prints
 * its confusion matrix; docs/benchmarks.md records it. Measured when written: 122/154 = 79.2 %
 * exact, none of the 39 destructive-in-production or money-moving actions rated low, no critical
 * action rated below high.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RISK_LEVELS, type RiskLevel, riskRank } from '../src/model.js';
import { assessTask } from '../src/risk.js';

interface Case {
  id: string;
  category: 'finance' | 'infrastructure' | 'data' | 'communications' | 'access-control';
  description: string;
  payload: Record<string, unknown>;
  capabilities: string[];
  expected: RiskLevel;
  destructiveInProduction: boolean;
  movesMoney: boolean;
}

const CORPUS = join(import.meta.dirname, '..', '..', '..', 'testdata', 'risk-corpus', 'actions.jsonl');
const cases: Case[] = readFileSync(CORPUS, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));
const rated = cases.map((c) => ({
  ...c,
  rated: assessTask({ description: c.description, requiredCapabilities: c.capabilities, payload: c.payload }).risk
    .level,
}));

/** The exact-match accuracy the rules must keep (measured 79.2 % when the corpus was written). */
const THRESHOLD = 0.75;

describe('the risk corpus', () => {
  it('has at least 150 labelled actions in every category, each well-formed and unique', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const cat of ['finance', 'infrastructure', 'data', 'communications', 'access-control']) {
      expect(cases.filter((c) => c.category === cat).length, cat).toBeGreaterThanOrEqual(25);
    }
    for (const c of cases) {
      expect(RISK_LEVELS, c.id).toContain(c.expected);
      expect(typeof c.destructiveInProduction === 'boolean' && typeof c.movesMoney === 'boolean', c.id).toBe(true);
    }
  });
  it('no destructive-in-production or money-moving action is rated low', () => {
    const must = rated.filter((c) => c.destructiveInProduction || c.movesMoney);
    expect(must.length).toBeGreaterThanOrEqual(30);
    expect(must.filter((c) => c.rated === 'low').map((c) => `${c.id} ${c.description}`)).toEqual([]);
  });
  it('no critical action is rated below high (the built-in floor then still asks a human)', () => {
    const crit = rated.filter((c) => c.expected === 'critical' && riskRank(c.rated) < riskRank('high'));
    expect(crit.map((c) => `${c.id} ${c.description} → ${c.rated}`)).toEqual([]);
  });
  it(`exact accuracy stays above ${THRESHOLD * 100} %`, () => {
    const exact = rated.filter((c) => c.rated === c.expected).length / rated.length;
    expect(exact).toBeGreaterThan(THRESHOLD);
  });
  it('the issue’s three mis-rated actions are not low', () => {
    const level = (description: string, payload: Record<string, unknown> = {}) =>
      assessTask({ description, requiredCapabilities: [], payload }).risk.level;
    expect(level('Delete S3 bucket logs-2023')).not.toBe('low');
    expect(level('Restart the payments-api pods in prod')).not.toBe('low');
    expect(level('Handle ticket 4410', { tool: 'send_email', args: { to: 'x@customer.example' } })).not.toBe('low');
    expect(level('Run send_email(to="x@customer.example")')).not.toBe('low');
  });
});

describe('assessTask: a text that disagrees with its payload raises the risk one level', () => {
  const task = (description: string, payload: unknown) =>
    assessTask({ description, requiredCapabilities: [], payload });
  it('EUR 24.99 against 2499: one level up, with the factor and the warning', () => {
    const agreeing = task('Refund EUR 24.99 to C-1042', { amount: 24.99, currency: 'EUR', customer: 'C-1042' });
    const disagreeing = task('Refund EUR 24.99 to C-1042', { amount: 2499, currency: 'EUR', customer: 'C-1042' });
    expect(agreeing.warnings).toEqual([]);
    expect(agreeing.risk.level).toBe('medium');
    expect(disagreeing.risk.level).toBe('high');
    expect(disagreeing.risk.factors).toContain('text_payload_mismatch');
    expect(disagreeing.warnings.map((w) => w.claimed)).toEqual(['EUR 24.99']);
  });
  it('the proposal’s action and reasoning are read too; critical stays critical', () => {
    const r = assessTask(
      {
        description: 'Wire',
        requiredCapabilities: [],
        payload: { amount: 2_000_000, currency: 'USD' },
        text: { action: 'Wire USD 20' },
      },
      undefined,
    );
    expect(r.risk.level).toBe('critical');
    expect(r.warnings[0]).toMatchObject({ source: 'action', claimed: 'USD 20' });
  });
});
