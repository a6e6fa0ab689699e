import { z } from 'zod';
import { ClientId, Emoji, Id, Seq, Timestamp } from './common.js';

/**
 * A structured span of a message text. Offsets and lengths count UTF-16 code units, as JavaScript strings do.
 * `mention` names one user; `mention_all` is `@all` and notifies every member.
 */
export const Entity = z.discriminatedUnion('type', [
  z.object({ type: z.literal('mention'), offset: z.int().nonnegative(), length: z.int().positive(), userId: Id }),
  z.object({ type: z.literal('mention_all'), offset: z.int().nonnegative(), length: z.int().positive() }),
]);
export type Entity = z.infer<typeof Entity>;

/**
 * The body of a message. It is one structured value so that a later protocol version can carry it end-to-end
 * encrypted as an opaque payload the server never reads; today it is text with entities.
 *
 * @example
 * const content: Content = { type: 'text', text: 'hi @ana', entities: [{ type: 'mention', offset: 3, length: 4, userId }] };
 */
export const TextContent = z
  .object({
    type: z.literal('text'),
    // The byte limit is the server's (announced in `ready`); this bound only keeps parsing cheap.
    text: z.string().min(1).max(65_536),
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

export const Content = z.discriminatedUnion('type', [TextContent]);
export type Content = z.infer<typeof Content>;

/** The message a reply quotes, as the reply carries it. */
export const ReplyRef = z.object({
  messageId: Id,
  seq: Seq,
  senderId: Id,
  /** The start of the quoted text, or null when the original is deleted or not plain text. */
  excerpt: z.string().nullable(),
});
export type ReplyRef = z.infer<typeof ReplyRef>;

/** Where a forwarded message came from. The source conversation is not disclosed. */
export const ForwardRef = z.object({
  originalSenderId: Id,
  originalCreatedAt: Timestamp,
});
export type ForwardRef = z.infer<typeof ForwardRef>;

/** The users who reacted to a message with one emoji, oldest first. */
export const ReactionGroup = z.object({
  emoji: z.string(),
  userIds: z.array(Id),
});
export type ReactionGroup = z.infer<typeof ReactionGroup>;

/**
 * A stored message. `seq` is strictly increasing within its conversation (it is the conversation's event
 * position when the message was created, so consecutive messages may skip numbers taken by other events).
 * A deleted message stays as a tombstone: `content` null and `deletedAt` set.
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
export type Message = z.infer<typeof Message>;

export const SendMessageBody = z.object({
  clientId: ClientId,
  content: Content,
  replyToId: Id.optional(),
});
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const ForwardMessageBody = z.object({
  clientId: ClientId,
  /** The message to forward: the sender must be a member of its conversation. */
  from: z.object({ conversationId: Id, messageId: Id }),
});
export type ForwardMessageBody = z.infer<typeof ForwardMessageBody>;

export const EditMessageBody = z.object({ content: Content });
export type EditMessageBody = z.infer<typeof EditMessageBody>;

/**
 * A page of history. With `before`, the newest messages with `seq < before`; with `after`, the oldest
 * with `seq > after`; with neither, the newest messages. Results are always in ascending `seq` order.
 */
export const HistoryQuery = z.object({
  before: z.coerce.number().int().nonnegative().optional(),
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const HistoryPage = z.object({
  messages: z.array(Message),
  /** True when older (for `before`) or newer (for `after`) messages exist beyond this page. */
  hasMore: z.boolean(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

export const ReactionParams = z.object({ conversationId: Id, messageId: Id, emoji: Emoji });

/** Moves the caller's receipt pointers forward (never back): delivered up to `deliveredSeq`, read up to `readSeq`. */
export const ReceiptBody = z
  .object({ deliveredSeq: Seq.optional(), readSeq: Seq.optional() })
  .refine((b) => b.deliveredSeq !== undefined || b.readSeq !== undefined, 'give deliveredSeq, readSeq or both');
export type ReceiptBody = z.infer<typeof ReceiptBody>;
