import type { Kysely, Selectable } from 'kysely';
import type { DB, FormerMembershipsTable } from '../../platform/db/schema.js';
import { findByIds, type ConversationRow } from './conversations.store.js';

export type FormerMembershipRow = Selectable<FormerMembershipsTable>;
type Executor = Kysely<DB>;

/** Records a removal, replacing an earlier one of the same person. */
export async function upsert(db: Executor, row: FormerMembershipRow): Promise<void> {
  await remove(db, row.conversation_id, row.user_id);
  await db.insertInto('former_memberships').values(row).execute();
}

export async function find(db: Executor, conversationId: string, userId: string): Promise<FormerMembershipRow | undefined> {
  return db.selectFrom('former_memberships').selectAll().where('conversation_id', '=', conversationId).where('user_id', '=', userId).executeTakeFirst();
}

/** The conversations the user was removed from, with what they keep of each (optionally only the given ids). */
export async function listForUser(
  db: Executor,
  userId: string,
  onlyIds?: readonly string[],
): Promise<Array<{ conversation: ConversationRow; former: FormerMembershipRow }>> {
  if (onlyIds && onlyIds.length === 0) return [];
  let query = db.selectFrom('former_memberships').selectAll().where('user_id', '=', userId);
  if (onlyIds) query = query.where('conversation_id', 'in', onlyIds);
  const formers = await query.execute();
  if (formers.length === 0) return [];
  const conversations = new Map((await findByIds(db, formers.map((f) => f.conversation_id))).map((c) => [c.id, c]));
  return formers.map((former) => ({ conversation: conversations.get(former.conversation_id)!, former }));
}

export async function remove(db: Executor, conversationId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('former_memberships').where('conversation_id', '=', conversationId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Forgets the removals of people who are members again. */
export async function removeMany(db: Executor, conversationId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length > 0) await db.deleteFrom('former_memberships').where('conversation_id', '=', conversationId).where('user_id', 'in', userIds).execute();
}
