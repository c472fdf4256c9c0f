/**
 * RFC 7386 JSON Merge Patch: how a human's edits are applied over the agent's payload.
 * Pure and non-mutating: the approved payload is a new value sharing nothing with the proposal or the
 * patch, so the proposal stays as proposed whatever a caller does with the result.
 *
 * @example
 * applyMergePatch({ to: 'a@x', cc: 'b@x' }, { cc: null, subject: 'Hi' }) // { to: 'a@x', subject: 'Hi' }
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  // The untouched members are copied, not shared: a caller editing the result (the approved payload)
  // must not reach into the proposal. Members the patch names are rebuilt by the recursion below.
  const result: Record<string, unknown> = isPlainObject(target)
    ? Object.fromEntries(
        Object.entries(target).map(([key, value]) => [key, Object.hasOwn(patch, key) ? value : structuredClone(value)]),
      )
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Composes two merge patches into one with the same effect as applying `first` then `second`
 * (deletions are kept as `null`, unlike `applyMergePatch`, which performs them). One case a merge
 * patch cannot express: a key the first deletes (or sets to a non-object) and the second sets to an
 * object composes to that object, which merges into what the target had instead of replacing it; the
 * composition serves as a summary of approvers' edits, and a property test pins the rest.
 *
 * @example
 * composeMergePatches({ a: 1, b: null }, { c: 2 }) // { a: 1, b: null, c: 2 }
 */
export function composeMergePatches(first: unknown, second: unknown): unknown {
  if (!isPlainObject(second) || !isPlainObject(first)) return structuredClone(second);
  const result: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(second)) {
    result[key] = value === null ? null : composeMergePatches(result[key], value);
  }
  return result;
}
