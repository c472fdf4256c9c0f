import { HumanOSError } from '@humanos/core';

/** Opaque cursors for keyset pagination: a ledger index, or a (time, id) pair. */
export function encodeCursor(n: number): string {
  return Buffer.from(String(n)).toString('base64url');
}

export function decodeCursor(c: string): number {
  const n = Number(Buffer.from(c, 'base64url').toString());
  if (!Number.isSafeInteger(n)) throw new HumanOSError('bad_request', 'invalid cursor');
  return n;
}

export function encodePairCursor(at: number, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

export function decodePairCursor(c: string): [number, string] {
  const [a, id] = Buffer.from(c, 'base64url').toString().split('|');
  const at = Number(a);
  if (!Number.isSafeInteger(at) || !id) throw new HumanOSError('bad_request', 'invalid cursor');
  return [at, id];
}
