import type { Kysely, Selectable } from 'kysely';
import type { ConversationEventsTable, DB } from '../../platform/db/schema.js';

export type EventRow = Selectable<ConversationEventsTable>;
type Executor = Kysely<DB>;

export async function insert(db: Executor, row: EventRow): Promise<void> {
  await db.insertInto('conversation_events').values(row).execute();
}

/** A conversation's stored events with `after < pts <= upTo`, in order. */
export async function listRange(db: Executor, conversationId: string, after: number, upTo: number): Promise<EventRow[]> {
  return db
    .selectFrom('conversation_events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('pts', '>', after)
    .where('pts', '<=', upTo)
    .orderBy('pts')
    .execute();
}
