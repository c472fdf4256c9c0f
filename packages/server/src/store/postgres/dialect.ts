import { sql } from 'kysely';
import type { StoreDialect } from '../dialect.js';

/** The NOTIFY channel replicas listen on (see `kernel/notifier.ts`). */
export const NOTIFY_CHANNEL = 'humanos';

/** Entries beyond which a seal is written statement by statement (bounded statement size). */
const MAX_ROWS_AT_ONCE = 1000;

/** PostgreSQL: row locks for replicas sharing one database, LISTEN/NOTIFY wake-ups, one-round-trip seals. */
export const postgresDialect: StoreDialect = {
  name: 'postgres',
  forUpdate: (q) => q.forUpdate() as typeof q,
  skipLocked: (q) => q.forUpdate().skipLocked() as typeof q,
  async statements(trx, list) {
    await sql.raw(list.join('; ')).execute(trx);
  },
  async notify(trx, message) {
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify(message)})`.execute(trx);
  },
  notifiesReplicas: true,
  /**
   * The whole seal as one statement of data-modifying CTEs: one network round trip inside the
   * serialised batch instead of five.
   */
  async writeSealAtOnce(trx, rows, notice) {
    if (rows.entries.length > MAX_ROWS_AT_ONCE) return false;
    const row = await trx
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
