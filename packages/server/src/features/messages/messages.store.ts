import type { Kysely, Selectable } from 'kysely';
import { RowsQuery } from '../../platform/db/rows-query.js';
import type { DB, MessagesTable } from '../../platform/db/schema.js';

export type MessageRow = Selectable<MessagesTable>;
type Executor = Kysely<DB>;

// 17 columns a row: 256 rows stay well under both databases' limits on bound parameters.
const INSERT_CHUNK = 256;

const COLUMNS = [
  'id', 'conversation_id', 'seq', 'sender_id', 'client_id', 'content', 'reply_to_id', 'forwarded', 'mentions_all', 'is_system',
  'created_at', 'edited_at', 'edited_by', 'deleted_at', 'deleted_by', 'link_preview',
] as const satisfies ReadonlyArray<keyof MessageRow>;

// Every batch of sends runs these two: built once per row count (RowsQuery), not per call.
const insertRows = new RowsQuery<MessageRow>(COLUMNS, (db, rows) => db.insertInto('messages').values(rows));
const selectByClientKeys = new RowsQuery<ClientKey>(['conversationId', 'senderId', 'clientId'], (db, keys) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where((eb) =>
      eb(
        eb.refTuple('conversation_id', 'sender_id', 'client_id'),
        'in',
        keys.map((k) => eb.tuple(k.conversationId, k.senderId, k.clientId)),
      ),
    ),
);

interface ClientKey {
  conversationId: string;
  senderId: string;
  clientId: string;
}

export async function insertMany(db: Executor, rows: MessageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insertRows.execute(db, rows.slice(i, i + INSERT_CHUNK));
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
  return selectByClientKeys.execute<MessageRow>(db, keys.map(([conversationId, senderId, clientId]) => ({ conversationId, senderId, clientId })));
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
  fields: Partial<Pick<MessageRow, 'content' | 'edited_at' | 'edited_by' | 'deleted_at' | 'deleted_by' | 'mentions_all' | 'link_preview'>>,
): Promise<void> {
  await db.updateTable('messages').set(fields).where('id', '=', id).execute();
}
