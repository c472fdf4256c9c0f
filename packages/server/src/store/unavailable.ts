/**
 * PostgreSQL SQLSTATE classes and codes meaning "the database cannot be reached right now", not "this
 * statement is wrong": connection exceptions (class 08), the server shutting down or restarting
 * (57P01–57P03, e.g. `pg_terminate_backend`) and too many connections (53300).
 */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

/** Socket-level failures of the driver's connection. */
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What node-postgres says when a connection died under a query or cannot be had. */
const DRIVER_UNAVAILABLE =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|terminating connection due to administrator command|Cannot use a pool after calling end/i;

/**
 * Whether `e` means the store is unreachable or overloaded for the moment (the request may be retried
 * once it is back), as opposed to a bug or a bad statement. The HTTP layer answers these with
 * `503 database_unavailable` instead of a 500; the store recovers by itself (the pool replaces dead
 * connections, SQLite's lock is released by its holder).
 *
 * @example
 * try { await db.selectFrom('tasks').selectAll().execute(); }
 * catch (e) { if (isStoreUnavailable(e)) return sendProblem(reply, 'database_unavailable', 'retry'); throw e; }
 */
export function isStoreUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (PG_UNAVAILABLE.test(code) || NET_UNAVAILABLE.has(code)) return true;
    // SQLite: another process held the write lock past busy_timeout.
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  }
  return typeof message === 'string' && DRIVER_UNAVAILABLE.test(message);
}
