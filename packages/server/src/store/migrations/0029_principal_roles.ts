import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Migration 0029_principal_roles (append-only: never edit a migration that has shipped).
 * - `principal_roles`: one row per (role, principal) mirroring `principals.roles` (a JSON array), so
 *   "who holds role r" is an index range walk instead of a `LIKE` over every principal. Task
 *   creation asks it for every gate's roles (the undecidable check), as do notifications: with
 *   10 000 principals the scan was milliseconds of a SQLite request, 100 000 tens of milliseconds.
 *   `principals.roles` stays the record (authorisation reads it); this table only narrows.
 */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('principal_roles')
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('principal_roles_pk', ['role', 'principal_id'])
      .execute();
    await db.schema.createIndex('principal_roles_principal').on('principal_roles').column('principal_id').execute();
    const rows = await sql<{ id: string; roles: string }>`select id, roles from principals`.execute(db);
    const pairs = rows.rows.flatMap((r) =>
      [...new Set(JSON.parse(r.roles) as string[])].map((role) => ({ role, principal_id: r.id })),
    );
    for (let i = 0; i < pairs.length; i += 500)
      await db
        .insertInto('principal_roles' as never)
        .values(pairs.slice(i, i + 500) as never)
        .execute();
  },
};
