/**
 * What policy matching and the risk rules compare: numbers and text normalised first, in one place,
 * so the shape of a payload or the spelling of a word cannot dodge a rule.
 *
 * Numbers: a JSON number, or a string that reads as one (`"50000"`, `"50,000.00"`, `"€50.000,00"`,
 * `"50 000 USD"`, `"50'000"`, full-width digits). A string with one reading per locale convention that
 * disagree (`"1,234"`: 1234 or 1.234) yields both readings; callers compare each and take the stricter
 * outcome. Anything else that is present (`"fifty thousand"`, `"50k"`, an object, `null`) is not
 * comparable: callers apply the rule and say so (fail closed).
 *
 * Text: NFKC, with default-ignorable code points (zero-width, bidi controls, tags, variation
 * selectors) removed, and compared in three views: as written, with confusable non-ASCII letters
 * folded to their ASCII prototype and diacritics dropped, and as a UTS #39 skeleton.
 */
import { createRequire } from 'node:module';

/**
 * Unicode's confusables mapping (UTS #39 `confusables.txt`; the `unhomoglyph` package ships it as
 * generated JSON: one source code point → its prototype). Not hand-picked: every entry Unicode lists.
 */
const CONFUSABLES: Readonly<Record<string, string>> = createRequire(import.meta.url)('unhomoglyph/data.json');

/** Default-ignorable code points (ZWSP, ZWJ, bidi embeddings/overrides/isolates, tags, …) and ALM. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u061C]/gu;
const ASCII = /^[\x20-\x7e]*$/;
const MARK = /^\p{Mn}$/u;

/**
 * The text as it reads: invisible characters removed, NFKC (full-width letters and digits, ligatures
 * and compatibility spaces become their plain forms).
 *
 * @example
 * normalizeText('ｗ\u200Bｉｒｅ') // 'wire'
 */
export function normalizeText(text: string): string {
  return text.replace(INVISIBLE, '').normalize('NFKC').replace(INVISIBLE, '');
}

/**
 * The text with every non-ASCII character whose confusable prototype is ASCII replaced by it, and
 * combining marks dropped: `Wіre` (Cyrillic і) and `wíre` both read `wire`. ASCII stays as written,
 * so digits and `\d` still match.
 *
 * @example
 * foldConfusables('Wіre €50 000') // 'Wire €50 000'
 */
export function foldConfusables(text: string): string {
  let out = '';
  for (const c of normalizeText(text).normalize('NFD')) {
    if (c.charCodeAt(0) < 0x80) out += c;
    else if (MARK.test(c)) continue;
    else {
      const proto = CONFUSABLES[c];
      out += proto !== undefined && ASCII.test(proto) ? proto : c;
    }
  }
  return out;
}

/**
 * The UTS #39 skeleton of the lower-cased text: two strings that look alike have the same skeleton
 * (`payrnent` and `payment`; `0` and `o`). Not for display.
 *
 * @example
 * skeleton('Wіre') === skeleton('wire') // true
 */
export function skeleton(text: string): string {
  let out = '';
  for (const c of normalizeText(text).toLowerCase().normalize('NFD')) out += CONFUSABLES[c] ?? c;
  return out.normalize('NFD').toLowerCase();
}

/**
 * The views of a text that matching looks at, distinct: as written (normalised), confusables folded
 * to ASCII, and the skeleton. A rule that matches any of them applies.
 *
 * @example
 * textViews('Wіre') // ['Wіre', 'Wire', 'wire']
 */
export function textViews(text: string): { plain: string; folded: string; skeleton: string } {
  return { plain: normalizeText(text), folded: foldConfusables(text), skeleton: skeleton(text) };
}

/** Two texts are the same to a rule when they read alike (case, width, invisibles, confusables). */
export function sameText(a: string, b: string): boolean {
  return normalizeText(a).toLowerCase() === normalizeText(b).toLowerCase() || skeleton(a) === skeleton(b);
}

/** What a payload value is to a numeric rule. */
export type NumberReading =
  | { kind: 'number'; values: number[] }
  | { kind: 'absent' }
  | { kind: 'not_comparable'; why: string };

const CURRENCY_CODES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toUpperCase()));
/** A currency symbol (`$`, `€`, `US$`, `R$`, `$US`) or an ISO 4217 code, before or after the number. */
const AFFIX = String.raw`(\p{Sc}|[A-Za-z]{1,3}\p{Sc}|\p{Sc}[A-Za-z]{1,3}|[A-Za-z]{3})`;
const NUMERIC = new RegExp(
  String.raw`^([+\-\u2212]?)\s*(?:${AFFIX}\s*)?([+\-\u2212]?)\s*(\d[\d.,'’_ ]*)\s*(?:${AFFIX})?$`,
  'u',
);
const SCIENTIFIC = /^\d+(?:\.\d+)?e[+-]?\d+$/i;

function isCurrency(affix: string | undefined): boolean {
  return affix === undefined || /\p{Sc}/u.test(affix) || CURRENCY_CODES.has(affix.toUpperCase());
}

/**
 * Digit groups separated by one grouping character: the first 1–3 digits, the last 3, those between
 * all 3 (`1,234,567`) or all 2 (Indian `12,34,567`).
 */
function grouped(groups: readonly string[], seps: readonly string[]): boolean {
  if (seps.length === 0 || new Set(seps).size !== 1) return false;
  const first = groups[0] as string;
  const middle = groups.slice(1, -1).map((g) => g.length);
  return (
    first.length >= 1 &&
    first.length <= 3 &&
    (groups.at(-1) as string).length === 3 &&
    (middle.every((n) => n === 3) || middle.every((n) => n === 2))
  );
}

/** Every reading of a digit string with separators, or null when none is a number. */
function readDigits(body: string): number[] | null {
  const b = body.replace(/\s+/g, ' ').trim();
  if (/^\d+$/.test(b)) return [Number(b)];
  const parts = b.split(/([.,'’_ ])/);
  const groups = parts.filter((_, i) => i % 2 === 0);
  const seps = parts.filter((_, i) => i % 2 === 1);
  if (groups.some((g) => !/^\d+$/.test(g))) return null;
  const readings: number[] = [];
  // Every separator groups thousands: `50,000`, `50 000`, `50'000`, `1.234.567`.
  if (grouped(groups, seps)) readings.push(Number(groups.join('')));
  // The last separator is a decimal point or comma, the others (of another kind) group thousands.
  const last = seps.at(-1) as string;
  if (last === '.' || last === ',') {
    const intGroups = groups.slice(0, -1);
    const intSeps = seps.slice(0, -1);
    if (!intSeps.includes(last) && (intSeps.length === 0 || grouped(intGroups, intSeps)))
      readings.push(Number(`${intGroups.join('')}.${groups.at(-1)}`));
  }
  const finite = [...new Set(readings)].filter(Number.isFinite);
  return finite.length > 0 ? finite : null;
}

/**
 * Reads a payload value as a number: JSON numbers as they are; strings with thousands separators,
 * a currency symbol or code, a decimal comma; both readings when the convention is ambiguous.
 *
 * @example
 * readNumber('€50.000,00') // { kind: 'number', values: [50000] }
 * readNumber('1,234')      // { kind: 'number', values: [1234, 1.234] }
 * readNumber('fifty')      // { kind: 'not_comparable', why: 'not a number' }
 */
export function readNumber(v: unknown): NumberReading {
  if (v === undefined) return { kind: 'absent' };
  if (typeof v === 'number') return Number.isFinite(v) ? { kind: 'number', values: [v] } : notComparable('not finite');
  if (typeof v !== 'string') return notComparable(v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`);
  const text = normalizeText(v).trim();
  if (SCIENTIFIC.test(text)) return { kind: 'number', values: [Number(text)] };
  const m = NUMERIC.exec(text);
  if (!m || (m[1] && m[3]) || !isCurrency(m[2]) || !isCurrency(m[5])) return notComparable('not a number');
  const values = readDigits(m[4] as string);
  if (!values) return notComparable('not a number');
  const sign = m[1] || m[3];
  const negative = sign === '-' || sign === '\u2212';
  return { kind: 'number', values: values.map((n) => (negative ? -n : n)) };
}

function notComparable(why: string): NumberReading {
  return { kind: 'not_comparable', why };
}
