/**
 * What the approver sees is what executes: one rendering of a payload for every channel (Slack,
 * e-mail, the confirmation page, the console, the CLI, MCP). Every leaf of the payload is either
 * shown — labelled and formatted, edits marked, long values cut with the number of characters not
 * shown — or counted in `hiddenFields`; a display that could not show everything is `tooLarge`, and
 * channels then offer no one-click decision. Pure: the same payload, template and limits give the
 * same text on every channel and machine (a fixed locale, UTC dates).
 */

import type { RiskAssessment } from './model.js';
import type { PolicyRule } from './policy.js';
import { ruleMatch } from './policy.js';
import { revealInvisible } from './text.js';

/** How a field's value is written. */
export type DisplayFormat = 'money' | 'date' | 'identifier' | 'number' | 'text' | 'boolean' | 'json';

export const DISPLAY_FORMATS: readonly DisplayFormat[] = [
  'money',
  'date',
  'identifier',
  'number',
  'text',
  'boolean',
  'json',
];

/** One shown field: where it is (an RFC 6901 JSON pointer), its label and its value as text. */
export interface DisplayField {
  path: string;
  label: string;
  text: string;
  format: DisplayFormat;
  /** A human changed this field (or something inside it) from what the agent proposed. */
  edited: boolean;
  /** Characters (code points) of the value not shown in `text`: 0 when it is whole. */
  truncated: number;
}

/** A payload as every channel shows it. */
export interface PayloadDisplay {
  fields: DisplayField[];
  /** Leaves of the payload not listed (over the channel's field limit). */
  hiddenFields: number;
  /** The payload could not be shown whole: no one-click decision, open it in the console instead. */
  tooLarge: boolean;
  /** The policy's display template used, by id; null when none matched. */
  template: string | null;
}

/** One field of a display template: where, how it is labelled and formatted. */
export interface DisplayFieldTemplate {
  /** RFC 6901 JSON pointer into the payload (`/amount`, `/beneficiary/iban`). */
  path: string;
  label?: string;
  format?: DisplayFormat;
  /** `money`: where the ISO 4217 currency code is in the payload (`/currency`). */
  currencyPath?: string;
  /** `money`: a fixed ISO 4217 currency code, when the payload has none. */
  currency?: string;
  /** `money`: the amount is in the currency's minor units (cents): 2499 EUR reads "EUR 24.99". */
  minorUnits?: boolean;
}

/** A policy's display template: for tasks its matcher (the rules' syntax) matches, which fields come first and how. */
export interface DisplayTemplate {
  id: string;
  description?: string;
  match: PolicyRule['match'];
  fields: DisplayFieldTemplate[];
}

/** The limits of one channel, and what to mark. */
export interface RenderOptions {
  template?: Pick<DisplayTemplate, 'id' | 'fields'> | null;
  /** JSON pointers of what a human edited (`""`: the whole payload). */
  edited?: readonly string[];
  /** At most this many fields are listed (default 50). */
  maxFields?: number;
  /** At most this many characters of one value are shown (default 500). */
  maxChars?: number;
}

/** Default limits: what a chat message or an e-mail shows before it says "open in HumanOS". */
export const MESSAGE_LIMITS = { maxFields: 30, maxChars: 300 } as const;
/** Limits of the console's view (it has the whole payload beside it). */
export const CONSOLE_LIMITS = { maxFields: 500, maxChars: 10_000 } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The RFC 6901 pointer of `key` under `path`. */
export function pointerOf(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Whether `s` is a syntactically valid RFC 6901 JSON pointer. */
export function isJsonPointer(s: string): boolean {
  return s === '' || (s.startsWith('/') && !/~[^01]|~$/.test(s));
}

/** The value at an RFC 6901 pointer, or undefined when there is none. */
export function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  if (!isJsonPointer(pointer)) return undefined;
  let v: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(v)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= v.length) return undefined;
      v = v[Number(key)];
    } else if (isObject(v) && Object.hasOwn(v, key)) v = v[key];
    else return undefined;
  }
  return v;
}

/** Keys in the order canonical JSON (RFC 8785) writes them: by UTF-16 code units. */
const canonicalKeys = (o: Record<string, unknown>) => Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Every leaf of a JSON value with its pointer, in canonical order: primitives, and empty objects and
 * arrays (a removed list still shows as `[]`). Iterative, so a deep payload cannot overflow the stack.
 *
 * @example
 * payloadLeaves({ b: [1], a: {} }) // [['/a', {}], ['/b/0', 1]]
 */
export function payloadLeaves(payload: unknown, at = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  const stack: [string, unknown][] = [[at, payload]];
  while (stack.length > 0) {
    const [path, v] = stack.pop() as [string, unknown];
    const children: [string, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [pointerOf(path, i), x])
      : isObject(v)
        ? canonicalKeys(v).map((k) => [pointerOf(path, k), v[k]])
        : [];
    if (children.length === 0) out.push([path, v]);
    else for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as [string, unknown]);
  }
  return out;
}

/** Words a label writes in capitals. */
const ACRONYMS = new Set(['id', 'iban', 'bic', 'swift', 'url', 'uri', 'ip', 'api', 'vat', 'sku', 'uuid', 'dns', 'sql']);

/** `customerId` / `customer_id` → `Customer ID`; a pointer's segments joined with ` › `, array items numbered from 1. */
export function humanLabel(path: string): string {
  if (path === '') return 'Payload';
  return path
    .slice(1)
    .split('/')
    .map((raw) => {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (/^(0|[1-9]\d*)$/.test(key)) return `#${Number(key) + 1}`;
      const words = key
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .replace(/[_-]+/g, ' ')
        .trim()
        .toLowerCase()
        .split(' ')
        .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w))
        .join(' ');
      return words ? words.charAt(0).toUpperCase() + words.slice(1) : key;
    })
    .join(' › ');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * An ISO 8601 date or date-time as unambiguous text: `Sun 6 Dec 2026` or `Sun 6 Dec 2026 13:00:00 UTC`
 * (a time with an offset is converted to UTC); undefined when `s` is not one.
 */
export function formatDate(s: string): string | undefined {
  const d = ISO_DATE.exec(s);
  const two = (n: number) => String(n).padStart(2, '0');
  if (d) {
    const t = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])));
    if (t.getUTCMonth() !== Number(d[2]) - 1 || t.getUTCDate() !== Number(d[3])) return undefined;
    return `${DAYS[t.getUTCDay()]} ${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()}`;
  }
  if (!ISO_TIME.test(s)) return undefined;
  const t = new Date(s.replace(' ', 'T'));
  if (Number.isNaN(t.getTime())) return undefined;
  const time = `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
  return `${DAYS[t.getUTCDay()]} ${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ${time} UTC`;
}

/** ISO 4217 codes Intl knows (it formats any three letters; `XYZ` is not money). */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** The minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0), or undefined when Intl does not know it. */
export function currencyDigits(currency: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(currency) || !KNOWN_CURRENCIES.has(currency)) return undefined;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return undefined;
  }
}

/** An integer amount of minor units as an exact decimal string (2499, 2 → "24.99"). */
function fromMinorUnits(amount: number, digits: number): string {
  const neg = amount < 0;
  const s = BigInt(Math.abs(amount))
    .toString()
    .padStart(digits + 1, '0');
  const whole = digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  return `${neg ? '-' : ''}${whole}`;
}

/**
 * Money with its currency code, in a fixed locale (`en`) so every channel writes it alike:
 * `formatMoney(2499, 'EUR', true)` → `EUR 24.99`, `formatMoney(2499, 'EUR', false)` → `EUR 2,499.00`.
 * Undefined when the amount is not a finite number (or, in minor units, not a safe integer) or the
 * currency is unknown.
 */
export function formatMoney(amount: unknown, currency: string, minorUnits: boolean): string | undefined {
  const digits = currencyDigits(currency);
  if (digits === undefined || typeof amount !== 'number' || !Number.isFinite(amount)) return undefined;
  if (minorUnits && !Number.isSafeInteger(amount)) return undefined;
  const exact = minorUnits ? fromMinorUnits(amount, digits) : String(amount);
  const nf = new Intl.NumberFormat('en', {
    style: 'currency',
    currency,
    currencyDisplay: 'code',
    minimumFractionDigits: digits,
    maximumFractionDigits: 20,
  });
  // Intl.NumberFormat v3 takes a decimal string exactly; a number would round past 2^53.
  return nf.format(exact as unknown as number).replace(/\s/gu, ' ');
}

const IDENTIFIER = [
  /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, // IBAN
  /^[^\s@]+@[^\s@]+\.[^\s@]+$/, // e-mail address
  /^(?=.*[.:])[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$/i, // hostname
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // UUID
  /^(?=.*\d)[A-Za-z0-9][A-Za-z0-9._:/#-]{1,127}$/, // ids: order, account, customer (a digit, no spaces)
];

/** Which format a value gets when no template names one. */
export function detectFormat(v: unknown): DisplayFormat {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v !== 'string') return 'json';
  if (formatDate(v) !== undefined) return 'date';
  return IDENTIFIER.some((r) => r.test(v)) ? 'identifier' : 'text';
}

/** A value as JSON text (what a `json` field shows); never throws. */
function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The text of one value in one format; a format the value cannot take falls back to its own. */
function formatValue(
  v: unknown,
  format: DisplayFormat,
  t: DisplayFieldTemplate | undefined,
  payload: unknown,
): { format: DisplayFormat; text: string } {
  if (format === 'money') {
    const cur = t?.currencyPath !== undefined ? valueAt(payload, t.currencyPath) : t?.currency;
    const text = typeof cur === 'string' ? formatMoney(v, cur, t?.minorUnits === true) : undefined;
    if (text !== undefined) return { format, text };
    return formatValue(v, detectFormat(v), undefined, payload);
  }
  if (format === 'date' && typeof v === 'string') {
    const text = formatDate(v);
    if (text !== undefined) return { format, text };
  }
  // Numbers exactly as JSON writes them: an order number is never regrouped or rounded.
  if (format === 'number' && typeof v === 'number') return { format, text: String(v) };
  if (format === 'boolean' && typeof v === 'boolean') return { format, text: String(v) };
  if ((format === 'identifier' || format === 'text') && typeof v === 'string') return { format, text: v };
  if (format === 'json') return { format, text: jsonText(v) };
  if (format === 'text' && (typeof v === 'number' || typeof v === 'boolean')) return { format, text: String(v) };
  const own = detectFormat(v);
  return own === format ? { format, text: jsonText(v) } : formatValue(v, own, undefined, payload);
}

/** `text` cut to `max` code points; the number of code points left out. Invisible characters are revealed first. */
function cut(text: string, max: number): { text: string; truncated: number } {
  const chars = Array.from(revealInvisible(text));
  if (chars.length <= max) return { text: chars.join(''), truncated: 0 };
  return { text: chars.slice(0, Math.max(0, max)).join(''), truncated: chars.length - Math.max(0, max) };
}

/** Whether a pointer lies inside (or is) another. */
const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);

/**
 * Renders a payload for a human: the template's fields first (in its order, with its labels and
 * formats), then every other leaf in canonical key order; values longer than `maxChars` are cut
 * (`truncated` says by how much) and fields beyond `maxFields` are counted in `hiddenFields` (and make
 * the display `tooLarge`). A field is `edited` when an edited pointer lies inside it or contains it.
 * Never throws.
 *
 * @example
 * renderPayload({ amount: 2499, currency: 'EUR', iban: 'DE89370400440532013000' }, {
 *   template: { id: 'refunds', fields: [{ path: '/amount', label: 'Amount', format: 'money', currencyPath: '/currency', minorUnits: true }] },
 * }).fields.map((f) => `${f.label}: ${f.text}`);
 * // ['Amount: EUR 24.99', 'Iban: DE89370400440532013000']
 */
export function renderPayload(payload: unknown, options: RenderOptions = {}): PayloadDisplay {
  const maxFields = Math.max(0, Math.floor(options.maxFields ?? 50));
  const maxChars = Math.max(1, Math.floor(options.maxChars ?? 500));
  const edited = options.edited ?? [];
  const covered: string[] = [];
  const planned: { path: string; value: unknown; covers: string[]; t?: DisplayFieldTemplate }[] = [];
  for (const t of options.template?.fields ?? []) {
    const value = valueAt(payload, t.path);
    if (value === undefined || covered.some((c) => within(t.path, c))) continue;
    // A money field shows its currency too: that leaf is not listed again.
    const currency = t.format === 'money' && t.currencyPath !== undefined ? t.currencyPath : undefined;
    const code = currency === undefined ? undefined : valueAt(payload, currency);
    const shows = typeof code === 'string' && formatMoney(value, code, t.minorUnits === true) !== undefined;
    const covers = shows && currency !== undefined ? [t.path, currency] : [t.path];
    planned.push({ path: t.path, value, covers, t });
    covered.push(...covers);
  }
  const leaves = payloadLeaves(payload);
  for (const [path, value] of leaves) {
    if (!covered.some((c) => within(path, c))) planned.push({ path, value, covers: [path] });
  }
  const shown = planned.slice(0, maxFields);
  const fields = shown.map(({ path, value, covers, t }): DisplayField => {
    const { format, text } = formatValue(value, t?.format ?? detectFormat(value), t, payload);
    const paths = format === 'money' ? covers : [path];
    return {
      path,
      label: t?.label ?? humanLabel(path),
      format,
      edited: edited.some((e) => paths.some((p) => within(e, p) || within(p, e))),
      ...cut(text, maxChars),
    };
  });
  // Exactly the leaves no listed field shows.
  const showing = shown.flatMap((f) => f.covers);
  const hidden =
    planned.length <= maxFields ? 0 : leaves.filter(([path]) => !showing.some((c) => within(path, c))).length;
  return { fields, hiddenFields: hidden, tooLarge: hidden > 0, template: options.template?.id ?? null };
}

/** What a cut value says after its text, in every channel. */
export function moreCharacters(n: number): string {
  return `${n} more character${n === 1 ? '' : 's'} — open in HumanOS`;
}

/** What a display with hidden fields says, in every channel. */
export function moreFields(n: number): string {
  return `${n} more field${n === 1 ? '' : 's'} not shown — open in HumanOS`;
}

/**
 * A display as plain text lines, one per field (`Amount: EUR 24.99 (edited)`), for the text
 * channels (CLI, MCP, the e-mail's text part); `link` is appended where something is not shown.
 *
 * @example
 * displayLines(renderPayload({ amount: 5 })) // ['Amount: 5']
 */
export function displayLines(display: PayloadDisplay, link?: string | null): string[] {
  const where = link ? `: ${link}` : '';
  const lines = display.fields.map(
    (f) =>
      `${f.label}: ${f.text}${f.truncated > 0 ? `… (${moreCharacters(f.truncated)}${where})` : ''}${f.edited ? ' (edited)' : ''}`,
  );
  if (display.hiddenFields > 0) lines.push(`… ${moreFields(display.hiddenFields)}${where}`);
  if (display.fields.length === 0 && display.hiddenFields === 0) lines.push('(empty payload)');
  return lines;
}

/** The task a template is chosen for (what the rules match on). */
export interface DisplayTask {
  description: string;
  requiredCapabilities: readonly string[];
  payload: unknown;
}

/**
 * The first of the policy's display templates whose matcher matches the task — the same matcher the
 * policy rules use (`ruleMatch`) — or null.
 *
 * @example
 * displayTemplate(policy.display, { description: 'Refund', requiredCapabilities: ['refunds'], payload }, risk)
 */
export function displayTemplate(
  templates: readonly DisplayTemplate[] | undefined,
  task: DisplayTask,
  risk: RiskAssessment,
): DisplayTemplate | null {
  for (const t of templates ?? []) if (ruleMatch(t, task, risk).matches) return t;
  return null;
}

/**
 * What is wrong with a policy's display templates, as sentences (empty when nothing): pointers that
 * are not RFC 6901, a field listed twice, currency settings on a field that is not money, unknown
 * currencies, template ids used twice.
 */
export function displayTemplateProblems(templates: readonly DisplayTemplate[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const t of templates) {
    if (ids.has(t.id)) problems.push(`display template ${t.id} appears twice`);
    ids.add(t.id);
    const paths = new Set<string>();
    for (const f of t.fields) {
      const at = `display template ${t.id}, field ${JSON.stringify(f.path)}`;
      if (!isJsonPointer(f.path)) problems.push(`${at}: path is not a JSON pointer (RFC 6901, e.g. "/amount")`);
      if (paths.has(f.path)) problems.push(`${at}: listed twice`);
      paths.add(f.path);
      const money = f.format === 'money';
      if (!money && (f.currency !== undefined || f.currencyPath !== undefined || f.minorUnits !== undefined))
        problems.push(`${at}: currency, currencyPath and minorUnits belong to format "money"`);
      if (money && f.currency === undefined && f.currencyPath === undefined)
        problems.push(`${at}: format "money" needs currency or currencyPath`);
      if (f.currencyPath !== undefined && !isJsonPointer(f.currencyPath))
        problems.push(`${at}: currencyPath is not a JSON pointer`);
      if (f.currency !== undefined && currencyDigits(f.currency) === undefined)
        problems.push(`${at}: ${JSON.stringify(f.currency)} is not an ISO 4217 currency code`);
    }
  }
  return problems;
}
