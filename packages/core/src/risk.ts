import { maxRisk, type RiskAssessment, type RiskLevel } from './model.js';
import { normalizeText, readNumber } from './normalize.js';
import { compilePattern, type TextPattern } from './pattern.js';

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
  /** Money fields with digits that do not read as a number. */
  unreadable: number;
}

interface Rule {
  factor: string;
  weight: number;
  test: (facts: Facts, t: Required<RiskThresholds>) => boolean;
}

/*
 * The rules' words, matched by RE2 against every view of the text (as written, confusables folded,
 * skeleton; see `compilePattern`), so `Wіre` (Cyrillic і) or `W\u200Bire` is still a wire.
 */
const IRREVERSIBLE = compilePattern(
  String.raw`\b(delete|deleting|drop|destroy|purge|wipe|truncate|deploy|wire|transfer|pay|payment|send|publish|revoke|terminate|merge|shutdown)\b`,
);
const PRODUCTION = compilePattern(String.raw`\b(prod|production|live|customer[- ]facing)\b`);
const FINANCIAL = compilePattern(
  String.raw`\b(wire|transfer|payment|invoice|purchase|refund|payroll|budget|funds?|money|bank|iban|swift|payout|remit(tance)?|crypto|usdc?|btc|eth)\b|\p{Sc}\s?\d`,
);
const ACCESS = compilePattern(
  String.raw`\b(permission|access control|iam|role|security polic(y|ies)|credential|secret)\b`,
);
const COMMUNICATION = compilePattern(String.raw`\b(email|e-mail|message|tweet|post|press release|public statement)\b`);

/** A text too long to match counts as a match: the stricter side. */
const hits = (p: TextPattern, text: string) => p.test(text) !== false;

const RULES: readonly Rule[] = [
  {
    factor: 'irreversible_action',
    weight: 1,
    test: (f) => hits(IRREVERSIBLE, f.text) || hits(IRREVERSIBLE, f.commands),
  },
  { factor: 'production_data', weight: 1, test: (f) => hits(PRODUCTION, f.text) },
  { factor: 'significant_size', weight: 1, test: (f, t) => f.sizesGb.some((g) => g >= t.significantSizeGb) },
  { factor: 'financial_transaction', weight: 2, test: (f) => hits(FINANCIAL, f.text) },
  { factor: 'large_amount', weight: 2, test: (f, t) => f.amounts.some((a) => a >= t.largeAmount) },
  // A money field the server cannot read as a number ("50k", "5O,000") counts as a large one.
  { factor: 'unreadable_amount', weight: 2, test: (f) => f.unreadable > 0 },
  { factor: 'access_control_change', weight: 2, test: (f) => hits(ACCESS, f.text) },
  { factor: 'external_communication', weight: 1, test: (f) => hits(COMMUNICATION, f.text) },
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
  const facts: Facts = { text, commands: walked.text, amounts, sizesGb: walked.sizesGb, unreadable: walked.unreadable };
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
/** Keys that name an amount itself (not a date, reference or count about one): an unreadable value there is flagged. */
const AMOUNT_KEY = /amount|total|price|cost|fee|sum|balance|salary|payout|refund|cents/i;
const NOT_AMOUNT_KEY = /ids?$|date|time|_at$|At$|ref|code|count|currency|number|no$/;
const CURRENCY_KEY = /^(currency|currency_?code|ccy|iso_?currency)$/i;
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(kb|mb|gb|tb|pb)\s*$/i;
const SIZE_SCALE: Record<string, number> = { kb: 1e-6, mb: 1e-3, gb: 1, tb: 1e3, pb: 1e6 };
/** Command-like words gathered from a payload are bounded: the rules need words, not megabytes. */
const MAX_TEXT = 64 * 1024;
/** A string value this short reads as a command or an enum (`"delete"`), a longer one as prose. */
const COMMAND_LENGTH = 64;

/** Money written in text: "$250,000", "250000 USD", "EUR 1.000.000", "€ 50.000,00". */
const MONEY_IN_TEXT =
  /(?:\p{Sc}|\b(?:usd|eur|gbp|jpy|chf)\b)\s?(\d(?:[\d,.' ]*\d)?)|(\d(?:[\d,.' ]*\d)?)\s?(?:usd|eur|gbp|jpy|chf)\b/giu;

/**
 * The amounts money in `text` may stand for: every reading of each (`readNumber`), since a rule
 * that fires on any reading is the stricter one.
 */
function amountsInText(text: string): number[] {
  const out: number[] = [];
  for (const m of normalizeText(text).matchAll(MONEY_IN_TEXT)) {
    const r = readNumber((m[1] ?? m[2]) as string);
    if (r.kind === 'number') out.push(...r.values.map(Math.abs));
    // "1,2,3": the digits alone are the largest amount it could be.
    else out.push(Number(((m[1] ?? m[2]) as string).replace(/\D/g, '')));
  }
  return out;
}

/**
 * Walks a payload at any depth (iteratively; the HTTP layer bounds depth): its keys and short strings
 * as command-like text, the amounts (numbers under a money-like key, any number in an object that names a
 * currency, money written in strings) and the data sizes ("250GB").
 */
export function walkPayload(payload: unknown): {
  text: string;
  amounts: number[];
  sizesGb: number[];
  unreadable: number;
} {
  const parts: string[] = [];
  let unreadable = 0;
  let length = 0;
  const amounts: number[] = [];
  const sizesGb: number[] = [];
  const add = (s: string) => {
    if (length < MAX_TEXT) {
      parts.push(s);
      length += s.length + 1;
    }
  };
  // Each value carries the money key it sits under (if any), through lists too: `{amount: [50000]}`
  // is an amount of 50 000, not a bare number the walk may skip.
  const stack: { v: unknown; money?: string }[] = [{ v: payload }];
  while (stack.length > 0) {
    const { v, money } = stack.pop() as { v: unknown; money?: string };
    if (money !== undefined && (typeof v === 'number' || typeof v === 'string')) {
      // A money field is read like a policy rule reads it: `"50,000.00"` is 50 000.
      const r = readNumber(v);
      if (r.kind === 'number') amounts.push(...r.values.map(Math.abs));
      else if (AMOUNT_KEY.test(money) && !NOT_AMOUNT_KEY.test(money) && /\d/.test(String(v))) unreadable++;
    }
    if (typeof v === 'string') {
      if (v.length <= COMMAND_LENGTH) add(v.replace(/[_-]/g, ' '));
      amounts.push(...amountsInText(v));
      const m = SIZE.exec(v);
      if (m) sizesGb.push(Number(m[1]) * (SIZE_SCALE[(m[2] as string).toLowerCase()] ?? 0));
    } else if (Array.isArray(v)) stack.push(...v.map((x) => ({ v: x, money })));
    else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      const priced = entries.some(([k, x]) => CURRENCY_KEY.test(k) && typeof x === 'string');
      for (const [k, x] of entries) {
        add(k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' '));
        stack.push({ v: x, money: priced || MONEY_KEY.test(k) ? k : undefined });
      }
    }
  }
  return { text: parts.join(' ').slice(0, MAX_TEXT), amounts, sizesGb, unreadable };
}

/**
 * The risk a gate decides at. An in-run decision gate (`kind: 'decision'`) decides its own action and
 * payload, so it carries their assessment (stored in its proposal as `risk` when it opened; for older
 * gates assessed now from the proposal), never below the task's; every other gate decides the task.
 * Every rule keyed on risk (reasons, one-click links, dialogs, bulk approval) reads this.
 *
 * @example
 * gateRisk({ kind: 'decision', proposal: { action: 'wire funds', payload: { amount: 50000 } } }, lowTaskRisk).level // 'high'
 */
export function gateRisk(gate: { kind: string; proposal: unknown }, taskRisk: RiskAssessment): RiskAssessment {
  if (gate.kind !== 'decision') return taskRisk;
  const prop = (gate.proposal ?? {}) as { action?: unknown; payload?: unknown; risk?: Partial<RiskAssessment> };
  const own =
    prop.risk?.level !== undefined
      ? { level: prop.risk.level, factors: prop.risk.factors ?? [] }
      : assessRisk({
          description: typeof prop.action === 'string' ? prop.action : '',
          requiredCapabilities: [],
          payload: prop.payload ?? {},
        });
  return {
    level: maxRisk(taskRisk.level, own.level),
    factors: [...new Set([...taskRisk.factors, ...own.factors])],
    mitigations: taskRisk.mitigations,
  };
}
