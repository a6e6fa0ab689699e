import type { ConversationEvent } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import { topics } from '../../platform/bus.js';
import type { DB } from '../../platform/db/schema.js';
import type { WriteContext } from '../../platform/write-queue.js';
import * as events from './events.store.js';

type Stored = Exclude<ConversationEvent, { type: 'message.created' }>;

/**
 * Records a conversation event in the stream that sync replays, and publishes it when the transaction commits.
 * `message.created` is not stored here: the messages table is its record.
 */
export async function appendEvent(ctx: WriteContext, event: Stored): Promise<void> {
  const { type, conversationId, pts, ...payload } = event;
  await events.insert(ctx.trx, { conversation_id: conversationId, pts, type, payload: JSON.stringify(payload), created_at: ctx.now });
  ctx.publish(topics.conversation(conversationId), event);
}

/** Stored events with `after < pts <= upTo`, in order. */
export async function readEvents(db: Kysely<DB>, conversationId: string, after: number, upTo: number): Promise<Stored[]> {
  const rows = await events.listRange(db, conversationId, after, upTo);
  return rows.map((r) => ({ ...JSON.parse(r.payload), type: r.type, conversationId, pts: Number(r.pts) }) as Stored);
}
