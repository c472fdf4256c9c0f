/**
 * Policy patterns (`descriptionMatches`) and the built-in risk rules' words, matched by RE2 (the
 * `re2js` port): time linear in the text, whatever the pattern, so an operator's careless
 * `(\w+\s*)+` cannot stall the server. Patterns RE2 cannot run in linear time (backreferences,
 * lookaround) do not compile: `policy validate` and start-up refuse them.
 */
import { RE2JS } from 're2js';
import { skeleton, textViews } from './normalize.js';

/**
 * The longest text (in UTF-16 units) a pattern is matched against. Matching is linear in it; longer
 * text is not cut (a word placed past the cut would dodge the rule): the rule applies and says so.
 * Task descriptions and in-run actions are at most 2 000 characters at the HTTP layer.
 */
export const MAX_MATCHED_TEXT = 65_536;

/** A pattern the linear-time engine refuses, with the engine's reason. */
export class UnsupportedPattern extends Error {
  readonly code = 'unsupported_regex';
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`${reason} (patterns run in RE2: no backreferences or lookaround)`);
    this.name = 'UnsupportedPattern';
  }
}

/** A compiled pattern that matches text in every view (as written, confusables folded, skeleton). */
export interface TextPattern {
  readonly source: string;
  /** Whether the pattern matches the text in any view; `'too_long'` past `MAX_MATCHED_TEXT`. */
  test(text: string): boolean | 'too_long';
}

const META = /[\\^$.|?*+()[\]{}-]/g;
const quote = (s: string) => s.replace(META, '\\$&');

/** Copies an escape (`\d`, `\p{Greek}`, `\x{41}`) verbatim; returns the index of its last code point. */
function escapeEnd(cps: readonly string[], i: number): number {
  const n = cps[i + 1];
  if ((n === 'p' || n === 'P' || n === 'x') && cps[i + 2] === '{') {
    const end = cps.indexOf('}', i + 2);
    return end < 0 ? cps.length - 1 : end;
  }
  return Math.min(i + 1, cps.length - 1);
}

/**
 * Where a piece of regex syntax starting at `i` ends (the index of its last code point), or -1 when
 * the code point is a literal. Escapes, class brackets and ranges, counted repeats and group
 * openers are syntax.
 */
function syntaxEnd(cps: readonly string[], i: number, inClass: boolean): number {
  const c = cps[i] as string;
  const rest = () => cps.slice(i).join('');
  if (c === '\\') return escapeEnd(cps, i);
  if (inClass) {
    if (c === ']') return i;
    if (c === '[' && cps[i + 1] === ':') {
      const end = cps.indexOf(']', i);
      return end < 0 ? cps.length - 1 : end;
    }
    // A range keeps its endpoints as written: `0-9` must not become `o-9`.
    return cps[i + 1] === '-' && cps[i + 2] !== undefined && cps[i + 2] !== ']' ? i + 2 : -1;
  }
  if (c === '[') {
    let end = i;
    if (cps[end + 1] === '^') end++;
    if (cps[end + 1] === ']') end++;
    return end;
  }
  if (c === '{') {
    const m = /^\{\d+(?:,\d*)?\}/.exec(rest());
    return m ? i + m[0].length - 1 : -1;
  }
  if (c === '(' && cps[i + 1] === '?') {
    const m = /^\(\?[^:)>]*[:)>]/.exec(rest());
    return m ? i + m[0].length - 1 : i;
  }
  return '^$.|()*+?'.includes(c) ? i : -1;
}

/**
 * The pattern with each literal character replaced by its skeleton, to match skeletons of text: the
 * operator's `payment` then also matches `payrnent`. Escapes, classes' ranges, counted repeats and
 * group syntax stay as written; a literal in a class whose skeleton is several characters (`m`) stays.
 * Null when the pattern uses `\Q…\E` (its literals are left to the other views).
 *
 * @example
 * skeletonPattern('pay(ment)?\\d{2}') // 'pay((?:rn)ent)?\\d{2}'
 */
export function skeletonPattern(source: string): string | null {
  if (source.includes('\\Q')) return null;
  const cps = [...source];
  let out = '';
  let inClass = false;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as string;
    const end = syntaxEnd(cps, i, inClass);
    if (end >= 0) {
      if (!inClass && c === '[') inClass = true;
      else if (inClass && c === ']') inClass = false;
      out += cps.slice(i, end + 1).join('');
      i = end;
      continue;
    }
    const s = skeleton(c);
    if (inClass) out += [...s].length === 1 ? quote(s) : quote(c);
    else out += [...s].length === 1 ? quote(s) : `(?:${quote(s)})`;
  }
  return out;
}

/** The views of the last text matched: the risk rules test several patterns against the same text. */
let last: { text: string; views: ReturnType<typeof textViews> } | null = null;
function viewsOf(text: string): ReturnType<typeof textViews> {
  if (last?.text !== text) last = { text, views: textViews(text) };
  return last.views;
}

function compileRe2(source: string): RE2JS {
  try {
    return RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (e) {
    throw new UnsupportedPattern(source, (e as Error).message);
  }
}

/**
 * Compiles a pattern for matching text in all its views. Throws `UnsupportedPattern` for what RE2
 * cannot run (backreferences, lookaround, invalid syntax). Case-insensitive.
 *
 * @example
 * const p = compilePattern('\\bwire\\b');
 * p.test('W\u200Bіre $50,000') // true
 * compilePattern('(a)\\1') // throws UnsupportedPattern
 */
export function compilePattern(source: string): TextPattern {
  const plain = compileRe2(source);
  let skel: RE2JS | null = null;
  const skelSource = skeletonPattern(source);
  if (skelSource !== null) {
    try {
      skel = RE2JS.compile(skelSource, RE2JS.CASE_INSENSITIVE);
    } catch {
      skel = null; // the other two views still apply
    }
  }
  return {
    source,
    test(text: string) {
      if (text.length > MAX_MATCHED_TEXT) return 'too_long';
      const v = viewsOf(text);
      return plain.test(v.plain) || plain.test(v.folded) || (skel?.test(v.skeleton) ?? false);
    },
  };
}

const cache = new Map<string, TextPattern | UnsupportedPattern>();

/**
 * `compilePattern`, memoised (a policy has few patterns, each matched on every task); a refused
 * pattern is remembered as its error.
 */
export function policyPattern(source: string): TextPattern | UnsupportedPattern {
  let p = cache.get(source);
  if (p === undefined) {
    try {
      p = compilePattern(source);
    } catch (e) {
      if (!(e instanceof UnsupportedPattern)) throw e;
      p = e;
    }
    if (cache.size > 1000) cache.clear();
    cache.set(source, p);
  }
  return p;
}
