/**
 * The RFC 6962 vectors of transparency-dev/merkle (`testdata/rfc6962`) as one runner over a verifier
 * API, with no import of its own: the same code checks core's verifier in Node (on `node:crypto` and
 * on the browser's `#crypto`) and, bundled, in Chromium (packages/web/test/verifier.browser.test.ts).
 * Files are read by `rfc6962-files.ts`, which is Node-only.
 */

/** What the runner needs of `@humanos/core/verifier`. */
export interface MerkleApi {
  base64ToBytes(text: string): Uint8Array;
  bytesToHex(bytes: Uint8Array): string;
  hexToBytes(hex: string): Uint8Array;
  bytesToBase64(bytes: Uint8Array): string;
  leafHash(entry: Uint8Array | string): Uint8Array;
  rootFromLeafHashes(leaves: readonly Uint8Array[]): Uint8Array;
  verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void;
  verifyConsistency(
    size1: number,
    size2: number,
    proof: readonly Uint8Array[],
    root1: Uint8Array,
    root2: Uint8Array,
  ): void;
  MemoryMerkleTree: new () => {
    append(leaf: Uint8Array): void;
    root(size?: number): Uint8Array;
    inclusionProof(index: number, size?: number): Uint8Array[];
    consistencyProof(size1: number, size2?: number): Uint8Array[];
  };
}

export interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  leafHash: string;
  proof: string[] | null;
  root: string;
  wantErr: boolean;
}

export interface ConsistencyVector {
  size1: number;
  size2: number;
  proof: string[] | null;
  root1: string;
  root2: string;
  wantErr: boolean;
}

export interface Rfc6962Vectors {
  reference: { leafInputs: string[]; leafHashes: string[]; rootsBySize: string[] };
  inclusion: { name: string; v: InclusionVector }[];
  consistency: { name: string; v: ConsistencyVector }[];
}

/** A vector's verdict: `ok`, or the error the verifier threw. */
export type Verdict = { ok: true } | { ok: false; error: string };

function verdict(run: () => void): Verdict {
  try {
    run();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String((e as Error).message ?? e) };
  }
}

/** One inclusion vector through `api.verifyInclusion`. */
export function inclusionVerdict(api: MerkleApi, v: InclusionVector): Verdict {
  const b64 = (s: string) => api.base64ToBytes(s);
  return verdict(() =>
    api.verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)),
  );
}

/** One consistency vector through `api.verifyConsistency`. */
export function consistencyVerdict(api: MerkleApi, v: ConsistencyVector): Verdict {
  const b64 = (s: string) => api.base64ToBytes(s);
  return verdict(() => api.verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2)));
}

/**
 * The reference tree (8 leaves): every leaf hash, the root of every size by both root functions, and
 * our generated proofs against the published happy-path ones. Returns the mismatches (none is a pass).
 */
export function referenceMismatches(api: MerkleApi, vectors: Rfc6962Vectors): string[] {
  const out: string[] = [];
  const ref = vectors.reference;
  const leaves = ref.leafInputs.map((h) => api.leafHash(api.hexToBytes(h)));
  leaves.forEach((l, i) => {
    if (api.bytesToHex(l) !== ref.leafHashes[i]) out.push(`leaf hash ${i}`);
  });
  const tree = new api.MemoryMerkleTree();
  ref.rootsBySize.forEach((root, size) => {
    if (api.bytesToHex(api.rootFromLeafHashes(leaves.slice(0, size))) !== root) out.push(`rootFromLeafHashes(${size})`);
    if (api.bytesToHex(tree.root(size)) !== root) out.push(`MemoryMerkleTree.root(${size})`);
    const next = leaves[size];
    if (next) tree.append(next);
  });
  const b64s = (proof: Uint8Array[]) => proof.map((p) => api.bytesToBase64(p)).join(',');
  for (const { name, v } of vectors.inclusion) {
    if (!name.endsWith('happy-path.json') || v.treeSize > 8) continue;
    if (b64s(tree.inclusionProof(v.leafIdx, v.treeSize)) !== (v.proof ?? []).join(',')) out.push(`proof of ${name}`);
  }
  for (const { name, v } of vectors.consistency) {
    if (!name.endsWith('happy-path.json') || v.size2 > 8 || v.size1 === 0) continue;
    if (b64s(tree.consistencyProof(v.size1, v.size2)) !== (v.proof ?? []).join(',')) out.push(`proof of ${name}`);
  }
  return out;
}

/** Every vector's name, whether it must fail, and the verdict it got: what a browser run hands back. */
export function allVerdicts(
  api: MerkleApi,
  vectors: Rfc6962Vectors,
): { name: string; wantErr: boolean; got: Verdict }[] {
  return [
    ...vectors.inclusion.map(({ name, v }) => ({ name, wantErr: v.wantErr, got: inclusionVerdict(api, v) })),
    ...vectors.consistency.map(({ name, v }) => ({ name, wantErr: v.wantErr, got: consistencyVerdict(api, v) })),
  ];
}
