/** What an attention check plants: the payload field changed, what the text states and what the payload carries. */
export interface Flaw {
  kind: 'amount' | 'iban';
  /** JSON pointer of the changed field, e.g. `/amount`. */
  field: string;
  /** The value as the request's text states it (the real request's). */
  shown: string;
  /** The value the check's payload carries instead. */
  planted: string;
  message: string;
}

const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
const AMOUNT_KEY = /amount|total|sum|price|value|fee|cost/i;

type Found = { path: string[]; kind: Flaw['kind']; value: string | number };

/** The first IBAN-like string, else the first positive amount-like number, at most three levels deep. */
function find(v: unknown, path: string[] = []): Found | undefined {
  if (path.length > 3 || typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const entries = Object.entries(v as Record<string, unknown>);
  for (const [k, x] of entries) {
    if (typeof x === 'string' && IBAN.test(x.replaceAll(' ', '')))
      return { path: [...path, k], kind: 'iban', value: x };
  }
  for (const [k, x] of entries) {
    if (typeof x === 'number' && Number.isFinite(x) && x > 0 && AMOUNT_KEY.test(k))
      return { path: [...path, k], kind: 'amount', value: x };
  }
  for (const [k, x] of entries) {
    const deeper = find(x, [...path, k]);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Two adjacent, different digits of the account part swapped: the check digits no longer match (a typo a careful reader catches). */
function swapDigits(iban: string): string | undefined {
  const chars = [...iban];
  for (let i = chars.length - 2; i >= 4; i--) {
    const [a, b] = [chars[i] as string, chars[i + 1] as string];
    if (/\d/.test(a) && /\d/.test(b) && a !== b) {
      chars[i] = b;
      chars[i + 1] = a;
      return chars.join('');
    }
  }
  return undefined;
}

function setAt(root: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path[path.length - 1] as string] = value;
  return copy;
}

const pointer = (path: string[]) => `/${path.map((k) => k.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/**
 * A copy of a real request's payload with one planted flaw: an IBAN with two digits swapped, or an
 * amount ten times what the text says. Undefined when the payload has neither (no check is made of it).
 *
 * @example
 * plantFlaw({ amount: 900, iban: 'DE89370400440532013000' })
 * // { payload: { amount: 900, iban: 'DE89370400440532013000'→'…3100…' }, flaw: { kind: 'iban', field: '/iban', … } }
 */
export function plantFlaw(payload: unknown): { payload: Record<string, unknown>; flaw: Flaw } | undefined {
  const hit = find(payload);
  if (!hit) return undefined;
  const root = payload as Record<string, unknown>;
  const field = pointer(hit.path);
  if (hit.kind === 'iban') {
    const swapped = swapDigits(String(hit.value));
    if (!swapped) return undefined;
    return {
      payload: setAt(root, hit.path, swapped),
      flaw: {
        kind: 'iban',
        field,
        shown: String(hit.value),
        planted: swapped,
        message: `This was an attention check, not a real request: the account in the payload (${field}: ${swapped}) differed from the one the request stated (${String(hit.value)}). It could never execute.`,
      },
    };
  }
  const planted = Number(hit.value) * 10;
  return {
    payload: setAt(root, hit.path, planted),
    flaw: {
      kind: 'amount',
      field,
      shown: String(hit.value),
      planted: String(planted),
      message: `This was an attention check, not a real request: the payload's ${field} was ${planted}, ten times the ${String(hit.value)} the request stated. It could never execute.`,
    },
  };
}
