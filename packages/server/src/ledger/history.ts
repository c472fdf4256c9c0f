import { entryLeafHash, type LedgerEntry, verifyInclusion } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { latestSigned, proveTaskHead } from './proof.js';
import type { HistoryView } from './schemas.js';

/** A task's history from the ledger, each entry checked against the latest signed checkpoint. */
export class History {
  constructor(private readonly deps: FeatureDeps) {}

  /**
   * Every ledger entry of a task, each with `verified`: its stored bytes hash to a leaf whose
   * inclusion proof leads to the latest signed checkpoint. A row changed after the fact shows false;
   * `complete` says whether these are all of the task's entries (its signed task head), so an entry
   * hidden by editing the index column does not leave a history that looks whole.
   */
  async taskHistory(actor: Principal, taskId: string): Promise<HistoryView> {
    await this.deps.access.visibleTask(this.deps.db, actor, taskId);
    const cp = await this.deps.ledger.latestCheckpoint(this.deps.db);
    const size = cp ? Number(cp.size) : 0;
    const root = cp ? new Uint8Array(Buffer.from(cp.root_hash, 'base64')) : undefined;
    const rows = await this.deps.db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry'])
      .where('task_id', '=', taskId)
      .where('seq', '<', size)
      .orderBy('seq')
      .execute();
    const events = [];
    const leaves: Uint8Array[] = [];
    for (const r of rows) {
      const index = Number(r.seq);
      let verified = false;
      let e: Partial<LedgerEntry> = {};
      try {
        e = JSON.parse(r.entry) as LedgerEntry;
        const proof = await this.deps.ledger.inclusionProof(this.deps.db, index, size);
        verifyInclusion(index, size, entryLeafHash(r.entry), proof, root as Uint8Array);
        verified = e.seq === index && e.taskId === taskId;
        if (verified) leaves.push(entryLeafHash(r.entry));
      } catch {
        verified = false;
      }
      events.push({
        index,
        type: e.type ?? 'unreadable',
        at: e.at ?? null,
        actor: e.actor ?? null,
        approvalId: e.approvalId ?? null,
        verified,
      });
    }
    let incompleteReason: string | null = null;
    try {
      // Against the heads root the latest checkpoint signs: nothing of the task is left out.
      const signed = await latestSigned(this.deps, this.deps.db);
      if (signed.size !== size) throw new Error('the latest checkpoint moved while reading');
      if (leaves.length !== rows.length) throw new Error('an entry does not verify');
      await proveTaskHead(this.deps.db, signed.heads, taskId, leaves);
    } catch (e) {
      incompleteReason = cp ? (e as Error).message : null;
    }
    const complete = incompleteReason === null;
    return { taskId, checkpointSize: size, checkpoint: cp?.note ?? null, events, complete, incompleteReason };
  }
}
