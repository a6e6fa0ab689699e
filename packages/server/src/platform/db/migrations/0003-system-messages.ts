/* eslint-disable @typescript-eslint/no-explicit-any -- a migration sees the database as it was then, not today's schema type (Kysely's advice) */
import type { Kysely } from 'kysely';

/**
 * Marks the lines the server writes into a history (joins, leaves, renames): they are messages like any other for
 * history and sync, but unread counts leave them out.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('is_system', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('is_system').execute();
}
