import type { CompiledQuery, DatabaseConnection } from 'kysely';
import { affectedBy, type Together } from '../held.js';
import { keep, nameOf } from './named.js';

/**
 * PostgreSQL's `Together` (`store/held.ts`): held writes as one statement of data-modifying CTEs,
 * `with w0 as (<write> returning 1), w1 as (…) select (select count(*) from w0) as w0, …`, which
 * answers every write's row count in one round trip.
 *
 * The sub-statements of one statement all see the snapshot it started with and must not change the
 * same row twice (PostgreSQL leaves the outcome of that undefined), so two writes to one table never
 * go in one statement: the run is cut there and the rest goes in the next. A held write reads no
 * other table (`hold`), so the shared snapshot changes nothing it sees. One write that fails (a
 * duplicate key) fails its whole statement, as it would fail its transaction anyway. Parameters are renumbered (`$n` plus the parts before); a part with a quote in its text (a
 * literal that might hold a `$`) is sent alone.
 */
export const postgresTogether: Together = async (connection, queries) => {
  const counts: number[] = [];
  let run: CompiledQuery[] = [];
  let tables = new Set<string>();
  const send = async () => {
    if (run.length === 0) return;
    counts.push(...(await sendRun(connection, run)));
    run = [];
    tables = new Set();
  };
  for (const q of queries) {
    const table = TARGET.exec(q.sql)?.[1];
    if (table === undefined || q.sql.includes("'") || tables.has(table)) await send();
    run.push(q);
    if (table === undefined || q.sql.includes("'")) await send();
    else tables.add(table);
  }
  await send();
  return counts;
};

/** The table an insert, update or delete as Kysely compiles it writes to. */
const TARGET = /^(?:insert into|update|delete from) "([^"]+)"/;

/** Composed texts kept as named statements (bounded: they follow the code's paths, but not provably). */
const MAX_NAMED = 256;
let named = 0;

async function sendRun(connection: DatabaseConnection, run: readonly CompiledQuery[]): Promise<number[]> {
  if (run.length === 1) return [affectedBy(await connection.executeQuery(run[0] as CompiledQuery))];
  const parts: string[] = [];
  const parameters: unknown[] = [];
  run.forEach((q, i) => {
    const offset = parameters.length;
    parts.push(`w${i} as (${q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)} returning 1)`);
    parameters.push(...q.parameters);
  });
  const text = `with ${parts.join(', ')} select ${run.map((_, i) => `(select count(*) from w${i}) as w${i}`).join(', ')}`;
  // Named when every part is (the write path's fixed texts): parsed once per connection.
  if (nameOf(text) === undefined && named < MAX_NAMED && run.every((q) => nameOf(q.sql) !== undefined)) {
    keep(text);
    named += 1;
  }
  const result = await connection.executeQuery<Record<string, unknown>>({
    ...(run[0] as CompiledQuery),
    sql: text,
    parameters,
  });
  const row = result.rows[0] ?? {};
  return run.map((_, i) => Number(row[`w${i}`] ?? 0));
}
