import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { DB, FilesTable, MessageFilesTable } from '../../platform/db/schema.js';

export type FileRow = Selectable<FilesTable>;
export type MessageFileRow = Selectable<MessageFilesTable>;
type Executor = Kysely<DB>;

export async function insert(db: Executor, row: Insertable<FilesTable>): Promise<void> {
  await db.insertInto('files').values(row).execute();
}

export async function findById(db: Executor, id: string): Promise<FileRow | undefined> {
  return db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findByIds(db: Executor, ids: readonly string[]): Promise<FileRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('files').selectAll().where('id', 'in', ids).execute();
}

/**
 * Moves an upload's offset from `from` to `to`, recording the part that starts at `from`; false when the offset
 * was no longer `from` (another request got there first), so that a part is never counted twice.
 */
export async function advance(db: Executor, id: string, from: number, to: number, parts: string): Promise<boolean> {
  const result = await db
    .updateTable('files')
    .set({ upload_offset: to, parts })
    .where('id', '=', id)
    .where('upload_offset', '=', from)
    .where('status', '=', 'uploading')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Changes a file's status from `from` to the given fields; false when its status was not `from`. */
export async function transition(db: Executor, id: string, from: FileRow['status'], fields: Updateable<FilesTable>): Promise<boolean> {
  const result = await db.updateTable('files').set(fields).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function remove(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('files').where('id', '=', id).execute();
}

/** Uploads begun before `before` that never finished (abandoned or stuck in processing). */
export async function listUnfinishedBefore(db: Executor, before: number, limit: number): Promise<FileRow[]> {
  return db.selectFrom('files').selectAll().where('status', '!=', 'ready').where('created_at', '<', before).limit(limit).execute();
}

/** Finished files that no message carries, finished (or last released by a deleted message) before `before`. */
export async function listOrphansBefore(db: Executor, before: number, limit: number): Promise<FileRow[]> {
  return db
    .selectFrom('files')
    .selectAll()
    .where('status', '=', 'ready')
    .where((eb) => eb(eb.fn.coalesce('released_at', 'finished_at'), '<', before))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('message_files').select('file_id').whereRef('message_files.file_id', '=', 'files.id'))))
    .limit(limit)
    .execute();
}

export async function insertMessageFiles(db: Executor, rows: MessageFileRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('message_files').values(rows).execute();
}

/** Forgets which files the message carries, marking them released at `now`. */
export async function deleteMessageFiles(db: Executor, messageId: string, now: number): Promise<void> {
  const rows = await db.deleteFrom('message_files').where('message_id', '=', messageId).returning('file_id').execute();
  if (rows.length === 0) return;
  await db.updateTable('files').set({ released_at: now }).where('id', 'in', rows.map((r) => r.file_id)).execute();
}

/** The (conversation, seq) of each message that carries the file. */
export async function carriersOf(db: Executor, fileId: string): Promise<Array<{ conversation_id: string; seq: number }>> {
  return db.selectFrom('message_files').select(['conversation_id', 'seq']).where('file_id', '=', fileId).execute();
}

/**
 * A page of a conversation's files, newest message first (and in attachment order within one), with the message
 * that carries each, up to `upToSeq` included.
 */
export async function listForConversation(
  db: Executor,
  conversationId: string,
  page: { before: number | undefined; upToSeq: number | undefined; kind: string | undefined; limit: number },
): Promise<Array<{ file_id: string; message_id: string; seq: number; sender_id: string; created_at: number }>> {
  let query = db
    .selectFrom('message_files')
    .innerJoin('messages', 'messages.id', 'message_files.message_id')
    .select(['message_files.file_id', 'message_files.message_id', 'message_files.seq', 'messages.sender_id', 'messages.created_at'])
    .where('message_files.conversation_id', '=', conversationId)
    .where('messages.deleted_at', 'is', null)
    .orderBy('message_files.seq', 'desc')
    .orderBy('message_files.position', 'asc')
    .limit(page.limit);
  if (page.before !== undefined) query = query.where('message_files.seq', '<', page.before);
  if (page.upToSeq !== undefined) query = query.where('message_files.seq', '<=', page.upToSeq);
  if (page.kind !== undefined) query = query.where('message_files.kind', '=', page.kind);
  return query.execute();
}

/** The named secret, creating it with `value` if no node has yet; every node then reads the same one. */
export async function secret(db: Executor, name: string, value: string): Promise<string> {
  await db.insertInto('server_secrets').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
