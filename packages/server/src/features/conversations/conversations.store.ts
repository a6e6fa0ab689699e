import type { Kysely, Selectable } from 'kysely';
import type { ConversationsTable, DB } from '../../platform/db/schema.js';
import { containsIgnoringCase } from '../../platform/db/text-match.js';
import type { MembershipRow } from './memberships.store.js';

export type ConversationRow = Selectable<ConversationsTable>;
type Executor = Kysely<DB>;

export async function insert(db: Executor, row: ConversationRow): Promise<void> {
  await db.insertInto('conversations').values(row).execute();
}

export async function findById(db: Executor, id: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findByIds(db: Executor, ids: readonly string[]): Promise<ConversationRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('conversations').selectAll().where('id', 'in', ids).execute();
}

export async function findByDirectKey(db: Executor, key: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('direct_key', '=', key).executeTakeFirst();
}

/** The user's conversations with their membership rows (optionally only the given ids). */
export async function listForUser(
  db: Executor,
  userId: string,
  onlyIds?: readonly string[],
): Promise<Array<{ conversation: ConversationRow; membership: MembershipRow }>> {
  if (onlyIds && onlyIds.length === 0) return [];
  let query = db
    .selectFrom('memberships as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('c')
    .select([
      'm.role as m_role',
      'm.joined_at as m_joined_at',
      'm.delivered_seq as m_delivered_seq',
      'm.read_seq as m_read_seq',
      'm.receipts_updated_at as m_receipts_updated_at',
      'm.delivered_updated_at as m_delivered_updated_at',
      'm.receipts_change as m_receipts_change',
      'm.delivered_change as m_delivered_change',
      'm.muted as m_muted',
    ])
    .where('m.user_id', '=', userId);
  if (onlyIds) query = query.where('c.id', 'in', onlyIds);
  const rows = await query.execute();
  return rows.map(({ m_role, m_joined_at, m_delivered_seq, m_read_seq, m_receipts_updated_at, m_delivered_updated_at, m_receipts_change, m_delivered_change, m_muted, ...c }) => ({
    conversation: c,
    membership: {
      conversation_id: c.id,
      user_id: userId,
      role: m_role,
      joined_at: m_joined_at,
      delivered_seq: m_delivered_seq,
      read_seq: m_read_seq,
      receipts_updated_at: m_receipts_updated_at,
      delivered_updated_at: m_delivered_updated_at,
      receipts_change: m_receipts_change,
      delivered_change: m_delivered_change,
      muted: m_muted,
    },
  }));
}

export async function update(
  db: Executor,
  id: string,
  fields: Partial<Pick<ConversationRow, 'title' | 'topic'>>,
): Promise<void> {
  await db.updateTable('conversations').set(fields).where('id', '=', id).execute();
}

export async function addToMemberCount(db: Executor, id: string, delta: number): Promise<void> {
  await db
    .updateTable('conversations')
    .set((eb) => ({ member_count: eb('member_count', '+', delta) }))
    .where('id', '=', id)
    .execute();
}

/** Public channels whose title contains `q`, largest first. */
export async function searchChannels(db: Executor, q: string, limit: number): Promise<ConversationRow[]> {
  let query = db
    .selectFrom('conversations')
    .selectAll()
    .where('kind', '=', 'channel')
    .orderBy('member_count', 'desc')
    .orderBy('created_at')
    .limit(limit);
  if (q) query = query.where(containsIgnoringCase(['title'], q));
  return query.execute();
}

/**
 * Unread counts of the user's conversations: messages from others after the read pointer that are neither deleted
 * nor system lines, and those of them that mention the user or everyone.
 */
export async function unreadCounts(
  db: Executor,
  userId: string,
  conversationIds: readonly string[],
): Promise<Map<string, { unread: number; mentions: number }>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages as msg')
    .innerJoin('memberships as m', (join) => join.onRef('m.conversation_id', '=', 'msg.conversation_id').on('m.user_id', '=', userId))
    .select((eb) => [
      'msg.conversation_id',
      eb.fn.countAll<number>().as('unread'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(
              eb.or([
                eb('msg.mentions_all', '=', 1),
                eb.exists(
                  eb
                    .selectFrom('mentions as x')
                    .select('x.user_id')
                    .whereRef('x.conversation_id', '=', 'msg.conversation_id')
                    .whereRef('x.seq', '=', 'msg.seq')
                    .where('x.user_id', '=', userId),
                ),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as('mentions'),
    ])
    .where('msg.conversation_id', 'in', conversationIds)
    .whereRef('msg.seq', '>', 'm.read_seq')
    .where('msg.sender_id', '!=', userId)
    .where('msg.deleted_at', 'is', null)
    .where('msg.is_system', '=', 0)
    .groupBy('msg.conversation_id')
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, { unread: Number(r.unread), mentions: Number(r.mentions ?? 0) }]));
}
