import type { ReactionGroup } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';

type Executor = Kysely<DB>;

/** Inserts the reaction unless it exists; true when it was new. */
export async function add(db: Executor, messageId: string, userId: string, emoji: string, at: number): Promise<boolean> {
  const result = await db
    .insertInto('reactions')
    .values({ message_id: messageId, user_id: userId, emoji, created_at: at })
    .onConflict((oc) => oc.columns(['message_id', 'emoji', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Removes the reaction; true when it existed. */
export async function remove(db: Executor, messageId: string, userId: string, emoji: string): Promise<boolean> {
  const result = await db
    .deleteFrom('reactions')
    .where('message_id', '=', messageId)
    .where('user_id', '=', userId)
    .where('emoji', '=', emoji)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function removeAllOf(db: Executor, messageId: string): Promise<void> {
  await db.deleteFrom('reactions').where('message_id', '=', messageId).execute();
}

/** How many distinct emoji the message carries, how many reactions are the user's, whether this one is, and whether anyone used this emoji. */
export async function tally(
  db: Executor,
  messageId: string,
  userId: string,
  emoji: string,
): Promise<{ distinct: number; mine: number; exists: boolean; emojiUsed: boolean }> {
  const rows = await db.selectFrom('reactions').select(['emoji', 'user_id']).where('message_id', '=', messageId).execute();
  const mine = rows.filter((r) => r.user_id === userId);
  return {
    distinct: new Set(rows.map((r) => r.emoji)).size,
    mine: mine.length,
    exists: mine.some((r) => r.emoji === emoji),
    emojiUsed: rows.some((r) => r.emoji === emoji),
  };
}

/** Reactions of each message, grouped by emoji in order of first use, users oldest first. */
export async function groupsByMessage(db: Executor, messageIds: readonly string[]): Promise<Map<string, ReactionGroup[]>> {
  const out = new Map<string, ReactionGroup[]>();
  if (messageIds.length === 0) return out;
  const rows = await db
    .selectFrom('reactions')
    .select(['message_id', 'emoji', 'user_id'])
    .where('message_id', 'in', messageIds)
    .orderBy('created_at')
    .orderBy('user_id')
    .execute();
  for (const row of rows) {
    let groups = out.get(row.message_id);
    if (!groups) out.set(row.message_id, (groups = []));
    let group = groups.find((g) => g.emoji === row.emoji);
    if (!group) groups.push((group = { emoji: row.emoji, userIds: [] }));
    group.userIds.push(row.user_id);
  }
  return out;
}
