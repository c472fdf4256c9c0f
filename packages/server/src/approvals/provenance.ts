import { bytesToHex } from '@humanos/core';
import type { FeatureDeps } from '../kernel/deps.js';
import type { Seal } from '../ledger/ledger.js';
import type { DecisionResult, ProvenanceView } from './schemas.js';

/** Signature plus an inclusion proof against a signed checkpoint that already contains the entry. */
export async function provenance(
  deps: Pick<FeatureDeps, 'db' | 'ledger' | 'signerDid'>,
  ledgerIndex: number,
  seal: Seal,
  signature: string,
): Promise<ProvenanceView> {
  const { size: treeSize, checkpoint, rootHash: rootHashB64 } = seal;
  const proof = seal.proveAppended(ledgerIndex) ?? (await deps.ledger.inclusionProof(deps.db, ledgerIndex, treeSize));
  return {
    approvalSignature: signature,
    ledgerProof: `0x${proof.map((h) => bytesToHex(h)).join('')}`,
    ledgerIndex,
    treeSize,
    rootHash: bytesToHex(Buffer.from(rootHashB64, 'base64'), '0x'),
    inclusionProof: proof.map((h) => bytesToHex(h, '0x')),
    checkpoint,
    signer: deps.signerDid,
  };
}

/**
 * A remembered decision response, complete: its provenance is stored after the commit, so a process
 * that died in between left only `ledgerIndex` and the signature. The proof is then made against the
 * newest checkpoint (which contains the entry: the decision committed with its checkpoint).
 */
export async function replayedDecision(
  deps: Pick<FeatureDeps, 'db' | 'ledger' | 'signerDid'>,
  stored: Record<string, unknown>,
): Promise<DecisionResult> {
  // What `decide` remembered: its answer, the provenance possibly only `ledgerIndex` and the signature.
  const body = stored as DecisionResult;
  const prov: Pick<ProvenanceView, 'ledgerIndex' | 'approvalSignature'> & Partial<ProvenanceView> = body.provenance;
  if (prov.checkpoint !== undefined) return body;
  const cp = await deps.ledger.latestCheckpoint(deps.db);
  if (!cp) throw new Error('a remembered decision without any ledger checkpoint');
  const seal: Seal = {
    size: Number(cp.size),
    rootHash: cp.root_hash,
    checkpoint: cp.note,
    proveAppended: () => undefined,
  };
  return { ...body, provenance: await provenance(deps, prov.ledgerIndex, seal, prov.approvalSignature) };
}
