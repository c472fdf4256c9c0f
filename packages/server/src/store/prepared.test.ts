import type { Store } from '@humanos/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, useStore } from '../../../../test-support/harness.js';
import { prepared, preparedInsert, type Slots } from './prepared.js';

/** A checkpoint row: a table with a number key and text columns, nothing else refers to it here. */
const cp = (size: number) => ({ size, root_hash: `root-${size}`, note: `note ${size}`, created_at: 1000 + size });

const insertCp = prepared((db, v: Slots<ReturnType<typeof cp>>) =>
  db.insertInto('checkpoints').values({ size: v.size, root_hash: v.root_hash, note: v.note, created_at: v.created_at }),
);
const cpAt = prepared((db, v: Slots<{ size: number }>) =>
  db.selectFrom('checkpoints').select(['size', 'note']).where('size', '=', v.size),
);
const bigger = prepared((db, v: Slots<{ size: number }>, dialect) =>
  dialect.forUpdate(db.selectFrom('checkpoints').select('size').where('size', '>', v.size).orderBy('size').limit(2)),
);
const renote = prepared((db, v: Slots<{ size: number; note: string }>) =>
  db.updateTable('checkpoints').set({ note: v.note }).where('size', '=', v.size),
);

const upsertNodes = preparedInsert('task_head_nodes', ['level', 'idx', 'hash'], (q) =>
  q.onConflict((oc) => oc.columns(['level', 'idx']).doUpdateSet((eb) => ({ hash: eb.ref('excluded.hash') }))),
);
const node = (idx: number, hash: string) => ({ level: 7, idx, hash });

for (const backend of backends()) {
  describe(`prepared queries [${backend}]`, () => {
    const s = useStore(backend, 4);
    let store: Store;
    beforeAll(() => {
      store = s.store;
    });

    it('runs one compiled shape with each call’s values, in and out of transactions', async () => {
      await store.db.deleteFrom('checkpoints').execute();
      for (const size of [101, 102, 103]) await insertCp.execute(store.db, cp(size));
      await store.db.transaction().execute(async (trx) => {
        await insertCp.execute(trx, cp(104));
        expect(await cpAt.first(trx, { size: 104 })).toEqual({ size: 104, note: 'note 104' });
        // The dialect's own clause (a row lock on PostgreSQL) and the builder's constants (the limit) stay.
        expect((await bigger.rows(trx, { size: 101 })).map((r) => Number(r.size))).toEqual([102, 103]);
      });
      expect(await cpAt.first(store.db, { size: 102 })).toEqual({ size: 102, note: 'note 102' });
      expect(await cpAt.first(store.db, { size: 999 })).toBeUndefined();
      expect(await renote.affected(store.db, { size: 103, note: 'changed' })).toBe(1);
      expect(await renote.affected(store.db, { size: 999, note: 'nothing' })).toBe(0);
      expect(await cpAt.first(store.db, { size: 103 })).toEqual({ size: 103, note: 'changed' });
    });

    it('inserts any number of rows, one compiled statement per count up to 64, and keeps what follows values', async () => {
      const read = async () =>
        (
          await store.db
            .selectFrom('task_head_nodes')
            .select(['idx', 'hash'])
            .where('level', '=', 7)
            .orderBy('idx')
            .execute()
        ).map((r) => `${r.idx}=${r.hash}`);
      await upsertNodes(store.db, []);
      await upsertNodes(store.db, [node(1, 'a')]);
      await upsertNodes(store.db, [node(2, 'b'), node(3, 'c')]);
      // The same count again, with new values; and an upsert onto rows already there.
      await upsertNodes(store.db, [node(4, 'd'), node(1, 'A')]);
      expect(await read()).toEqual(['1=A', '2=b', '3=c', '4=d']);
      // Past 64 rows: built as usual, same outcome.
      const many = Array.from({ length: 70 }, (_, i) => node(100 + i, `h${i}`));
      await store.db.transaction().execute((trx) => upsertNodes(trx, many));
      expect((await read()).length).toBe(74);
      expect((await read()).at(-1)).toBe('169=h69');
    });

    it('refuses a value that does not become a bound parameter, before running anything', async () => {
      const before = await store.db.selectFrom('checkpoints').select('size').execute();
      // A value branched on in JavaScript (a slot is always truthy) would freeze one branch into the SQL.
      const bad = prepared((db, v: Slots<{ size: number }>) =>
        db.deleteFrom('checkpoints').where('size', '=', v.size ? 1 : 2),
      );
      await expect(bad.execute(store.db, { size: 0 })).rejects.toThrow('value "size" is not a bound parameter');
      expect(await store.db.selectFrom('checkpoints').select('size').execute()).toEqual(before);
    });
  });
}
