import type { Message, SystemContent } from '@hearth/protocol';
import { topics } from '../../platform/bus.js';
import { newId } from '../../platform/ids.js';
import type { WriteContext } from '../../platform/write-queue.js';
import * as positions from '../conversations/positions.store.js';
import * as store from './messages.store.js';
import { toMessage } from './messages.views.js';

/**
 * Writes a system line into a conversation's history in the open transaction (`PostSystemMessage`, which the
 * conversations feature is given by server.ts): it takes the next position like any message, becomes the latest
 * message, and `message.created` is published after commit, so history, sync, resume and previews carry it.
 * `senderId` is the person who made the change.
 */
export async function postSystemMessage(ctx: WriteContext, conversationId: string, senderId: string, content: SystemContent): Promise<Message> {
  const seq = await positions.allocate(ctx.trx, conversationId, 1, { messages: true });
  const id = newId();
  const row: store.MessageRow = {
    id,
    conversation_id: conversationId,
    seq,
    sender_id: senderId,
    // Unique per sender and conversation like every clientId; no client can have chosen it for a send of its own.
    client_id: `system-${id}`,
    content: JSON.stringify(content),
    reply_to_id: null,
    forwarded: null,
    mentions_all: 0,
    is_system: 1,
    created_at: ctx.now,
    edited_at: null,
    edited_by: null,
    deleted_at: null,
    deleted_by: null,
    link_preview: null,
  };
  await store.insertMany(ctx.trx, [row]);
  const message = toMessage(row, [], undefined);
  ctx.publish(topics.conversation(conversationId), { type: 'message.created', conversationId, pts: seq, message });
  return message;
}
