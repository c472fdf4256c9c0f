/** Reads the RFC 6962 vectors beside the repository (`testdata/rfc6962`) for `rfc6962.ts`'s runner. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ConsistencyVector, InclusionVector, Rfc6962Vectors } from './rfc6962.js';

export const VECTORS = join(import.meta.dirname, '../testdata/rfc6962');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
    });
}

const read = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/**
 * Every vector file, named by its path under `testdata/rfc6962`.
 *
 * @example
 * const { inclusion } = loadRfc6962Vectors(); // [{ name: 'inclusion/0/happy-path.json', v }, …]
 */
export function loadRfc6962Vectors(): Rfc6962Vectors {
  const files = (kind: string) => jsonFiles(join(VECTORS, kind)).map((f) => ({ name: relative(VECTORS, f), f }));
  return {
    reference: read(join(VECTORS, 'reference-tree.json')),
    inclusion: files('inclusion').map(({ name, f }) => ({ name, v: read<InclusionVector>(f) })),
    consistency: files('consistency').map(({ name, f }) => ({ name, v: read<ConsistencyVector>(f) })),
  };
}
