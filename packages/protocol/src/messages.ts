import { z } from 'zod';
import { ClientId, Emoji, Id, multiLine, Seq, Timestamp } from './common.js';

/**
 * A structured span of a message text. Offsets and lengths count UTF-16 code units, as JavaScript strings do.
 * `mention` names one user; `mention_all` is `@all` and notifies every member.
 * @example Entity.parse({ type: 'mention', offset: 3, length: 4, userId })
 */
export const Entity = z.discriminatedUnion('type', [
  z.object({ type: z.literal('mention'), offset: z.int().nonnegative(), length: z.int().positive(), userId: Id }),
  z.object({ type: z.literal('mention_all'), offset: z.int().nonnegative(), length: z.int().positive() }),
]);
/**
 * A parsed {@link Entity}.
 * @example const everyone: Entity = { type: 'mention_all', offset: 0, length: 4 };
 */
export type Entity = z.infer<typeof Entity>;

/**
 * The body of a message. It is one structured value so that a later protocol version can carry it end-to-end
 * encrypted as an opaque payload the server never reads; today it is text with entities. The text must not be
 * blank, hold NUL or a lone surrogate, and every entity must lie inside it; the byte limit (`limits.maxTextBytes`)
 * is checked by the server.
 *
 * @example
 * const content: Content = {
 *   type: 'text', text: 'hi @ana', entities: [{ type: 'mention', offset: 3, length: 4, userId }],
 * };
 * TextContent.parse({ type: 'text', text: 'hello' }) // entities default to []
 */
export const TextContent = z
  .object({
    type: z.literal('text'),
    // The byte limit is the server's (announced in `ready`); this bound only keeps parsing cheap.
    text: multiLine(z.string().min(1).max(65_536)),
    entities: z.array(Entity).max(100).default([]),
  })
  .superRefine((content, ctx) => {
    if (content.text.trim().length === 0) ctx.addIssue({ code: 'custom', message: 'text must not be blank', path: ['text'] });
    for (const [i, e] of content.entities.entries()) {
      if (e.offset + e.length > content.text.length) {
        ctx.addIssue({ code: 'custom', message: 'entity lies outside the text', path: ['entities', i] });
      }
    }
  });

/**
 * Every kind of message body, told apart by `type`; only `text` exists today, so check `type` before reading.
 * @example Content.parse({ type: 'text', text: 'lunch at noon?', entities: [] })
 */
export const Content = z.discriminatedUnion('type', [TextContent]);
/**
 * A parsed {@link Content}.
 * @example const text = message.content?.type === 'text' ? message.content.text : '';
 */
export type Content = z.infer<typeof Content>;

/**
 * The message a reply quotes, as the reply carries it, current when the reply is loaded (an edit or delete of
 * the original shows on the next load, not through live events).
 * @example ReplyRef.parse({ messageId, seq: 41, senderId: userId, excerpt: 'lunch at noon?' })
 */
export const ReplyRef = z.object({
  messageId: Id,
  seq: Seq,
  senderId: Id,
  /** The start of the quoted text (up to 200 characters), or null when the original is deleted or not text. */
  excerpt: z.string().nullable(),
});
/**
 * A parsed {@link ReplyRef}.
 * @example const quote = message.replyTo?.excerpt ?? 'Deleted message';
 */
export type ReplyRef = z.infer<typeof ReplyRef>;

/**
 * Where a forwarded message came from. The source conversation is not disclosed; forwarding a forward keeps
 * the first author.
 * @example ForwardRef.parse({ originalSenderId: userId, originalCreatedAt: 1718000000000 })
 */
export const ForwardRef = z.object({
  originalSenderId: Id,
  originalCreatedAt: Timestamp,
});
/**
 * A parsed {@link ForwardRef}.
 * @example const forwardedFrom = message.forwarded?.originalSenderId;
 */
export type ForwardRef = z.infer<typeof ForwardRef>;

/**
 * The users who reacted to a message with one emoji, oldest first. A message lists its groups in the order
 * each emoji was first used, and never holds an empty group.
 * @example ReactionGroup.parse({ emoji: '👍', userIds: [userId] })
 */
export const ReactionGroup = z.object({
  emoji: z.string(),
  userIds: z.array(Id),
});
/**
 * A parsed {@link ReactionGroup}.
 * @example const count = group.userIds.length;
 */
export type ReactionGroup = z.infer<typeof ReactionGroup>;

/**
 * A stored message. `seq` is strictly increasing within its conversation (it is the conversation's event
 * position when the message was created, so consecutive messages may skip numbers taken by other events).
 * A deleted message stays as a tombstone: `content` null, `deletedAt` set and no reactions.
 * @example
 * Message.parse({ id: messageId, conversationId, seq: 42, senderId: userId, clientId: 'c1', createdAt: 1718000000000,
 *   content: { type: 'text', text: 'hi' }, replyTo: null, forwarded: null, editedAt: null, deletedAt: null,
 *   reactions: [] })
 */
export const Message = z.object({
  id: Id,
  conversationId: Id,
  seq: Seq,
  senderId: Id,
  clientId: z.string(),
  createdAt: Timestamp,
  content: Content.nullable(),
  replyTo: ReplyRef.nullable(),
  forwarded: ForwardRef.nullable(),
  editedAt: Timestamp.nullable(),
  deletedAt: Timestamp.nullable(),
  reactions: z.array(ReactionGroup),
});
/**
 * A parsed {@link Message}. `clientId` is the sender's, so a sender can match it with its unsent copy.
 * @example if (message.deletedAt !== null) renderTombstone(message);
 */
export type Message = z.infer<typeof Message>;

/**
 * `POST /api/conversations/:conversationId/messages` (and the `message.send` frame). `replyToId` must name a
 * message of the same conversation.
 * @example SendMessageBody.parse({ clientId: 'c1', content: { type: 'text', text: 'hi' }, replyToId: messageId })
 */
export const SendMessageBody = z.object({
  clientId: ClientId,
  content: Content,
  replyToId: Id.optional(),
});
/**
 * A parsed {@link SendMessageBody}.
 * @example const body: SendMessageBody = { clientId: 'c1', content: { type: 'text', text: 'hi', entities: [] } };
 */
export type SendMessageBody = z.infer<typeof SendMessageBody>;

/**
 * `POST /api/conversations/:conversationId/forward` (and the `message.forward` frame): copies the text of a
 * message, without its mentions, into `:conversationId`.
 * @example ForwardMessageBody.parse({ clientId: 'fwd-1', from: { conversationId, messageId } })
 */
export const ForwardMessageBody = z.object({
  clientId: ClientId,
  /** The message to forward: the sender must be a member of its conversation. */
  from: z.object({ conversationId: Id, messageId: Id }),
});
/**
 * A parsed {@link ForwardMessageBody}.
 * @example const body: ForwardMessageBody = { clientId: 'fwd-1', from: { conversationId, messageId } };
 */
export type ForwardMessageBody = z.infer<typeof ForwardMessageBody>;

/**
 * `PATCH /api/conversations/:conversationId/messages/:messageId`: the new content, replacing the old entirely.
 * @example EditMessageBody.parse({ content: { type: 'text', text: 'lunch at one?' } })
 */
export const EditMessageBody = z.object({ content: Content });
/**
 * A parsed {@link EditMessageBody}.
 * @example const body: EditMessageBody = { content: { type: 'text', text: 'fixed typo', entities: [] } };
 */
export type EditMessageBody = z.infer<typeof EditMessageBody>;

/**
 * A page of history. With `before`, the newest messages with `seq < before`; with `after`, the oldest
 * with `seq > after` (and `< before` if both are given); with neither, the newest messages. Results are always in
 * ascending `seq` order. `limit` is 1 to 100 (default 50), capped by the server's `maxPageSize`; numbers may come
 * as query-string text.
 * @example HistoryQuery.parse({ before: '120', limit: '50' }) // { before: 120, limit: 50 }
 */
export const HistoryQuery = z.object({
  before: z.coerce.number().int().nonnegative().optional(),
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
/**
 * A parsed {@link HistoryQuery}, `limit` defaulted.
 * @example const olderPage: HistoryQuery = { before: window.messages[0].seq, limit: 50 };
 */
export type HistoryQuery = z.infer<typeof HistoryQuery>;

/**
 * One page of history, ascending by `seq`; deleted messages appear as tombstones.
 * @example HistoryPage.parse({ messages: [], hasMore: false })
 */
export const HistoryPage = z.object({
  messages: z.array(Message),
  /** True when older (for `before`) or newer (for `after`) messages exist beyond this page. */
  hasMore: z.boolean(),
});
/**
 * A parsed {@link HistoryPage}.
 * @example const { messages, hasMore } = page;
 */
export type HistoryPage = z.infer<typeof HistoryPage>;

/**
 * Path parameters of the reaction endpoints; the emoji travels percent-encoded in the path.
 * @example ReactionParams.parse({ conversationId, messageId, emoji: '🎉' })
 */
export const ReactionParams = z.object({ conversationId: Id, messageId: Id, emoji: Emoji });

/**
 * Moves the caller's receipt pointers forward (never back): delivered up to `deliveredSeq`, read up to `readSeq`.
 * Reading implies delivery for those who share read receipts (for the others only `deliveredSeq` moves the delivered
 * pointer, so that it does not betray when they read), and neither pointer passes the conversation's latest position.
 * @example ReceiptBody.parse({ readSeq: 42 })
 */
export const ReceiptBody = z
  .object({ deliveredSeq: Seq.optional(), readSeq: Seq.optional() })
  .refine((b) => b.deliveredSeq !== undefined || b.readSeq !== undefined, 'give deliveredSeq, readSeq or both');
/**
 * A parsed {@link ReceiptBody}.
 * @example const body: ReceiptBody = { deliveredSeq: 45, readSeq: 42 };
 */
export type ReceiptBody = z.infer<typeof ReceiptBody>;
