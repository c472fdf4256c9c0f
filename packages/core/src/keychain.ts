/**
 * The ledger's signing keys over time. A log starts with one key; a rotation appends one entry,
 * `ledger.key_rotated`, whose `data` is `{previous, next, signature}` (both `did:key`s; the signature
 * by the previous key over the canonical JSON of `{type: "humanos.key_rotation/v1", origin,
 * previous, next}`). The rotation entry at index r is sealed by a checkpoint the previous key signs;
 * every later checkpoint and decision record is signed by the next key. Runtime-neutral (the web
 * console's verifier uses it).
 */
import { canonicalJson } from './canonical.js';
import { bytesToHex, hexToBytes, publicKeyFromDidKey, verifyBytes } from './notes.js';

/** The entry type of a key rotation. */
export const KEY_ROTATION_ENTRY = 'ledger.key_rotated';

/** What the previous key signs when it hands the log over to the next one. */
export const KEY_ROTATION_TYPE = 'humanos.key_rotation/v1';

/**
 * One key of the chain, as the export header and `GET /ledger/keys` list it: the key signs the
 * decision records at indexes ≥ `fromSize` and the checkpoints of sizes > `fromSize` (until the
 * next key's `fromSize`). The first key has `fromSize` 0; a key that a rotation entry at index r
 * brought in has `fromSize` r + 1 (the checkpoint of size r + 1, which seals the rotation, is still
 * the previous key's).
 */
export interface KeyEpoch {
  /** The key as a `did:key`. */
  publicKey: string;
  fromSize: number;
}

/** The `data` of a `ledger.key_rotated` entry. */
export interface KeyRotation {
  previous: string;
  next: string;
  /** `0x`-hex Ed25519 signature by `previous` over `keyRotationMessage`. */
  signature: string;
}

/**
 * The bytes the previous key signs to hand the log of `origin` over to `next`.
 *
 * @example
 * signBytes(previousKey, keyRotationMessage(origin, previousDid, nextDid));
 */
export function keyRotationMessage(origin: string, previous: string, next: string): string {
  return canonicalJson({ type: KEY_ROTATION_TYPE, origin, previous, next });
}

/** Whether two `did:key`s name the same Ed25519 key (false when either is not one). */
export const sameDidKey = (a: string, b: string): boolean => {
  try {
    return bytesToHex(publicKeyFromDidKey(a)) === bytesToHex(publicKeyFromDidKey(b));
  } catch {
    return false;
  }
};

/**
 * Why a rotation entry's `data` is not a valid hand-over from `current` (the key in force before
 * it) for the log of `origin`, or undefined when it is.
 *
 * @example
 * const bad = rotationProblem(origin, entry.data, chain.current.publicKey);
 */
export function rotationProblem(origin: string, data: unknown, current: string): string | undefined {
  const d = (data ?? {}) as Partial<Record<keyof KeyRotation, unknown>>;
  if (typeof d.previous !== 'string' || typeof d.next !== 'string' || typeof d.signature !== 'string') {
    return 'a key rotation without previous, next and signature';
  }
  if (!sameDidKey(d.previous, current)) return `a key rotation from ${d.previous}, which is not the key in force`;
  let next: Uint8Array;
  try {
    next = publicKeyFromDidKey(d.next);
  } catch (e) {
    return `a key rotation to a bad key (${(e as Error).message})`;
  }
  if (next.length !== 32) return 'a key rotation to a bad key';
  if (!/^0x[0-9a-f]{128}$/.test(d.signature)) return 'a key rotation whose signature is not 0x-hex of 64 bytes';
  const ok = verifyBytes(
    publicKeyFromDidKey(current),
    keyRotationMessage(origin, d.previous, d.next),
    hexToBytes(d.signature),
  );
  return ok ? undefined : 'a key rotation not signed by the key in force (forged)';
}

/**
 * The keys of a log and where each is in force.
 *
 * @example
 * const chain = new KeyChain([{ publicKey: first, fromSize: 0 }, { publicKey: second, fromSize: 8 }]);
 * chain.forCheckpoint(8); // first: the checkpoint that seals the rotation
 * chain.forEntry(8); // second
 */
export class KeyChain {
  readonly epochs: readonly (KeyEpoch & { raw: Uint8Array })[];

  /** Throws when the list is empty, does not start at 0, is out of order or names a bad key. */
  constructor(epochs: readonly KeyEpoch[]) {
    if (epochs.length === 0 || epochs[0]?.fromSize !== 0) throw new Error('the key list must start at size 0');
    for (let i = 1; i < epochs.length; i++) {
      if ((epochs[i] as KeyEpoch).fromSize <= (epochs[i - 1] as KeyEpoch).fromSize) {
        throw new Error('the key list is not in increasing fromSize order');
      }
    }
    this.epochs = epochs.map((e) => {
      if (!Number.isSafeInteger(e.fromSize) || e.fromSize < 0) throw new Error(`bad fromSize ${e.fromSize}`);
      return { publicKey: e.publicKey, fromSize: e.fromSize, raw: publicKeyFromDidKey(e.publicKey) };
    });
  }

  /** The newest key. */
  get current(): KeyEpoch & { raw: Uint8Array } {
    return this.epochs[this.epochs.length - 1] as KeyEpoch & { raw: Uint8Array };
  }

  /** The key that signs the decision record (or any signed content) of the entry at `index`. */
  forEntry(index: number): Uint8Array {
    let k = this.epochs[0] as KeyEpoch & { raw: Uint8Array };
    for (const e of this.epochs) if (e.fromSize <= index) k = e;
    return k.raw;
  }

  /** The key that signs the checkpoint of `size` (the rotation's own checkpoint is the previous key's). */
  forCheckpoint(size: number): Uint8Array {
    return this.forEntry(size - 1);
  }

  /** Whether `did` is one of the chain's keys. */
  has(did: string): boolean {
    return this.epochs.some((e) => sameDidKey(e.publicKey, did));
  }

  /** The epochs without their raw bytes (what the API and the export header show). */
  list(): KeyEpoch[] {
    return this.epochs.map(({ publicKey, fromSize }) => ({ publicKey, fromSize }));
  }
}
