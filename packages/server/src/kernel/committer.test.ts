import {
  entryLeafHash,
  generateSigningKey,
  hexToBytes,
  openCheckpoint,
  perfectNodesFor,
  rangeHash,
  rootFromLeafHashes,
  verifyInclusion,
} from '@humanos/core';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, backends, createBackend } from '../../../../test-support/harness.js';
import { openStore, type Store } from '../store/connect.js';
import { exactly } from '../store/held.js';
import { preparedUpdate } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import { GroupCommitter } from './committer.js';
import { Ledger, type NewEntry } from './ledger.js';

const entry = (taskId: string, i: number): NewEntry => ({
  type: 'task.created',
  at: new Date(0).toISOString(),
  actor: 'did:agent:committer-test',
  taskId,
  data: { i },
});

for (const backend of backends()) {
  describe(`group commit and ledger batches [${backend}]`, () => {
    let b: Backend;
    let store: Store;
    const key = generateSigningKey();
    let ledger: Ledger;
    let committer: GroupCommitter;

    beforeAll(async () => {
      b = await createBackend(backend);
      store = await openStore(
        b.databaseUrl ? { kind: 'postgres', url: b.databaseUrl } : { kind: 'sqlite', file: `${b.dataDir}/h.db` },
      );
      ledger = new Ledger(store.dialect, key, 'test.humanos/committer');
      committer = new GroupCommitter(store.db, ledger, Date.now, () => {});
    });
    afterAll(async () => {
      await store?.close();
      await b?.drop();
    });

    /** Stored leaves, nodes, head and latest checkpoint must all describe the same tree. */
    const expectConsistentLedger = async (expectedSize: number) => {
      const entries = await store.db.selectFrom('ledger_entries').selectAll().orderBy('seq').execute();
      expect(entries.map((e) => Number(e.seq))).toEqual([...Array(expectedSize).keys()]);
      for (const e of entries) expect(Buffer.from(entryLeafHash(e.entry)).toString('hex')).toBe(e.leaf_hash);
      expect(await ledger.size(store.db)).toBe(expectedSize);
      const root = rootFromLeafHashes(entries.map((e) => hexToBytes(e.leaf_hash)));
      const nodes = await store.db.selectFrom('ledger_nodes').selectAll().execute();
      const byRef = new Map(nodes.map((n) => [`${n.level}:${n.idx}`, hexToBytes(n.hash)]));
      const fromNodes = rangeHash([0, expectedSize], ([l, i]) => {
        const h = byRef.get(`${l}:${i}`);
        if (!h) throw new Error(`node ${l}:${i} missing`);
        return h;
      });
      expect(Buffer.from(fromNodes)).toEqual(Buffer.from(root));
      // No node beyond the tree: a rolled-back append must not leave one behind.
      for (const n of nodes) expect((Number(n.idx) + 1) * 2 ** Number(n.level)).toBeLessThanOrEqual(expectedSize);
      expect(perfectNodesFor([0, expectedSize]).every(([l, i]) => byRef.has(`${l}:${i}`))).toBe(true);
      const cp = await ledger.latestCheckpoint(store.db);
      const opened = openCheckpoint(cp?.note as string, 'test.humanos/committer', key.publicKeyRaw);
      expect(opened.size).toBe(expectedSize);
      expect(opened.rootHash).toBe(Buffer.from(root).toString('base64'));
    };

    /** The stored entry at `seq` is included under `root` by `proof`. */
    const expectIncluded = async (seq: number, size: number, proof: Uint8Array[], root: Uint8Array) => {
      const stored = await store.db
        .selectFrom('ledger_entries')
        .select('entry')
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
      expect(() => verifyInclusion(seq, size, entryLeafHash(stored.entry), proof, root)).not.toThrow();
    };

    it('operations that append and then fail leave no entry, node or gap; the others keep their indexes', async () => {
      // Queued in one tick, so they share one transaction: ok, failing, ok, failing, ok.
      const results = await Promise.allSettled(
        [2, 3, 1, 4, 5].map((n, k) =>
          committer.run(async (trx) => {
            const appended = await ledger.append(
              trx,
              Array.from({ length: n }, (_, i) => entry(`task:human:op${k}`, i)),
            );
            await trx
              .insertInto('meta')
              .values({ key: `op${k}`, value: 'x' })
              .execute();
            if (k % 2 === 1) throw new Error(`op ${k} fails after appending`);
            return appended.seqs;
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
      const seqs = results.map((r) => (r.status === 'fulfilled' ? r.value.value : null));
      expect(seqs).toEqual([[0, 1], null, [2], null, [3, 4, 5, 6, 7]]);
      // The failed operations' other writes are gone too.
      const meta = await store.db.selectFrom('meta').select('key').where('key', 'like', 'op%').execute();
      expect(meta.map((m) => m.key).sort()).toEqual(['op0', 'op2', 'op4']);
      await expectConsistentLedger(8);
      // One signed checkpoint for the whole batch.
      const seal = results[0]?.status === 'fulfilled' ? results[0].value.seal : undefined;
      expect(seal?.size).toBe(8);
    });

    it('later batches extend the same tree (frontier loaded from the store), including across sizes', async () => {
      for (const n of [1, 7, 16, 3, 1000]) {
        await committer.run((trx) =>
          ledger.append(
            trx,
            Array.from({ length: n }, (_, i) => entry('task:human:more', i)),
          ),
        );
      }
      await expectConsistentLedger(8 + 1 + 7 + 16 + 3 + 1000);
    });

    it('an operation failing inside the database (a constraint) rolls back alone; the batch goes on', async () => {
      await store.db.insertInto('meta').values({ key: 'dup', value: 'first' }).execute();
      const size = await ledger.size(store.db);
      const results = await Promise.allSettled(
        ['dup-a', 'dup', 'dup-b'].map((k) =>
          committer.run(async (trx) => {
            await ledger.append(trx, [entry(`task:human:${k}`, 0)]);
            await trx.insertInto('meta').values({ key: k, value: 'second' }).execute();
            return k;
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await metaLike('dup%')).toEqual(['dup=first', 'dup-a=second', 'dup-b=second']);
      await expectConsistentLedger(size + 2);
    });

    const setMeta = preparedUpdate('meta', ['key', 'value']);
    /** The meta rows whose key is `like` the pattern, as `key=value`, by key. */
    const metaLike = async (pattern: string) =>
      (await store.db.selectFrom('meta').selectAll().where('key', 'like', pattern).orderBy('key').execute()).map(
        (m) => `${m.key}=${m.value}`,
      );
    /**
     * One batch: each operation appends an entry, runs `first`, and then (its last write, held)
     * moves meta row `key` from the value it believes is there to the next, failing with
     * "<name> lost" when that belief is wrong.
     */
    const moves = (
      key: string,
      ops: readonly (readonly [from: string, to: string, name: string])[],
      first?: (trx: Transaction<Database>, name: string) => Promise<void>,
    ) =>
      Promise.allSettled(
        ops.map(([from, to, k]) =>
          committer.run(async (trx) => {
            await ledger.append(trx, [entry(`task:human:${k}`, 0)]);
            await first?.(trx, k);
            await setMeta.later(
              trx,
              { value: to },
              { key, value: from },
              exactly(1, () => new Error(`${k} lost`)),
            );
            return k;
          }),
        ),
      );

    it('held writes are sent at the end of their operation: a failed check rolls back that operation alone', async () => {
      await store.db.insertInto('meta').values({ key: 'held', value: 'v0' }).execute();
      const size = await ledger.size(store.db);
      // The second believes wrongly: its entry, and the meta row it wrote, must go; the others stay.
      const ops = [
        ['v0', 'v1', 'op-a'],
        ['stale', 'x', 'op-b'],
        ['v1', 'v2', 'op-c'],
      ] as const;
      const results = await moves('held', ops, async (trx, k) => {
        await trx
          .insertInto('meta')
          .values({ key: `held-${k}`, value: 'written' })
          .execute();
      });
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason.message).toBe('op-b lost');
      expect(await metaLike('held%')).toEqual(['held=v2', 'held-op-a=written', 'held-op-c=written']);
      await expectConsistentLedger(size + 2);
    });

    /** Savepoint statements sent so far (PostgreSQL sends `release …; savepoint …` as one). */
    const savepointStatements = () => {
      const c = store.statements.snapshot();
      return (c.savepoint ?? 0) + (c.release ?? 0) + (c.rollback ?? 0);
    };

    it('an operation refused before it writes is dropped alone, with its held write: no savepoint, no second run', async () => {
      await store.db.insertInto('meta').values({ key: 'refused', value: 'v0' }).execute();
      const size = await ledger.size(store.db);
      const runs = [0, 0, 0];
      const reruns = committer.reruns;
      const savepoints = savepointStatements();
      // Each moves `refused` from the value the operation before it left (the refused one leaves none).
      const from: Record<string, string> = { 'ok-a': 'v0', refused: 'ok-a', 'ok-c': 'ok-a' };
      const results = await Promise.allSettled(
        ['ok-a', 'refused', 'ok-c'].map((k, i) =>
          committer.run(async (trx) => {
            runs[i] = (runs[i] ?? 0) + 1;
            await ledger.append(trx, [entry(`task:human:${k}`, 0)]);
            // Held, not yet sent: the refusal below must drop it rather than send it.
            await setMeta.later(
              trx,
              { value: k },
              { key: 'refused', value: from[k] as string },
              exactly(1, () => new Error('lost')),
            );
            if (k === 'refused') throw new Error('refused after reading');
            await trx
              .insertInto('meta')
              .values({ key: `refused-${k}`, value: 'written' })
              .execute();
            return k;
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused after reading');
      expect(runs).toEqual([1, 1, 1]);
      expect(committer.reruns).toBe(reruns);
      expect(savepointStatements()).toBe(savepoints);
      expect(await metaLike('refused%')).toEqual(['refused=ok-c', 'refused-ok-a=written', 'refused-ok-c=written']);
      await expectConsistentLedger(size + 2);
    });

    it('an operation failing after a write reruns the batch with savepoints: each write committed once', async () => {
      const size = await ledger.size(store.db);
      const runs = [0, 0, 0];
      const reruns = committer.reruns;
      const savepoints = savepointStatements();
      const results = await Promise.allSettled(
        ['rerun-a', 'rerun-b', 'rerun-c'].map((k, i) =>
          committer.run(async (trx) => {
            runs[i] = (runs[i] ?? 0) + 1;
            await ledger.append(trx, [entry(`task:human:${k}`, runs[i] ?? 0)]);
            await trx
              .insertInto('meta')
              .values({ key: k, value: `run ${runs[i]}` })
              .execute();
            if (k === 'rerun-b') throw new Error('fails after its insert');
            return k;
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // The first attempt stopped at the failure (the third never ran in it); the second ran all.
      expect(runs).toEqual([2, 2, 1]);
      expect(committer.reruns).toBe(reruns + 1);
      expect(savepointStatements()).toBeGreaterThan(savepoints);
      expect(await metaLike('rerun-%')).toEqual(['rerun-a=run 2', 'rerun-c=run 1']);
      const stored = await store.db
        .selectFrom('ledger_entries')
        .select('entry')
        .where('seq', '>=', size)
        .orderBy('seq')
        .execute();
      expect(stored.map((e) => JSON.parse(e.entry).taskId)).toEqual(['task:human:rerun-a', 'task:human:rerun-c']);
      await expectConsistentLedger(size + 2);
    });

    it('the last operation’s held writes go with the seal’s first statement: a failed check there reruns, and fails it alone', async () => {
      await store.db.insertInto('meta').values({ key: 'last', value: 'v0' }).execute();
      const size = await ledger.size(store.db);
      const reruns = committer.reruns;
      const results = await moves('last', [
        ['v0', 'v1', 'last-a'],
        ['v1', 'v2', 'last-b'],
        ['stale', 'x', 'last-c'],
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect((results[2] as PromiseRejectedResult).reason.message).toBe('last-c lost');
      expect(committer.reruns).toBe(reruns + 1);
      expect(await metaLike('last')).toEqual(['last=v2']);
      await expectConsistentLedger(size + 2);
      // Alone in its batch, the same failure fails just it, and the ledger stays exact.
      const [alone] = await moves('last', [['stale', 'y', 'last-d']]);
      expect((alone as PromiseRejectedResult).reason.message).toBe('last-d lost');
      await expectConsistentLedger(size + 2);
      // On PostgreSQL a lone operation's held write travels with the seal's read of its task's head:
      // `begin` and the append lock (counted apart, sent as one), that read, the seal, `commit`.
      const total = () => Object.values(store.statements.snapshot()).reduce((a, b) => a + b, 0);
      const before = total();
      expect((await moves('last', [['v2', 'v3', 'last-e']]))[0]?.status).toBe('fulfilled');
      if (backend === 'postgres') expect(total() - before).toBe(5);
      expect(await metaLike('last')).toEqual(['last=v3']);
      await expectConsistentLedger(size + 3);
    });

    it('a batch proves its own entries from memory, the same proofs the store gives, and only those', async () => {
      const size0 = await ledger.size(store.db);
      const ops = [3, 1, 5].map((n, k) =>
        committer.run((trx) =>
          ledger.append(
            trx,
            Array.from({ length: n }, (_, i) => entry(`task:human:proof${k}`, i)),
          ),
        ),
      );
      const results = await Promise.all(ops);
      const seal = results[0]?.seal;
      if (!seal) throw new Error('no seal');
      expect(seal.size).toBe(size0 + 9);
      const root = Buffer.from(seal.rootHash, 'base64');
      for (const seq of results.flatMap((r) => r.value.seqs)) {
        const fromMemory = seal.proveAppended(seq);
        // A ledger with nothing in memory reads every node from the store.
        const fromStore = await new Ledger(store.dialect, key, 'test.humanos/committer').inclusionProof(
          store.db,
          seq,
          seal.size,
        );
        expect(fromMemory?.map((h) => Buffer.from(h).toString('hex'))).toEqual(
          fromStore.map((h) => Buffer.from(h).toString('hex')),
        );
        await expectIncluded(seq, seal.size, fromMemory as Uint8Array[], root);
      }
      expect(seal.proveAppended(size0 - 1)).toBeUndefined();
      expect(seal.proveAppended(seal.size)).toBeUndefined();
    });

    it('two ledgers on one store (replicas) take turns: a stale remembered frontier is not reused', async () => {
      const other = new Ledger(store.dialect, key, 'test.humanos/committer');
      const otherCommitter = new GroupCommitter(store.db, other, Date.now, () => {});
      for (const [c, n] of [
        [committer, 3],
        [otherCommitter, 5],
        [committer, 1],
        [committer, 2],
        [otherCommitter, 7],
        [committer, 4],
      ] as const) {
        await c.run((trx) =>
          (c === committer ? ledger : other).append(
            trx,
            Array.from({ length: n }, (_, i) => entry('task:human:turns', i)),
          ),
        );
      }
      await expectConsistentLedger(Number(await ledger.size(store.db)));
    });

    it('a stored tree edited under a replica is never signed over: its next batch refuses, nothing written', async () => {
      // `other` did not seal the last batch, so it reads the tree's right edge from the store; an
      // insider has edited the largest node of it (no key needed for that).
      await committer.run((trx) => ledger.append(trx, [entry('task:human:edge', 0)]));
      const size = await ledger.size(store.db);
      const [level, idx] = perfectNodesFor([0, size])[0] as [number, number];
      const honest = await store.db
        .selectFrom('ledger_nodes')
        .select('hash')
        .where('level', '=', level)
        .where('idx', '=', idx)
        .executeTakeFirstOrThrow();
      const setNode = (hash: string) =>
        store.db.updateTable('ledger_nodes').set({ hash }).where('level', '=', level).where('idx', '=', idx).execute();
      await setNode('00'.repeat(32));
      const before = await ledger.latestCheckpoint(store.db);
      const other = new Ledger(store.dialect, key, 'test.humanos/committer');
      const otherCommitter = new GroupCommitter(store.db, other, Date.now, () => {});
      await expect(otherCommitter.run((trx) => other.append(trx, [entry('task:human:edge', 1)]))).rejects.toMatchObject(
        { code: 'integrity_violation' },
      );
      expect(await ledger.size(store.db)).toBe(size);
      expect(await ledger.latestCheckpoint(store.db)).toEqual(before);
      await setNode(honest.hash);
      const ok = await otherCommitter.run((trx) => other.append(trx, [entry('task:human:edge', 2)]));
      expect(ok.value.seqs).toEqual([size]);
      await expectConsistentLedger(size + 1);
    });

    it('a store replaced by a shorter log (a restore): nodes remembered from the longer one are not used', async () => {
      const cut = await ledger.size(store.db);
      const heads = await store.db.selectFrom('task_heads').selectAll().execute();
      const headNodes = await store.db.selectFrom('task_head_nodes').selectAll().execute();
      const first = await committer.run((trx) =>
        ledger.append(
          trx,
          Array.from({ length: 6 }, (_, i) => entry('task:human:before-restore', i)),
        ),
      );
      expect(first.seal?.size).toBe(cut + 6);
      // The backup taken at `cut` is restored (the later rows vanish) while this process runs.
      await store.db.deleteFrom('ledger_entries').where('seq', '>=', cut).execute();
      await sql.raw(`delete from ledger_nodes where ((idx + 1) << level) > ${cut}`).execute(store.db);
      await store.db.deleteFrom('checkpoints').where('size', '>', cut).execute();
      await store.db.updateTable('ledger_head').set({ size: cut }).where('id', '=', 1).execute();
      await store.db.deleteFrom('task_heads').execute();
      await store.db.deleteFrom('task_head_nodes').execute();
      await store.db.insertInto('task_heads').values(heads).execute();
      await store.db.insertInto('task_head_nodes').values(headNodes).execute();
      // Other entries now take the same indexes: the same node positions, other hashes.
      const again = await committer.run((trx) =>
        ledger.append(
          trx,
          Array.from({ length: 6 }, (_, i) => entry('task:human:after-restore', i)),
        ),
      );
      const seal = again.seal;
      if (!seal) throw new Error('no seal');
      const root = Buffer.from(seal.rootHash, 'base64');
      const proofs = await ledger.inclusionProofs(store.db, again.value.seqs, seal.size);
      for (const seq of again.value.seqs) {
        await expectIncluded(seq, seal.size, proofs.get(seq) ?? [], root);
      }
      await expectConsistentLedger(cut + 6);
    });

    it('a batch whose every operation fails writes nothing, not even a checkpoint', async () => {
      const before = await ledger.latestCheckpoint(store.db);
      const size = await ledger.size(store.db);
      const r = await Promise.allSettled([
        committer.run(async (trx) => {
          await ledger.append(trx, [entry('task:human:nope', 0)]);
          throw new Error('no');
        }),
      ]);
      expect(r[0]?.status).toBe('rejected');
      expect(await ledger.size(store.db)).toBe(size);
      expect((await ledger.latestCheckpoint(store.db))?.size).toBe(before?.size);
      await expectConsistentLedger(size);
    });

    it('a lone operation failing after its appends (no savepoint: the transaction rolls back) leaves the next write exact', async () => {
      const size = await ledger.size(store.db);
      // Alone in its batch both times: awaited one by one. The second fails inside the database.
      await expect(
        committer.run(async (trx) => {
          await ledger.append(trx, [entry('task:human:alone', 0), entry('task:human:alone', 1)]);
          throw new Error('fails after appending');
        }),
      ).rejects.toThrow('fails after appending');
      await store.db.insertInto('meta').values({ key: 'alone-dup', value: 'first' }).execute();
      await expect(
        committer.run(async (trx) => {
          await ledger.append(trx, [entry('task:human:alone', 2)]);
          await trx.insertInto('meta').values({ key: 'alone-dup', value: 'second' }).execute();
        }),
      ).rejects.toThrow();
      const next = await committer.run((trx) =>
        ledger.append(trx, [entry('task:human:alone', 3), entry('task:human:alone', 4), entry('task:human:alone', 5)]),
      );
      // The failed appends took no index: the next entries follow the last durable one.
      expect(next.value.seqs).toEqual([size, size + 1, size + 2]);
      expect(next.seal?.size).toBe(size + 3);
      const stored = await store.db.selectFrom('ledger_entries').select('entry').where('seq', '>=', size).execute();
      expect(stored.map((e) => JSON.parse(e.entry).data.i)).toEqual([3, 4, 5]);
      expect(
        (await store.db.selectFrom('meta').select('value').where('key', '=', 'alone-dup').execute()).map(
          (m) => m.value,
        ),
      ).toEqual(['first']);
      await expectConsistentLedger(size + 3);
    });

    it.runIf(backend === 'postgres')(
      'a batch starts with one round trip: begin and the append lock together (what goes on the wire)',
      async () => {
        const own = await openStore({ kind: 'postgres', url: b.databaseUrl as string, poolSize: 1 });
        const wire: string[] = [];
        const recorded = new WeakSet<object>();
        own.pool?.on('acquire', (client) => {
          if (recorded.has(client)) return;
          recorded.add(client);
          // node-postgres's protocol writer: a simple query is one Query message, an extended one
          // ends with Sync; each is one round trip.
          const c = (client as unknown as { connection: Record<string, (...a: unknown[]) => unknown> }).connection;
          const query = c.query?.bind(c);
          const sync = c.sync?.bind(c);
          if (!query || !sync) throw new Error('node-postgres changed its connection');
          c.query = (text) => {
            wire.push(`query: ${String(text)}`);
            return query(text);
          };
          c.sync = () => {
            wire.push('sync');
            return sync();
          };
        });
        try {
          const size = await ledger.size(own.db);
          wire.length = 0;
          const r = await new GroupCommitter(own.db, ledger, Date.now, () => {}).run((trx) =>
            ledger.append(trx, [entry('task:human:round-trip', 0)]),
          );
          expect(r.value.seqs).toEqual([size]);
          expect(wire[0]).toBe('query: begin; select "size", "signer" from "ledger_head" where "id" = 1 for update');
          expect(wire).not.toContain('query: begin');
          expect(wire.at(-1)).toBe('query: commit');
        } finally {
          await own.close();
        }
      },
    );
  });
}
