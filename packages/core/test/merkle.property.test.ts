import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  leafHash,
  MemoryMerkleTree,
  MerkleFrontier,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../src/merkle.js';

function treeOf(n: number): { tree: MemoryMerkleTree; leaves: Uint8Array[] } {
  const tree = new MemoryMerkleTree();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const l = leafHash(`leaf-${i}`);
    leaves.push(l);
    tree.append(l);
  }
  return { tree, leaves };
}

function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const c = Uint8Array.from(h);
  const i = (bit >> 3) % c.length;
  c[i] = (c[i] as number) ^ (1 << (bit & 7));
  return c;
}

describe('Merkle proofs round-trip', () => {
  it('incremental root equals the RFC definition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const { tree, leaves } = treeOf(n);
        expect(Buffer.from(tree.root()).equals(Buffer.from(rootFromLeafHashes(leaves)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('the streaming frontier has the same root at every size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const { leaves } = treeOf(n);
        const f = new MerkleFrontier();
        expect(Buffer.from(f.root()).equals(Buffer.from(rootFromLeafHashes([])))).toBe(true);
        leaves.forEach((l, i) => {
          f.append(l);
          expect(Buffer.from(f.root()).equals(Buffer.from(rootFromLeafHashes(leaves.slice(0, i + 1))))).toBe(true);
        });
      }),
      { numRuns: 30 },
    );
  });

  it('every inclusion proof verifies; a flipped bit, wrong index or wrong size fails', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 200 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.nat(255))),
        ([n, m, bit]) => {
          const { tree, leaves } = treeOf(n);
          const root = tree.root();
          const proof = tree.inclusionProof(m);
          const leaf = leaves[m] as Uint8Array;
          verifyInclusion(m, n, leaf, proof, root);
          expect(() => verifyInclusion(m, n, flipBit(leaf, bit), proof, root)).toThrow();
          expect(() => verifyInclusion(m, n, leaf, proof, flipBit(root, bit))).toThrow();
          if (proof.length > 0) {
            const k = bit % proof.length;
            const bad = proof.map((p, i) => (i === k ? flipBit(p, bit) : p));
            expect(() => verifyInclusion(m, n, leaf, bad, root)).toThrow();
          }
          if (n > 1) expect(() => verifyInclusion((m + 1) % n, n, leaf, proof, root)).toThrow();
          // A size is authenticated by the root signed with it: claim the next size with its own root.
          const bigger = treeOf(n + 1).tree.root();
          expect(() => verifyInclusion(m, n + 1, leaf, proof, bigger)).toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies; tampering fails', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 200 })
          .chain((n) => fc.tuple(fc.integer({ min: 1, max: n - 1 }), fc.constant(n), fc.nat(255))),
        ([m, n, bit]) => {
          const { tree } = treeOf(n);
          const proof = tree.consistencyProof(m, n);
          const r1 = tree.root(m);
          const r2 = tree.root(n);
          verifyConsistency(m, n, proof, r1, r2);
          expect(() => verifyConsistency(m, n, proof, flipBit(r1, bit), r2)).toThrow();
          expect(() => verifyConsistency(m, n, proof, r1, flipBit(r2, bit))).toThrow();
          const k = bit % proof.length;
          expect(() =>
            verifyConsistency(
              m,
              n,
              proof.map((p, i) => (i === k ? flipBit(p, bit) : p)),
              r1,
              r2,
            ),
          ).toThrow();
          expect(() => verifyConsistency(m, n + 1, proof, r1, treeOf(n + 1).tree.root())).toThrow();
          if (m > 1) expect(() => verifyConsistency(m - 1, n, proof, r1, r2)).toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
