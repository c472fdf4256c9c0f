import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SignedExportOptions, signedExport } from '../../../test-support/signed-export.js';
import { parseLedgerExport } from '../src/ledger.js';
import { emptyRoot, type Hash, leafHash, rootFromLeafHashes, verifyInclusion } from '../src/merkle.js';
import { checkpointText, openCheckpoint } from '../src/notes.js';
import { generateSigningKey, signCheckpoint } from '../src/signing.js';
import {
  ArrayNodeStore,
  EMPTY_TASK_ACC,
  extendTaskAcc,
  type HeadsNodeStore,
  TaskHeadsTree,
  taskHeadLeaf,
  taskHeadRefsFor,
  taskHeadsFromExtensions,
  taskHeadsLine,
} from '../src/taskheads.js';
import { verifyLedger, verifyLedgerStream } from '../src/verifier.js';

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');

/** A store that only answers for the refs it was given, as the server's seal does after one read. */
function partialStore(from: TaskHeadsTree, refs: readonly (readonly [number, number])[]): HeadsNodeStore {
  const m = new Map<string, Hash>();
  for (const r of refs) m.set(`${r[0]}:${r[1]}`, from.store.get(r) as Hash);
  return { get: (r) => m.get(`${r[0]}:${r[1]}`), set: (r, h) => void m.set(`${r[0]}:${r[1]}`, h) };
}

describe('task-heads tree', () => {
  it('leaves and root follow the definition: a running accumulator per task, RFC 6962 over positions', () => {
    const l1 = leafHash('entry-1');
    const l2 = leafHash('entry-2');
    const acc = extendTaskAcc(extendTaskAcc(EMPTY_TASK_ACC, l1), l2);
    const leaf = taskHeadLeaf({ taskId: 'task_a', count: 2, acc });
    expect(hex(leaf)).toBe(hex(leafHash(`{"acc":"${hex(acc)}","count":2,"taskId":"task_a"}`)));
    const t = new TaskHeadsTree(new ArrayNodeStore(), 0);
    expect(hex(t.root())).toBe(hex(emptyRoot()));
    t.append(leaf);
    t.append(taskHeadLeaf({ taskId: 'task_b', count: 1, acc: extendTaskAcc(EMPTY_TASK_ACC, l1) }));
    expect(t.size).toBe(2);
    expect(hex(t.root())).toBe(
      hex(
        rootFromLeafHashes([
          leaf,
          taskHeadLeaf({ taskId: 'task_b', count: 1, acc: extendTaskAcc(EMPTY_TASK_ACC, l1) }),
        ]),
      ),
    );
  });

  it('updating leaves in place equals rebuilding from scratch; proofs verify; a partial store suffices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
        (n, updates) => {
          const leaves = Array.from({ length: n }, (_, i) => leafHash(`t${i}`));
          const t = new TaskHeadsTree(new ArrayNodeStore(), 0);
          for (const l of leaves) t.append(l);
          for (const [p, v] of updates) {
            const pos = p % n;
            const before = t.root();
            // What the server does: read only the nodes one update needs, verify the old leaf, update.
            const part = new TaskHeadsTree(partialStore(t, taskHeadRefsFor([pos], n)), n);
            verifyInclusion(pos, n, leaves[pos] as Hash, part.proof(pos), before);
            leaves[pos] = leafHash(`v${v}`);
            part.setLeaf(pos, leaves[pos] as Hash);
            t.setLeaf(pos, leaves[pos] as Hash);
            expect(hex(part.root())).toBe(hex(t.root()));
          }
          expect(hex(t.root())).toBe(hex(rootFromLeafHashes(leaves)));
          for (let i = 0; i < n; i++) verifyInclusion(i, n, leaves[i] as Hash, t.proof(i), t.root());
        },
      ),
      { numRuns: 80 },
    );
  });

  it('a partial store can append new positions after updates (the seal: touched tasks, then new ones)', () => {
    const full = new TaskHeadsTree(new ArrayNodeStore(), 0);
    for (let i = 0; i < 13; i++) full.append(leafHash(`t${i}`));
    const part = new TaskHeadsTree(partialStore(full, taskHeadRefsFor([3, 12], 13)), 13);
    for (const t of [full, part]) {
      t.setLeaf(3, leafHash('x'));
      t.setLeaf(12, leafHash('y'));
      t.append(leafHash('t13'));
      t.append(leafHash('t14'));
    }
    expect(hex(part.root())).toBe(hex(full.root()));
  });

  it('a leaf outside the tree is refused', () => {
    const t = new TaskHeadsTree(new ArrayNodeStore(), 0);
    expect(() => t.setLeaf(0, leafHash('x'))).toThrow(/outside/);
  });
});

describe('task-heads checkpoint line', () => {
  const key = generateSigningKey();
  const root = leafHash('root');

  it('is signed as an extension line and read back', () => {
    const line = taskHeadsLine({ size: 7, root });
    const note = signCheckpoint(
      { origin: 'o', size: 3, rootHash: Buffer.from(root).toString('base64'), extensions: [line] },
      key,
    );
    expect(note.split('\n')[3]).toBe(`humanos-task-heads 7 ${Buffer.from(root).toString('base64')}`);
    const cp = openCheckpoint(note, 'o', key.publicKeyRaw);
    expect(cp.extensions).toEqual([line]);
    const heads = taskHeadsFromExtensions(cp.extensions);
    expect(heads?.size).toBe(7);
    expect(hex(heads?.root as Hash)).toBe(hex(root));
  });

  it('a legacy note (no extension) opens and names no heads root', () => {
    const note = signCheckpoint({ origin: 'o', size: 3, rootHash: Buffer.from(root).toString('base64') }, key);
    const cp = openCheckpoint(note, 'o', key.publicKeyRaw);
    expect(cp.extensions).toEqual([]);
    expect(taskHeadsFromExtensions(cp.extensions)).toBeUndefined();
  });

  it('a heads line cannot be added, removed or changed without the key', () => {
    const line = taskHeadsLine({ size: 7, root });
    const note = signCheckpoint(
      { origin: 'o', size: 3, rootHash: Buffer.from(root).toString('base64'), extensions: [line] },
      key,
    );
    const stripped = note.replace(`${line}\n`, '');
    expect(() => openCheckpoint(stripped, 'o', key.publicKeyRaw)).toThrow(/does not verify/);
    const changed = note.replace(' 7 ', ' 8 ');
    expect(() => openCheckpoint(changed, 'o', key.publicKeyRaw)).toThrow(/does not verify/);
  });

  it('malformed or repeated heads lines are refused; other extensions are ignored', () => {
    const line = taskHeadsLine({ size: 7, root });
    expect(() => taskHeadsFromExtensions(['humanos-task-heads 07 x'])).toThrow(/bad task-heads line/);
    expect(() => taskHeadsFromExtensions([line, line])).toThrow(/two/);
    expect(taskHeadsFromExtensions(['other-ext 1 2', line])?.size).toBe(7);
    expect(() => checkpointText({ origin: 'o', size: 1, rootHash: 'x', extensions: [''] })).toThrow(/non-empty/);
  });
});

describe('offline verification of task heads and index columns', () => {
  const exportOf = (o: Partial<SignedExportOptions> = {}) => {
    const e = signedExport({ entries: 25, entryBytes: 20, tasks: 4, every: 2, ...o });
    return { publicKey: e.publicKey, lines: [...e.lines] };
  };

  it('an honest export verifies, in memory and streamed, with the same report', async () => {
    const e = exportOf();
    const whole = verifyLedger(parseLedgerExport(e.lines.join('\n')), e.publicKey);
    expect(whole).toMatchObject({ ok: true, size: 25, checkpointsVerified: 13 });
    expect(await verifyLedgerStream(() => e.lines, { trustedPublicKey: e.publicKey })).toEqual(whole);
  });

  it('an edited taskId column is named at its entry; so is a signed heads root the entries do not give', async () => {
    const column = exportOf({ badColumnAt: 7 });
    const r = await verifyLedgerStream(() => column.lines);
    expect(r).toMatchObject({ ok: false, firstBadIndex: 7 });
    expect(r.reason).toBe(
      `the stored taskId column ("task:agent:elsewhere") differs from the signed entry's taskId ("task:agent:3")`,
    );
    const heads = exportOf({ badHeadsAt: 10 });
    expect(verifyLedger(parseLedgerExport(heads.lines.join('\n')))).toMatchObject({
      ok: false,
      firstBadIndex: 8,
      reason: "the task heads of the first 10 entries differ from the signed checkpoint's (bad entry in [8, 10))",
    });
  });

  it('checkpoints without a heads line pass only below the first one with it', () => {
    const key = generateSigningKey();
    const e = exportOf({ key });
    const bundle = parseLedgerExport(e.lines.join('\n'));
    // The checkpoint of size 4 re-signed without its heads line (as a log from before heads had it).
    const strip = (note: string) => {
      const cp = openCheckpoint(note, bundle.origin, key.publicKeyRaw);
      return signCheckpoint({ origin: cp.origin, size: cp.size, rootHash: cp.rootHash }, key);
    };
    const early = { ...bundle, checkpoints: bundle.checkpoints.map((n, i) => (i < 2 ? strip(n) : n)) };
    expect(verifyLedger(early)).toMatchObject({ ok: true, checkpointsVerified: 13 });
    const late = { ...bundle, checkpoints: bundle.checkpoints.map((n, i) => (i === 5 ? strip(n) : n)) };
    expect(verifyLedger(late)).toMatchObject({
      ok: false,
      reason: 'the checkpoint of size 12 signs no task-heads root, though an earlier one does',
    });
  });

  it('a stream that is not an export is refused by line', async () => {
    await expect(verifyLedgerStream(() => ['{"type":"entry"'])).rejects.toThrow(/no header/);
    await expect(verifyLedgerStream(() => ['{"type":"header","origin":"o","publicKey":"k"}', 'nope'])).rejects.toThrow(
      /line 2 is not JSON/,
    );
  });
});

describe('task-heads edges (mutation run on the merged code)', () => {
  const root = Buffer.alloc(32, 9).toString('base64');
  it('a heads line with a multi-digit size reads; trailing text after the root is refused', () => {
    expect(taskHeadsFromExtensions([`humanos-task-heads 120 ${root}`])).toEqual({
      size: 120,
      root: new Uint8Array(Buffer.alloc(32, 9)),
    });
    expect(() => taskHeadsFromExtensions([`humanos-task-heads 7 ${root} extra`])).toThrow('bad task-heads line');
    expect(() => taskHeadsFromExtensions([`humanos-task-heads 07 ${root}`])).toThrow('bad task-heads line');
  });
  it('an empty tree has the empty root; positions below 0 or not integers are refused', () => {
    const t = new TaskHeadsTree(new ArrayNodeStore(), 0);
    expect(hex(t.root())).toBe(hex(emptyRoot()));
    t.append(leafHash('a'));
    t.append(leafHash('b'));
    for (const pos of [-1, 0.5, Number.NaN])
      expect(() => t.setLeaf(pos, leafHash('c')), String(pos)).toThrow(
        `task-heads position ${pos} is outside a tree of 2`,
      );
  });
  it('a node the store does not hold is named', () => {
    const t = new TaskHeadsTree({ get: () => undefined, set: () => {} }, 3);
    expect(() => t.root()).toThrow(/^task-heads node \d+:\d+ missing$/);
  });
});
