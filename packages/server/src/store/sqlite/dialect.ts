import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/sqlite';
import type { StoreDialect } from '../dialect.js';

/** SQLite: one writer at a time (so no row locks are needed), one process (so nothing to notify). */
export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  forUpdate: (q) => q,
  jsonArrayFrom,
  skipLocked: (q) => q,
  async statements(trx, list) {
    for (const s of list) await sql.raw(s).execute(trx);
  },
  async notify() {},
  notifiesReplicas: false,
  async writeSealAtOnce() {
    return false;
  },
};
