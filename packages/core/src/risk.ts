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

/** Thresholds of the built-in rules, which a policy file may set (`risk` in the policy document). */
export interface RiskThresholds {
  /** A monetary amount at or above this is `large_amount` (default 10 000). */
  largeAmount?: number;
  /** A data size at or above this many GB is `significant_size` (default 100). */
  significantSizeGb?: number;
}

const DEFAULT_THRESHOLDS: Required<RiskThresholds> = { largeAmount: 10_000, significantSizeGb: 100 };

/**
 * What the rules look at: the text (description and capabilities), the payload's command-like words
 * (its keys and short string values, e.g. `{"operation": "drop_table"}`; long strings are prose and
 * feed only the amounts), and the amounts and sizes found anywhere in the payload.
 */
interface Facts {
  text: string;
  commands: string;
  amounts: number[];
  sizesGb: number[];
}

interface Rule {
  factor: string;
  weight: number;
  test: (facts: Facts, t: Required<RiskThresholds>) => boolean;
}

const IRREVERSIBLE =
  /\b(delete|deleting|drop|destroy|purge|wipe|truncate|deploy|wire|transfer|pay|payment|send|publish|revoke|terminate|merge|shutdown)\b/i;
const PRODUCTION = /\b(prod|production|live|customer[- ]facing)\b/i;
const FINANCIAL =
  /\b(wire|transfer|payment|invoice|purchase|refund|payroll|budget|funds?|money|bank|iban|swift|payout|remit(tance)?|crypto|usdc?|btc|eth)\b|[$€£¥]\s?\d/i;
const ACCESS = /\b(permission|access control|iam|role|security polic(y|ies)|credential|secret)\b/i;
const COMMUNICATION = /\b(email|e-mail|message|tweet|post|press release|public statement)\b/i;

const RULES: readonly Rule[] = [
  { factor: 'irreversible_action', weight: 1, test: (f) => IRREVERSIBLE.test(f.text) || IRREVERSIBLE.test(f.commands) },
  { factor: 'production_data', weight: 1, test: (f) => PRODUCTION.test(f.text) },
  { factor: 'significant_size', weight: 1, test: (f, t) => f.sizesGb.some((g) => g >= t.significantSizeGb) },
  { factor: 'financial_transaction', weight: 2, test: (f) => FINANCIAL.test(f.text) },
  { factor: 'large_amount', weight: 2, test: (f, t) => f.amounts.some((a) => a >= t.largeAmount) },
  { factor: 'access_control_change', weight: 2, test: (f) => ACCESS.test(f.text) },
  { factor: 'external_communication', weight: 1, test: (f) => COMMUNICATION.test(f.text) },
];

function levelForWeight(w: number): RiskLevel {
  if (w >= 6) return 'critical';
  if (w >= 4) return 'high';
  if (w >= 2) return 'medium';
  return 'low';
}

/**
 * Assesses a task with the built-in rules and merges the agent's own assessment (never lowering).
 * The whole payload is read, at any depth: every key and string joins the text the keyword rules
 * see, and amounts are found wherever they are (see `walkPayload`).
 *
 * @example
 * assessRisk({ description: 'Delete production backup', requiredCapabilities: [], payload: {} }).level // 'medium'
 */
export function assessRisk(
  input: RiskInput,
  claimed?: Partial<RiskAssessment>,
  thresholds?: RiskThresholds,
): RiskAssessment {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const walked = walkPayload(input.payload);
  const text = `${input.description} ${input.requiredCapabilities.join(' ')}`;
  const amounts = [...walked.amounts, ...amountsInText(input.description)];
  const facts: Facts = { text, commands: walked.text, amounts, sizesGb: walked.sizesGb };
  const factors: string[] = [];
  let weight = 0;
  for (const rule of RULES) {
    if (rule.test(facts, t)) {
      factors.push(rule.factor);
      weight += rule.weight;
    }
  }
  const serverLevel = levelForWeight(weight);
  const level = claimed?.level ? maxRisk(serverLevel, claimed.level) : serverLevel;
  const merged = [...new Set([...(claimed?.factors ?? []), ...factors])];
  return { level, factors: merged, mitigations: [...new Set(claimed?.mitigations ?? [])] };
}

/** Keys whose numbers are money. Unknown keys still count when their object names a currency. */
const MONEY_KEY =
  /amount|total|value|price|sum|cost|fee|balance|payment|pay|wire|transfer|funds?|usd|eur|gbp|jpy|chf|cents|credit|debit|salary|budget|limit|payout|refund/i;
const CURRENCY_KEY = /^(currency|currency_?code|ccy|iso_?currency)$/i;
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(kb|mb|gb|tb|pb)\s*$/i;
const SIZE_SCALE: Record<string, number> = { kb: 1e-6, mb: 1e-3, gb: 1, tb: 1e3, pb: 1e6 };
/** Command-like words gathered from a payload are bounded: the rules need words, not megabytes. */
const MAX_TEXT = 64 * 1024;
/** A string value this short reads as a command or an enum (`"delete"`), a longer one as prose. */
const COMMAND_LENGTH = 64;

/** Money written in text: "$250,000", "250000 USD", "EUR 1.000.000". */
function amountsInText(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(
    /(?:[$€£¥]|\b(?:usd|eur|gbp|jpy|chf)\b)\s?(\d[\d,.' ]*)|(\d[\d,.' ]*)\s?(?:usd|eur|gbp|jpy|chf)\b/gi,
  )) {
    const digits = ((m[1] ?? m[2]) as string).replace(/[,.' ](?=\d{3}\b)/g, '').replace(',', '.');
    const n = Number.parseFloat(digits);
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

/**
 * Walks a payload at any depth (iteratively; the HTTP layer bounds depth): its keys and short strings
 * as command-like text, the amounts (numbers under a money-like key, any number in an object that names a
 * currency, money written in strings) and the data sizes ("250GB").
 */
export function walkPayload(payload: unknown): { text: string; amounts: number[]; sizesGb: number[] } {
  const parts: string[] = [];
  let length = 0;
  const amounts: number[] = [];
  const sizesGb: number[] = [];
  const add = (s: string) => {
    if (length < MAX_TEXT) {
      parts.push(s);
      length += s.length + 1;
    }
  };
  const stack: unknown[] = [payload];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.length <= COMMAND_LENGTH) add(v.replace(/[_-]/g, ' '));
      amounts.push(...amountsInText(v));
      const m = SIZE.exec(v);
      if (m) sizesGb.push(Number(m[1]) * (SIZE_SCALE[(m[2] as string).toLowerCase()] ?? 0));
    } else if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      const priced = entries.some(([k, x]) => CURRENCY_KEY.test(k) && typeof x === 'string');
      for (const [k, x] of entries) {
        add(k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' '));
        if (typeof x === 'number' && (priced || MONEY_KEY.test(k))) amounts.push(Math.abs(x));
        else stack.push(x);
      }
    }
  }
  return { text: parts.join(' '), amounts, sizesGb };
}
