/**
 * Named (server-side prepared) statements for the write path's fixed SQL texts on PostgreSQL.
 *
 * node-postgres sends every query as an unnamed statement unless it is given a name, so PostgreSQL
 * parses and plans each one again: about a quarter of a short statement's round trip on loopback
 * (measured: 175–200 µs unnamed, 120–150 µs named, for a primary-key select and an upsert). On
 * PostgreSQL the lifecycle's throughput is bounded by the round trips a batch makes while it holds
 * the ledger head's lock, so every one of them counts.
 *
 * Only texts registered here (`keep`, called by `store/prepared.ts` for each query it compiles)
 * are named: a bounded set fixed by the code, so each connection holds at most that many
 * statements. Everything else (ad-hoc Kysely queries, `begin`, savepoints) stays unnamed.
 *
 * A named `select *` whose table gains a column (another replica's online migration) fails on
 * every connection that prepared it with "cached plan must not change result type". On that error
 * the generation moves on: every later run uses new names, parsed afresh on each connection, so
 * the statement that hit it fails once (its transaction is aborted and cannot be retried here) and
 * the next ones work. The old statements stay allocated on their connections until those close.
 */

/** Each kept text's statement name in the current generation, made once (not per query). */
const names = new Map<string, string>();
let generation = 0;

const nameFor = (index: number) => `humanos_${generation}_${index}`;

/** Registers a fixed SQL text to be sent as a named statement from now on. */
export function keep(sql: string): void {
  if (!names.has(sql)) names.set(sql, nameFor(names.size));
}

/** The statement name for `sql` in the current generation, or undefined for a text not kept. */
export function nameOf(sql: string): string | undefined {
  return names.get(sql);
}

/** PostgreSQL's error when a prepared statement's result columns changed under it (SQLSTATE 0A000). */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return (
    e?.code === '0A000' &&
    typeof e.message === 'string' &&
    e.message.includes('cached plan must not change result type')
  );
}

/** Moves to fresh statement names after a stale plan (see the module's comment). */
export function renew(): void {
  generation += 1;
  let index = 0;
  for (const sql of names.keys()) names.set(sql, nameFor(index++));
}
