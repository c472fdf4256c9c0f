/**
 * The RFC 6962 vector suite over core's Merkle code, one `it` per vector: run as it is by
 * merkle.vectors.test.ts (`#crypto` on node:crypto) and by merkle.vectors.web.test.ts (`#crypto`
 * swapped for the browser module).
 */
import { describe, expect, it } from 'vitest';
import {
  consistencyVerdict,
  inclusionVerdict,
  type MerkleApi,
  referenceMismatches,
} from '../../../test-support/rfc6962.js';
import { loadRfc6962Vectors } from '../../../test-support/rfc6962-files.js';

export function rfc6962Suite(title: string, api: () => Promise<MerkleApi>): void {
  const vectors = loadRfc6962Vectors();
  describe(title, () => {
    it('finds the vectors beside the repository', () => {
      expect(vectors.inclusion.length).toBeGreaterThan(50);
      expect(vectors.consistency.length).toBeGreaterThan(50);
    });

    it('reference tree: leaf hashes, the root of every size 0..8, our proofs equal the published ones', async () => {
      expect(referenceMismatches(await api(), vectors)).toEqual([]);
    });

    for (const { name, v } of vectors.inclusion) {
      it(`${name} (${v.wantErr ? 'must fail' : 'must pass'})`, async () => {
        expect(inclusionVerdict(await api(), v).ok).toBe(!v.wantErr);
      });
    }

    for (const { name, v } of vectors.consistency) {
      it(`${name} (${v.wantErr ? 'must fail' : 'must pass'})`, async () => {
        expect(consistencyVerdict(await api(), v).ok).toBe(!v.wantErr);
      });
    }
  });
}
