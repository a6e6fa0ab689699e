/* eslint-disable @typescript-eslint/no-explicit-any -- a migration sees the database as it was then, not today's schema type (Kysely's advice) */
import type { Kysely } from 'kysely';

/**
 * Link previews: a message's preview (JSON, null without one), the cache of pages read (per URL, by the hash of
 * the URL: a result or the reason there is none, with its expiry), and the reduced preview images (WebP as base64
 * text, the same in both dialects; a few tens of KB each). A message's preview names its image by id, so an image
 * outlives the cache entry that made it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('link_preview', 'text').execute();
  await db.schema
    .createTable('link_preview_cache')
    .addColumn('url_hash', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('preview', 'text')
    .addColumn('failure', 'text')
    .addColumn('fetched_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('link_preview_images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('link_preview_images').execute();
  await db.schema.dropTable('link_preview_cache').execute();
  await db.schema.alterTable('messages').dropColumn('link_preview').execute();
}
