/* eslint-disable @typescript-eslint/no-explicit-any -- a migration sees the database as it was then, not today's schema type (Kysely's advice) */
import type { Kysely } from 'kysely';

/**
 * The change counter behind sync's cursor: one row whose value every write of something sync reports by cursor
 * (receipt pointers, profiles) takes the next of, in its transaction, and stamps its rows with. Existing rows get 0,
 * so a client's first sync with a cursor sees them all (it has no cursor yet).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('change_counter')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto('change_counter').values({ id: 1, value: 0 }).execute();
  await db.schema.alterTable('memberships').addColumn('receipts_change', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('memberships').addColumn('delivered_change', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('profile_change', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('profile_change').execute();
  await db.schema.alterTable('memberships').dropColumn('delivered_change').execute();
  await db.schema.alterTable('memberships').dropColumn('receipts_change').execute();
  await db.schema.dropTable('change_counter').execute();
}
