import { type AgentText, textPayloadWarnings } from './claims.js';
import { type ApprovalWarning, maxRisk, RISK_LEVELS, type RiskAssessment, type RiskLevel, riskRank } from './model.js';
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
  String.raw`\b(delet(e|es|ed|ing|ion)|drop(s|ped|ping)?|destroy(s|ed|ing)?|terminat(e|es|ed|ing|ion)|purg(e|es|ed|ing)|truncat(e|es|ed|ing)|wip(e|es|ed|ing)|eras(e|es|ed|ing)|shred|revok(e|es|ed|ing)|revocation|force[ -]?push(es|ed|ing)?|push (--force|-f)|roll(ing|ed)? ?back|rollback|reset --hard|rm -r?f|decommission(s|ed|ing)?|deprovision|overwrit(e|es|ing)|anonymi[sz](e|es|ing))\b`,
);
/** Sending money, a message or a publication: weighed as money or communication, irreversible all the same. */
const SENT = compilePattern(
  String.raw`\b(wire|transfer|pay|payment|payout|refund|remit|send|sends|sent|sending|publish(es|ed|ing)?)\b`,
);
/** Disruptive but recoverable: a restart, a deploy, a shutdown. In production it is not low. */
const DISRUPTIVE = compilePattern(
  String.raw`\b(restart(s|ed|ing)?|reboot(s|ed|ing)?|re-?deploy(s|ed|ing)?|deploy(s|ed|ing|ment)?|roll(ing)? ?out|rollout|scale (down|in|to (0|zero))|shut ?down|shutting down|stop(s|ped|ping)?|kill(s|ed|ing)?|fail ?over|drain(s|ed|ing)?|cordon|migrat(e|es|ed|ing|ion)|disabl(e|es|ed|ing)|suspend(s|ed|ing)?|merg(e|es|ed|ing)|publish(es|ed|ing)?|releas(e|es|ed|ing)|upgrad(e|es|ed|ing)|patch(es|ed|ing)?)\b`,
);
/** Production, customer-facing, or the main branch of a repository. */
const PRODUCTION = compilePattern(
  String.raw`\b(prod|production|prd|live|customer[- ]facing)\b|\b(to|into|on|onto) (the )?(main|master)( branch)?\b`,
);
/** Money moving, at any amount. */
const FINANCIAL = compilePattern(
  String.raw`\b(wire|transfer|payments?|pay|paying|invoice|purchase|refund|payroll|budget|funds?|money|bank|iban|swift|sepa|ach|payout|disburse(ment)?|reimburse(ment)?|charge|remit(tance)?|crypto|usdc?|btc|eth|withdraw(al)?)\b|\p{Sc}\s?\d`,
);
/** Where money goes changed: the classic invoice-fraud step. */
const PAYEE_CHANGE = compilePattern(
  String.raw`\b(chang(e|es|ed|ing)|updat(e|es|ed|ing)|replac(e|es|ed|ing)|switch(es|ed|ing)?)\b.{0,40}\b(iban|bank (account|details)|beneficiary|payee|payout (account|method|details)|routing number)\b`,
);
const ACCESS = compilePattern(
  String.raw`\b(permissions?|access control|iam|roles?|security (polic(y|ies)|groups?)|credentials?|secrets?|grant(s|ed|ing)?|sudo(ers)?|superuser|privileges?|mfa|2fa|sso|api (key|token)s?|access (key|token)s?|ssh keys?|passwords?|firewall|acl|public access|service account|oauth)\b`,
);
/** Rights over everything: admin, owner, root. */
const PRIVILEGED = compilePattern(
  String.raw`\b(admins?|administrator(access)?|owners?|ownership|root|sudo(ers)?|superuser|full access|god mode)\b`,
);
/** Rights given, taken or changed. */
const ACCESS_VERB = compilePattern(
  String.raw`\b(grant|give|add|remov|revok|chang|make|promot|assign|elevat|transfer|set|invit)\w*\b`,
);
/** Open to anyone: public links, public buckets, the whole internet. */
const PUBLIC = compilePattern(
  String.raw`\b(public ?read|publicly|make (it |them )?public|anyone with the link|anyone with link|open to (the )?(internet|world|public)|all users of the internet)\b|0\.0\.0\.0/0|::/0`,
);
/** A security control weakened: MFA, SSO, audit logs, encryption, alerts turned off. */
const CONTROL_OFF = compilePattern(
  String.raw`\b(disabl(e|es|ed|ing)|turn(s|ed|ing)? off|switch(es|ed|ing)? off|bypass(es|ed|ing)?|remov(e|es|ed|ing)|skip(s|ped|ping)?)\b.{0,40}\b(mfa|2fa|sso|audit( logs?| logging)?|encryption|logging|alert(s|ing)?|monitoring|backups?|waf|antivirus|firewall)\b|\b(mfa|audit logging|encryption|logging)\b.{0,20}\b(false|off|disabled)\b`,
);
/** A message that leaves: e-mail, SMS, push, posts, press; a send tool call (`send_email`). */
const COMMUNICATION = compilePattern(
  String.raw`\b(e-?mail|mail|text|sms|message|ping|notify|dm|forward|answer|reply to) (the|to|him|her|them|us|a|an|all|every|our|your|their|customers?|users?|clients?|subscribers?|investors?|tenants?|vendors?|partners?|team|board|candidates?|visitors?|everyone)\b|\bsend(s|ing)? (an? |the |our )?(\w+ )?(e-?mails?|mail|sms|texts?|messages?|letters?|notifications?|newsletters?|repl(y|ies)|invit(e|es|ations?)|push|campaign|reminders?|update|notice)\b|\b(reply|respond)(ing)? to\b|\b(newsletter|press release|public statement|tweet|push notification|mailing|mail merge|announcement)s?\b|\bpost(ing)? .{0,40}\bon (twitter|x|linkedin|facebook|instagram|mastodon|bluesky)\b|\bpost (tweet|message|to (twitter|x|linkedin|facebook|instagram))\b|\bpostal mail\b|\bpublish(es|ed|ing)? (the |a |an |our )?(\w+ )?(post|article|press release|blog|announcement|statement|release notes|newsletter|video|podcast)\b`,
);
/**
 * The same in a payload's words, which are a bag (keys and short values in no sentence): only a
 * send verb or a messaging tool name (`send_email`, `post_tweet`, `{"notify": true}`).
 */
const COMMUNICATION_CALL = compilePattern(
  String.raw`\b(send (\w+ )?(e-?mail|mail|sms|text|message|letter|notifications?|newsletter|reply|invite|push|campaign)|post (tweet|message|status|job)|send|tweet|notify|reply|postal mail)\b`,
);
/** Spoken for the company in public. */
const PRESS = compilePattern(String.raw`\b(press( release)?|journalists?|reporters?|media|public statement)\b`);
/** An audience of many outside the company. */
const AUDIENCE = compilePattern(
  String.raw`\b(customers|subscribers|all (app )?users|clients|segment|mailing list|audience|followers|tenants)\b`,
);
/** Personal, financial or health data. */
const SENSITIVE = compilePattern(
  String.raw`\b(pii|personal data|personally identifiable|ssns?|social security|passports?|credit cards?|card numbers?|cardholder|pan|medical|health records?|patients?|gdpr|customer (data|records|list|emails|database)|user (data|records|emails|database))\b`,
);
/** Data leaving its place: export, share, upload, made public. */
const EXPORT = compilePattern(
  String.raw`\b(export(s|ed|ing)?|shar(e|es|ed|ing)|upload(s|ed|ing)?|make (it )?public|public (link|bucket|url)|publicly|download (all|every)|dump(s|ed|ing)?|copy (the |to |into )|pg dump)\b`,
);
/** A destination outside: a vendor, a partner, a personal device, a URL. */
const OUTSIDE = compilePattern(
  String.raw`\b(partners?|vendors?|agency|third[- ]party|external|dropbox|personal|laptop|sftp|https?)\b`,
);
/** Writes to data: updates, inserts, schema changes, backfills. */
const DATA_WRITE = compilePattern(
  String.raw`\b(updat(e|es|ed|ing)|insert(s|ed|ing)?|alter|upsert|backfill(s|ed|ing)?|modif(y|ies|ied)|(create|add) (an )?index)\b`,
);
/** How long data is kept: shortening it deletes data. */
const RETENTION = compilePattern(
  String.raw`\b(retention|ttl|lifecycle (rule|polic(y|ies))|expir(y|ation) polic(y|ies))\b`,
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
const both = (a: string, b: string) => (_f: Facts, _t: unknown, found: ReadonlySet<string>) =>
  found.has(a) && found.has(b);

const RULES: readonly Rule[] = [
  { factor: 'irreversible_action', weight: 2, test: (f) => either(IRREVERSIBLE, f) },
  // Money sent and messages sent cannot be called back either: irreversible, weighed by their own rules.
  { factor: 'irreversible_action', weight: 0, test: (f) => either(SENT, f) },
  { factor: 'service_disruption', weight: 1, test: (f) => either(DISRUPTIVE, f) },
  { factor: 'production_data', weight: 1, test: (f) => either(PRODUCTION, f) },
  // Destruction proper (not a payment or a message, which are irreversible too) in production, or of everything.
  {
    factor: 'destructive_in_production',
    weight: 1,
    test: (f, _t, found) => found.has('production_data') && either(IRREVERSIBLE, f),
  },
  { factor: 'data_modification', weight: 1, test: (f) => hits(DATA_WRITE, f.text) },
  { factor: 'retention_change', weight: 1, test: (f) => either(RETENTION, f) },
  { factor: 'significant_size', weight: 1, test: (f, t) => f.sizesGb.some((g) => g >= t.significantSizeGb) },
  {
    factor: 'financial_transaction',
    weight: 2,
    test: (f) => hits(FINANCIAL, compounds(f.text)) || hits(FINANCIAL, compounds(f.commands)),
  },
  { factor: 'payee_change', weight: 2, test: (f) => hits(PAYEE_CHANGE, f.text) },
  { factor: 'large_amount', weight: 2, test: (f, t) => f.amounts.some((a) => a >= t.largeAmount) },
  // A hundred times the large amount (1 000 000 by default) is critical whatever else is said.
  { factor: 'very_large_amount', weight: 2, test: (f, t) => f.amounts.some((a) => a >= t.largeAmount * 100) },
  // A money field the server cannot read as a number ("50k", "5O,000") counts as a large one.
  { factor: 'unreadable_amount', weight: 2, test: (f) => f.unreadable > 0 },
  { factor: 'access_control_change', weight: 2, test: (f) => either(ACCESS, f) },
  { factor: 'privileged_access', weight: 2, test: (f) => hits(PRIVILEGED, f.text) && hits(ACCESS_VERB, f.text) },
  { factor: 'production_access', weight: 1, test: both('access_control_change', 'production_data') },
  { factor: 'security_control_weakened', weight: 3, test: (f) => either(CONTROL_OFF, f) },
  { factor: 'public_exposure', weight: 3, test: (f) => either(PUBLIC, f) },
  {
    factor: 'external_communication',
    weight: 2,
    test: (f) => hits(COMMUNICATION, f.text) || hits(COMMUNICATION_CALL, f.commands),
  },
  { factor: 'public_statement', weight: 2, test: (f) => hits(PRESS, f.text) && hits(COMMUNICATION, f.text) },
  { factor: 'sensitive_data', weight: 1, test: (f) => either(SENSITIVE, f) },
  { factor: 'data_export', weight: 1, test: (f) => either(EXPORT, f) },
  {
    factor: 'data_exposure',
    weight: 2,
    test: (_f, _t, found) =>
      found.has('sensitive_data') && (found.has('data_export') || found.has('external_communication')),
  },
  { factor: 'external_transfer', weight: 1, test: (f, _t, found) => found.has('data_export') && either(OUTSIDE, f) },
  { factor: 'broad_scope', weight: 1, test: (f) => hits(BROAD, f.text) },
  { factor: 'mass_deletion', weight: 1, test: (f, _t, found) => found.has('broad_scope') && either(IRREVERSIBLE, f) },
  {
    factor: 'mass_communication',
    weight: 1,
    test: (f, _t, found) => found.has('external_communication') && (found.has('broad_scope') || hits(AUDIENCE, f.text)),
  },
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

/**
 * A task's risk as the server records it, and its warnings: the built-in rules (with the agent's
 * claim merged, never lowering), then one level up with `text_payload_mismatch` when the agent's
 * text disagrees with the payload (`textPayloadWarnings`). Policy rules may raise it further
 * (`planGates`). Task creation, the policy dry run and the risk corpus benchmark all rate this way.
 *
 * @example
 * assessTask({ description: 'Refund EUR 24.99', requiredCapabilities: [], payload: { amount: 2499, currency: 'EUR' } })
 * // { risk: { level: 'high', factors: ['irreversible_action', 'financial_transaction', 'text_payload_mismatch'], … }, warnings: [{ claimed: 'EUR 24.99', … }] }
 */
export function assessTask(
  input: RiskInput & { text?: Omit<AgentText, 'description'> },
  claimed?: Partial<RiskAssessment>,
  thresholds?: RiskThresholds,
): { risk: RiskAssessment; warnings: ApprovalWarning[] } {
  const assessed = assessRisk(input, claimed, thresholds);
  const warnings = textPayloadWarnings({ description: input.description, ...input.text }, input.payload);
  return { risk: warnings.length > 0 ? raiseRisk(assessed, 'text_payload_mismatch') : assessed, warnings };
}

/** Keys whose numbers are money. Unknown keys still count when their object names a currency. */
const MONEY_KEY =
  /amount|total|value|price|sum|cost|fee|balance|payment|pay|wire|transfer|funds?|usd|eur|gbp|jpy|chf|cents|credit|debit|salary|budget|limit|payout|refund/i;
/** Keys that name an amount itself (not a date, reference or count about one): an unreadable value there is flagged. */
const AMOUNT_KEY = /amount|total|price|cost|fee|sum|balance|salary|payout|refund|cents/i;
const NOT_AMOUNT_KEY = /ids?$|date|time|_at$|At$|ref|code|count|currency|number|no$|cent(re|er)/;
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
