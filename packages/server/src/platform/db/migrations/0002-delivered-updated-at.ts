/* eslint-disable @typescript-eslint/no-explicit-any -- a migration sees the database as it was then, not today's schema type (Kysely's advice) */
import type { Kysely } from 'kysely';

/**
 * When the delivered pointer alone last moved. Sync tells someone who does not see read pointers only of delivery
 * changes, so that a moved read pointer does not show through as a bare "something changed".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('memberships').addColumn('delivered_updated_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('memberships').dropColumn('delivered_updated_at').execute();
}
