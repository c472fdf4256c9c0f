import { CompiledQuery, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { StoreDialect } from '../dialect.js';
import { keep } from './named.js';

/** The NOTIFY channel replicas listen on (see `kernel/notifier.ts`). */
export const NOTIFY_CHANNEL = 'humanos';

/** Entries beyond which a seal is written statement by statement (one bind message of bounded size). */
const MAX_ROWS_AT_ONCE = 1000;

/**
 * A whole seal in one statement of data-modifying CTEs, its rows passed as one array per column
 * (`unnest`): the text is the same for every batch whatever its row counts, so it is parsed and
 * planned once per connection (a named statement) and never built per batch. Empty arrays insert
 * nothing (a batch that touched no task has no heads rows). The head moves only if it still holds
 * the size the batch started from; `moved` says whether it did.
 */
const SEAL = `with th as (
  insert into task_heads (task_id, pos, count, acc)
  select * from unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])
  on conflict (task_id) do update set count = excluded.count, acc = excluded.acc
), tn as (
  insert into task_head_nodes (level, idx, hash)
  select * from unnest($5::integer[], $6::bigint[], $7::text[])
  on conflict (level, idx) do update set hash = excluded.hash
), e as (
  insert into ledger_entries (seq, entry, leaf_hash, task_id)
  select * from unnest($8::bigint[], $9::text[], $10::text[], $11::text[])
), n as (
  insert into ledger_nodes (level, idx, hash)
  select * from unnest($12::integer[], $13::bigint[], $14::text[])
), c as (
  insert into checkpoints (size, root_hash, note, created_at) values ($15, $16, $17, $18)
), h as (
  update ledger_head set size = $19 where id = 1 and size = $20 returning id
)
select (select count(*) from h) as moved, pg_notify($21, $22) as notified`;
keep(SEAL);

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
    const { entries, checkpoint: c } = rows;
    const result = await trx.executeQuery<{ moved: number }>(
      CompiledQuery.raw(SEAL, [
        heads.map((h) => h.task_id),
        heads.map((h) => h.pos),
        heads.map((h) => h.count),
        heads.map((h) => h.acc),
        nodes.map((n) => n.level),
        nodes.map((n) => n.idx),
        nodes.map((n) => n.hash),
        entries.map((e) => e.seq),
        entries.map((e) => e.entry),
        entries.map((e) => e.leaf_hash),
        entries.map((e) => e.task_id),
        rows.nodes.map((n) => n.level),
        rows.nodes.map((n) => n.idx),
        rows.nodes.map((n) => n.hash),
        c.size,
        c.root_hash,
        c.note,
        c.created_at,
        rows.to,
        rows.from,
        NOTIFY_CHANNEL,
        JSON.stringify(notice),
      ]),
    );
    if (Number(result.rows[0]?.moved) !== 1) throw new Error('ledger head moved during an append batch');
    return true;
  },
};
