import canonicalizeImpl from 'canonicalize';
import { sha256Hex as hexDigest } from '#crypto';

const canonicalize = canonicalizeImpl as unknown as (v: unknown) => string | undefined;

/**
 * RFC 8785 (JCS) canonical JSON: the single byte form every signature and digest is computed over.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('value has no JSON form');
  return out;
}

/** Lower-case hex SHA-256 of `data` (a string as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return hexDigest(data);
}

/** Digest that binds an approval to exactly one payload: `sha256:<hex of canonical JSON>`. */
export function payloadDigest(payload: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(payload ?? null))}`;
}
