/**
 * Payload helpers: flattening a payload into editable fields, the RFC 7386 merge patch between two
 * versions (what an approver's edits are sent as), and a word-level diff for showing changes.
 */
import type { Json } from './types.js';

export function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One leaf of a payload: its path (`["vendor","name"]`) and value. Arrays are one leaf. */
export interface Field {
  path: string[];
  value: Json;
}

/** The leaves of an object, depth first in key order; arrays and empty objects are leaves. */
export function fields(value: Json, path: string[] = []): Field[] {
  if (!isObject(value) || (path.length > 0 && Object.keys(value).length === 0)) return [{ path, value }];
  return Object.entries(value).flatMap(([k, v]) => fields(v, [...path, k]));
}

/** A copy of `obj` with the leaf at `path` set to `value`. */
export function setPath(obj: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const base = isObject(obj) ? obj : {};
  return { ...base, [head]: setPath(base[head] ?? null, rest, value) };
}

export function getPath(obj: Json | undefined, path: string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const k of path) cur = isObject(cur) ? cur[k] : undefined;
  return cur;
}

/**
 * The RFC 7386 merge patch that turns `before` into `after` (arrays are replaced whole), or
 * undefined when they are equal.
 *
 * @example
 * mergePatchBetween({ a: 1, b: 2 }, { a: 1, b: 3 }) // { b: 3 }
 */
export function mergePatchBetween(before: Json, after: Json): Json | undefined {
  if (!isObject(before) || !isObject(after))
    return JSON.stringify(before) === JSON.stringify(after) ? undefined : after;
  const patch: Record<string, Json> = {};
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null;
  for (const [k, v] of Object.entries(after)) {
    if (!(k in before)) patch[k] = v;
    else {
      const sub = mergePatchBetween(before[k] as Json, v);
      if (sub !== undefined) patch[k] = sub;
    }
  }
  return Object.keys(patch).length ? patch : undefined;
}

/** A changed leaf between two payloads. */
export interface Change {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: Json;
  after?: Json;
}

/** Leaf-level changes from `before` to `after`, in path order. */
export function changes(before: Json, after: Json): Change[] {
  const a = new Map(fields(before).map((f) => [f.path.join('.'), f.value]));
  const b = new Map(fields(after).map((f) => [f.path.join('.'), f.value]));
  const out: Change[] = [];
  for (const [p, v] of a) {
    if (!b.has(p)) out.push({ path: p, kind: 'removed', before: v });
    else if (JSON.stringify(v) !== JSON.stringify(b.get(p)))
      out.push({ path: p, kind: 'changed', before: v, after: b.get(p) as Json });
  }
  for (const [p, v] of b) if (!a.has(p)) out.push({ path: p, kind: 'added', after: v });
  return out.sort((x, y) => (x.path < y.path ? -1 : 1));
}

/** A leaf value as one line of text: strings as they are, everything else as JSON. */
export function show(v: Json | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export type WordOp = { op: 'same' | 'del' | 'ins'; text: string };

/**
 * A word-level diff (longest common subsequence over words and the spaces between them).
 *
 * @example
 * wordDiff('pay 50000 USD', 'pay 45000 USD') // same 'pay ', del '50000', ins '45000', same ' USD'
 */
export function wordDiff(before: string, after: string): WordOp[] {
  const a = before.match(/\s+|[^\s]+/g) ?? [];
  const b = after.match(/\s+|[^\s]+/g) ?? [];
  // Bounded: past ~40k cells show the whole value replaced rather than spend the time.
  if (a.length * b.length > 40_000)
    return merge([
      { op: 'del', text: before },
      { op: 'ins', text: after },
    ]);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
  const ops: WordOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ op: 'same', text: a[i++] as string });
      j++;
    } else if (((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))
      ops.push({ op: 'del', text: a[i++] as string });
    else ops.push({ op: 'ins', text: b[j++] as string });
  }
  while (i < a.length) ops.push({ op: 'del', text: a[i++] as string });
  while (j < b.length) ops.push({ op: 'ins', text: b[j++] as string });
  return merge(ops);
}

function merge(ops: WordOp[]): WordOp[] {
  const out: WordOp[] = [];
  for (const o of ops) {
    const last = out[out.length - 1];
    if (o.text === '') continue;
    if (last && last.op === o.op) last.text += o.text;
    else out.push({ ...o });
  }
  return out;
}

/**
 * Parses what an approver typed into a field of the given original type: numbers stay numbers,
 * booleans booleans, JSON for objects/arrays/null; otherwise the text.
 */
export function parseFieldInput(text: string, original: Json): { value?: Json; error?: string } {
  if (typeof original === 'string') return { value: text };
  if (typeof original === 'number') {
    const n = Number(text.trim().replace(/[, _]/g, ''));
    return text.trim() !== '' && Number.isFinite(n) ? { value: n } : { error: 'Enter a number.' };
  }
  if (typeof original === 'boolean') {
    if (text === 'true' || text === 'false') return { value: text === 'true' };
    return { error: 'Enter true or false.' };
  }
  try {
    return { value: JSON.parse(text) as Json };
  } catch {
    return { error: 'Enter valid JSON.' };
  }
}

/** Names of amount-like payload fields (the inbox's amount column, the field `e` edits). */
export const AMOUNT_KEY = /amount|total|price|cost|sum|value|fee|budget|limit|salary|payment|refund|balance/i;

/** Amount-like fields of a payload for the inbox row: `amount: 50,000 USD`. */
export function amountSummary(payload: Json | undefined): string | null {
  if (!isObject(payload)) return null;
  const leaves = fields(payload);
  const currency = leaves.find((f) => /currency|ccy/i.test(f.path.join('.')) && typeof f.value === 'string');
  const amount = leaves.find((f) => AMOUNT_KEY.test(f.path[f.path.length - 1] ?? '') && typeof f.value === 'number');
  if (!amount) return null;
  const n = (amount.value as number).toLocaleString('en-US');
  return `${n}${currency ? ` ${currency.value as string}` : ''}`;
}

/** RFC 7386: `patch` applied over `target` (null removes a member; arrays replace whole). */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k] ?? null, v);
  }
  return out;
}

/** A JSON pointer's segments, unescaped (`/a~1b/c` → `["a/b", "c"]`). */
export function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * A JSON pointer as the console names a payload field (the editor's dotted key).
 *
 * @example
 * pointerToKey('/beneficiary/iban'); // 'beneficiary.iban'
 */
export function pointerToKey(pointer: string): string {
  return pointerSegments(pointer).join('.');
}
