/* eslint-disable @typescript-eslint/no-explicit-any -- a migration sees the database as it was then, not today's schema type (Kysely's advice) */
import type { Kysely } from 'kysely';

/**
 * Files (issue 9). `files` holds an upload from its creation (status `uploading`, the tus offset and the offsets
 * where each stored part starts) to the finished file (`ready`, with what processing measured and where its bytes
 * and thumbnail are stored). `message_files` says which messages carry which files: who may download a file, the
 * Files panel, and which files no message carries any more. `server_secrets` holds secrets every node must share
 * (the key that signs file links), made once by whichever node starts first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('uploader_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('upload_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('parts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text')
    .addColumn('kind', 'text')
    .addColumn('sha256', 'text')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('duration_ms', 'bigint')
    .addColumn('has_thumbnail', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('placeholder', 'text')
    .addColumn('waveform', 'text')
    .addColumn('opaque', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('storage_key', 'text')
    .addColumn('thumbnail_key', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('released_at', 'bigint')
    .execute();
  await db.schema.createIndex('files_status_created').on('files').columns(['status', 'created_at']).execute();
  await db.schema
    .createTable('message_files')
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull().references('files.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_files_pk', ['message_id', 'position'])
    .execute();
  await db.schema.createIndex('message_files_file').on('message_files').column('file_id').execute();
  await db.schema.createIndex('message_files_conversation').on('message_files').columns(['conversation_id', 'seq']).execute();
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('server_secrets').ifExists().execute();
  await db.schema.dropTable('message_files').ifExists().execute();
  await db.schema.dropTable('files').ifExists().execute();
}
