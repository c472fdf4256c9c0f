import { maxRisk, RISK_LEVELS, type RiskAssessment, type RiskLevel, riskRank } from './model.js';
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
 * What the rules look at: the text (description and capabilities, as written and as words: `send_email`
 * and `sendEmail` read `send email`), the payload's command-like words (its keys and short string
 * values, e.g. `{"tool": "drop_table"}`; long strings are prose and feed only the amounts), and the
 * amounts and sizes found anywhere in the payload.
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
  test: (facts: Facts, t: Required<RiskThresholds>, found: ReadonlySet<string>) => boolean;
}

/*
 * The rules' words, matched by RE2 against every view of the text (as written, confusables folded,
 * skeleton; see `compilePattern`), so `Wіre` (Cyrillic і) or `W\u200Bire` is still a wire.
 */
/** Destructive or irreversible: what is gone cannot be had back by running the task again. */
const IRREVERSIBLE = compilePattern(
  String.raw`\b(delet(e|es|ed|ing|ion)|drop(s|ped|ping)?|destroy(s|ed|ing)?|terminat(e|es|ed|ing|ion)|purg(e|es|ed|ing)|truncat(e|es|ed|ing)|wip(e|es|ed|ing)|eras(e|es|ed|ing)|shred|revok(e|es|ed|ing)|revocation|force[ -]?push(es|ed|ing)?|push (--force|-f)|roll(ing|ed)? ?back|rollback|reset --hard|rm -r?f|decommission(s|ed|ing)?|deprovision|overwrit(e|es|ing))\b`,
);
/** Sending money, a message or a publication: weighed as money or communication, irreversible all the same. */
const SENT = compilePattern(
  String.raw`\b(wire|transfer|pay|payment|payout|refund|remit|send|sends|sent|sending|publish(es|ed|ing)?)\b`,
);
/** Disruptive but recoverable: a restart, a deploy, a shutdown. In production it is not low. */
const DISRUPTIVE = compilePattern(
  String.raw`\b(restart(s|ed|ing)?|reboot(s|ed|ing)?|re-?deploy(s|ed|ing)?|deploy(s|ed|ing|ment)?|roll(ing)? ?out|rollout|scale (down|in|to (0|zero))|shut ?down|shutting down|stop(s|ped|ping)?|kill(s|ed|ing)?|fail ?over|drain(s|ed|ing)?|cordon|migrat(e|es|ed|ing|ion)|disabl(e|es|ed|ing)|suspend(s|ed|ing)?|merg(e|es|ed|ing)|publish(es|ed|ing)?|releas(e|es|ed|ing)|upgrad(e|es|ed|ing)|patch(es|ed|ing)?)\b`,
);
const PRODUCTION = compilePattern(String.raw`\b(prod|production|prd|live|customer[- ]facing)\b`);
/** Money moving, at any amount. */
const FINANCIAL = compilePattern(
  String.raw`\b(wire|transfer|payments?|pay|paying|invoice|purchase|refund|payroll|budget|funds?|money|bank|iban|swift|sepa|ach|payout|disburse(ment)?|reimburse(ment)?|charge|remit(tance)?|crypto|usdc?|btc|eth|withdraw(al)?)\b|\p{Sc}\s?\d`,
);
const ACCESS = compilePattern(
  String.raw`\b(permissions?|access control|iam|roles?|security (polic(y|ies)|groups?)|credentials?|secrets?|grant(s|ed|ing)?|sudo(ers)?|superuser|admin(istrator)? (access|rights|role|privileges?)|privileges?|mfa|2fa|sso|api (key|token)s?|access keys?|ssh keys?|passwords?|firewall|acl|public access|service account|oauth)\b`,
);
/** A message that leaves: e-mail, SMS, posts, press; a send tool call (`send_email`). */
const COMMUNICATION = compilePattern(
  String.raw`\b(email|e-mail|emails|mail|mailing|sms|text message|tweet|post (to|on) (twitter|x|linkedin|facebook|instagram)|press release|public statement|newsletter|announcement|notify (all )?(customers|users|clients|subscribers)|send (email|sms|message|mail|letter|notification|reply)|reply to)\b`,
);
/** Personal, financial or health data. */
const SENSITIVE = compilePattern(
  String.raw`\b(pii|personal data|personally identifiable|ssns?|social security|passports?|credit cards?|card numbers?|cardholder|medical|health records?|patients?|gdpr|customer (data|records|list|emails|database)|user (data|records|emails|database))\b`,
);
/** Data leaving its place: export, share, upload, made public. */
const EXPORT = compilePattern(
  String.raw`\b(export(s|ed|ing)?|shar(e|es|ed|ing)|upload(s|ed|ing)?|make (it )?public|public (link|bucket|url)|publicly|download (all|every)|dump(s|ed|ing)?|copy (to|into) (an? )?(external|third|vendor|partner|personal))\b`,
);
/** Everything at once: all users, every record, the entire table. */
const BROAD = compilePattern(
  String.raw`\b(all|every|entire|whole|bulk|mass|everyone|organi[sz]ation[- ]wide|company[- ]wide)\b`,
);

/** A text too long to match counts as a match: the stricter side. */
const hits = (p: TextPattern, text: string) => p.test(text) !== false;
const either = (p: TextPattern, f: Facts) => hits(p, f.text) || hits(p, f.commands);
/** Hyphenated names read as one word (`payments-api` is a service, not a payment). */
const compounds = (s: string) => s.replace(/([A-Za-z0-9])-(?=[A-Za-z0-9])/g, '$1_');

/**
 * The built-in rules. Each factor's weight adds up to the level (`levelForWeight`): one destructive
 * action, a payment at any amount, an access change or an outgoing message is `medium` on its own;
 * a destructive action in production, a large amount or exposed personal data is `high`.
 */
const RULES: readonly Rule[] = [
  { factor: 'irreversible_action', weight: 2, test: (f) => either(IRREVERSIBLE, f) },
  // Money sent and messages sent cannot be called back either: irreversible, weighed by their own rules.
  { factor: 'irreversible_action', weight: 0, test: (f) => either(SENT, f) },
  { factor: 'service_disruption', weight: 1, test: (f) => either(DISRUPTIVE, f) },
  { factor: 'production_data', weight: 1, test: (f) => either(PRODUCTION, f) },
  {
    factor: 'destructive_in_production',
    weight: 1,
    test: (_f, _t, found) => found.has('irreversible_action') && found.has('production_data'),
  },
  { factor: 'significant_size', weight: 1, test: (f, t) => f.sizesGb.some((g) => g >= t.significantSizeGb) },
  {
    factor: 'financial_transaction',
    weight: 2,
    test: (f) => hits(FINANCIAL, compounds(f.text)) || hits(FINANCIAL, compounds(f.commands)),
  },
  { factor: 'large_amount', weight: 2, test: (f, t) => f.amounts.some((a) => a >= t.largeAmount) },
  // A hundred times the large amount (1 000 000 by default) is critical whatever else is said.
  { factor: 'very_large_amount', weight: 2, test: (f, t) => f.amounts.some((a) => a >= t.largeAmount * 100) },
  // A money field the server cannot read as a number ("50k", "5O,000") counts as a large one.
  { factor: 'unreadable_amount', weight: 2, test: (f) => f.unreadable > 0 },
  { factor: 'access_control_change', weight: 2, test: (f) => either(ACCESS, f) },
  { factor: 'external_communication', weight: 2, test: (f) => either(COMMUNICATION, f) },
  { factor: 'sensitive_data', weight: 1, test: (f) => either(SENSITIVE, f) },
  { factor: 'data_export', weight: 1, test: (f) => either(EXPORT, f) },
  {
    factor: 'data_exposure',
    weight: 2,
    test: (_f, _t, found) => found.has('sensitive_data') && found.has('data_export'),
  },
  { factor: 'broad_scope', weight: 1, test: (f) => hits(BROAD, f.text) },
];

function levelForWeight(w: number): RiskLevel {
  if (w >= 6) return 'critical';
  if (w >= 4) return 'high';
  if (w >= 2) return 'medium';
  return 'low';
}

/** The text as words: `send_email(to=…)`, `sendEmail`, `drop-table` read `send email to`, `send email`, `drop table`. */
function asWords(text: string): string {
  return text.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.()[\]{}=:,;"'`/\\]+/g, ' ');
}

/**
 * Assesses a task with the built-in rules and merges the agent's own assessment (never lowering).
 * The whole payload is read, at any depth: every key and short string joins the words the rules
 * see (a tool call `{"tool": "send_email"}` is a message sent), and amounts are found wherever they
 * are (see `walkPayload`).
 *
 * @example
 * assessRisk({ description: 'Delete production backup', requiredCapabilities: [], payload: {} }).level // 'high'
 * assessRisk({ description: 'Restart the payments-api pods in prod', requiredCapabilities: [], payload: {} }).level // 'medium'
 */
export function assessRisk(
  input: RiskInput,
  claimed?: Partial<RiskAssessment>,
  thresholds?: RiskThresholds,
): RiskAssessment {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const walked = walkPayload(input.payload);
  const written = `${input.description} ${input.requiredCapabilities.join(' ')}`;
  const text = written.length > MAX_TEXT ? written : `${written} ${asWords(written)}`;
  const amounts = [...walked.amounts, ...amountsInText(input.description)];
  const facts: Facts = { text, commands: walked.text, amounts, sizesGb: walked.sizesGb, unreadable: walked.unreadable };
  const found = new Set<string>();
  let weight = 0;
  for (const rule of RULES) {
    if (!found.has(rule.factor) && rule.test(facts, t, found)) {
      found.add(rule.factor);
      weight += rule.weight;
    }
  }
  const serverLevel = levelForWeight(weight);
  const level = claimed?.level ? maxRisk(serverLevel, claimed.level) : serverLevel;
  const merged = [...new Set([...(claimed?.factors ?? []), ...found])];
  return { level, factors: merged, mitigations: [...new Set(claimed?.mitigations ?? [])] };
}

/**
 * The risk one level up (critical stays critical), with `factor` added: what a warning about the
 * request (its text disagreeing with its payload) does to the task's risk.
 *
 * @example
 * raiseRisk({ level: 'low', factors: [], mitigations: [] }, 'text_payload_mismatch') // { level: 'medium', factors: ['text_payload_mismatch'], … }
 */
export function raiseRisk(risk: RiskAssessment, factor: string): RiskAssessment {
  const next = RISK_LEVELS[Math.min(riskRank(risk.level) + 1, RISK_LEVELS.length - 1)] as RiskLevel;
  return { level: next, factors: [...new Set([...risk.factors, factor])], mitigations: risk.mitigations };
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
      // `drop_table` reads `drop table`; a hyphenated name (`payments-api`) stays one name.
      if (v.length <= COMMAND_LENGTH) add(v.replace(/_/g, ' '));
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
