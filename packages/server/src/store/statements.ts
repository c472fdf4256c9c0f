/**
 * Counts of the SQL statements this process sent, by kind: what the database is asked per request.
 * Exported as `humanos_db_statements_total{kind}` and read by `bench/statements.mjs`, which divides
 * them by requests. Counting sits at the driver's edge (SQLite's `prepare`, node-postgres'
 * `client.query`), below Kysely, so transaction control (`begin`, `commit`), `pg_notify` and raw SQL
 * count too: on PostgreSQL each one is a round trip; on SQLite each `commit` of a write is an fsync.
 *
 * @example
 * const counts = new StatementCounts();
 * counts.add('SELECT 1'); // counts.snapshot() → { select: 1 }
 */
export class StatementCounts {
  private readonly byKind = new Map<string, number>();
  private texts: Map<string, number> | undefined;

  /** Records one statement, classified by its first keyword (`with …` counts as what it ends in). */
  add(sql: string): void {
    const kind = statementKind(sql);
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (this.texts) this.texts.set(sql, (this.texts.get(sql) ?? 0) + 1);
  }

  /** Starts keeping each statement's text (for `bench/statements.mjs` with BENCH_SQL=1; off otherwise). */
  traceTexts(): void {
    this.texts = new Map();
  }

  /** The texts kept since `traceTexts()`, with their counts; stops keeping them. */
  takeTexts(): Map<string, number> {
    const texts = this.texts ?? new Map<string, number>();
    this.texts = undefined;
    return texts;
  }

  /** The counts so far, by kind. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.byKind);
  }
}

const KINDS = new Set(['select', 'insert', 'update', 'delete', 'begin', 'commit', 'rollback', 'savepoint', 'release']);

/** `select`, `insert`, `update`, `delete`, transaction control, or `other` (DDL, pragmas, notify…). */
export function statementKind(sql: string): string {
  const words = /^\s*(\w+)/.exec(sql);
  let first = words?.[1]?.toLowerCase() ?? 'other';
  if (first === 'with') first = afterCtes(sql);
  if (first === 'start') first = 'begin';
  return KINDS.has(first) ? first : 'other';
}

/** The statement a `with` query runs: its first keyword outside the CTEs' parentheses. */
function afterCtes(sql: string): string {
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0) {
      const m = /^(select|insert|update|delete)\b/i.exec(sql.slice(i));
      if (m && /\W/.test(sql[i - 1] ?? ' ')) return (m[1] as string).toLowerCase();
    }
  }
  return 'select';
}
