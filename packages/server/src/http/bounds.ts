/**
 * The largest integer a request may carry: JavaScript's exact-integer range, which is inside
 * PostgreSQL's `bigint` (±9.2·10¹⁸). An integer beyond it would be rounded by `JSON.parse` or
 * coercion and, on PostgreSQL, fail as "out of range" inside a statement (a 500).
 */
export const MAX_REQUEST_INTEGER = Number.MAX_SAFE_INTEGER;

const bounded = new WeakMap<object, unknown>();

/**
 * A copy of a JSON schema in which every `integer` without its own bounds is bounded by
 * ±`MAX_REQUEST_INTEGER`, so an out-of-range query parameter, path parameter or body field is a 400
 * `validation_failed` before it reaches SQL. Applied once, by the validator compiler, to every route's
 * schemas; the route's own schema (and so the OpenAPI document) is left as it is.
 *
 * @example
 * boundIntegers({ type: 'integer', minimum: 0 }) // { type: 'integer', minimum: 0, maximum: 9007199254740991 }
 */
export function boundIntegers<T>(schema: T): T {
  if (typeof schema !== 'object' || schema === null) return schema;
  const hit = bounded.get(schema);
  if (hit) return hit as T;
  let out: unknown;
  if (Array.isArray(schema)) out = schema.map((s) => boundIntegers(s));
  else {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) copy[k] = boundIntegers(v);
    const type = copy.type;
    if (type === 'integer' || (Array.isArray(type) && type.includes('integer'))) {
      if (copy.maximum === undefined && copy.exclusiveMaximum === undefined) copy.maximum = MAX_REQUEST_INTEGER;
      if (copy.minimum === undefined && copy.exclusiveMinimum === undefined) copy.minimum = -MAX_REQUEST_INTEGER;
    }
    out = copy;
  }
  bounded.set(schema, out);
  return out as T;
}
