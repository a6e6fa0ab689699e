import type { Kysely, Selectable } from 'kysely';
import type { DB, LinkPreviewCacheTable, LinkPreviewImagesTable } from '../../platform/db/schema.js';

export type CacheRow = Selectable<LinkPreviewCacheTable>;
export type ImageRow = Selectable<LinkPreviewImagesTable>;
type Executor = Kysely<DB>;

export async function findCached(db: Executor, urlHash: string): Promise<CacheRow | undefined> {
  return db.selectFrom('link_preview_cache').selectAll().where('url_hash', '=', urlHash).executeTakeFirst();
}

/** Records what reading a URL gave, replacing an earlier (expired) record of it. */
export async function putCached(db: Executor, row: CacheRow): Promise<void> {
  const { url, preview, failure, fetched_at, expires_at } = row;
  await db
    .insertInto('link_preview_cache')
    .values(row)
    .onConflict((oc) => oc.column('url_hash').doUpdateSet({ url, preview, failure, fetched_at, expires_at }))
    .execute();
}

export async function insertImage(db: Executor, row: ImageRow): Promise<void> {
  await db.insertInto('link_preview_images').values(row).execute();
}

export async function findImage(db: Executor, id: string): Promise<ImageRow | undefined> {
  return db.selectFrom('link_preview_images').selectAll().where('id', '=', id).executeTakeFirst();
}
