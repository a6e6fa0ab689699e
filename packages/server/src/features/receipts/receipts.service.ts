import type { ReceiptBody } from '@hearth/protocol';
import type { Actor } from '../../platform/actor.js';
import { topics } from '../../platform/bus.js';
import { HearthError } from '../../platform/errors.js';
import type { WriteContext, WriteQueue } from '../../platform/write-queue.js';
import * as conversations from '../conversations/conversations.store.js';
import * as memberships from '../conversations/memberships.store.js';
import { receiptSharers } from '../conversations/conversations.views.js';

interface ReceiptItem {
  userId: string;
  conversationId: string;
  deliveredSeq: number;
  readSeq: number;
}

/**
 * Delivered and read pointers. They only move forward, reading implies delivery for those who share read receipts,
 * and neither passes the conversation's latest position. Updates that arrive together are merged into one write
 * per member.
 */
export class ReceiptsService {
  private readonly batch = this.storePointers.bind(this);

  constructor(private readonly writer: WriteQueue) {}

  async update(actor: Actor, conversationId: string, body: ReceiptBody): Promise<void> {
    await this.writer.submit(this.batch, { userId: actor.userId, conversationId, readSeq: body.readSeq ?? 0, deliveredSeq: body.deliveredSeq ?? 0 });
  }

  private async storePointers(ctx: WriteContext, items: ReceiptItem[]): Promise<Array<void | HearthError>> {
    const pairKey = (i: { conversationId: string; userId: string }) => `${i.conversationId}:${i.userId}`;
    const merged = new Map<string, ReceiptItem>();
    for (const item of items) {
      const prev = merged.get(pairKey(item));
      merged.set(
        pairKey(item),
        prev ? { ...item, deliveredSeq: Math.max(prev.deliveredSeq, item.deliveredSeq), readSeq: Math.max(prev.readSeq, item.readSeq) } : item,
      );
    }
    const pairs = [...merged.values()];
    const rows = await memberships.findPairs(ctx.trx, pairs.map((p) => [p.conversationId, p.userId] as const));
    const convs = new Map((await conversations.findByIds(ctx.trx, [...new Set(pairs.map((p) => p.conversationId))])).map((c) => [c.id, c]));
    const sharers = await receiptSharers(ctx.trx, pairs.map((p) => p.userId));
    const moved: Array<[string, string]> = [];
    const readOnly: Array<[string, string]> = [];

    for (const p of pairs) {
      const row = rows.get(pairKey(p));
      const latest = Number(convs.get(p.conversationId)?.last_event_seq ?? 0);
      if (!row) continue;
      // Someone who hides their read pointer gets no delivery from a read: the delivered pointer would then move
      // at the moment they read, which tells the others exactly what hiding it should not.
      const impliedByRead = sharers.has(p.userId) ? p.readSeq : 0;
      const delivered = Math.min(latest, Math.max(Number(row.delivered_seq), p.deliveredSeq, impliedByRead));
      const read = Math.min(latest, Math.max(Number(row.read_seq), p.readSeq));
      if (delivered === Number(row.delivered_seq) && read === Number(row.read_seq)) continue;
      const deliveredMoved = delivered !== Number(row.delivered_seq);
      await memberships.update(ctx.trx, p.conversationId, p.userId, {
        delivered_seq: delivered,
        read_seq: read,
        receipts_updated_at: ctx.now,
        ...(deliveredMoved ? { delivered_updated_at: ctx.now } : {}),
      });
      (deliveredMoved ? moved : readOnly).push([p.conversationId, p.userId]);
      // A read pointer the member does not share is nobody else's news: announcing it unchanged otherwise
      // would still tell the others when they read. Likewise a move of the read pointer alone is news only to
      // those who see read pointers (people who share receipts themselves).
      if (deliveredMoved || sharers.has(p.userId)) {
        ctx.publish(
          topics.conversation(p.conversationId),
          {
            type: 'receipt.updated',
            conversationId: p.conversationId,
            userId: p.userId,
            deliveredSeq: delivered,
            readSeq: sharers.has(p.userId) ? read : null,
          },
          { receiptSharersOnly: !deliveredMoved },
        );
      }
      if (read !== Number(row.read_seq)) {
        const counts = (await conversations.unreadCounts(ctx.trx, p.userId, [p.conversationId])).get(p.conversationId);
        ctx.publish(topics.user(p.userId), {
          type: 'unread.updated',
          conversationId: p.conversationId,
          readSeq: read,
          unreadCount: counts?.unread ?? 0,
          unreadMentionCount: counts?.mentions ?? 0,
        });
      }
    }
    if (moved.length + readOnly.length > 0) {
      ctx.stampChange(async (trx, change) => {
        await memberships.stampReceipts(trx, moved, change, true);
        await memberships.stampReceipts(trx, readOnly, change, false);
      });
    }
    return items.map((item) => (rows.has(pairKey(item)) ? undefined : new HearthError('CONVERSATION_NOT_FOUND', { conversationId: item.conversationId })));
  }
}
