import { HumanOSError } from '@humanos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, backends, createBackend } from '../../../../test-support/harness.js';
import { openStore, type Store } from './connect.js';
import { dropHeld, exactly, flushHeld, hold, isPlainRead, writesSent } from './held.js';
import { prepared, preparedInsert, type Slots } from './prepared.js';

// Store-level tests of held writes (`held.ts`): what is held, when it is sent, what a failed check
// does, and (PostgreSQL) that several go in one statement. Opened from source, like the module.

const insertCp = preparedInsert('checkpoints', ['size', 'root_hash', 'note', 'created_at']);
const cp = (size: number, note = `note ${size}`) => ({ size, root_hash: `root-${size}`, note, created_at: size });
const renote = prepared((db, v: Slots<{ size: number; from: string; to: string }>) =>
  db.updateTable('checkpoints').set({ note: v.to }).where('size', '=', v.size).where('note', '=', v.from),
);
const insertNode = preparedInsert('task_head_nodes', ['level', 'idx', 'hash']);
const changed = () => new HumanOSError('conflict', 'changed concurrently');
const once = exactly(1, changed);

for (const name of backends()) {
  describe(`held writes [${name}]`, () => {
    let backend: Backend;
    let store: Store;
    beforeAll(async () => {
      backend = await createBackend(name);
      store = await openStore(
        backend.databaseUrl
          ? { kind: 'postgres', url: backend.databaseUrl, poolSize: 2 }
          : { kind: 'sqlite', file: `${backend.dataDir}/humanos.db` },
      );
    });
    afterAll(async () => {
      await store?.close();
      await backend?.drop();
    });
    const notes = async () =>
      (await store.db.selectFrom('checkpoints').select(['size', 'note']).orderBy('size').execute()).map(
        (r) => `${r.size}:${r.note}`,
      );
    const reset = async () => {
      await store.db.deleteFrom('checkpoints').execute();
      await store.db.deleteFrom('task_head_nodes').execute();
    };

    it('a held write is sent before the next read of its transaction, and is checked then', async () => {
      await reset();
      await insertCp(store.db, [cp(1)]);
      const seen = await store.db.transaction().execute(async (trx) => {
        await insertCp.later(trx, [cp(2)]);
        await renote.later(trx, { size: 1, from: 'note 1', to: 'moved' }, once);
        // Nothing sent yet: another connection (SQLite: the same file after commit) cannot see it,
        // and this transaction's next statement sends it first.
        return (await trx.selectFrom('checkpoints').select(['size', 'note']).orderBy('size').execute()).map(
          (r) => `${r.size}:${r.note}`,
        );
      });
      expect(seen).toEqual(['1:moved', '2:note 2']);
      expect(await notes()).toEqual(['1:moved', '2:note 2']);
    });

    it('a failed check throws from the statement that sent it, and the transaction changes nothing', async () => {
      await reset();
      await insertCp(store.db, [cp(1)]);
      let read = false;
      await expect(
        store.db.transaction().execute(async (trx) => {
          await insertCp.later(trx, [cp(2)]);
          // Guarded on a note the row does not have: moves no row.
          await renote.later(trx, { size: 1, from: 'stale', to: 'moved' }, once);
          await trx.selectFrom('checkpoints').selectAll().execute();
          read = true;
        }),
      ).rejects.toThrow('changed concurrently');
      expect(read).toBe(false);
      expect(await notes()).toEqual(['1:note 1']);
      // At commit: the commit's flush fails, and Kysely rolls the whole transaction back.
      await expect(
        store.db.transaction().execute(async (trx) => {
          await insertCp(trx, [cp(3)]);
          await renote.later(trx, { size: 1, from: 'stale', to: 'moved' }, once);
        }),
      ).rejects.toThrow('changed concurrently');
      expect(await notes()).toEqual(['1:note 1']);
    });

    it('a rollback to a savepoint drops what was held after it; what came before stays', async () => {
      await reset();
      await store.db.transaction().execute(async (trx) => {
        await insertCp.later(trx, [cp(1)]);
        await store.dialect.statements(trx, ['savepoint op']);
        await insertCp.later(trx, [cp(2)]);
        await renote.later(trx, { size: 1, from: 'note 1', to: 'never' }, once);
        await store.dialect.statements(trx, ['rollback to savepoint op', 'release savepoint op']);
        await insertCp.later(trx, [cp(3)]);
      });
      expect(await notes()).toEqual(['1:note 1', '3:note 3']);
    });

    it('flushHeld sends now and reports a failed check there; outside a transaction nothing is held', async () => {
      await reset();
      await insertCp(store.db, [cp(1)]);
      await store.db.transaction().execute(async (trx) => {
        await renote.later(trx, { size: 1, from: 'stale', to: 'x' }, once);
        await expect(flushHeld(trx)).rejects.toThrow('changed concurrently');
        // Sent and failed: nothing is held any more, the transaction goes on.
        await insertCp.later(trx, [cp(2)]);
      });
      expect(await notes()).toEqual(['1:note 1', '2:note 2']);
      // No transaction: runs at once, checked at once.
      await expect(renote.later(store.db, { size: 2, from: 'stale', to: 'x' }, once)).rejects.toThrow(
        'changed concurrently',
      );
      await renote.later(store.db, { size: 2, from: 'note 2', to: 'y' }, once);
      expect(await notes()).toEqual(['1:note 1', '2:y']);
    });

    it('a write that reads (a subquery) or returns rows is refused, not held, and nothing is written', async () => {
      await reset();
      const copy = prepared((db, v: Slots<{ size: number }>) =>
        db
          .insertInto('checkpoints')
          .columns(['size', 'root_hash', 'note', 'created_at'])
          .expression((eb) =>
            eb
              .selectFrom('checkpoints')
              .select([eb.val(v.size).as('size'), 'root_hash', 'note', 'created_at'])
              .limit(1),
          ),
      );
      await insertCp(store.db, [cp(1)]);
      await expect(
        store.db.transaction().execute(async (trx) => {
          await insertCp.later(trx, [cp(2)]);
          await copy.later(trx, { size: 3 });
        }),
      ).rejects.toThrow('only an insert or update that reads nothing');
      expect(await notes()).toEqual(['1:note 1']);
    });

    it('every write gets its own row count, in order, whatever goes in one statement', async () => {
      await reset();
      await insertCp(store.db, [cp(1), cp(2)]);
      const counts: number[] = [];
      const count = (n: number) => counts.push(n);
      const total = () => Object.values(store.statements.snapshot()).reduce((a, b) => a + b, 0);
      const before = total();
      await store.db.transaction().execute(async (trx) => {
        await renote.later(trx, { size: 1, from: 'note 1', to: 'a' }, count);
        await insertNode.later(trx, [{ level: 9, idx: 1, hash: 'h' }]);
        // The same table again (PostgreSQL cannot change one row twice in a statement: a new one starts).
        await renote.later(trx, { size: 1, from: 'a', to: 'b' }, count);
        await renote.later(trx, { size: 2, from: 'nope', to: 'c' }, count);
        await flushHeld(trx);
      });
      // begin + commit around them. PostgreSQL: [renote, node] then [renote] then [renote], the first
      // two in one statement; SQLite: each on its own.
      expect(total() - before).toBe(name === 'postgres' ? 2 + 3 : 2 + 4);
      expect(counts).toEqual([1, 1, 0]);
      expect(await notes()).toEqual(['1:b', '2:note 2']);
    });

    it('a read of other tables goes with the held writes (PostgreSQL: one statement), rows and checks intact', async () => {
      await reset();
      await insertCp(store.db, [cp(1)]);
      await insertNode(store.db, [
        { level: 1, idx: 1, hash: 'a' },
        { level: 1, idx: 2, hash: 'b' },
      ]);
      const total = () => Object.values(store.statements.snapshot()).reduce((a, b) => a + b, 0);
      const nodesOf = (trx: typeof store.db, level: number) =>
        trx.selectFrom('task_head_nodes').select(['idx', 'hash']).where('level', '=', level).execute();
      const counts: number[] = [];
      const before = total();
      const read = await store.db.transaction().execute(async (trx) => {
        await renote.later(trx, { size: 1, from: 'note 1', to: 'moved' }, (n) => counts.push(n));
        const two = await nodesOf(trx, 1); // sends the held write, with itself on PostgreSQL
        await insertCp.later(trx, [cp(2)]);
        const none = await nodesOf(trx, 7); // no rows: the write's count still comes back
        return { two, none };
      });
      // begin + commit, and the two reads, each carrying the write held before it (PostgreSQL).
      expect(total() - before).toBe(name === 'postgres' ? 2 + 2 : 2 + 4);
      expect(read.two.map((r) => `${r.idx}:${r.hash}`).sort()).toEqual(['1:a', '2:b']);
      // The same values and types as the read alone.
      expect([...read.two].sort((a, b) => a.idx - b.idx)).toStrictEqual(
        (await nodesOf(store.db, 1)).sort((a, b) => a.idx - b.idx),
      );
      expect(read.none).toEqual([]);
      expect(counts).toEqual([1]);
      expect(await notes()).toEqual(['1:moved', '2:note 2']);
      // A failed check carried by a read throws from that read; the transaction writes nothing.
      // (Checked for two rows, the insert moves one: its check fails once the statement has run.)
      await expect(
        store.db.transaction().execute(async (trx) => {
          await hold(trx, trx.insertInto('checkpoints').values(cp(3)).compile(), exactly(2, changed));
          await nodesOf(trx, 1);
        }),
      ).rejects.toThrow('changed concurrently');
      expect(await notes()).toEqual(['1:moved', '2:note 2']);
    });

    it('a held write that fails (a duplicate key) fails its flush, and the transaction writes nothing', async () => {
      await reset();
      await insertCp(store.db, [cp(1)]);
      await expect(
        store.db.transaction().execute(async (trx) => {
          await insertNode.later(trx, [{ level: 9, idx: 2, hash: 'h' }]);
          await insertCp.later(trx, [cp(1, 'again')]);
        }),
      ).rejects.toThrow(/unique|duplicate/i);
      expect(await notes()).toEqual(['1:note 1']);
      expect(await store.db.selectFrom('task_head_nodes').selectAll().execute()).toEqual([]);
    });

    it('writesSent counts what may have changed the transaction: writes, held ones once sent, failures; not reads', async () => {
      await reset();
      await insertCp(store.db, [cp(1)]);
      const counts = await store.db.transaction().execute(async (trx) => {
        const seen = [await writesSent(trx)];
        await trx.selectFrom('checkpoints').selectAll().execute();
        await insertCp.later(trx, [cp(2)]);
        seen.push(await writesSent(trx)); // held, not sent: nothing changed yet
        await dropHeld(trx);
        await flushHeld(trx);
        seen.push(await writesSent(trx)); // dropped: flushing sends nothing
        await insertCp.later(trx, [cp(3)]);
        await trx.selectFrom('checkpoints').selectAll().execute(); // sends the held write first
        seen.push(await writesSent(trx));
        await trx.updateTable('checkpoints').set({ note: 'x' }).where('size', '=', 3).execute();
        seen.push(await writesSent(trx));
        return seen;
      });
      expect(counts).toEqual([0, 0, 0, 1, 2]);
      expect(await notes()).toEqual(['1:note 1', '3:x']);
      // A failed statement counts (on PostgreSQL it aborts the transaction), and a new transaction starts at 0.
      let afterFailure = -1;
      await store.db
        .transaction()
        .execute(async (trx) => {
          await expect(insertCp(trx, [cp(1, 'again')])).rejects.toThrow(/unique|duplicate/i);
          afterFailure = await writesSent(trx);
        })
        .catch(() => {}); // PostgreSQL may refuse to commit what the failure aborted
      expect(afterFailure).toBe(1);
      expect(await store.db.transaction().execute((trx) => writesSent(trx))).toBe(0);
    });
  });
}

describe('isPlainRead', () => {
  it('takes selects (row locks included) as reads, and anything that may write as not', () => {
    for (const read of [
      'select * from tasks where id = $1',
      '  SELECT 1',
      'with t as (select 1) select * from t',
      'select size from ledger_head where id = 1 for update',
      'select * from gates for no key update skip locked',
      'select * from gates for share',
      'select updated_at from tasks', // a column named like a keyword is not a write
    ]) {
      expect(isPlainRead(read), read).toBe(true);
    }
    for (const write of [
      'insert into meta values ($1, $2)',
      'update meta set value = $1',
      'delete from meta',
      'with w0 as (insert into meta values ($1) returning 1) select count(*) from w0',
      "select pg_notify('humanos', $1)",
      "select nextval('s')",
      'savepoint op',
      'release savepoint op; savepoint op',
      'pragma wal_checkpoint',
    ]) {
      expect(isPlainRead(write), write).toBe(false);
    }
  });
});
