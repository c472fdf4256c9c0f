import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { backends, createBackend } from '../../../../test-support/harness.js';
import type { Store } from './connect.js';
import { migrationProvider } from './migrations/index.js';
import { openPostgres } from './postgres/connect.js';
import { openSqlite } from './sqlite/connect.js';

/**
 * Migration 0019: the outbox's table becomes `deliveries` (column `webhook_id` → `sink`) with every
 * row kept as it was — a pending delivery queued before the upgrade is still pending after it, with
 * its attempts and backoff, and is claimed through the new index names.
 */
for (const backend of backends()) {
  describe(`migration 0019_deliveries [${backend}]`, () => {
    it('renames webhook_deliveries to deliveries and keeps every row, its status and its attempts', async () => {
      const b = await createBackend(backend);
      const store: Store = b.databaseUrl ? openPostgres(b.databaseUrl, 2) : openSqlite(`${b.dataDir}/humanos.db`);
      try {
        const migrator = new Migrator({ db: store.db, provider: migrationProvider });
        expect((await migrator.migrateTo('0018_consents')).error).toBeUndefined();
        await sql`insert into webhook_deliveries
          (id, webhook_id, seq, event_type, status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at, target)
          values
          ('delivery:000000000000000000000001', 'webhook:000000000000000000000001', 4, 'task.created', 'pending', 2, 1000, 503, 'HTTP 503', 10, null, null),
          ('delivery:000000000000000000000002', 'channel:slack', 5, 'approval.requested', 'failed', 15, 2000, null, 'timeout', 11, null, '{"kind":"dm"}'),
          ('delivery:000000000000000000000003', 'webhook:000000000000000000000001', 6, 'task.completed', 'delivered', 1, 3000, 200, null, 12, 13, null)`.execute(
          store.db,
        );
        const before = await sql`select * from webhook_deliveries order by id`.execute(store.db);

        expect((await migrator.migrateToLatest()).error).toBeUndefined();

        const after = await store.db.selectFrom('deliveries').selectAll().orderBy('id').execute();
        expect(after.map((r) => ({ ...r, seq: Number(r.seq), next_attempt_at: Number(r.next_attempt_at) }))).toEqual(
          (before.rows as Record<string, unknown>[]).map(({ webhook_id, ...r }) => ({
            ...r,
            seq: Number(r.seq),
            next_attempt_at: Number(r.next_attempt_at),
            created_at: Number(r.created_at),
            delivered_at: r.delivered_at === null ? null : Number(r.delivered_at),
            sink: webhook_id,
          })),
        );
        await expect(sql`select count(*) from webhook_deliveries`.execute(store.db)).rejects.toThrow();
        // The outbox's claim (status, next_attempt_at) and a sink's list (sink, seq) have their indexes.
        const indexes =
          backend === 'postgres'
            ? await sql<{
                name: string;
              }>`select indexname as name from pg_indexes where tablename = 'deliveries'`.execute(store.db)
            : await sql<{
                name: string;
              }>`select name from sqlite_master where type = 'index' and tbl_name = 'deliveries'`.execute(store.db);
        expect(indexes.rows.map((r) => r.name)).toEqual(
          expect.arrayContaining(['deliveries_due', 'deliveries_by_sink']),
        );
      } finally {
        await store.close();
        await b.drop();
      }
    });
  });
}
