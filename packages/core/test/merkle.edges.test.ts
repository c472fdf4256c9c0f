/**
 * Merkle hashing and proof verification (`merkle.ts`) at their edges: each refusal of a hostile proof
 * asserted by the check that made it (the vector tests only ask "does it throw"), the RFC 6962
 * examples of proof ranges, the storage helpers, and sizes beyond 2^32 (the 53-bit XOR).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  consistencyRanges,
  emptyRoot,
  equalBytes,
  HASH_SIZE,
  inclusionRanges,
  leafHash,
  MemoryMerkleTree,
  MerkleError,
  MerkleFrontier,
  nodeHash,
  nodesCompletedBy,
  perfectNodesFor,
  rangeHash,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../src/merkle.js';

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const h = (n: number) => sha(Uint8Array.of(n));
/** Hashes compared as hex: `node:crypto` returns Buffers, the tests build Uint8Arrays. */
const x = (b: Uint8Array) => Buffer.from(b).toString('hex');
const short = new Uint8Array(31);

function tree(n: number): MemoryMerkleTree {
  const t = new MemoryMerkleTree();
  for (let i = 0; i < n; i++) t.append(leafHash(`leaf-${i}`));
  return t;
}

describe('hashing', () => {
  it('leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right), for any input length', () => {
    expect(x(leafHash('ab'))).toBe(x(sha(Uint8Array.of(0), Buffer.from('ab'))));
    expect(x(leafHash(Uint8Array.of(1, 2)))).toBe(x(sha(Uint8Array.of(0, 1, 2))));
    expect(x(nodeHash(h(1), h(2)))).toBe(x(sha(Uint8Array.of(1), h(1), h(2))));
    expect(x(nodeHash(short, h(2)))).toBe(x(sha(Uint8Array.of(1), short, h(2))));
    expect(x(nodeHash(h(1), short))).toBe(x(sha(Uint8Array.of(1), h(1), short)));
    expect(x(emptyRoot())).toBe(x(sha()));
    expect(HASH_SIZE).toBe(32);
  });
  it('equalBytes compares length and every byte', () => {
    expect(equalBytes(h(1), Uint8Array.from(h(1)))).toBe(true);
    expect(equalBytes(h(1), h(1).subarray(0, 31))).toBe(false);
    const last = Uint8Array.from(h(1));
    last[31] = (last[31] as number) ^ 1;
    expect(equalBytes(h(1), last)).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    // A prefix is not equal, in either order.
    expect(equalBytes(h(1).subarray(0, 31), h(1))).toBe(false);
  });
  it('the root of 1, 2 and 3 leaves by the RFC’s definition', () => {
    expect(rootFromLeafHashes([h(1)])).toEqual(h(1));
    expect(rootFromLeafHashes([h(1), h(2)])).toEqual(nodeHash(h(1), h(2)));
    expect(rootFromLeafHashes([h(1), h(2), h(3)])).toEqual(nodeHash(nodeHash(h(1), h(2)), h(3)));
    const f = new MerkleFrontier();
    for (const n of [1, 2, 3]) f.append(h(n));
    expect(f.size).toBe(3);
    expect(f.root()).toEqual(nodeHash(nodeHash(h(1), h(2)), h(3)));
  });
});

describe('proof ranges: the RFC 6962 §2.1.3 examples (a tree of 7 leaves)', () => {
  it('inclusion paths', () => {
    expect(inclusionRanges(0, 7)).toEqual([
      [1, 2],
      [2, 4],
      [4, 7],
    ]);
    expect(inclusionRanges(3, 7)).toEqual([
      [2, 3],
      [0, 2],
      [4, 7],
    ]);
    expect(inclusionRanges(4, 7)).toEqual([
      [5, 6],
      [6, 7],
      [0, 4],
    ]);
    expect(inclusionRanges(6, 7)).toEqual([
      [4, 6],
      [0, 4],
    ]);
    expect(inclusionRanges(0, 1)).toEqual([]);
  });
  it('consistency proofs', () => {
    expect(consistencyRanges(3, 7)).toEqual([
      [2, 3],
      [3, 4],
      [0, 2],
      [4, 7],
    ]);
    expect(consistencyRanges(4, 7)).toEqual([[4, 7]]);
    expect(consistencyRanges(6, 7)).toEqual([
      [4, 6],
      [6, 7],
      [0, 4],
    ]);
    expect(consistencyRanges(7, 7)).toEqual([]);
  });
  it('a leaf index or sizes outside the tree are refused', () => {
    for (const [m, n] of [
      [-1, 5],
      [5, 5],
      [1.5, 5],
      [0, 2 ** 53],
    ]) {
      expect(() => inclusionRanges(m as number, n as number)).toThrow(`leaf index ${m} is outside a tree of size ${n}`);
    }
    for (const [m, n] of [
      [0, 5],
      [6, 5],
      [1.5, 5],
      [1, 2 ** 53],
    ]) {
      expect(() => consistencyRanges(m as number, n as number)).toThrow(`no consistency proof from size ${m} to ${n}`);
    }
  });
});

describe('storage helpers', () => {
  it('the perfect subtrees making up a range, left to right', () => {
    expect(perfectNodesFor([0, 6])).toEqual([
      [2, 0],
      [1, 2],
    ]);
    expect(perfectNodesFor([4, 7])).toEqual([
      [1, 2],
      [0, 6],
    ]);
    expect(perfectNodesFor([3, 4])).toEqual([[0, 3]]);
    expect(perfectNodesFor([3, 3])).toEqual([]);
  });
  it('the nodes an append completes', () => {
    expect(nodesCompletedBy(0)).toEqual([]);
    expect(nodesCompletedBy(1)).toEqual([[1, 0]]);
    expect(nodesCompletedBy(5)).toEqual([[1, 2]]);
    expect(nodesCompletedBy(7)).toEqual([
      [1, 3],
      [2, 1],
      [3, 0],
    ]);
  });
  it('rangeHash combines stored nodes; an empty range is the empty root', () => {
    expect(x(rangeHash([2, 2], () => h(9)))).toBe(x(emptyRoot()));
    expect(rangeHash([0, 3], ([l, i]) => (l === 1 && i === 0 ? h(10) : h(20 + i)))).toEqual(nodeHash(h(10), h(22)));
    expect(rangeHash([4, 8], ([l, i]) => (l === 2 && i === 1 ? h(5) : h(0)))).toEqual(h(5));
  });
  it('a memory tree gives the root of any size it has, and refuses a larger one', () => {
    const t = tree(5);
    expect(t.size).toBe(5);
    expect(t.root(0)).toEqual(emptyRoot());
    expect(t.root(3)).toEqual(rootFromLeafHashes([0, 1, 2].map((i) => leafHash(`leaf-${i}`))));
    expect(() => t.root(6)).toThrow('tree has 5 leaves, not 6');
    expect(() => t.inclusionProof(5)).toThrow(MerkleError);
  });
});

describe('inclusion proofs: each refusal by its check', () => {
  const t = tree(7);
  const root = t.root();
  const leaf = leafHash('leaf-3');
  const proof = t.inclusionProof(3);
  it('a valid proof leads to the root', () => {
    expect(rootFromInclusionProof(3, 7, leaf, proof)).toEqual(root);
    expect(() => verifyInclusion(3, 7, leaf, proof, root)).not.toThrow();
  });
  it('hashes of the wrong size', () => {
    expect(() => verifyInclusion(3, 7, leaf, proof, short)).toThrow('root is 31 bytes, want 32');
    expect(() => verifyInclusion(3, 7, short, proof, root)).toThrow('leaf hash is 31 bytes, want 32');
    expect(() => verifyInclusion(3, 7, leaf, [proof[0] as Uint8Array, short, proof[2] as Uint8Array], root)).toThrow(
      'proof[1] is 31 bytes, want 32',
    );
  });
  it('a proof of the wrong length', () => {
    expect(() => verifyInclusion(3, 7, leaf, proof.slice(1), root)).toThrow('inclusion proof has 2 hashes, want 3');
    expect(() => verifyInclusion(3, 7, leaf, [...proof, h(1)], root)).toThrow('inclusion proof has 4 hashes, want 3');
  });
  it('a proof that leads elsewhere', () => {
    expect(() => verifyInclusion(3, 7, leafHash('x'), proof, root)).toThrow(
      'inclusion proof does not lead to the root',
    );
    const e = (() => {
      try {
        verifyInclusion(3, 7, leafHash('x'), proof, root);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(MerkleError);
    expect((e as Error).name).toBe('MerkleError');
  });
});

describe('sizes beyond 2^32 (53-bit arithmetic)', () => {
  it('the last leaf of a tree of 2^33 + 1 needs one hash: the left subtree’s root', () => {
    const size = 2 ** 33 + 1;
    expect(rootFromInclusionProof(2 ** 33, size, h(1), [h(2)])).toEqual(nodeHash(h(2), h(1)));
    expect(() => rootFromInclusionProof(2 ** 33, size, h(1), [])).toThrow('inclusion proof has 0 hashes, want 1');
  });
  it('the first leaf of it needs 34: 33 within the left subtree, then the last leaf', () => {
    const size = 2 ** 33 + 1;
    const proof = Array.from({ length: 34 }, (_, i) => h(i + 10));
    expect(rootFromInclusionProof(0, size, h(1), proof)).toEqual(
      proof.reduce<Uint8Array>((acc, p) => nodeHash(acc, p), h(1)),
    );
    expect(() => rootFromInclusionProof(0, size, h(1), proof.slice(1))).toThrow('want 34');
  });
  it('a leaf in the middle of a 2^40 tree: its bits above 2^32 choose the side', () => {
    const index = 2 ** 39 + 2 ** 35 + 1;
    const proof = Array.from({ length: 40 }, (_, i) => h(i + 100));
    const want = proof.reduce<Uint8Array>(
      (acc, p, i) => (Math.floor(index / 2 ** i) % 2 === 0 ? nodeHash(acc, p) : nodeHash(p, acc)),
      h(1),
    );
    expect(rootFromInclusionProof(index, 2 ** 40, h(1), proof)).toEqual(want);
    // The last leaf of the left 2^40 subtree: 40 hashes inside it, then the right subtree's root.
    expect(() => rootFromInclusionProof(2 ** 40 - 1, 2 ** 40 + 2 ** 34, h(1), [])).toThrow('want 41');
  });
});

describe('consistency proofs: each refusal by its check', () => {
  const t = tree(7);
  const r3 = t.root(3);
  const r4 = t.root(4);
  const r7 = t.root(7);
  const p37 = t.consistencyProof(3, 7);
  const p47 = t.consistencyProof(4, 7);
  it('valid proofs verify (size1 a power of two or not)', () => {
    expect(() => verifyConsistency(3, 7, p37, r3, r7)).not.toThrow();
    expect(() => verifyConsistency(4, 7, p47, r4, r7)).not.toThrow();
    expect(() => verifyConsistency(7, 7, [], r7, Uint8Array.from(r7))).not.toThrow();
  });
  it('sizes: negative, fractional, shrinking, or from the empty tree', () => {
    expect(() => verifyConsistency(-1, 7, p37, r3, r7)).toThrow('tree sizes must be non-negative integers');
    expect(() => verifyConsistency(3, -7, p37, r3, r7)).toThrow('tree sizes must be non-negative integers');
    expect(() => verifyConsistency(2.5, 7, p37, r3, r7)).toThrow('tree sizes must be non-negative integers');
    expect(() => verifyConsistency(3, 7.5, p37, r3, r7)).toThrow('tree sizes must be non-negative integers');
    expect(() => verifyConsistency(7, 3, p37, r7, r3)).toThrow('size2 (3) < size1 (7)');
    expect(() => verifyConsistency(0, 7, [], emptyRoot(), r7)).toThrow(
      'a consistency proof from an empty tree is meaningless',
    );
    expect(() => verifyConsistency(0, 0, [], emptyRoot(), emptyRoot())).toThrow('meaningless');
  });
  it('equal sizes: an empty proof and the same root', () => {
    expect(() => verifyConsistency(7, 7, [h(1)], r7, r7)).toThrow('equal sizes need an empty proof');
    expect(() => verifyConsistency(7, 7, [], r7, r3)).toThrow('equal sizes but the roots differ');
  });
  it('hashes of the wrong size', () => {
    expect(() => verifyConsistency(3, 7, p37, short, r7)).toThrow('root1 is 31 bytes, want 32');
    expect(() => verifyConsistency(3, 7, p37, r3, short)).toThrow('root2 is 31 bytes, want 32');
    expect(() => verifyConsistency(3, 7, [...p37.slice(0, 3), short], r3, r7)).toThrow('proof[3] is 31 bytes, want 32');
  });
  it('a proof of the wrong length', () => {
    expect(() => verifyConsistency(3, 7, [], r3, r7)).toThrow('empty consistency proof');
    expect(() => verifyConsistency(3, 7, p37.slice(1), r3, r7)).toThrow('consistency proof has 3 hashes, want 4');
    // 6 → 7: a seed, one inner hash and one border hash.
    expect(() => verifyConsistency(6, 7, t.consistencyProof(6, 7).slice(1), t.root(6), r7)).toThrow(
      'consistency proof has 2 hashes, want 3',
    );
    expect(() => verifyConsistency(4, 7, [...p47, h(1)], r4, r7)).toThrow('consistency proof has 2 hashes, want 1');
  });
  it('a proof that leads to another root1 or root2', () => {
    expect(() => verifyConsistency(3, 7, p37, t.root(2), r7)).toThrow('consistency proof does not lead to root1');
    expect(() => verifyConsistency(3, 7, p37, r3, t.root(6))).toThrow('consistency proof does not lead to root2');
    // size1 = 4 is a perfect subtree: root1 is the proof's seed, so a wrong root1 shows at root2.
    expect(() => verifyConsistency(4, 7, p47, r3, r7)).toThrow('consistency proof does not lead to root2');
  });
});
