import { CompiledQuery, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { StoreDialect } from '../dialect.js';
import { keep } from './named.js';

/** The NOTIFY channel replicas listen on (see `kernel/notifier.ts`). */
export const NOTIFY_CHANNEL = 'humanos';

/** Entries beyond which a seal is written statement by statement (bounded statement size). */
const MAX_ROWS_AT_ONCE = 1000;

/** PostgreSQL: row locks for replicas sharing one database, LISTEN/NOTIFY wake-ups, one-round-trip seals. */
export const postgresDialect: StoreDialect = {
  name: 'postgres',
  forUpdate: (q) => q.forUpdate() as typeof q,
  jsonArrayFrom,
  skipLocked: (q) => q.forUpdate().skipLocked() as typeof q,
  async statements(trx, list) {
    await trx.executeQuery(CompiledQuery.raw(list.join('; ')));
  },
  keepPrepared: keep,
  async notify(trx, message) {
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify(message)})`.execute(trx);
  },
  notifiesReplicas: true,
  /**
   * The whole seal as one statement of data-modifying CTEs: one network round trip inside the
   * serialised batch instead of five.
   */
  async writeSealAtOnce(trx, rows, notice) {
    const { heads, nodes } = rows.heads;
    if (rows.entries.length > MAX_ROWS_AT_ONCE || heads.length > MAX_ROWS_AT_ONCE) return false;
    // The task-heads upserts ride along when there are any (a batch of principal changes has none).
    const base = heads.length
      ? trx
          .with('th', (db) =>
            db
              .insertInto('task_heads')
              .values(heads)
              .onConflict((oc) =>
                oc
                  .column('task_id')
                  .doUpdateSet((eb) => ({ count: eb.ref('excluded.count'), acc: eb.ref('excluded.acc') })),
              ),
          )
          .with('tn', (db) =>
            db
              .insertInto('task_head_nodes')
              .values(nodes)
              .onConflict((oc) =>
                oc.columns(['level', 'idx']).doUpdateSet((eb) => ({ hash: eb.ref('excluded.hash') })),
              ),
          )
      : trx;
    const row = await (base as typeof trx)
      .with('e', (db) => db.insertInto('ledger_entries').values(rows.entries))
      .with('n', (db) => db.insertInto('ledger_nodes').values(rows.nodes))
      .with('c', (db) => db.insertInto('checkpoints').values(rows.checkpoint))
      .with('h', (db) =>
        db
          .updateTable('ledger_head')
          .set({ size: rows.to })
          .where('id', '=', 1)
          .where('size', '=', rows.from)
          .returning('id'),
      )
      .selectNoFrom((eb) => [
        eb.selectFrom('h').select(eb.fn.countAll<number>().as('n')).as('moved'),
        sql<string>`pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify(notice)})`.as('notified'),
      ])
      .executeTakeFirstOrThrow();
    if (Number(row.moved) !== 1) throw new Error('ledger head moved during an append batch');
    return true;
  },
};
