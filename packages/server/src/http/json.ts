import { HumanOSError } from '@humanos/core';

/** Keys that must never reach an object spread or merge (prototype pollution), as fastify refuses them. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/** A number token needs a closer look only when it has an exponent or is long enough to overflow. */
const MAX_PLAIN_DIGITS = 300;

/** 2⁵³−1: up to it a double (JavaScript's number, and many JSON readers') holds every integer exactly. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * Whether a number written without an exponent lies beyond ±(2⁵³−1), where doubles no longer hold
 * every integer: `9007199254740993` would be stored as `…992`. (`9007199254740991.5` is beyond too.)
 * Numbers written with an exponent are floating point by their spelling and are not judged here.
 */
function beyondSafeRange(token: string): boolean {
  if (/[eE]/.test(token)) return false;
  const [int = '', frac = ''] = token.replace(/^-/, '').split('.');
  // JSON has no leading zeros, so more digits is larger (and BigInt never sees a huge string).
  if (int.length !== MAX_SAFE_DIGITS) return int.length > MAX_SAFE_DIGITS;
  const n = BigInt(int);
  return n > MAX_SAFE || (n === MAX_SAFE && /[1-9]/.test(frac));
}

/** Character codes the scanner branches on. */
const C = {
  quote: 0x22,
  backslash: 0x5c,
  open: 0x7b,
  close: 0x7d,
  openArr: 0x5b,
  closeArr: 0x5d,
  comma: 0x2c,
  colon: 0x3a,
  minus: 0x2d,
  zero: 0x30,
  nine: 0x39,
} as const;

/** Where a strict check failed: a stable reason and the JSON path of the value. */
export interface StrictJsonProblem {
  reason: 'duplicate_key' | 'non_finite_number' | 'unsafe_integer' | 'forbidden_key';
  path: string;
  detail: string;
}

/** Index of the closing quote of the string that opens at `i` (text already known to be valid JSON). */
function stringEnd(text: string, i: number): { end: number; escaped: boolean } {
  let escaped = false;
  let j = i + 1;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c === C.quote) return { end: j, escaped };
    if (c === C.backslash) {
      escaped = true;
      j += 2;
    } else j++;
  }
}

/** Index just past the number that starts at `i`. */
function numberEnd(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const c = text.charCodeAt(j);
    // digits, '.', 'e', 'E', '+', '-'
    if ((c >= C.zero && c <= C.nine) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === C.minus) j++;
    else return j;
  }
}

interface Frame {
  /** Keys seen so far in an object; undefined for an array. */
  keys: Set<string> | undefined;
  /** The member or element this frame is at, for error paths. */
  at: string | number;
}

const pathOf = (stack: readonly Frame[]): string =>
  stack
    .slice(1)
    .map((f) => (typeof f.at === 'number' ? `[${f.at}]` : `.${f.at}`))
    .join('')
    .replace(/^\./, '') || '(root)';

/**
 * Scans JSON text that `JSON.parse` already accepted for what `JSON.parse` lets through silently: a
 * key repeated in one object (the last would win, so a spoofed `approvedBy` could hide before the real
 * one; keys are compared after unescaping, so `"a"` and `"\u0061"` clash), a number beyond the double
 * range (`1e400` would become `Infinity`, which JSON cannot carry back out), a number written
 * without an exponent beyond ±(2⁵³−1) (`9007199254740993` would silently become `…992`: integers
 * such as ids and amounts in minor units must be exact or refused) and `__proto__` keys.
 * One linear pass with a stack of open objects; no value is built.
 *
 * @example
 * strictJsonProblem('{"a":1,"a":2}') // { reason: 'duplicate_key', path: '(root)', detail: … }
 * strictJsonProblem('[1e400]')       // { reason: 'non_finite_number', path: '[0]', … }
 * strictJsonProblem('{"n":9007199254740993}') // { reason: 'unsafe_integer', path: 'n', … }
 * strictJsonProblem('{"a":[1,2]}')   // undefined
 */
export function strictJsonProblem(text: string): StrictJsonProblem | undefined {
  const stack: Frame[] = [{ keys: undefined, at: 0 }];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1] as Frame;
    if (c === C.open) {
      stack.push({ keys: new Set(), at: '' });
      expectKey = true;
    } else if (c === C.openArr) {
      stack.push({ keys: undefined, at: 0 });
      expectKey = false;
    } else if (c === C.close || c === C.closeArr) {
      stack.pop();
      expectKey = false;
    } else if (c === C.comma) {
      if (top.keys) expectKey = true;
      else top.at = (top.at as number) + 1;
    } else if (c === C.colon) {
      expectKey = false;
    } else if (c === C.quote) {
      const { end, escaped } = stringEnd(text, i);
      if (expectKey && top.keys) {
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        top.at = key;
        if (FORBIDDEN_KEYS.has(key))
          return { reason: 'forbidden_key', path: pathOf(stack), detail: `the key "${key}" is not allowed` };
        if (top.keys.has(key)) {
          return { reason: 'duplicate_key', path: pathOf(stack), detail: `duplicate key "${key}" at ${pathOf(stack)}` };
        }
        top.keys.add(key);
      }
      i = end;
    } else if (c === C.minus || (c >= C.zero && c <= C.nine)) {
      const end = numberEnd(text, i);
      const token = text.slice(i, end);
      const shown = token.length > 40 ? `${token.slice(0, 40)}…` : token;
      if ((end - i > MAX_PLAIN_DIGITS || /[eE]/.test(token)) && !Number.isFinite(Number(token))) {
        return {
          reason: 'non_finite_number',
          path: pathOf(stack),
          detail: `the number ${shown} at ${pathOf(stack)} is beyond the range of a double`,
        };
      }
      if (beyondSafeRange(token)) {
        return {
          reason: 'unsafe_integer',
          path: pathOf(stack),
          detail: `the number ${shown} at ${pathOf(stack)} is beyond ±(2^53−1) and would not be stored exactly; send it as a string`,
        };
      }
      i = end - 1;
    }
  }
  return undefined;
}

/**
 * The one JSON body parser of the API: `JSON.parse`, then `strictJsonProblem`. Unparsable text is
 * `400 bad_request`; a duplicate key, a non-finite number, an integer beyond ±(2⁵³−1) or a `__proto__`
 * key is `400 validation_failed` with `reason` and `path` saying which and where. An empty body is `400 bad_request` (as fastify's own parser).
 *
 * @example
 * app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
 *   try { done(null, parseStrictJson(body as string)); } catch (e) { done(e as Error); }
 * });
 */
export function parseStrictJson(text: string): unknown {
  if (text.trim() === '') throw new HumanOSError('bad_request', 'the JSON body is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HumanOSError('bad_request', `the body is not valid JSON: ${(e as Error).message}`);
  }
  const problem = strictJsonProblem(text);
  if (problem)
    throw new HumanOSError('validation_failed', problem.detail, { reason: problem.reason, path: problem.path });
  return value;
}
