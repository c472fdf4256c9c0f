import { bytesToHex, HumanOSError } from '@humanos/core';
import type { FeatureDeps } from '../kernel/deps.js';
import { textBytes, withinBytes } from '../kernel/routes.js';
import { withCosignatures } from './witnesses.js';

const hexes = (hashes: readonly Uint8Array[]): string[] => hashes.map((h) => bytesToHex(h, '0x'));

/** Entries at most per `entries` call (fewer when they are large: `withinBytes`). */
const MAX_ENTRIES = 1000;

/**
 * The ledger as its readers see it: the latest checkpoint, consistency and inclusion proofs, and
 * pages of entries. Who may call what is the routes' concern (the checkpoint and consistency proofs
 * are public, entries and inclusion proofs are for admins and auditors); these are the queries.
 *
 * @example
 * const reads = new LedgerReads(deps);
 * const { checkpoint } = await reads.checkpoint();
 * const page = await reads.entries(0); // { size, entries: [{ index, entry, leafHash }, …] }
 */
export class LedgerReads {
  constructor(private readonly deps: Pick<FeatureDeps, 'db' | 'ledger' | 'origin'>) {}

  /** The latest signed checkpoint; `not_found` while the ledger is empty. */
  async checkpoint(): Promise<{ size: number; rootHash: string; checkpoint: string; origin: string }> {
    const cp = await this.deps.ledger.latestCheckpoint(this.deps.db);
    if (!cp) throw new HumanOSError('not_found', 'the ledger is empty');
    return {
      size: Number(cp.size),
      rootHash: bytesToHex(Buffer.from(cp.root_hash, 'base64'), '0x'),
      checkpoint: (await withCosignatures(this.deps.db, [cp]))[0] as string,
      origin: this.deps.origin,
    };
  }

  /** Proves the tree at `to` (default: the current size) extends the tree at `from`, with the checkpoint at `to`. */
  async consistency(
    from: number,
    to?: number,
  ): Promise<{ from: number; to: number; consistencyProof: string[]; checkpoint: string }> {
    const { db, ledger } = this.deps;
    const size = to ?? (await ledger.size(db));
    if (from > size) throw new HumanOSError('bad_request', `from (${from}) is beyond to (${size})`);
    const checkpoint = await this.signedAt(size);
    return { from, to: size, consistencyProof: hexes(await ledger.consistencyProof(db, from, size)), checkpoint };
  }

  /** Proves entry `index` is in the tree of `size` (default: the current size), with that checkpoint. */
  async inclusion(
    index: number,
    size?: number,
  ): Promise<{ index: number; treeSize: number; inclusionProof: string[]; checkpoint: string }> {
    const { db, ledger } = this.deps;
    const treeSize = size ?? (await ledger.size(db));
    const checkpoint = await this.signedAt(treeSize);
    if (index >= treeSize) throw new HumanOSError('bad_request', `index ${index} is outside size ${treeSize}`);
    return { index, treeSize, inclusionProof: hexes(await ledger.inclusionProof(db, index, treeSize)), checkpoint };
  }

  /** The signed note of the checkpoint at `size`; `not_found` when no checkpoint was signed at that size. */
  private async signedAt(size: number): Promise<string> {
    const cp = await this.deps.ledger.checkpointAt(this.deps.db, size);
    if (!cp) throw new HumanOSError('not_found', `no signed checkpoint at size ${size}`);
    return (await withCosignatures(this.deps.db, [cp]))[0] as string;
  }

  /**
   * Entries `start` ≤ index < `end` (default: the size), at most 1000 and bounded by bytes as well as
   * count: fewer when they are large (the caller continues from the last index it got).
   */
  async entries(
    start: number,
    end?: number,
  ): Promise<{ size: number; entries: { index: number; entry: string; leafHash: string }[] }> {
    const { db, ledger } = this.deps;
    const size = await ledger.size(db);
    const stop = Math.min(end ?? size, size, start + MAX_ENTRIES);
    const heads = await db
      .selectFrom('ledger_entries')
      .select(['seq', textBytes(['entry']).as('bytes')])
      .where('seq', '>=', start)
      .where('seq', '<', stop)
      .orderBy('seq')
      .execute();
    const fit = withinBytes(heads, (h) => Number(h.bytes));
    const rows = await db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry', 'leaf_hash'])
      .where('seq', '>=', start)
      .where('seq', '<', start + fit.length)
      .orderBy('seq')
      .execute();
    return { size, entries: rows.map((r) => ({ index: Number(r.seq), entry: r.entry, leafHash: r.leaf_hash })) };
  }
}
