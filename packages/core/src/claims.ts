/**
 * Where the agent's text and the payload disagree. The approver reads "Refund EUR 24.99 to customer
 * C-1042"; what executes is the payload. Every amount, currency, number, identifier (IBAN, e-mail
 * address, hostname, order/customer/account id) and environment name the text mentions is looked up
 * in the payload; one that is absent, or that the payload states differently, becomes a
 * `text_payload_mismatch` warning (documented in docs/risk.md, with what is not detected).
 *
 * Strict on purpose: a text amount matches a payload number only when it is equal, or equal to it
 * divided by 100 where the payload declares minor units (`minorUnits: true` beside or above it, or a
 * key ending in `cents`/`minor`). `24.99` is never `2499` by guesswork.
 *
 * Bounded on hostile input: text is tokenised by one RE2 pattern (linear time), at most
 * `MAX_MATCHED_TEXT` characters per source; the payload walk stops after `MAX_NODES` values and
 * `MAX_PAYLOAD_CHARS` characters of strings; at most `MAX_WARNINGS` warnings come out.
 */
import { RE2JS } from 're2js';
import type { ApprovalWarning } from './model.js';
import { foldConfusables, readNumber } from './normalize.js';
import { MAX_MATCHED_TEXT } from './pattern.js';

/** What the agent wrote about a task or an in-run decision. */
export interface AgentText {
  description?: string | null;
  /** `aiProposal.action`, or an in-run decision's action. */
  action?: string | null;
  reasoning?: string | null;
}

type Source = 'description' | 'action' | 'reasoning';

/** At most this many warnings (the first ones in text order): a wall of warnings helps nobody. */
export const MAX_WARNINGS = 20;
/** The payload walk reads at most this many values… */
const MAX_NODES = 20_000;
/** …and this many characters of strings and keys. */
const MAX_PAYLOAD_CHARS = 512 * 1024;
/** A displayed payload value is cut here. */
const SHOWN = 120;

const CURRENCY_CODES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toUpperCase()));
/** Three-letter codes that are English words in upper case ("delete ALL 3 files"): not currencies in text. */
const WORD_CODES = new Set(['ALL', 'TOP', 'CUP', 'MOP', 'SOS']);
/** Codes a text may name on their own ("convert to USD"); other codes count next to a figure only. */
const COMMON_CODES = 'USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|CNY|INR|SEK|NOK|DKK|PLN|CZK|HUF|SGD|HKD|MXN|BRL|ZAR';
/** What a currency symbol may stand for; a symbol not listed stands for any currency. */
const SYMBOLS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    $: ['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD', 'MXN'],
    '€': ['EUR'],
    '£': ['GBP'],
    '¥': ['JPY', 'CNY'],
    '₹': ['INR'],
    '₩': ['KRW'],
    '₽': ['RUB'],
    '₺': ['TRY'],
    '₪': ['ILS'],
    '₴': ['UAH'],
    '₦': ['NGN'],
    '₱': ['PHP'],
    '฿': ['THB'],
    '₿': ['BTC'],
  }),
);
/** Environment names, by what they mean: `prod` and `production` are one environment. */
const ENVIRONMENTS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    prod: 'production',
    production: 'production',
    prd: 'production',
    staging: 'staging',
    stg: 'staging',
    preprod: 'pre-production',
    'pre-prod': 'pre-production',
    'pre-production': 'pre-production',
    uat: 'uat',
    sandbox: 'sandbox',
    dev: 'development',
  }),
);
/** Two-label names count as hostnames only under these endings (`report.pdf`, `Node.js` are not hosts). */
const TLDS =
  /^(com|net|org|io|dev|app|cloud|internal|local|lan|corp|co|ai|eu|uk|de|fr|nl|ch|us|ca|au|jp|in|es|it|se|no|dk|pl|gov|edu|mil|biz|info|xyz|tech|site)$/i;
/** A figure followed by a unit (`500GB`, `24h`, `3x`): a quantity, not an identifier. */
const QUANTITY = /^\d+(?:\.\d+)?[a-z]{1,3}$/i;

const NUM = String.raw`\d(?:[\d,.']*\d)?`;
const CODE = '[A-Z]{3}|(?i:usd|eur|gbp|jpy|chf|cad|aud)';
/**
 * One pass over the text, leftmost-first: e-mail, IBAN, money (currency before or after a figure),
 * a currency named alone, digits joined by `-`, `/` or `:` (dates, phone numbers), a figure, a dotted
 * name (hostnames, files, versions), a word joined by `-_/:#` (ids like `C-1042`), any other word.
 */
const TOKENS = RE2JS.compile(
  [
    String.raw`(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)`,
    String.raw`(?P<iban>\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)`,
    String.raw`(?:(?P<sym1>\p{Sc})|\b(?P<code1>${CODE})) ?(?P<num1>${NUM})\b`,
    String.raw`\b(?P<num2>${NUM}) ?(?:(?P<sym2>\p{Sc})|(?P<code2>${CODE})\b)`,
    String.raw`\b(?P<ccy>${COMMON_CODES})\b`,
    String.raw`\b(?P<digits>\d+(?:[-/:]\d+)+)\b`,
    String.raw`\b(?P<num>${NUM})\b`,
    String.raw`\b(?P<dotted>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)\b`,
    String.raw`\b(?P<joined>[A-Za-z0-9]+(?:[-_/:#][A-Za-z0-9]+)+)\b`,
    String.raw`\b(?P<word>[A-Za-z0-9]+)\b`,
  ].join('|'),
);

/** A claim the text makes, in the text's words (`raw`). */
type Claim =
  | { kind: 'money'; raw: string; amount: string; currencies: readonly string[] | null }
  | { kind: 'currency'; raw: string; currencies: readonly string[] }
  | { kind: 'number'; raw: string }
  | { kind: 'identifier'; raw: string; type: 'iban' | 'email' | 'hostname' | 'id' }
  | { kind: 'environment'; raw: string; env: string };

/** Currencies a symbol or code stands for; null for a symbol that could be any. */
function currenciesOf(sym: string | null, code: string | null): readonly string[] | null | undefined {
  if (sym !== null) return SYMBOLS.get(sym) ?? null;
  const c = (code as string).toUpperCase();
  return CURRENCY_CODES.has(c) && !WORD_CODES.has(c) ? [c] : undefined;
}

function moneyClaim(m: Record<string, string | null>, n: 1 | 2, raw: string): Claim | null {
  const num = m[`num${n}`];
  if (!num) return null;
  const currencies = currenciesOf(m[`sym${n}`] ?? null, m[`code${n}`] ?? null);
  // "ABC 123" with no currency ABC: only the figure is a claim.
  if (currencies === undefined) return { kind: 'number', raw: num };
  return { kind: 'money', raw, amount: num, currencies };
}

/** A dotted name: a decimal, a host (3 labels, or 2 under a known ending), a versioned or numbered file. */
function dottedClaim(raw: string): Claim | null {
  if (!/[A-Za-z]/.test(raw)) return { kind: 'number', raw };
  const labels = raw.split('.');
  if (labels.every((l) => l.length <= 1)) return null; // e.g., i.e
  if (labels.length >= 3 || TLDS.test(labels.at(-1) as string))
    return { kind: 'identifier', raw, type: /^v?\d/.test(raw) ? 'id' : 'hostname' };
  return /\d/.test(raw) ? { kind: 'identifier', raw, type: 'id' } : null;
}

function wordClaim(raw: string): Claim | null {
  const env = ENVIRONMENTS.get(raw.toLowerCase());
  if (env !== undefined) return { kind: 'environment', raw, env };
  // Letters and digits together (`ORD88231`) are an id when they carry at least 3 digits.
  if (/[A-Za-z]/.test(raw) && (raw.match(/\d/g)?.length ?? 0) >= 3 && !QUANTITY.test(raw))
    return { kind: 'identifier', raw, type: 'id' };
  return null;
}

function classify(g: Record<string, string | null>, raw: string): Claim | null {
  if (g.email) return { kind: 'identifier', raw, type: 'email' };
  if (g.iban) return { kind: 'identifier', raw, type: 'iban' };
  if (g.num1 || g.num2) return moneyClaim(g, g.num1 ? 1 : 2, raw);
  if (g.ccy) return { kind: 'currency', raw, currencies: [g.ccy] };
  if (g.digits) return { kind: 'identifier', raw, type: 'id' };
  if (g.num) return { kind: 'number', raw };
  if (g.dotted) return dottedClaim(raw);
  if (g.joined) {
    const env = ENVIRONMENTS.get(raw.toLowerCase());
    if (env !== undefined) return { kind: 'environment', raw, env };
    return /\d/.test(raw) && raw.length >= 4 ? { kind: 'identifier', raw, type: 'id' } : null;
  }
  return wordClaim(raw);
}

/**
 * The claims a text makes, in order. The text is read as it reads (invisibles removed, confusables
 * folded to ASCII), so `С-1042` with a Cyrillic С is the id `C-1042`.
 *
 * @example
 * textClaims('Refund EUR 24.99 to C-1042').map((c) => c.raw) // ['EUR 24.99', 'C-1042']
 */
export function textClaims(text: string, limit = MAX_WARNINGS * 4): Claim[] {
  const folded = foldConfusables(text.slice(0, MAX_MATCHED_TEXT));
  const m = TOKENS.matcher(folded);
  const out: Claim[] = [];
  while (out.length < limit && m.find()) {
    const claim = classify(m.getNamedGroups(), m.group() as string);
    if (claim) out.push(claim);
  }
  return out;
}

/** A number in the payload, where it is, and whether it is in minor units (cents). */
interface PayloadNumber {
  at: string;
  values: number[];
  minor: boolean;
  shown: string;
  moneyKey: boolean;
}
interface PayloadString {
  at: string;
  /** As matching reads it: confusables folded, lower case. */
  text: string;
  shown: string;
}
/** What the payload says, gathered once per check. */
interface PayloadFacts {
  numbers: PayloadNumber[];
  strings: PayloadString[];
  currencies: { at: string; code: string }[];
}

const pointer = (at: string, key: string | number) => `${at}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
const MINOR_KEY = /(cents|minor)$/i;
const MINOR_FLAG = /^minor_?units$/i;
const CURRENCY_KEY = /currenc|^ccy$|_ccy$/i;
const MONEY_KEY = /amount|total|price|sum|cost|fee|balance|payment|payout|refund|value|cents|minor/i;
const show = (s: string) => (s.length > SHOWN ? `${s.slice(0, SHOWN)}…` : s);

/** Payload strings holding figures are read for money in them up to this many characters in all. */
const MAX_READ_STRINGS = 64 * 1024;

/**
 * Money and figures written inside a payload string (`"refund €24.99"`, `"24.99 EUR"`): they are
 * the payload's too, read by the same tokens as the text.
 */
function addWritten(f: PayloadFacts, v: string, at: string, minor: boolean, moneyKey: boolean): void {
  for (const c of textClaims(v)) {
    const figure = c.kind === 'money' ? c.amount : c.kind === 'number' ? c.raw : undefined;
    const r = figure === undefined ? undefined : readNumber(figure);
    if (r?.kind === 'number') f.numbers.push({ at, values: r.values, minor, shown: show(v), moneyKey });
    if ((c.kind === 'money' || c.kind === 'currency') && c.currencies !== null)
      for (const code of c.currencies) f.currencies.push({ at, code });
  }
}

/** Records one scalar of the payload (`key` is the member name it sits under, if any). */
function addScalar(f: PayloadFacts, v: unknown, at: string, key: string, minor: boolean, budget: number): number {
  if (typeof v === 'number' || typeof v === 'string') {
    const r = readNumber(v);
    if (r.kind === 'number')
      f.numbers.push({
        at,
        values: r.values,
        minor: minor || MINOR_KEY.test(key),
        shown: show(String(v)),
        moneyKey: MONEY_KEY.test(key),
      });
  }
  // A number is also text as JSON writes it: `5e-7` in the text is found there.
  if (typeof v === 'number') f.strings.push({ at, text: String(v).toLowerCase(), shown: String(v) });
  if (typeof v !== 'string') return 0;
  const folded = foldConfusables(v);
  f.strings.push({ at, text: folded.toLowerCase(), shown: show(v) });
  const code = v.trim().toUpperCase();
  const symbol = SYMBOLS.get(v.trim());
  if (CURRENCY_CODES.has(code) && (CURRENCY_KEY.test(key) || v.trim() === code)) f.currencies.push({ at, code });
  else if (symbol) for (const c of symbol) f.currencies.push({ at, code: c });
  if (/\d/.test(folded) && v.length <= budget) {
    addWritten(f, folded, at, minor || MINOR_KEY.test(key), MONEY_KEY.test(key));
    return v.length;
  }
  return 0;
}

/**
 * The payload's numbers, strings (and keys) and currencies, walked iteratively and bounded. Minor
 * units are declared by `minorUnits: true` in an object (for it and what it holds) or by a key
 * ending in `cents`/`minor`.
 *
 * @example
 * payloadFacts({ amount: 2499, currency: 'EUR', minorUnits: true }).numbers[0] // { at: '/amount', values: [2499], minor: true, … }
 */
export function payloadFacts(payload: unknown): PayloadFacts {
  const f: PayloadFacts = { numbers: [], strings: [], currencies: [] };
  const stack: { v: unknown; at: string; key: string; minor: boolean }[] = [
    { v: payload, at: '', key: '', minor: false },
  ];
  let nodes = 0;
  let chars = 0;
  let written = 0;
  while (stack.length > 0 && nodes < MAX_NODES && chars < MAX_PAYLOAD_CHARS) {
    const { v, at, key, minor } = stack.pop() as (typeof stack)[number];
    nodes++;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], at: pointer(at, i), key, minor });
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      const inMinor = minor || entries.some(([k, x]) => MINOR_FLAG.test(k) && x === true);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i] as [string, unknown];
        f.strings.push({ at: pointer(at, k), text: foldConfusables(k).toLowerCase(), shown: show(k) });
        chars += k.length;
        stack.push({ v: x, at: pointer(at, k), key: k, minor: inMinor });
      }
    } else {
      const read = addScalar(f, v, at, key, minor, MAX_READ_STRINGS - written);
      written += read;
      chars += typeof v === 'string' ? v.length : 0;
    }
  }
  return f;
}

const WORDISH = /[a-z0-9]/;
const classOf = (c: string | undefined) => (c === undefined ? '' : /\d/.test(c) ? 'd' : WORDISH.test(c) ? 'a' : '');

/**
 * Whether `needle` occurs in `hay` as a whole: the characters beside it are not of the same kind
 * (letter or digit) as its own edges, so `C-1042` is not found in `C-10420` but `2024-01-05` is
 * found in `2024-01-05T10:00Z`.
 */
function containsToken(hay: string, needle: string): boolean {
  if (needle === '') return false;
  let i = hay.indexOf(needle);
  while (i >= 0) {
    const before = classOf(hay[i - 1]);
    const after = classOf(hay[i + needle.length]);
    if ((before === '' || before !== classOf(needle[0])) && (after === '' || after !== classOf(needle.at(-1))))
      return true;
    i = hay.indexOf(needle, i + 1);
  }
  return false;
}

const sameNumber = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** The payload numbers a text figure stands for: equal, or equal to it in minor units where declared. */
function numberMatches(f: PayloadFacts, figure: string): PayloadNumber | undefined {
  const r = readNumber(figure);
  if (r.kind !== 'number') return undefined;
  return f.numbers.find((n) =>
    r.values.some((t) =>
      n.values.some(
        (v) => sameNumber(Math.abs(t), Math.abs(v)) || (n.minor && sameNumber(Math.abs(t) * 100, Math.abs(v))),
      ),
    ),
  );
}

/** What a check found wrong with one claim (before it becomes a warning). */
interface Finding {
  claimed: string;
  message: string;
  field?: string;
  actual: string | null;
}

const SOURCE_NAME: Record<Source, string> = {
  description: 'The description',
  action: 'The agent’s proposed action',
  reasoning: 'The agent’s reasoning',
};

function checkMoney(f: PayloadFacts, c: Extract<Claim, { kind: 'money' }>, who: string): Finding[] {
  const out: Finding[] = [];
  if (!numberMatches(f, c.amount)) {
    const near = f.numbers.find((n) => n.moneyKey) ?? undefined;
    out.push({
      claimed: c.raw,
      message: near
        ? `${who} says ${c.raw}, but the payload’s amount is ${near.shown} at ${near.at}${near.minor ? ' (minor units)' : ''}.`
        : `${who} says ${c.raw}, but no payload value is ${c.amount}.`,
      ...(near ? { field: near.at } : {}),
      actual: near?.shown ?? null,
    });
  }
  if (c.currencies !== null) out.push(...checkCurrency(f, { raw: c.raw, currencies: c.currencies }, who));
  return out;
}

function checkCurrency(f: PayloadFacts, c: { raw: string; currencies: readonly string[] }, who: string): Finding[] {
  if (f.currencies.some((x) => c.currencies.includes(x.code))) return [];
  const other = f.currencies[0];
  const said = c.currencies.length === 1 ? (c.currencies[0] as string) : c.raw;
  return [
    {
      claimed: said,
      message: other
        ? `${who} says ${said}, but the payload’s currency is ${other.code} at ${other.at}.`
        : `${who} says ${said}, but the payload names no currency.`,
      ...(other ? { field: other.at } : {}),
      actual: other?.code ?? null,
    },
  ];
}

function checkNumber(f: PayloadFacts, raw: string, who: string): Finding[] {
  if (numberMatches(f, raw)) return [];
  // A figure also matches where a payload string holds it as a whole (`order 12345` → `ORD-12345`).
  if (f.strings.some((s) => containsToken(s.text, raw.toLowerCase()))) return [];
  return [{ claimed: raw, message: `${who} mentions ${raw}, but no payload value is ${raw}.`, actual: null }];
}

const IBAN_LIKE = /\b[a-z]{2}\d{2}[a-z0-9]{11,30}\b/;
const EMAIL_LIKE = /[a-z0-9._%+-]+@[a-z0-9.-]+/;

function checkIdentifier(f: PayloadFacts, c: Extract<Claim, { kind: 'identifier' }>, who: string): Finding[] {
  const squash = (s: string) => (c.type === 'iban' ? s.replace(/\s+/g, '') : s);
  const needle = squash(c.raw.toLowerCase());
  const found = (n: string) => f.strings.some((s) => containsToken(squash(s.text), n));
  // A version may be written with or without its `v`.
  if (found(needle) || (/^v\d/.test(needle) && found(needle.slice(1)))) return [];
  const kind = c.type === 'iban' ? 'IBAN' : c.type === 'email' ? 'e-mail address' : undefined;
  const like = c.type === 'iban' ? IBAN_LIKE : c.type === 'email' ? EMAIL_LIKE : undefined;
  const other = like ? f.strings.find((s) => like.test(squash(s.text))) : undefined;
  return [
    {
      claimed: c.raw,
      message:
        other && kind
          ? `${who} names ${c.raw}, but the payload’s ${kind} is ${other.shown} at ${other.at}.`
          : `${who} names ${c.raw}, which the payload does not contain.`,
      ...(other ? { field: other.at } : {}),
      actual: other?.shown ?? null,
    },
  ];
}

const ENV_WORD = RE2JS.compile(String.raw`\b(${[...ENVIRONMENTS.keys()].join('|')})\b`);

function payloadEnvironments(f: PayloadFacts): { at: string; env: string; shown: string }[] {
  const out: { at: string; env: string; shown: string }[] = [];
  for (const s of f.strings) {
    const m = ENV_WORD.matcher(s.text);
    while (m.find())
      out.push({ at: s.at, env: ENVIRONMENTS.get(m.group(1) as string) as string, shown: m.group(1) as string });
  }
  return out;
}

function checkEnvironment(f: PayloadFacts, c: Extract<Claim, { kind: 'environment' }>, who: string): Finding[] {
  const envs = payloadEnvironments(f);
  if (envs.some((e) => e.env === c.env)) return [];
  const other = envs[0];
  return [
    {
      claimed: c.raw,
      message: other
        ? `${who} says ${c.raw}, but the payload names ${other.shown} at ${other.at}.`
        : `${who} says ${c.raw}, but the payload names no environment.`,
      ...(other ? { field: other.at } : {}),
      actual: other?.shown ?? null,
    },
  ];
}

function check(f: PayloadFacts, c: Claim, who: string): Finding[] {
  switch (c.kind) {
    case 'money':
      return checkMoney(f, c, who);
    case 'currency':
      return checkCurrency(f, c, who);
    case 'number':
      return checkNumber(f, c.raw, who);
    case 'identifier':
      return checkIdentifier(f, c, who);
    case 'environment':
      return checkEnvironment(f, c, who);
  }
}

/**
 * The `text_payload_mismatch` warnings of a task or an in-run decision: each claim of the agent's
 * text (description, proposed action, reasoning) that the payload does not bear out, once (the first
 * source that makes it), at most `MAX_WARNINGS`. A task without a payload (`{}`) gets none: its text
 * is all there is. Pure; never throws on any JSON payload.
 *
 * @example
 * textPayloadWarnings({ description: 'Refund EUR 24.99 to customer C-1042' }, { amount: 2499, currency: 'EUR' })
 * // [{ code: 'text_payload_mismatch', claimed: 'EUR 24.99', actual: '2499', field: '/amount', source: 'description', … },
 * //  { code: 'text_payload_mismatch', claimed: 'C-1042', actual: null, source: 'description', … }]
 */
export function textPayloadWarnings(text: AgentText, payload: unknown): ApprovalWarning[] {
  // No payload (absent, `{}` or `[]`): the text is the whole request, there is nothing to disagree with.
  if (payload == null || (typeof payload === 'object' && Object.keys(payload).length === 0)) return [];
  const facts = payloadFacts(payload);
  const out: ApprovalWarning[] = [];
  const seen = new Set<string>();
  for (const source of ['description', 'action', 'reasoning'] as const) {
    const t = text[source];
    if (typeof t !== 'string' || t === '') continue;
    for (const claim of textClaims(t)) {
      // Reasoning is the agent's evidence ("3 restarts in the last hour"), not the action: its bare
      // figures are not claims about the payload; its amounts, ids and environments are.
      if (source === 'reasoning' && claim.kind === 'number') continue;
      for (const finding of check(facts, claim, SOURCE_NAME[source])) {
        const key = `${claim.kind}:${finding.claimed.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ code: 'text_payload_mismatch', source, ...finding });
        if (out.length >= MAX_WARNINGS) return out;
      }
    }
  }
  return out;
}
