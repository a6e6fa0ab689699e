/* eslint-disable @typescript-eslint/no-explicit-any -- a migration sees the database as it was then, not today's schema type (Kysely's advice) */
import type { Kysely } from 'kysely';

// Migrations take Kysely<any>: they describe the schema at their own point in history, not today's DB type.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('status_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status_emoji', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('read_receipts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint')
    .execute();
  await db.schema.createIndex('users_updated_at').on('users').column('updated_at').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('device_name', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('topic', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_event_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('direct_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('conversations_kind').on('conversations').column('kind').execute();

  await db.schema
    .createTable('memberships')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('receipts_updated_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('memberships_pk', ['conversation_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('content', 'text')
    .addColumn('reply_to_id', 'text')
    .addColumn('forwarded', 'text')
    .addColumn('mentions_all', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .addColumn('edited_by', 'text')
    .addColumn('deleted_at', 'bigint')
    .addColumn('deleted_by', 'text')
    .execute();
  await db.schema.createIndex('messages_conversation_seq').unique().on('messages').columns(['conversation_id', 'seq']).execute();
  // A retried send carries the same clientId: this index makes the retry find the first message.
  await db.schema
    .createIndex('messages_client_id')
    .unique()
    .on('messages')
    .columns(['conversation_id', 'sender_id', 'client_id'])
    .execute();

  await db.schema
    .createTable('mentions')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mentions_pk', ['conversation_id', 'seq', 'user_id'])
    .execute();

  await db.schema
    .createTable('reactions')
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('emoji', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'emoji', 'user_id'])
    .execute();

  await db.schema
    .createTable('conversation_events')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('pts', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_events_pk', ['conversation_id', 'pts'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['conversation_events', 'reactions', 'mentions', 'messages', 'memberships', 'conversations', 'sessions', 'users']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
