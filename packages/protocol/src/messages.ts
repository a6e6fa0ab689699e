import { z } from 'zod';
import { ClientId, Emoji, Id, multiLine, Seq, Timestamp } from './common.js';
import { ErrorBody } from './errors.js';
import { Attachment, ATTACHMENTS_MAX } from './files.js';

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

/** The caption of a media message: like a text's, but it may be empty. */
const caption = {
  text: multiLine(z.string().max(65_536)).default(''),
  entities: z.array(Entity).max(100).default([]),
};

function entitiesInside(content: { text: string; entities: Entity[] }, ctx: z.RefinementCtx): void {
  for (const [i, e] of content.entities.entries()) {
    if (e.offset + e.length > content.text.length) ctx.addIssue({ code: 'custom', message: 'entity lies outside the text', path: ['entities', i] });
  }
}

/**
 * A message of files as a person sends it: 1 to {@link ATTACHMENTS_MAX} uploaded files (see {@link UploadedFile}),
 * by id, with an optional caption. Each file must have been uploaded by the sender to this conversation; the
 * server stores and delivers the message as {@link MediaContent}, with each file's {@link Attachment}. An edit of a
 * media message changes its caption only: it must name the same files in the same order.
 * @example MediaInput.parse({ type: 'media', text: 'the venue', attachments: [{ id: fileId }] })
 */
export const MediaInput = z
  .object({
    type: z.literal('media'),
    ...caption,
    attachments: z.array(z.object({ id: Id })).min(1).max(ATTACHMENTS_MAX),
  })
  .superRefine(entitiesInside);

/**
 * A message of files as it is stored and delivered: the caption (possibly empty) and each file's
 * {@link Attachment}, in the order the sender gave them.
 * @example
 * MediaContent.parse({ type: 'media', text: '', entities: [], attachments: [attachment] })
 */
export const MediaContent = z.object({
  type: z.literal('media'),
  ...caption,
  attachments: z.array(Attachment).min(1).max(ATTACHMENTS_MAX),
});
/**
 * A parsed {@link MediaContent}.
 * @example const images = content.attachments.filter((a) => a.kind === 'image');
 */
export type MediaContent = z.infer<typeof MediaContent>;

/**
 * What a person wrote, as it is stored and delivered: `text`, or `media` with each file's {@link Attachment}. The
 * content of a `message.edited` event, and what a client holds for a message it has not sent yet.
 * @example WrittenContent.parse({ type: 'text', text: 'lunch at noon?' })
 */
export const WrittenContent = z.discriminatedUnion('type', [TextContent, MediaContent]);
/**
 * A parsed {@link WrittenContent}.
 * @example const caption = content.text;
 */
export type WrittenContent = z.infer<typeof WrittenContent>;

/**
 * The {@link UserContent} that sends or edits stored content: a media message's files by id. Never throws.
 * @example const body = { clientId, content: toUserContent(pending.content) };
 */
export function toUserContent(content: WrittenContent): UserContent {
  if (content.type === 'text') return content;
  return { type: 'media', text: content.text, entities: content.entities, attachments: content.attachments.map((a) => ({ id: a.id })) };
}

/**
 * What a person may write: the body of a send or an edit, `text` or `media` (files by id, with a caption); an
 * end-to-end encrypted variant will join them. System lines ({@link SystemContent}) are written by the server alone.
 * @example UserContent.parse({ type: 'text', text: 'lunch at noon?' })
 */
export const UserContent = z.discriminatedUnion('type', [TextContent, MediaInput]);
/**
 * A parsed {@link UserContent}.
 * @example const content: UserContent = { type: 'text', text: 'hi', entities: [] };
 */
export type UserContent = z.infer<typeof UserContent>;

/**
 * What a system line records. `member.joined`: the sender joined a channel. `member.added`: the sender added
 * `userIds`. `member.left`: the sender left. `member.removed`: the sender removed `userIds`. `conversation.renamed`:
 * the sender set the title to `title`. `topic.changed`: the sender set the topic to `topic` (`""` clears it).
 * @example SystemEvent.parse('member.added')
 */
export const SystemEvent = z.enum(['member.joined', 'member.added', 'member.left', 'member.removed', 'conversation.renamed', 'topic.changed']);
/**
 * A parsed {@link SystemEvent}.
 * @example const isMembership = (e: SystemEvent) => e.startsWith('member.');
 */
export type SystemEvent = z.infer<typeof SystemEvent>;

/**
 * A line the server writes into a conversation's history when its membership, title or topic changes, in the same
 * transaction as the change. The person who made the change is the message's `senderId`. System lines do not count
 * as unread, and nobody can edit, delete, react to, reply to or forward them.
 * @example
 * SystemContent.parse({ type: 'system', event: 'member.added', userIds: [benId], title: null, topic: null })
 */
export const SystemContent = z.object({
  type: z.literal('system'),
  event: SystemEvent,
  /** The people concerned: who joined, left, was added or removed (the sender alone for a join or a leave); [] otherwise. */
  userIds: z.array(Id),
  /** The new title, for `conversation.renamed`; null otherwise. */
  title: z.string().nullable(),
  /** The new topic, for `topic.changed`; null otherwise. */
  topic: z.string().nullable(),
});
/**
 * A parsed {@link SystemContent}.
 * @example const line: SystemContent = { type: 'system', event: 'member.left', userIds: [anaId], title: null, topic: null };
 */
export type SystemContent = z.infer<typeof SystemContent>;

/**
 * Every kind of message body, told apart by `type`: what people write (`text`, `media`) and the server's system
 * lines (`system`). Later versions may add kinds, so check `type` before reading and treat an unknown one as
 * unsupported.
 * @example Content.parse({ type: 'text', text: 'lunch at noon?', entities: [] })
 */
export const Content = z.discriminatedUnion('type', [TextContent, MediaContent, SystemContent]);
/**
 * A parsed {@link Content}.
 * @example const text = message.content?.type === 'text' ? message.content.text : '';
 */
export type Content = z.infer<typeof Content>;

/**
 * The message a reply quotes, as the reply carries it, current when the reply is loaded. Live events do not resend
 * replies when their original changes: a client brings the quotes it holds up to date on `message.edited` and
 * `message.deleted` with {@link replyExcerpt} (the SDK does).
 * @example ReplyRef.parse({ messageId, seq: 41, senderId: userId, excerpt: 'lunch at noon?' })
 */
export const ReplyRef = z.object({
  messageId: Id,
  seq: Seq,
  senderId: Id,
  /**
   * The start of the quoted text (up to 200 characters; for a media message its caption, or its file names when it
   * has none), or null when the original is deleted or a system line.
   */
  excerpt: z.string().nullable(),
});
/**
 * A parsed {@link ReplyRef}.
 * @example const quote = message.replyTo?.excerpt ?? 'Deleted message';
 */
export type ReplyRef = z.infer<typeof ReplyRef>;

const EXCERPT_CHARS = 200;

/**
 * The {@link ReplyRef} `excerpt` of a quoted message's content: the start of its text, up to 200 characters cut
 * between code points (never through an emoji); a media message's caption or file names; null for a deleted
 * message or a system line. Never throws.
 * @example replyExcerpt({ type: 'text', text: 'lunch at noon?', entities: [] }) // 'lunch at noon?'
 */
export function replyExcerpt(content: Content | null): string | null {
  if (content?.type === 'media') return cut(content.text.trim() === '' ? content.attachments.map((a) => a.name).join(', ') : content.text);
  return content?.type === 'text' ? cut(content.text) : null;
}

function cut(text: string): string {
  return Array.from(text.slice(0, EXCERPT_CHARS * 2)).slice(0, EXCERPT_CHARS).join('');
}

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
 * What a link in a message points at, as the server read it: the page of the first http(s) link of a text message
 * or a media caption (outside inline code), fetched by the server after the message was stored, so that no reader's
 * device contacts the site. `image` is the page's image reduced by the server (at most 600 px a side, WebP) and
 * served by it at `image.url`, a path on the Hearth server (`GET`, members only, with the session as for any call);
 * null when the page names none or it could not be read. Texts are plain text, never HTML.
 * @example
 * LinkPreview.parse({ url: 'https://example.org/post', title: 'A post', description: null, siteName: 'Example',
 *   image: { url: '/api/conversations/…/messages/…/link-preview/image?v=…', width: 600, height: 315 } })
 */
export const LinkPreview = z.object({
  /** The link as the message has it. */
  url: z.string(),
  /** The page's title (`og:title`, else `<title>`), up to 300 characters; null when it has none. */
  title: z.string().nullable(),
  /** Its description (`og:description`, else `<meta name="description">`), up to 1000 characters; null when none. */
  description: z.string().nullable(),
  /** The site's name (`og:site_name`); null when the page does not give one. */
  siteName: z.string().nullable(),
  image: z.object({ url: z.string(), width: z.int().positive(), height: z.int().positive() }).nullable(),
});
/**
 * A parsed {@link LinkPreview}.
 * @example const label = preview.siteName ?? new URL(preview.url).hostname;
 */
export type LinkPreview = z.infer<typeof LinkPreview>;

/**
 * A stored message. `seq` is strictly increasing within its conversation (it is the conversation's event
 * position when the message was created, so consecutive messages may skip numbers taken by other events).
 * A deleted message stays as a tombstone: `content` null, `deletedAt` set, no reactions and no link preview.
 * `linkPreview` arrives after the message, with `message.previewed`.
 * @example
 * Message.parse({ id: messageId, conversationId, seq: 42, senderId: userId, clientId: 'c1', createdAt: 1718000000000,
 *   content: { type: 'text', text: 'hi' }, replyTo: null, forwarded: null, editedAt: null, deletedAt: null,
 *   reactions: [], linkPreview: null })
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
  /** The preview of the message's first link, once the server has read the page; null until then, and without one. */
  linkPreview: LinkPreview.nullable(),
});
/**
 * A parsed {@link Message}. `clientId` is the sender's, so a sender can match it with its unsent copy.
 * @example if (message.deletedAt !== null) renderTombstone(message);
 */
export type Message = z.infer<typeof Message>;

/**
 * The answer to a `message.send` or `message.forward` frame: where the message was stored. A new message also
 * reaches every socket of its conversation, the sending one included, as `message.created`, which carries it whole;
 * the answer does not repeat it. `message` is there only when no such event follows (the send was a retry of a
 * message already stored, which comes back as it is now) or when the sender could not rebuild the message from what
 * it sent (a reply, whose quote the server writes, a forward, and a media message, whose attachments the server
 * measured). Otherwise the stored message is exactly the one
 * sent: the frame's `conversationId`, `clientId` and `content`, the sender as `senderId`, and this `id`, `seq` and
 * `createdAt`, with no reply, forward, edit or reaction.
 * @example
 * SendAck.parse({ id: messageId, seq: 13, createdAt: 1732533700000 })
 */
export const SendAck = z.object({ id: Id, seq: Seq, createdAt: Timestamp, message: Message.optional() });
/**
 * A parsed {@link SendAck}.
 * @example const stored = ack.message ?? rebuild(item, ack);
 */
export type SendAck = z.infer<typeof SendAck>;

/**
 * `POST /api/conversations/:conversationId/messages` (and the `message.send` frame). `replyToId` must name a
 * message of the same conversation.
 * @example SendMessageBody.parse({ clientId: 'c1', content: { type: 'text', text: 'hi' }, replyToId: messageId })
 */
export const SendMessageBody = z.object({
  clientId: ClientId,
  content: UserContent,
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
 * How many targets one forward may have.
 * @example if (picked.length > FORWARD_TARGETS_MAX) showTooMany();
 */
export const FORWARD_TARGETS_MAX = 10;

/**
 * Where a forward goes: a conversation the sender is in, or a person, whose direct conversation with the sender is
 * opened (or created) for it.
 * @example ForwardTarget.parse({ type: 'user', userId })
 */
export const ForwardTarget = z.discriminatedUnion('type', [
  z.object({ type: z.literal('conversation'), conversationId: Id }),
  z.object({ type: z.literal('user'), userId: Id }),
]);
/**
 * A parsed {@link ForwardTarget}.
 * @example const target: ForwardTarget = { type: 'conversation', conversationId };
 */
export type ForwardTarget = z.infer<typeof ForwardTarget>;

/**
 * `POST /api/forward`: copies a message into up to {@link FORWARD_TARGETS_MAX} targets at once, each preceded by an
 * optional comment. Each target succeeds or fails whole (comment and copy, or neither). `clientId` is the copies'
 * in every target and `comment.clientId` the comments' (a clientId is unique per sender and conversation, so one
 * value serves every target): retrying the same request returns what was stored instead of storing it twice.
 * @example
 * ForwardManyBody.parse({ clientId: 'fwd-1', from: { conversationId, messageId },
 *   targets: [{ type: 'user', userId }], comment: { clientId: 'fwd-1-c', content: { type: 'text', text: 'look' } } })
 */
export const ForwardManyBody = z
  .object({
    clientId: ClientId,
    /** The message to forward: the sender must be able to read it. */
    from: z.object({ conversationId: Id, messageId: Id }),
    targets: z.array(ForwardTarget).min(1).max(FORWARD_TARGETS_MAX),
    /** Sent in each target just before the copy, as a message of the sender's own. */
    comment: z.object({ clientId: ClientId, content: TextContent }).optional(),
  })
  .refine((b) => b.comment?.clientId !== b.clientId, { message: 'the comment needs a clientId of its own', path: ['comment', 'clientId'] });
/**
 * A parsed {@link ForwardManyBody}.
 * @example const body: ForwardManyBody = { clientId: 'fwd-1', from: { conversationId, messageId }, targets: [{ type: 'conversation', conversationId: other }] };
 */
export type ForwardManyBody = z.infer<typeof ForwardManyBody>;

/**
 * What a forward did in one target: the comment and the copy as stored, or why nothing was stored there.
 * @example ForwardResult.parse({ target, comment: null, copy: message, error: null })
 */
export const ForwardResult = z.object({
  target: ForwardTarget,
  /** The comment as stored in this target; null without a comment, or when the target failed. */
  comment: Message.nullable(),
  /** The copy as stored in this target; null when the target failed. */
  copy: Message.nullable(),
  /** Why nothing was stored in this target (CONVERSATION_NOT_FOUND, USER_NOT_FOUND …); null on success. */
  error: ErrorBody.nullable(),
});
/**
 * A parsed {@link ForwardResult}.
 * @example const failed = results.filter((r: ForwardResult) => r.error !== null);
 */
export type ForwardResult = z.infer<typeof ForwardResult>;

/**
 * `PATCH /api/conversations/:conversationId/messages/:messageId`: the new content, replacing the old entirely.
 * @example EditMessageBody.parse({ content: { type: 'text', text: 'lunch at one?' } })
 */
export const EditMessageBody = z.object({ content: UserContent });
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
