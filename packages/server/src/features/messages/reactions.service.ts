import type { Actor } from '../../platform/actor.js';
import { HearthError } from '../../platform/errors.js';
import type { WriteQueue } from '../../platform/write-queue.js';
import { requireMember } from '../conversations/access.js';
import { appendEvent } from '../conversations/event-log.js';
import * as positions from '../conversations/positions.store.js';
import { requireMessage, requireUserMessage } from './messages.service.js';
import * as reactions from './reactions.store.js';

/** Bounds that keep one message's reactions readable and its row set small. */
export const REACTION_LIMITS = { distinctPerMessage: 50, perUserPerMessage: 20 } as const;

/** Emoji reactions. Adding and removing are idempotent; only a real change takes a position and is broadcast. */
export class ReactionsService {
  constructor(private readonly writer: WriteQueue) {}

  async add(actor: Actor, conversationId: string, messageId: string, emoji: string): Promise<void> {
    await this.writer.run(async (ctx) => {
      await requireMember(ctx.trx, conversationId, actor.userId);
      const message = await requireMessage(ctx.trx, conversationId, messageId);
      requireUserMessage(message);
      if (message.deleted_at !== null) throw new HearthError('MESSAGE_DELETED', { messageId });
      const tally = await reactions.tally(ctx.trx, messageId, actor.userId, emoji);
      if (tally.exists) return;
      if (tally.mine >= REACTION_LIMITS.perUserPerMessage || (!tally.emojiUsed && tally.distinct >= REACTION_LIMITS.distinctPerMessage)) {
        throw new HearthError('OPERATION_NOT_ALLOWED', { limits: REACTION_LIMITS }, 'This message has as many reactions as it can take.');
      }
      await reactions.add(ctx.trx, messageId, actor.userId, emoji, ctx.now);
      const pts = await positions.allocate(ctx.trx, conversationId, 1);
      await appendEvent(ctx, { type: 'reaction.added', conversationId, pts, messageId, seq: Number(message.seq), emoji, userId: actor.userId });
    });
  }

  async remove(actor: Actor, conversationId: string, messageId: string, emoji: string): Promise<void> {
    await this.writer.run(async (ctx) => {
      await requireMember(ctx.trx, conversationId, actor.userId);
      const message = await requireMessage(ctx.trx, conversationId, messageId);
      if (!(await reactions.remove(ctx.trx, messageId, actor.userId, emoji))) return;
      const pts = await positions.allocate(ctx.trx, conversationId, 1);
      await appendEvent(ctx, { type: 'reaction.removed', conversationId, pts, messageId, seq: Number(message.seq), emoji, userId: actor.userId });
    });
  }
}
