import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, createBackend } from '../../../../../test-support/harness.js';
import { openStore, type Store } from '../connect.js';

/**
 * A transaction's `begin` is held back and sent with the statement after it when that one has no
 * parameters (connect.ts): every write batch then starts with one round trip (`begin; select … for
 * update`) instead of two (kernel/committer.test.ts checks a real batch). What node-postgres is
 * asked to send is recorded below the store's wrapper.
 */
describe('a transaction begins in the round trip of its first simple statement [postgres]', () => {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  let backend: Backend;
  let store: Store;
  beforeAll(async () => {
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    backend = await createBackend('postgres');
    // One connection: every transaction below runs on the same client, after the ones before it.
    store = await openStore({ kind: 'postgres', url: backend.databaseUrl as string, poolSize: 1 });
  });
  afterAll(async () => {
    pg.Client.prototype.query = original;
    await store?.close();
    await backend?.drop();
  });
  beforeEach(() => {
    sent.length = 0;
  });
  /** Outside a transaction block every statement is its own transaction, so its start is the statement's. */
  const outsideTransaction = async () =>
    (await sql<{ outside: boolean }>`select now() = statement_timestamp() as outside`.execute(store.db)).rows[0]
      ?.outside;

  it('a first statement without parameters carries the begin: one round trip, then commit', async () => {
    const head = await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('meta').values({ key: 'carried', value: 'v' }).execute();
      return 1;
    });
    expect(head).toBe(1);
    sent.length = 0;
    const rows = await store.db
      .transaction()
      .execute(
        async (trx) =>
          (await sql<{ value: string }>`select value from meta where key = 'carried' for update`.execute(trx)).rows,
      );
    expect(rows).toEqual([{ value: 'v' }]);
    expect(sent).toEqual(["begin; select value from meta where key = 'carried' for update", 'commit']);
    expect(await outsideTransaction()).toBe(true);
  });

  it('a first statement with parameters: begin is sent alone before it, and the transaction commits', async () => {
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('meta').values({ key: 'begin-alone', value: 'v' }).execute();
    });
    expect(sent.slice(0, 3)).toEqual(['begin', 'insert into "meta" ("key", "value") values ($1, $2)', 'commit']);
    expect(await store.db.selectFrom('meta').select('value').where('key', '=', 'begin-alone').execute()).toEqual([
      { value: 'v' },
    ]);
    expect(await outsideTransaction()).toBe(true);
  });

  it('the statement that carried the begin fails: the transaction rolls back whole and the connection is clean', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await sql`select 1 / 0`.execute(trx);
        await trx.insertInto('meta').values({ key: 'never', value: 'v' }).execute();
      }),
    ).rejects.toThrow(/division by zero/);
    expect(sent.slice(0, 2)).toEqual(['begin; select 1 / 0', 'rollback']);
    expect(await store.db.selectFrom('meta').selectAll().where('key', '=', 'never').execute()).toEqual([]);
    expect(await outsideTransaction()).toBe(true);
    // The next transaction on the same client is a transaction of its own.
    await expect(
      store.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await trx.insertInto('meta').values({ key: 'rolled-back', value: 'v' }).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.db.selectFrom('meta').selectAll().where('key', '=', 'rolled-back').execute()).toEqual([]);
  });

  it('a client released with a begin held back started nothing: the next statement on it commits at once', async () => {
    const client = await (store.pool as pg.Pool).connect();
    await client.query('begin', []);
    client.release();
    // The same (only) connection: without dropping the held begin, this insert would open a
    // transaction nobody commits.
    await store.db.insertInto('meta').values({ key: 'after-release', value: 'v' }).execute();
    expect(sent).not.toContain('begin');
    const other = new pg.Client({ connectionString: backend.databaseUrl as string });
    await other.connect();
    try {
      const seen = await other.query(`select value from meta where key = 'after-release'`);
      expect(seen.rows).toEqual([{ value: 'v' }]);
    } finally {
      await other.end();
    }
  });

  it('a transaction that sends nothing: begin travels with its commit', async () => {
    await store.db.transaction().execute(async () => {});
    expect(sent[0]).toBe('begin; commit');
    expect(await outsideTransaction()).toBe(true);
  });
});
