import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';

/**
 * Takes the next `count` positions of a conversation's event stream and returns the first. Locks the
 * conversation row until commit, which serialises writers on PostgreSQL. With `messages`, the last of them
 * becomes the conversation's latest message. Throws CONVERSATION_NOT_FOUND for an unknown conversation.
 */
export async function allocate(trx: Transaction<DB>, conversationId: string, count: number, options?: { messages?: boolean }): Promise<number> {
  return (await allocateMany(trx, new Map([[conversationId, count]]), options)).get(conversationId)!;
}

/**
 * `allocate` for several conversations in one statement: `counts` maps each conversation to how many positions
 * it takes; the answer maps each to its first. All must exist (else CONVERSATION_NOT_FOUND).
 */
export async function allocateMany(
  trx: Transaction<DB>,
  counts: ReadonlyMap<string, number>,
  options?: { messages?: boolean },
): Promise<Map<string, number>> {
  const ids = [...counts.keys()];
  if (ids.length === 0) return new Map<string, number>();
  // One UPDATE for the whole batch: the increment of each row is chosen by a CASE on its id.
  const increment = sql<number>`(case id ${sql.join(
    ids.map((id) => sql`when ${id} then cast(${counts.get(id)!} as integer)`),
    sql` `,
  )} else 0 end)`;
  const rows = await trx
    .updateTable('conversations')
    .set({
      last_event_seq: sql`last_event_seq + ${increment}`,
      ...(options?.messages ? { last_message_seq: sql`last_event_seq + ${increment}` } : {}),
    })
    .where('id', 'in', ids)
    .returning(['id', 'last_event_seq'])
    .execute();
  if (rows.length !== ids.length) {
    const found = new Set(rows.map((r) => r.id));
    throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId: ids.find((id) => !found.has(id)) });
  }
  return new Map(rows.map((r) => [r.id, Number(r.last_event_seq) - counts.get(r.id)! + 1]));
}
