import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { affectedBy, ROW_LOCK, type Together, type WithRead } from '../held.js';
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
    const table = sharedTable(q);
    if (table === undefined || tables.has(table)) await send();
    run.push(q);
    if (table === undefined) await send();
    else tables.add(table);
  }
  await send();
  return counts;
};

/** The table an insert, update or delete as Kysely compiles it writes to. */
const TARGET = /^(?:insert into|update|delete from) "([^"]+)"/;

/** The table `q` writes, if it may share a statement with others (none: a quote in its text, or no known table). */
const sharedTable = (q: CompiledQuery): string | undefined =>
  q.sql.includes("'") ? undefined : TARGET.exec(q.sql)?.[1];

/** Composed texts kept as named statements (bounded: they follow the code's paths, but not provably). */
const MAX_NAMED = 256;
let namedCount = 0;

async function sendRun(connection: DatabaseConnection, run: readonly CompiledQuery[]): Promise<number[]> {
  if (run.length === 1) return [affectedBy(await connection.executeQuery(run[0] as CompiledQuery))];
  const { parts, parameters, counts } = compose(run);
  const result = await connection.executeQuery<Record<string, unknown>>({
    ...(run[0] as CompiledQuery),
    sql: named(`with ${parts.join(', ')} select ${counts}`, run),
    parameters,
  });
  return countsIn(result.rows[0], run.length);
}

/**
 * The writes as CTEs `w0`, `w1`, … answering one row per row moved, their parameters renumbered,
 * and the select list of their row counts (`countsIn` reads them back).
 */
function compose(run: readonly CompiledQuery[]): { parts: string[]; parameters: unknown[]; counts: string } {
  const parts: string[] = [];
  const parameters: unknown[] = [];
  run.forEach((q, i) => {
    parts.push(`w${i} as (${renumber(q.sql, parameters.length)} returning 1)`);
    parameters.push(...q.parameters);
  });
  return { parts, parameters, counts: run.map((_, i) => `(select count(*) from w${i}) as w${i}`).join(', ') };
}

/** The row counts `compose`'s select list answered, in order. */
const countsIn = (row: Record<string, unknown> | undefined, n: number): number[] =>
  Array.from({ length: n }, (_, i) => Number(row?.[`w${i}`] ?? 0));

const renumber = (text: string, offset: number): string =>
  text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);

/** `text`, kept as a named statement when every part is (the write path's fixed texts): parsed once per connection. */
function named(text: string, parts: readonly CompiledQuery[]): string {
  if (nameOf(text) === undefined && namedCount < MAX_NAMED && parts.every((q) => nameOf(q.sql) !== undefined)) {
    keep(text);
    namedCount += 1;
  }
  return text;
}

/**
 * PostgreSQL's `WithRead`: held writes and the read after them as one statement, `with w0 as (…),
 * r as (<read>) select <counts>, r.* from (<counts>) left join r`. The read fits when it is a plain
 * select that names none of the tables the writes change (by name, anywhere in its text: a column
 * of that name is enough to keep them apart), the writes fit one statement (`postgresTogether`'s
 * rule), and neither has a quote (a literal that might hold a `$`). A read with `order by` or a lock
 * stays apart: its order would not survive the join, and a lock in a CTE is not worth the doubt.
 */
export const postgresWithRead: WithRead = {
  fits(writes, read) {
    if (read.sql.includes("'") || /\border\s+by\b/i.test(read.sql) || ROW_LOCK.test(read.sql)) return false;
    // Its columns must not take the names of the statement's own (`w0`, …, the marker).
    if (/\bw\d+\b|__held_read/.test(read.sql)) return false;
    const tables = new Set<string>();
    for (const q of writes) {
      const table = sharedTable(q);
      if (table === undefined || tables.has(table)) return false;
      if (new RegExp(`\\b${table}\\b`).test(read.sql)) return false;
      tables.add(table);
    }
    return tables.size > 0;
  },
  async send(connection, writes, read) {
    const { parts, parameters, counts } = compose(writes);
    parts.push(`r as (select true as "${READ}", q.* from (${renumber(read.sql, parameters.length)}) q)`);
    parameters.push(...read.parameters);
    const text = `with ${parts.join(', ')} select h.*, r.* from (select ${counts}) h left join r on true`;
    const result = await connection.executeQuery<Record<string, unknown>>({
      ...read,
      sql: named(text, [...writes, read]),
      parameters,
    });
    const hidden = [READ, ...writes.map((_, i) => `w${i}`)];
    // One row even when the read found none (the left join): then its marker column is null.
    const rows = result.rows
      .filter((row) => row[READ] !== null && row[READ] !== undefined)
      .map((row) => {
        const out = { ...row };
        for (const k of hidden) delete out[k];
        return out;
      });
    return {
      counts: countsIn(result.rows[0], writes.length),
      result: { rows } as QueryResult<unknown>,
    };
  },
};

/** The marker column of the read's rows in `postgresWithRead`. */
const READ = '__held_read';
