import type { Kysely, Selectable } from 'kysely';
import type { DB, MessagesTable } from '../../platform/db/schema.js';

export type MessageRow = Selectable<MessagesTable>;
type Executor = Kysely<DB>;

// 16 columns a row: 256 rows stay well under both databases' limits on bound parameters.
const INSERT_CHUNK = 256;

export async function insertMany(db: Executor, rows: MessageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db.insertInto('messages').values(rows.slice(i, i + INSERT_CHUNK)).execute();
  }
}

export async function insertMentions(db: Executor, rows: Array<{ conversation_id: string; seq: number; user_id: string }>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK * 4) {
    await db.insertInto('mentions').values(rows.slice(i, i + INSERT_CHUNK * 4)).execute();
  }
}

export async function deleteMentions(db: Executor, conversationId: string, seq: number): Promise<void> {
  await db.deleteFrom('mentions').where('conversation_id', '=', conversationId).where('seq', '=', seq).execute();
}

export async function findById(db: Executor, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findByIds(db: Executor, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
}

/** Messages by (conversation, sender, clientId): how a retried send finds the message it already made. */
export async function findByClientKeys(
  db: Executor,
  keys: ReadonlyArray<readonly [string, string, string]>,
): Promise<MessageRow[]> {
  if (keys.length === 0) return [];
  return db
    .selectFrom('messages')
    .selectAll()
    .where((eb) =>
      eb(
        eb.refTuple('conversation_id', 'sender_id', 'client_id'),
        'in',
        keys.map(([c, s, k]) => eb.tuple(c, s, k)),
      ),
    )
    .execute();
}

/** Messages by (conversation, seq). */
export async function findBySeqs(db: Executor, keys: ReadonlyArray<readonly [string, number]>): Promise<MessageRow[]> {
  if (keys.length === 0) return [];
  return db
    .selectFrom('messages')
    .selectAll()
    .where((eb) => eb(eb.refTuple('conversation_id', 'seq'), 'in', keys.map(([c, s]) => eb.tuple(c, s))))
    .execute();
}

/** Up to `limit` messages before (newest first) or after (oldest first) a seq; returned in ascending order. */
export async function listPage(
  db: Executor,
  conversationId: string,
  page: { before?: number | undefined; after?: number | undefined; limit: number },
): Promise<MessageRow[]> {
  let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).limit(page.limit);
  if (page.after !== undefined) {
    query = query.where('seq', '>', page.after).orderBy('seq', 'asc');
    if (page.before !== undefined) query = query.where('seq', '<', page.before);
    return query.execute();
  }
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return (await query.orderBy('seq', 'desc').execute()).reverse();
}

/** Messages with `after < seq <= upTo`, ascending. */
export async function listRange(db: Executor, conversationId: string, after: number, upTo: number): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', after)
    .where('seq', '<=', upTo)
    .orderBy('seq')
    .execute();
}

export async function update(
  db: Executor,
  id: string,
  fields: Partial<Pick<MessageRow, 'content' | 'edited_at' | 'edited_by' | 'deleted_at' | 'deleted_by' | 'mentions_all'>>,
): Promise<void> {
  await db.updateTable('messages').set(fields).where('id', '=', id).execute();
}
