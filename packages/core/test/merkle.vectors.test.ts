import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leafHash, MemoryMerkleTree, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../src/merkle.js';

const VECTORS = join(import.meta.dirname, '../../../testdata/rfc6962');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('RFC 6962 published vectors', () => {
  it('finds the vectors beside the repository', () => {
    expect(jsonFiles(join(VECTORS, 'inclusion')).length).toBeGreaterThan(50);
    expect(jsonFiles(join(VECTORS, 'consistency')).length).toBeGreaterThan(50);
  });

  const ref = JSON.parse(readFileSync(join(VECTORS, 'reference-tree.json'), 'utf8')) as {
    leafInputs: string[];
    leafHashes: string[];
    rootsBySize: string[];
  };

  it('reference tree: leaf hashes and the root of every size 0..8', () => {
    const leaves = ref.leafInputs.map((h) => leafHash(hex(h)));
    for (const [i, l] of leaves.entries()) expect(Buffer.from(l).toString('hex')).toBe(ref.leafHashes[i]);
    const tree = new MemoryMerkleTree();
    ref.rootsBySize.forEach((root, size) => {
      expect(Buffer.from(rootFromLeafHashes(leaves.slice(0, size))).toString('hex')).toBe(root);
      expect(Buffer.from(tree.root(size)).toString('hex')).toBe(root);
      if (size < leaves.length) tree.append(leaves[size] as Uint8Array);
    });
  });

  for (const file of jsonFiles(join(VECTORS, 'inclusion'))) {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    it(`inclusion ${relative(VECTORS, file)} (${v.wantErr ? 'must fail' : 'must pass'})`, () => {
      const run = () => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
      if (v.wantErr) expect(run).toThrow();
      else expect(run).not.toThrow();
    });
  }

  for (const file of jsonFiles(join(VECTORS, 'consistency'))) {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    it(`consistency ${relative(VECTORS, file)} (${v.wantErr ? 'must fail' : 'must pass'})`, () => {
      const run = () => verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
      if (v.wantErr) expect(run).toThrow();
      else expect(run).not.toThrow();
    });
  }

  it('our generated proofs equal the published happy-path proofs', () => {
    const tree = new MemoryMerkleTree();
    for (const h of ref.leafHashes) tree.append(hex(h));
    for (const file of jsonFiles(join(VECTORS, 'inclusion')).filter((f) => f.endsWith('happy-path.json'))) {
      const v = JSON.parse(readFileSync(file, 'utf8'));
      if (v.treeSize > 8) continue;
      expect(tree.inclusionProof(v.leafIdx, v.treeSize).map((p) => Buffer.from(p).toString('base64'))).toEqual(
        v.proof ?? [],
      );
    }
    for (const file of jsonFiles(join(VECTORS, 'consistency')).filter((f) => f.endsWith('happy-path.json'))) {
      const v = JSON.parse(readFileSync(file, 'utf8'));
      if (v.size2 > 8 || v.size1 === 0) continue;
      expect(tree.consistencyProof(v.size1, v.size2).map((p) => Buffer.from(p).toString('base64'))).toEqual(
        v.proof ?? [],
      );
    }
  });
});
