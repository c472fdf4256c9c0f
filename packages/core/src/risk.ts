import { maxRisk, type RiskAssessment, type RiskLevel } from './model.js';

/**
 * The server's own risk rules. They run on every task, whatever the agent claims: the effective level
 * is the higher of the agent's assessment and these rules, and factors are the union of both.
 * Each factor has a weight; the summed weight maps to a level. Policy files (see docs) can add rules.
 */
export interface RiskInput {
  description: string;
  requiredCapabilities: readonly string[];
  payload: unknown;
}

interface Rule {
  factor: string;
  weight: number;
  test: (input: RiskInput, text: string) => boolean;
}

const IRREVERSIBLE =
  /\b(delete|deleting|drop|destroy|purge|wipe|truncate|deploy|wire|transfer|pay|payment|send|publish|revoke|terminate|merge|shutdown)\b/i;
const PRODUCTION = /\b(prod|production|live|customer[- ]facing)\b/i;
const FINANCIAL = /\b(wire|transfer|payment|invoice|purchase|refund|payroll|budget)\b|\$\s?\d/i;
const ACCESS = /\b(permission|access control|iam|role|security polic(y|ies)|credential|secret)\b/i;
const COMMUNICATION = /\b(email|e-mail|message|tweet|post|press release|public statement)\b/i;

const RULES: readonly Rule[] = [
  { factor: 'irreversible_action', weight: 1, test: (_i, t) => IRREVERSIBLE.test(t) },
  { factor: 'production_data', weight: 1, test: (_i, t) => PRODUCTION.test(t) },
  { factor: 'significant_size', weight: 1, test: (i) => sizeInGb(i.payload) >= 100 },
  { factor: 'financial_transaction', weight: 2, test: (_i, t) => FINANCIAL.test(t) },
  { factor: 'large_amount', weight: 2, test: (i, t) => largestAmount(i.payload, t) >= 10_000 },
  { factor: 'access_control_change', weight: 2, test: (_i, t) => ACCESS.test(t) },
  { factor: 'external_communication', weight: 1, test: (_i, t) => COMMUNICATION.test(t) },
];

function levelForWeight(w: number): RiskLevel {
  if (w >= 6) return 'critical';
  if (w >= 4) return 'high';
  if (w >= 2) return 'medium';
  return 'low';
}

/**
 * Assesses a task with the built-in rules and merges the agent's own assessment (never lowering).
 *
 * @example
 * assessRisk({ description: 'Delete production backup', requiredCapabilities: [], payload: {} }).level // 'medium'
 */
export function assessRisk(input: RiskInput, claimed?: Partial<RiskAssessment>): RiskAssessment {
  const text = `${input.description} ${input.requiredCapabilities.join(' ')}`;
  const factors: string[] = [];
  let weight = 0;
  for (const rule of RULES) {
    if (rule.test(input, text)) {
      factors.push(rule.factor);
      weight += rule.weight;
    }
  }
  const serverLevel = levelForWeight(weight);
  const level = claimed?.level ? maxRisk(serverLevel, claimed.level) : serverLevel;
  const merged = [...new Set([...(claimed?.factors ?? []), ...factors])];
  return { level, factors: merged, mitigations: [...new Set(claimed?.mitigations ?? [])] };
}

/** Reads sizes like "250GB" or "1.5 TB" anywhere in the payload (top level and one level down). */
function sizeInGb(payload: unknown): number {
  let best = 0;
  for (const v of shallowValues(payload)) {
    if (typeof v !== 'string') continue;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(kb|mb|gb|tb|pb)\s*$/i.exec(v);
    if (!m) continue;
    const unit = (m[2] as string).toLowerCase();
    const scale = { kb: 1e-6, mb: 1e-3, gb: 1, tb: 1e3, pb: 1e6 }[unit] ?? 0;
    best = Math.max(best, Number(m[1]) * scale);
  }
  return best;
}

function largestAmount(payload: unknown, text: string): number {
  let best = 0;
  for (const [k, v] of shallowEntries(payload)) {
    if (typeof v === 'number' && /amount|total|value|price|sum/i.test(k)) best = Math.max(best, v);
  }
  for (const m of text.matchAll(/\$\s?([\d,]+(?:\.\d+)?)/g)) {
    best = Math.max(best, Number((m[1] as string).replaceAll(',', '')));
  }
  return best;
}

function shallowEntries(payload: unknown): [string, unknown][] {
  if (typeof payload !== 'object' || payload === null) return [];
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(payload)) {
    out.push([k, v]);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) out.push(...Object.entries(v));
  }
  return out;
}

function shallowValues(payload: unknown): unknown[] {
  return shallowEntries(payload).map(([, v]) => v);
}
