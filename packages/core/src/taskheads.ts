/**
 * The task-heads map: a second Merkle tree, signed by every checkpoint, that commits to each task's
 * chain of ledger entries, so that "these are all of task X's entries" can be proved with only the
 * public key. Without it an insider who edits the plain index column `ledger_entries.task_id` could
 * hide a cancellation, a chain step or a rejection from whoever selects a task's entries by that
 * column, while every entry (and so every log root) stays intact.
 *
 * - A task's **accumulator** runs over its entries in log order: `acc₀ = 32 zero bytes`,
 *   `accᵢ = SHA-256(accᵢ₋₁ ‖ leafHash(entryᵢ))`; `count` is the number of its entries.
 * - Its **leaf** is `SHA-256(0x00 ‖ canonicalJson({acc: hex, count, taskId}))`, at position k = the
 *   order in which the task's id first appears in the log (positions are append-only, leaves change).
 * - Interior nodes and the root are RFC 6962's (`SHA-256(0x01 ‖ L ‖ R)`, the same shape as the log
 *   tree over positions 0..T−1), so inclusion proofs and stored perfect-subtree nodes work as for
 *   the log.
 * - Each checkpoint carries it as an extension line of the signed note (C2SP tlog-checkpoint allows
 *   extension lines after the root): `humanos-task-heads <T> <base64 root>`.
 */
import { sha256 } from '#crypto';
import { canonicalJson } from './canonical.js';
import {
  emptyRoot,
  type Hash,
  inclusionRanges,
  leafHash,
  MerkleError,
  type NodeRef,
  nodeHash,
  perfectNodesFor,
  rangeHash,
} from './merkle.js';
import { base64ToBytes, bytesToBase64, bytesToHex } from './notes.js';

/** The keyword of the checkpoint extension line that signs the task-heads root. */
export const TASK_HEADS_EXTENSION = 'humanos-task-heads';

/** The accumulator of a task with no entries yet. */
export const EMPTY_TASK_ACC: Hash = new Uint8Array(32);

/** `SHA-256(acc ‖ leaf)`: the accumulator after one more entry of the task (`leaf` is its log leaf hash). */
export function extendTaskAcc(acc: Hash, leaf: Hash): Hash {
  return sha256(acc, leaf);
}

/** A task's head: how many entries it has and the accumulator over them. */
export interface TaskHead {
  taskId: string;
  count: number;
  acc: Hash;
}

/** The heads tree's leaf for a task's head. */
export function taskHeadLeaf(head: TaskHead): Hash {
  return leafHash(canonicalJson({ acc: bytesToHex(head.acc), count: head.count, taskId: head.taskId }));
}

/** The signed extension line: the heads tree's size (number of tasks) and root. */
export interface TaskHeadsRoot {
  size: number;
  root: Hash;
}

/** `humanos-task-heads <T> <base64 root>` (no newline). */
export function taskHeadsLine(r: TaskHeadsRoot): string {
  return `${TASK_HEADS_EXTENSION} ${r.size} ${bytesToBase64(r.root)}`;
}

/**
 * The heads root a checkpoint's extension lines sign, or undefined when none names one (a checkpoint
 * of a log from before task heads existed). A malformed or repeated heads line throws.
 *
 * @example
 * const heads = taskHeadsFromExtensions(openCheckpoint(note, origin, key).extensions);
 */
export function taskHeadsFromExtensions(extensions: readonly string[] | undefined): TaskHeadsRoot | undefined {
  let found: TaskHeadsRoot | undefined;
  for (const line of extensions ?? []) {
    if (!line.startsWith(`${TASK_HEADS_EXTENSION} `)) continue;
    const m = /^humanos-task-heads (0|[1-9][0-9]*) ([A-Za-z0-9+/]{43}=)$/.exec(line);
    const size = Number(m?.[1]);
    const root = m ? base64ToBytes(m[2] as string) : undefined;
    if (!m || !root || root.length !== 32 || !Number.isSafeInteger(size)) throw new Error('bad task-heads line');
    if (found) throw new Error('two task-heads lines');
    found = { size, root };
  }
  return found;
}

/** Where a heads tree keeps its perfect-subtree nodes (every node of a complete, aligned subtree). */
export interface HeadsNodeStore {
  get(ref: NodeRef): Hash | undefined;
  set(ref: NodeRef, hash: Hash): void;
}

/** Every node in memory, level by level: for verifiers that rebuild the whole tree. */
export class ArrayNodeStore implements HeadsNodeStore {
  private readonly levels: Hash[][] = [];

  get([level, idx]: NodeRef): Hash | undefined {
    return this.levels[level]?.[idx];
  }

  set([level, idx]: NodeRef, hash: Hash): void {
    let row = this.levels[level];
    if (!row) {
      row = [];
      this.levels[level] = row;
    }
    row[idx] = hash;
  }
}

/**
 * A Merkle tree whose leaves may change (append-only positions), over a node store that holds at
 * least the nodes the operations touch: setting a leaf recomputes its complete ancestors from their
 * children (O(log T)), the root is combined from the stored right edge. The server backs it with the
 * few nodes it read for a batch; verifiers with every node.
 *
 * @example
 * const t = new TaskHeadsTree(new ArrayNodeStore(), 0);
 * t.append(taskHeadLeaf({ taskId: 'task_1', count: 1, acc }));
 * t.root();
 */
export class TaskHeadsTree {
  constructor(
    readonly store: HeadsNodeStore,
    public size: number,
  ) {}

  private node = (ref: NodeRef): Hash => {
    const h = this.store.get(ref);
    if (!h) throw new MerkleError(`task-heads node ${ref[0]}:${ref[1]} missing`);
    return h;
  };

  /** Replaces the leaf at `pos` (< size) and every complete subtree above it. */
  setLeaf(pos: number, leaf: Hash): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos >= this.size) {
      throw new MerkleError(`task-heads position ${pos} is outside a tree of ${this.size}`);
    }
    this.store.set([0, pos], leaf);
    for (let level = 1, span = 2; ; level++, span *= 2) {
      const idx = Math.floor(pos / span);
      if ((idx + 1) * span > this.size) return;
      this.store.set([level, idx], nodeHash(this.node([level - 1, 2 * idx]), this.node([level - 1, 2 * idx + 1])));
    }
  }

  /** Adds a leaf at position `size` and returns that position. */
  append(leaf: Hash): number {
    const pos = this.size;
    this.size += 1;
    this.setLeaf(pos, leaf);
    return pos;
  }

  root(): Hash {
    return this.size === 0 ? emptyRoot() : rangeHash([0, this.size], this.node);
  }

  /** The RFC 6962 inclusion proof of the leaf at `pos`. */
  proof(pos: number): Hash[] {
    return inclusionRanges(pos, this.size).map((r) => rangeHash(r, this.node));
  }
}

/** The nodes needed to update or prove `positions` and to recompute the root of a tree of `size`. */
export function taskHeadRefsFor(positions: readonly number[], size: number): NodeRef[] {
  const out = new Map<string, NodeRef>();
  const add = (ref: NodeRef) => out.set(`${ref[0]}:${ref[1]}`, ref);
  for (const ref of perfectNodesFor([0, size])) add(ref);
  for (const pos of positions) for (const r of inclusionRanges(pos, size)) perfectNodesFor(r).forEach(add);
  return [...out.values()];
}
