import { bytesToHex } from '@humanos/core';
import type { FeatureDeps } from '../kernel/deps.js';
import type { Seal } from '../ledger/ledger.js';

/** Signature plus an inclusion proof against a signed checkpoint that already contains the entry. */
export async function provenance(
  deps: Pick<FeatureDeps, 'db' | 'ledger' | 'signerDid'>,
  ledgerIndex: number,
  seal: Seal,
  signature: string,
): Promise<Record<string, unknown>> {
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
