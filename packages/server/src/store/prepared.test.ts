import type { Store } from '@humanos/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, backends, createBackend, useStore } from '../../../../test-support/harness.js';
import { loadConfig } from '../config.js';
import { openStore } from './connect.js';
import {
  allColumns,
  at,
  prepared,
  preparedByCount,
  preparedInsert,
  preparedShapes,
  preparedUpdate,
  type Slots,
} from './prepared.js';

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

/** Nodes of level 7 by idx: an `or` list whose length is the shape. */
const nodesAt = preparedByCount((db, n, v) =>
  db
    .selectFrom('task_head_nodes')
    .select(['idx', 'hash'])
    .where('level', '=', 7)
    .where((eb) => eb.or(Array.from({ length: n }, (_, i) => eb('idx', '=', v[at(i, 'idx')] as never))))
    .orderBy('idx'),
);
const updateCp = preparedUpdate('checkpoints', ['size']);
const cpWhere = preparedShapes((db, v: Slots<{ size: number }>, shape: 'exact' | 'above') =>
  db
    .selectFrom('checkpoints')
    .select('size')
    .where('size', shape === 'exact' ? '=' : '>', v.size)
    .orderBy('size'),
);
const insertCps = preparedInsert(
  'checkpoints',
  allColumns<'checkpoints'>({ size: 1, root_hash: 1, note: 1, created_at: 1 }),
);

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

    it('reads an or-list of any length (one statement per length up to 64, built as usual past it)', async () => {
      await store.db.deleteFrom('task_head_nodes').where('level', '=', 7).execute();
      await upsertNodes(
        store.db,
        Array.from({ length: 80 }, (_, i) => node(i, `n${i}`)),
      );
      const idxs = async (list: number[]) =>
        (
          await nodesAt.rows(
            store.db,
            list.map((idx) => ({ idx })),
          )
        ).map((r) => `${r.idx}=${r.hash}`);
      expect(await idxs([3])).toEqual(['3=n3']);
      expect(await idxs([5, 1])).toEqual(['1=n1', '5=n5']);
      // Same length, other values: the compiled statement is reused with them.
      expect(await idxs([7, 2])).toEqual(['2=n2', '7=n7']);
      expect(await idxs([7, 999])).toEqual(['7=n7']);
      const many = Array.from({ length: 70 }, (_, i) => i + 5);
      expect(await idxs(many)).toEqual(many.map((i) => `${i}=n${i}`));
    });

    it('updates the columns each call sets (one statement per set of columns), counting rows updated', async () => {
      await store.db.deleteFrom('checkpoints').execute();
      await insertCps(store.db, [cp(1), cp(2)]);
      expect(await updateCp(store.db, { note: 'one' }, { size: 1 })).toBe(1);
      expect(await updateCp(store.db, { note: 'two', created_at: 7 }, { size: 2 })).toBe(1);
      // An undefined value leaves its column alone; a match of no row updates none.
      expect(await updateCp(store.db, { note: undefined, created_at: 8 }, { size: 2 })).toBe(1);
      expect(await updateCp(store.db, { note: 'none' }, { size: 3 })).toBe(0);
      const rows = await store.db.selectFrom('checkpoints').selectAll().orderBy('size').execute();
      expect(rows.map((r) => [Number(r.size), r.note, Number(r.created_at), r.root_hash])).toEqual([
        [1, 'one', 1001, 'root-1'],
        [2, 'two', 8, 'root-2'],
      ]);
    });

    it('keeps one statement per shape, each run with its own values', async () => {
      await store.db.deleteFrom('checkpoints').execute();
      await insertCps(store.db, [cp(1), cp(2), cp(3)]);
      const sizes = async (shape: 'exact' | 'above', size: number) =>
        (await cpWhere(shape).rows(store.db, { size })).map((r) => Number(r.size));
      expect(await sizes('exact', 2)).toEqual([2]);
      expect(await sizes('above', 1)).toEqual([2, 3]);
      expect(await sizes('exact', 3)).toEqual([3]);
      expect(await sizes('above', 2)).toEqual([3]);
    });

    it('refuses an insert row without a value for a named column, and writes nothing', async () => {
      await store.db.deleteFrom('checkpoints').execute();
      const row = { size: 9, root_hash: 'r', note: undefined as unknown as string, created_at: 1 };
      await expect(insertCps(store.db, [cp(8), row])).rejects.toThrow('no value for note (item 1)');
      expect(await store.db.selectFrom('checkpoints').select('size').execute()).toEqual([]);
    });
  });
}

/** Every column of a checkpoint by size: a `select *`, whose result changes when the table gains a column. */
const cpStar = prepared((db, v: Slots<{ size: number }>) =>
  db.selectFrom('checkpoints').selectAll().where('size', '=', v.size),
);

describe('prepared queries are named statements on PostgreSQL', () => {
  // One connection, so that the statement a test prepares is the one its next query finds. Opened
  // from this source tree (not the harness's built package): the names are kept by the module that
  // compiles the queries, and the connection that sends them must be that module's too.
  const s = {} as { store: Awaited<ReturnType<typeof openStore>>; backend: Backend };
  beforeAll(async () => {
    s.backend = await createBackend('postgres');
    s.store = await openStore({ kind: 'postgres', url: s.backend.databaseUrl as string, poolSize: 1 });
  });
  afterAll(async () => {
    await s.store?.close();
    await s.backend?.drop();
  });
  const preparedTexts = async (db: typeof s.store.db) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map(
      (r) => r.statement,
    );

  it('parses a kept text once per connection and leaves ad-hoc queries unnamed', async () => {
    const store = s.store;
    await store.db.deleteFrom('checkpoints').execute();
    await insertCps(store.db, [cp(1), cp(2)]);
    expect(await cpStar.first(store.db, { size: 1 })).toMatchObject({ size: 1, note: 'note 1' });
    expect(await cpStar.first(store.db, { size: 2 })).toMatchObject({ size: 2, note: 'note 2' });
    const text = store.db.selectFrom('checkpoints').selectAll().where('size', '=', 0).compile().sql;
    const adHoc = store.db.selectFrom('checkpoints').select('note').where('size', '=', 1);
    expect(await adHoc.executeTakeFirst()).toEqual({ note: 'note 1' });
    const kept = await preparedTexts(store.db);
    expect(kept.filter((t) => t === text)).toHaveLength(1);
    expect(kept).not.toContain(adHoc.compile().sql);
  });

  it('HUMANOS_PG_NAMED_STATEMENTS=off sends them unnamed (behind a pooler that cannot keep them); other values are refused', async () => {
    expect(loadConfig({}).pgNamedStatements).toBe(true);
    expect(loadConfig({ HUMANOS_PG_NAMED_STATEMENTS: 'off' }).pgNamedStatements).toBe(false);
    expect(() => loadConfig({ HUMANOS_PG_NAMED_STATEMENTS: 'no' })).toThrow(
      expect.objectContaining({ setting: 'HUMANOS_PG_NAMED_STATEMENTS' }),
    );
    const unnamed = await openStore({
      kind: 'postgres',
      url: s.backend.databaseUrl as string,
      poolSize: 1,
      namedStatements: false,
    });
    try {
      await insertCps(unnamed.db, [cp(3)]);
      expect(await cpStar.first(unnamed.db, { size: 3 })).toMatchObject({ size: 3, note: 'note 3' });
      expect(await preparedTexts(unnamed.db)).toEqual([]);
    } finally {
      await unnamed.close();
    }
  });

  it('a select * whose table gained a column fails once, then runs again under a new name', async () => {
    const store = s.store;
    await store.db.deleteFrom('checkpoints').execute();
    await insertCps(store.db, [cp(5)]);
    expect(await cpStar.first(store.db, { size: 5 })).toMatchObject({ size: 5 });
    // Another replica's online migration.
    await sql`alter table checkpoints add column later_column text`.execute(store.db);
    try {
      await expect(cpStar.first(store.db, { size: 5 })).rejects.toThrow('cached plan must not change result type');
      const row = await cpStar.first(store.db, { size: 5 });
      expect(row).toMatchObject({ size: 5, note: 'note 5', later_column: null });
      // And again, without another failure.
      expect(await cpStar.first(store.db, { size: 5 })).toMatchObject({ size: 5 });
    } finally {
      await sql`alter table checkpoints drop column later_column`.execute(store.db);
    }
  });
});
