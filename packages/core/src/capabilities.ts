/**
 * Claim keys: a task is indexed by its required capabilities, sorted and space-joined (`cap_key`).
 * A worker's claim looks up exactly the keys its capabilities cover (every non-empty subset), each an
 * index range, so finding its work costs the same however much other work is queued.
 */

/**
 * The claim key of a set of required capabilities; null when there are none (the requester runs it).
 *
 * @example
 * capabilityKey(['payments', 'eu', 'payments']) // 'eu payments'
 */
export function capabilityKey(capabilities: readonly string[]): string | null {
  const unique = [...new Set(capabilities)].sort();
  return unique.length === 0 ? null : unique.join(' ');
}

/** Subsets are enumerated in full up to this many capabilities (2^10 − 1 keys)… */
const ALL_SUBSETS_UP_TO = 10;
/** …and beyond it, subsets of at most this many (tasks rarely need more at once). */
const LARGE_WORKER_SUBSET = 3;

/**
 * Every claim key `capabilities` covers.
 *
 * @example
 * coveredKeys(['b', 'a']) // ['a', 'a b', 'b']
 */
export function coveredKeys(capabilities: readonly string[]): string[] {
  const caps = [...new Set(capabilities)].sort();
  const maxSize = caps.length <= ALL_SUBSETS_UP_TO ? caps.length : LARGE_WORKER_SUBSET;
  const out: string[] = [];
  const walk = (start: number, picked: string[]) => {
    if (picked.length > 0) out.push(picked.join(' '));
    if (picked.length === maxSize) return;
    for (let i = start; i < caps.length; i++) walk(i + 1, [...picked, caps[i] as string]);
  };
  walk(0, []);
  return out.sort();
}
