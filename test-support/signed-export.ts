/**
 * Signed ledger exports made with core's own functions (canonical entries, log and task-heads roots,
 * signed checkpoints), line by line: for verifier tests that need a log too large, or too odd, to
 * push through the API.
 */
import {
  ArrayNodeStore,
  didKeyFromPublicKey,
  EMPTY_TASK_ACC,
  encodeEntry,
  entryLeafHash,
  extendTaskAcc,
  generateSigningKey,
  type Hash,
  MerkleFrontier,
  type SigningKey,
  signCheckpoint,
  TaskHeadsTree,
  taskHeadLeaf,
  taskHeadsLine,
} from '@humanos/core';

export interface SignedExportOptions {
  entries: number;
  /** Size of each entry's data blob. */
  entryBytes: number;
  /** Entries go to tasks round-robin; the first `tasks` entries create them. */
  tasks: number;
  /** A checkpoint every this many entries (and after the last). */
  every: number;
  /** Export this entry with another task in its `taskId` index column. */
  badColumnAt?: number;
  /** Sign a wrong task-heads root into the checkpoint of this size. */
  badHeadsAt?: number;
  key?: SigningKey;
}

/**
 * The export's JSON Lines (each without its newline) and its signer's did:key: `lines` is a
 * generator, so a 550 MiB export never exists as one string.
 *
 * @example
 * const { publicKey, lines } = signedExport({ entries: 10, entryBytes: 100, tasks: 3, every: 2 });
 * const text = [...lines].join('\n');
 */
export function signedExport(o: SignedExportOptions): { publicKey: string; lines: Generator<string> } {
  const key = o.key ?? generateSigningKey();
  const publicKey = didKeyFromPublicKey(key.publicKeyRaw);
  function* lines(): Generator<string> {
    const origin = 'humanos.ledger/generated';
    yield JSON.stringify({ type: 'header', format: 'humanos-ledger/1', origin, publicKey, size: o.entries });
    const log = new MerkleFrontier();
    const heads = new TaskHeadsTree(new ArrayNodeStore(), 0);
    const state = new Map<string, { pos: number; count: number; acc: Hash }>();
    const notes: string[] = [];
    const blob = 'x'.repeat(o.entryBytes);
    for (let seq = 0; seq < o.entries; seq++) {
      const taskId = `task:agent:${seq % o.tasks}`;
      const entry = encodeEntry({
        v: 1,
        seq,
        type: seq < o.tasks ? 'task.created' : 'task.feedback',
        at: '2026-12-06T09:00:00.000Z',
        actor: 'did:agent:inflator',
        taskId,
        data: { blob },
      });
      const leaf = entryLeafHash(entry);
      const column = seq === o.badColumnAt ? 'task:agent:elsewhere' : taskId;
      yield JSON.stringify({
        type: 'entry',
        index: seq,
        entry,
        leafHash: Buffer.from(leaf).toString('hex'),
        taskId: column,
      });
      log.append(leaf);
      const h = state.get(taskId) ?? { pos: heads.size, count: 0, acc: EMPTY_TASK_ACC };
      h.count += 1;
      h.acc = extendTaskAcc(h.acc, leaf);
      const headLeaf = taskHeadLeaf({ taskId, count: h.count, acc: h.acc });
      if (state.has(taskId)) heads.setLeaf(h.pos, headLeaf);
      else heads.append(headLeaf);
      state.set(taskId, h);
      const size = seq + 1;
      if (size % o.every === 0 || size === o.entries) {
        const rootHash = Buffer.from(log.root()).toString('base64');
        const root = size === o.badHeadsAt ? entryLeafHash('not the heads root') : heads.root();
        const extensions = [taskHeadsLine({ size: heads.size, root })];
        notes.push(signCheckpoint({ origin, size, rootHash, extensions }, key));
      }
    }
    for (const note of notes) yield JSON.stringify({ type: 'checkpoint', note });
  }
  return { publicKey, lines: lines() };
}
