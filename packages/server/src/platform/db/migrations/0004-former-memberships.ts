/* eslint-disable @typescript-eslint/no-explicit-any -- a migration sees the database as it was then, not today's schema type (Kysely's advice) */
import type { Kysely } from 'kysely';

/**
 * What a removed member keeps of a conversation: who removed them and when, the position up to which they may still
 * read, and the conversation as it was then (title, topic, member count), so that nothing after the removal shows.
 * A separate table, not a flag on memberships: every query of current members stays as it is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('former_memberships')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_seq', 'bigint', (c) => c.notNull())
    .addColumn('read_seq', 'bigint', (c) => c.notNull())
    .addColumn('muted', 'integer', (c) => c.notNull())
    .addColumn('removed_by', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'bigint', (c) => c.notNull())
    .addColumn('removed_seq', 'bigint', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('member_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('former_memberships_pk', ['conversation_id', 'user_id'])
    .execute();
  await db.schema.createIndex('former_memberships_user').on('former_memberships').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('former_memberships').ifExists().execute();
}
