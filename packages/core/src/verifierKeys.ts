/**
 * Which keys and witnesses an export is checked with: the log's key chain as its header declares it
 * (and whether a trusted key may anchor it), and the checkpoints a witness policy's quorum cosigned.
 * Part of the verifier (verifier.ts), kept apart so each file stays one idea.
 */
import { KeyChain, type KeyEpoch, sameDidKey } from './keychain.js';
import type { VerifyOptions } from './ledger.js';
import { bytesToHex, didKeyFromPublicKey, hexToBytes, openCheckpoint, publicKeyFromDidKey } from './notes.js';
import { checkCosignatures, parseWitnessKey } from './witness.js';

function publicKeyBytes(pk: string): Uint8Array {
  return pk.startsWith('did:key:') ? publicKeyFromDidKey(pk) : hexToBytes(pk);
}

/**
 * The keys the export declares (its header's `keys`, or its one `publicKey` from size 0); a
 * trusted key must be one of them (an export without a key list is checked with the trusted key
 * alone, as before rotation existed). The rotation entries in the log confirm each later key.
 */
export function declaredChain(header: { publicKey: string; keys?: KeyEpoch[] }, trusted: string | undefined): KeyChain {
  const did = (pk: string) => (pk.startsWith('did:key:') ? pk : didKeyFromPublicKey(hexToBytes(pk)));
  if (!header.keys) return new KeyChain([{ publicKey: did(trusted ?? header.publicKey), fromSize: 0 }]);
  const chain = new KeyChain(header.keys);
  if (
    !chain.has(did(header.publicKey)) ||
    bytesToHex(chain.current.raw) !== bytesToHex(publicKeyBytes(header.publicKey))
  ) {
    throw new Error("the header's publicKey is not the last key of its key list");
  }
  if (trusted !== undefined && !chain.has(did(trusted)))
    throw new Error("the trusted key is not one of the log's keys");
  return chain;
}

/**
 * A trusted key later than the first must have signed a checkpoint (itself or a key it handed the
 * log to) at or after its rotation: that checkpoint covers the rotations before it. The checkpoint
 * that seals a rotation carries the next key's signature beside the previous key's (a log with no
 * write since its rotation is still anchored by the new key). A history of keys nobody trusts,
 * ending in a rotation to the trusted key that the trusted key never sealed, proves nothing.
 */
export function unsealedTrust(
  keys: KeyChain,
  notes: readonly string[],
  origin: string,
  trusted: string | undefined,
): string | undefined {
  if (trusted === undefined) return undefined;
  const did = trusted.startsWith('did:key:') ? trusted : didKeyFromPublicKey(hexToBytes(trusted));
  const at = keys.epochs.findIndex((e) => sameDidKey(e.publicKey, did));
  if (at <= 0) return undefined;
  const from = (keys.epochs[at] as KeyEpoch).fromSize;
  const later = keys.epochs.slice(at);
  const sealed = notes.some((note) => claimedSize(note) >= from && later.some((k) => signs(note, origin, k.raw)));
  return sealed ? undefined : 'no checkpoint is signed by the trusted public key or a key it handed the log to';
}

/** Whether `note` carries a valid signature of `key` (as the log `origin`). */
function signs(note: string, origin: string, key: Uint8Array): boolean {
  try {
    openCheckpoint(note, origin, key);
    return true;
  } catch {
    return false;
  }
}

/** The size a note claims (its second line), read before its signature is checked to pick the key. */
export function claimedSize(note: string): number {
  return Number(note.split('\n', 2)[1]);
}

/**
 * The sizes of the checkpoints cosigned by at least `witnessQuorum` distinct policy witnesses, or why
 * the policy or a cosignature is unacceptable. A cosignature line that names a policy witness and
 * its key id but does not verify makes the note malformed (signed-note): the export is refused.
 */
export function witnessedSizes(
  notes: readonly string[],
  origin: string,
  keys: KeyChain,
  options: Pick<VerifyOptions, 'witnesses' | 'witnessQuorum'>,
): number[] | string {
  const vkeys = options.witnesses ?? [];
  let witnesses: ReturnType<typeof parseWitnessKey>[];
  try {
    witnesses = vkeys.map((w) => parseWitnessKey(w));
  } catch (e) {
    return `witness key rejected: ${(e as Error).message}`;
  }
  const quorum = options.witnessQuorum ?? witnesses.length;
  if (new Set(witnesses.map((w) => w.vkey)).size !== witnesses.length) return 'the witness policy lists a key twice';
  if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > witnesses.length) {
    return `the witness quorum must be between 1 and ${witnesses.length} (the witnesses given), not ${quorum}`;
  }
  const sizes: number[] = [];
  for (const note of notes) {
    const { valid, invalid } = checkCosignatures(note, witnesses);
    const size = openCheckpoint(note, origin, keys.forCheckpoint(claimedSize(note))).size;
    if (invalid.length > 0)
      return `the checkpoint of size ${size} carries a cosignature by ${invalid[0]} that does not verify`;
    if (valid.size >= quorum) sizes.push(size);
  }
  return sizes;
}
