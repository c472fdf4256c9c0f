import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '@humanos/server';
import type { Transaction } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, useStore } from '../../../../test-support/harness.js';
import type { SealRows } from './dialect.js';
import type { Database } from './schema.js';

/**
 * The store contract: one suite over every member of `StoreDialect` (store/dialect.ts), run against a
 * real SQLite file and a real PostgreSQL database. Feature code calls these members and never asks
 * which database it is on, so what each promises is asserted here as behaviour, the same for both:
 * where the databases differ (PostgreSQL's row locks and NOTIFY, SQLite's single writer), the test
 * states both halves of the promise.
 */

/** A transaction that stays open until `release` is called: a concurrent holder of rows or the writer lock. */
function holdOpen<T>(store: Store, body: (trx: Transaction<Database>) => Promise<T>) {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let inside!: (v: T) => void;
  const entered = new Promise<T>((r) => {
    inside = r;
  });
  const done = store.db.transaction().execute(async (trx) => {
    inside(await body(trx));
    await released;
  });
  return { entered, release, done };
}

/** Whether `p` settles within `ms` (it is left running either way). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
}

/** Outbox rows to claim: the table the outbox claims from with `skipLocked`. */
async function queue(store: Store, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `delivery:${String(i).padStart(24, '0')}`);
  await store.db.deleteFrom('deliveries').execute();
  await store.db
    .insertInto('deliveries')
    .values(
      ids.map((id, i) => ({
        id,
        sink: 'webhook:contract',
        seq: i,
        event_type: 'task.created',
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: i,
        last_status: null,
        last_error: null,
        created_at: 0,
        delivered_at: null,
        target: null,
      })),
    )
    .execute();
  return ids;
}

/** Claims up to `limit` pending rows as the outbox does: skip what others hold, mark what it took. */
async function claim(trx: Transaction<Database>, store: Store, limit: number): Promise<string[]> {
  const q = trx
    .selectFrom('deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('attempts', '=', 0)
    .orderBy('next_attempt_at')
    .limit(limit);
  const rows = await store.dialect.skipLocked(q).execute();
  const ids = rows.map((r) => r.id);
  if (ids.length > 0) await trx.updateTable('deliveries').set({ attempts: 1 }).where('id', 'in', ids).execute();
  return ids;
}

/** A seal's rows with placeholder hashes: enough for the database, which stores them as they are. */
function sealRows(from: number, to: number): SealRows {
  const hex = () => randomBytes(32).toString('hex');
  const entries = Array.from({ length: to - from }, (_, i) => ({
    seq: from + i,
    entry: JSON.stringify({ v: 1, seq: from + i, type: 'contract.test' }),
    leaf_hash: hex(),
    task_id: 'task:human:contract',
  }));
  return {
    entries,
    nodes: entries.map((e) => ({ level: 0, idx: e.seq, hash: e.leaf_hash })),
    heads: {
      heads: [{ task_id: 'task:human:contract', pos: 0, count: to, acc: hex() }],
      nodes: [{ level: 0, idx: 0, hash: hex() }],
    },
    checkpoint: { size: to, root_hash: hex(), note: `contract\n${to}\n`, created_at: 0 },
    from,
    to,
  };
}

async function headSize(store: Store): Promise<number> {
  const r = await store.db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(r.size);
}

for (const backend of backends()) {
  describe(`store contract: StoreDialect [${backend}]`, () => {
    const s = useStore(backend);
    let store: Store;
    beforeAll(() => {
      store = s.store;
    });

    it('names its database, and says whether notices reach other processes', () => {
      expect(store.dialect.name).toBe(backend);
      expect(store.dialect.notifiesReplicas).toBe(backend === 'postgres');
    });

    it('forUpdate: concurrent read-modify-writes of one row lose no update', async () => {
      await store.db.updateTable('ledger_head').set({ size: 0 }).where('id', '=', 1).execute();
      // Each writer reads the size, yields (another writer may run), then writes it plus one. On
      // PostgreSQL the row lock makes the others wait; on SQLite the single writer serialises them.
      const writers = 12;
      await Promise.all(
        Array.from({ length: writers }, () =>
          store.db.transaction().execute(async (trx) => {
            const q = trx.selectFrom('ledger_head').select('size').where('id', '=', 1);
            const { size } = await store.dialect.forUpdate(q).executeTakeFirstOrThrow();
            await sleep(5);
            await trx
              .updateTable('ledger_head')
              .set({ size: Number(size) + 1 })
              .where('id', '=', 1)
              .execute();
          }),
        ),
      );
      expect(await headSize(store)).toBe(writers);
      await store.db.updateTable('ledger_head').set({ size: 0 }).where('id', '=', 1).execute();
    });

    it('forUpdate: a second locker waits for the holder and then reads what it committed', async () => {
      await store.db.updateTable('ledger_head').set({ size: 0 }).where('id', '=', 1).execute();
      const holder = holdOpen(store, async (trx) => {
        await store.dialect.forUpdate(trx.selectFrom('ledger_head').select('size').where('id', '=', 1)).execute();
        await trx.updateTable('ledger_head').set({ size: 41 }).where('id', '=', 1).execute();
      });
      await holder.entered;
      const second = store.db.transaction().execute(async (trx) => {
        const q = trx.selectFrom('ledger_head').select('size').where('id', '=', 1);
        return Number((await store.dialect.forUpdate(q).executeTakeFirstOrThrow()).size);
      });
      try {
        expect(await settlesWithin(second, 300)).toBe(false); // held: it waits
      } finally {
        holder.release();
        await holder.done;
      }
      expect(await second).toBe(41);
      await store.db.updateTable('ledger_head').set({ size: 0 }).where('id', '=', 1).execute();
    });

    it('skipLocked: a claim never takes a row another claim holds', async () => {
      const ids = await queue(store, 6);
      const first = holdOpen(store, (trx) => claim(trx, store, 2));
      const second = first.entered.then(() => store.db.transaction().execute((trx) => claim(trx, store, 2)));
      try {
        expect(await first.entered).toEqual(ids.slice(0, 2));
        if (backend === 'postgres') {
          // The held rows are skipped, not waited for: the second claim ends while the first is open.
          expect(await settlesWithin(second, 2_000)).toBe(true);
        } else {
          // One writer at a time: the second claim starts once the first has committed its marks.
          expect(await settlesWithin(second, 300)).toBe(false);
        }
      } finally {
        first.release();
        await first.done;
      }
      expect(await second).toEqual(ids.slice(2, 4));
    });

    it('skipLocked: many concurrent claimers take every row exactly once', async () => {
      const ids = await queue(store, 40);
      const claimed: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (;;) {
            const got = await store.db.transaction().execute((trx) => claim(trx, store, 3));
            if (got.length === 0) return;
            claimed.push(...got);
          }
        }),
      );
      expect(claimed.length).toBe(ids.length);
      expect(new Set(claimed)).toEqual(new Set(ids));
    });

    it('statements: run in order, inside the caller’s transaction (savepoints work)', async () => {
      await store.db.transaction().execute(async (trx) => {
        await store.dialect.statements(trx, [
          'savepoint contract_a',
          'update ledger_head set size = 7 where id = 1',
          'rollback to savepoint contract_a',
          'update ledger_head set size = 9 where id = 1',
          'release savepoint contract_a',
        ]);
      });
      expect(await headSize(store)).toBe(9);
      // A rolled-back transaction takes its statements with it.
      await expect(
        store.db.transaction().execute(async (trx) => {
          await store.dialect.statements(trx, ['update ledger_head set size = 11 where id = 1']);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await headSize(store)).toBe(9);
      await store.db.updateTable('ledger_head').set({ size: 0 }).where('id', '=', 1).execute();
    });

    it('notify: reaches listeners only when the transaction commits (SQLite: nothing to reach)', async () => {
      const received: string[] = [];
      const stop = await store.listen({ onMessage: (m) => received.push(m), onError: () => {} });
      try {
        const tag = randomBytes(6).toString('hex');
        await expect(
          store.db.transaction().execute(async (trx) => {
            await store.dialect.notify(trx, { tag, committed: false });
            throw new Error('roll back');
          }),
        ).rejects.toThrow('roll back');
        const open = holdOpen(store, (trx) => store.dialect.notify(trx, { tag, committed: true }));
        try {
          await open.entered;
          await sleep(200);
          expect(received).toEqual([]); // not before the commit
        } finally {
          open.release();
          await open.done;
        }
        if (backend === 'postgres') {
          const deadline = Date.now() + 5_000;
          while (received.length === 0 && Date.now() < deadline) await sleep(20);
          await sleep(100);
          expect(received.map((m) => JSON.parse(m))).toEqual([{ tag, committed: true }]);
        } else {
          await sleep(100);
          expect(received).toEqual([]);
        }
      } finally {
        await stop();
      }
    });

    it('writeSealAtOnce: writes the whole seal and moves the head, or declines and writes nothing', async () => {
      const rows = sealRows(0, 3);
      const notice = { contract: true };
      const wrote = await store.db.transaction().execute((trx) => store.dialect.writeSealAtOnce(trx, rows, notice));
      const count = async (t: 'ledger_entries' | 'ledger_nodes' | 'checkpoints' | 'task_heads' | 'task_head_nodes') =>
        Number(
          (
            await store.db
              .selectFrom(t)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const written = {
        entries: await count('ledger_entries'),
        nodes: await count('ledger_nodes'),
        checkpoints: await count('checkpoints'),
        heads: await count('task_heads'),
        headNodes: await count('task_head_nodes'),
        size: await headSize(store),
      };
      if (wrote) {
        expect(written).toEqual({ entries: 3, nodes: 3, checkpoints: 1, heads: 1, headNodes: 1, size: 3 });
        // The head moves only from where the batch began: a batch that began at a stale size (1, not 3)
        // is refused, and its transaction writes nothing at all.
        const stale = { ...sealRows(3, 5), from: 1 };
        await expect(
          store.db.transaction().execute((trx) => store.dialect.writeSealAtOnce(trx, stale, notice)),
        ).rejects.toThrow(/ledger head moved/);
        expect(await headSize(store)).toBe(3);
        expect(await count('ledger_entries')).toBe(3);
        expect(await count('checkpoints')).toBe(1);
      } else {
        // Declined: the caller writes the seal statement by statement, so nothing may be written here.
        expect(written).toEqual({ entries: 0, nodes: 0, checkpoints: 0, heads: 0, headNodes: 0, size: 0 });
      }
      expect(wrote).toBe(backend === 'postgres');
    });
  });
}
