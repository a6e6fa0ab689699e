import { replyExcerpt, type Content, type ForwardRef, type LinkPreview, type Message, type ReplyRef, type SendAck } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import type { ConversationRow } from '../conversations/conversations.store.js';
import * as store from './messages.store.js';
import type { MessageRow } from './messages.store.js';
import * as reactions from './reactions.store.js';

export function parseContent(json: string | null): Content | null {
  return json === null ? null : (JSON.parse(json) as Content);
}

export function replyRefOf(original: MessageRow): ReplyRef {
  return {
    messageId: original.id,
    seq: Number(original.seq),
    senderId: original.sender_id,
    excerpt: replyExcerpt(parseContent(original.content)),
  };
}

/**
 * A link preview as a message row stores it (`messages.link_preview`): the wire form, with the image named by its id
 * in `link_preview_images` rather than by the address that serves it, which depends on the message.
 */
export interface StoredLinkPreview extends Omit<LinkPreview, 'image'> {
  image: { id: string; width: number; height: number } | null;
  /** Set when the author removed the preview: the message shows none, and this link is not read for it again. */
  removed?: true;
}

export function parseLinkPreview(json: string | null): StoredLinkPreview | null {
  return json === null ? null : (JSON.parse(json) as StoredLinkPreview);
}

/** The wire form of a stored preview of a message: its image served under the message, `v` naming the version. */
export function toLinkPreview(conversationId: string, messageId: string, stored: StoredLinkPreview | null): LinkPreview | null {
  if (stored === null || stored.removed) return null;
  const { url, title, description, siteName, image } = stored;
  return {
    url,
    title,
    description,
    siteName,
    image: image && {
      url: `/api/conversations/${conversationId}/messages/${messageId}/link-preview/image?v=${image.id}`,
      width: image.width,
      height: image.height,
    },
  };
}

/** The wire form of a stored message, given its reactions and the message it replies to (if loaded). */
export function toMessage(row: MessageRow, reactionGroups: Message['reactions'], repliedTo: MessageRow | undefined): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    clientId: row.client_id,
    createdAt: Number(row.created_at),
    content: parseContent(row.content),
    replyTo: repliedTo ? replyRefOf(repliedTo) : null,
    forwarded: row.forwarded ? (JSON.parse(row.forwarded) as ForwardRef) : null,
    editedAt: row.edited_at === null ? null : Number(row.edited_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    reactions: reactionGroups,
    linkPreview: toLinkPreview(row.conversation_id, row.id, parseLinkPreview(row.link_preview)),
  };
}

/** A send as stored: the message, and whether this send made it (a retry finds the one an earlier send made). */
export interface StoredSend {
  message: Message;
  isNew: boolean;
}

/**
 * The answer to a `message.send` or `message.forward` frame. A new message reaches the sending socket whole as its
 * `message.created`, so the answer carries only its place, unless the event tells the sender less than it needs: a
 * retry has no event, and the quote of a reply, the credit of a forward and a media message's attachments are the
 * server's to write.
 */
export function ackOf({ message, isNew }: StoredSend): SendAck {
  const ack = { id: message.id, seq: message.seq, createdAt: message.createdAt };
  // A media message's attachments are the server's too (what it measured of each file).
  const complete = message.replyTo === null && message.forwarded === null && message.content?.type !== 'media';
  return isNew && complete ? ack : { ...ack, message };
}

/** Wire forms of many stored messages, loading their reactions and quoted messages in two queries. */
export async function loadMessages(db: Kysely<DB>, rows: readonly MessageRow[]): Promise<Message[]> {
  if (rows.length === 0) return [];
  const replyIds = [...new Set(rows.map((r) => r.reply_to_id).filter((id): id is string => id !== null))];
  const [groups, replied] = await Promise.all([
    reactions.groupsByMessage(
      db,
      rows.map((r) => r.id),
    ),
    store.findByIds(db, replyIds),
  ]);
  const repliedById = new Map(replied.map((r) => [r.id, r]));
  return rows.map((r) => toMessage(r, groups.get(r.id) ?? [], r.reply_to_id ? repliedById.get(r.reply_to_id) : undefined));
}

/** The latest message of each of the given conversations that has one, by conversation id (`LatestMessages`). */
export async function latestMessages(db: Kysely<DB>, conversations: readonly ConversationRow[]): Promise<Map<string, Message>> {
  const keys = conversations.filter((c) => Number(c.last_message_seq) > 0).map((c) => [c.id, Number(c.last_message_seq)] as const);
  const rows = await store.findBySeqs(db, keys);
  return new Map((await loadMessages(db, rows)).map((m) => [m.conversationId, m]));
}
