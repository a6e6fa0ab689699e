import { sql, type Transaction } from 'kysely';
import { RowsQuery } from '../../platform/db/rows-query.js';
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
  if (counts.size === 0) return new Map<string, number>();
  const takes = [...counts].map(([id, count]) => ({ id, count }));
  const rows = await (options?.messages ? takeWithMessages : take).execute<{ id: string; last_event_seq: number }>(trx, takes);
  if (rows.length !== takes.length) {
    const found = new Set(rows.map((r) => r.id));
    throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId: takes.find((t) => !found.has(t.id))!.id });
  }
  return new Map(rows.map((r) => [r.id, Number(r.last_event_seq) - counts.get(r.id)! + 1]));
}

interface Take {
  id: string;
  count: number;
}

/** One UPDATE for the whole batch: the increment of each row is chosen by a CASE on its id. */
function allocation(messages: boolean): RowsQuery<Take> {
  return new RowsQuery<Take>(['id', 'count'], (db, takes) => {
    const increment = sql<number>`(case id ${sql.join(
      takes.map((t) => sql`when ${t.id} then cast(${t.count} as integer)`),
      sql` `,
    )} else 0 end)`;
    return db
      .updateTable('conversations')
      .set({
        last_event_seq: sql`last_event_seq + ${increment}`,
        ...(messages ? { last_message_seq: sql`last_event_seq + ${increment}` } : {}),
      })
      .where('id', 'in', takes.map((t) => t.id))
      .returning(['id', 'last_event_seq']);
  });
}

// Every batch of sends runs one: built once per number of conversations (RowsQuery), not per call.
const take = allocation(false);
const takeWithMessages = allocation(true);
