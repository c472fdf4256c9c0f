import { CompiledQuery } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/sqlite';
import type { StoreDialect } from '../dialect.js';

/** SQLite: one writer at a time (so no row locks are needed), one process (so nothing to notify). */
export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  forUpdate: (q) => q,
  jsonArrayFrom,
  skipLocked: (q) => q,
  async statements(trx, list) {
    // Fixed texts, nothing to build: straight to the driver (a savepoint per operation of a batch).
    for (const s of list) await trx.executeQuery(CompiledQuery.raw(s));
  },
  // The connection's statement cache (`cachingStatements` in connect.ts) keeps every text compiled.
  keepPrepared() {},
  async notify() {},
  notifiesReplicas: false,
  async writeSealAtOnce() {
    return false;
  },
};
