import type { Content, ForwardMessageBody, ForwardRef, HistoryPage, HistoryQuery, Message, SendMessageBody } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { topics } from '../../platform/bus.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Metrics } from '../../platform/metrics.js';
import type { WriteContext, WriteQueue } from '../../platform/write-queue.js';
import { canModerate, requireMember } from '../conversations/access.js';
import { appendEvent } from '../conversations/event-log.js';
import * as memberships from '../conversations/memberships.store.js';
import * as positions from '../conversations/positions.store.js';
import * as store from './messages.store.js';
import type { MessageRow } from './messages.store.js';
import { loadMessages, toMessage } from './messages.views.js';
import * as reactions from './reactions.store.js';

export interface MessageLimits {
  maxTextBytes: number;
  maxPageSize: number;
}

/** One send waiting for the next batch. */
interface SendItem {
  userId: string;
  conversationId: string;
  clientId: string;
  content: Content;
  replyToId: string | undefined;
  forwarded: ForwardRef | null;
}

/** The message with this id in this conversation, or MESSAGE_NOT_FOUND. */
export async function requireMessage(db: Kysely<DB>, conversationId: string, messageId: string): Promise<MessageRow> {
  const row = await store.findById(db, messageId);
  if (!row || row.conversation_id !== conversationId) throw new HearthError('MESSAGE_NOT_FOUND', { messageId });
  return row;
}

export class MessagesService {
  private readonly sendBatch = this.storeSends.bind(this);

  constructor(
    private readonly db: Kysely<DB>,
    private readonly writer: WriteQueue,
    private readonly metrics: Metrics,
    private readonly limits: MessageLimits,
  ) {}

  /**
   * Stores a message and resolves once it is committed; members get `message.created`. Sends arriving together
   * share one transaction. Sending again with the same clientId returns the first message, unchanged.
   */
  async send(actor: Actor, conversationId: string, body: SendMessageBody): Promise<Message> {
    this.checkSize(body.content);
    return this.writer.submit(this.sendBatch, {
      userId: actor.userId,
      conversationId,
      clientId: body.clientId,
      content: body.content,
      replyToId: body.replyToId,
      forwarded: null,
    });
  }

  /** Sends a copy of a message the caller can read into another conversation, marked as forwarded. */
  async forward(actor: Actor, conversationId: string, body: ForwardMessageBody): Promise<Message> {
    await requireMember(this.db, body.from.conversationId, actor.userId);
    const source = await requireMessage(this.db, body.from.conversationId, body.from.messageId);
    const content = source.content === null ? null : (JSON.parse(source.content) as Content);
    if (content === null) throw new HearthError('MESSAGE_DELETED', { messageId: source.id });
    const previous = source.forwarded ? (JSON.parse(source.forwarded) as ForwardRef) : null;
    return this.writer.submit(this.sendBatch, {
      userId: actor.userId,
      conversationId,
      clientId: body.clientId,
      // Mentions point at members of the source conversation; the copy keeps the words, not the pings.
      content: content.type === 'text' ? { ...content, entities: [] } : content,
      replyToId: undefined,
      forwarded: previous ?? { originalSenderId: source.sender_id, originalCreatedAt: Number(source.created_at) },
    });
  }

  /** Replaces the content of a message: its author may, and moderators of groups and channels. */
  async edit(actor: Actor, conversationId: string, messageId: string, content: Content): Promise<Message> {
    this.checkSize(content);
    return this.writer.run(async (ctx) => {
      const row = await this.requireChangeable(ctx, actor, conversationId, messageId);
      if (row.deleted_at !== null) throw new HearthError('MESSAGE_DELETED', { messageId });
      // A forwarded copy is credited to its original author; new words there would be put in their mouth.
      if (row.forwarded !== null) throw new HearthError('OPERATION_NOT_ALLOWED', { messageId }, 'A forwarded message cannot be edited.');
      const seq = Number(row.seq);
      const mentions = mentionsOf(content);
      await store.update(ctx.trx, messageId, {
        content: JSON.stringify(content),
        edited_at: ctx.now,
        edited_by: actor.userId,
        mentions_all: mentions.all ? 1 : 0,
      });
      await store.deleteMentions(ctx.trx, conversationId, seq);
      await store.insertMentions(ctx.trx, mentions.userIds.map((user_id) => ({ conversation_id: conversationId, seq, user_id })));
      const pts = await positions.allocate(ctx.trx, conversationId, 1);
      await appendEvent(ctx, { type: 'message.edited', conversationId, pts, messageId, seq, content, editedAt: ctx.now, editedBy: actor.userId });
      const [message] = await loadMessages(ctx.trx, [{ ...row, content: JSON.stringify(content), edited_at: ctx.now, edited_by: actor.userId }]);
      return message!;
    });
  }

  /** Deletes a message for everyone, leaving a tombstone; deleting a tombstone again changes nothing. */
  async delete(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    return this.writer.run(async (ctx) => {
      const row = await this.requireChangeable(ctx, actor, conversationId, messageId);
      if (row.deleted_at === null) {
        const seq = Number(row.seq);
        await store.update(ctx.trx, messageId, { content: null, deleted_at: ctx.now, deleted_by: actor.userId, mentions_all: 0 });
        await store.deleteMentions(ctx.trx, conversationId, seq);
        await reactions.removeAllOf(ctx.trx, messageId);
        const pts = await positions.allocate(ctx.trx, conversationId, 1);
        await appendEvent(ctx, { type: 'message.deleted', conversationId, pts, messageId, seq, senderId: row.sender_id, deletedAt: ctx.now, deletedBy: actor.userId });
        row.content = null;
        row.deleted_at = ctx.now;
      }
      // Loaded like history loads it, so the answer keeps the reply reference the stored tombstone shows.
      const [tombstone] = await loadMessages(ctx.trx, [row]);
      return tombstone!;
    });
  }

  async history(actor: Actor, conversationId: string, query: HistoryQuery): Promise<HistoryPage> {
    await requireMember(this.db, conversationId, actor.userId);
    const limit = Math.min(query.limit, this.limits.maxPageSize);
    const rows = await store.listPage(this.db, conversationId, { before: query.before, after: query.after, limit: limit + 1 });
    const hasMore = rows.length > limit;
    // One row beyond the page tells whether more exist; drop it from the side away from the anchor.
    const page = hasMore ? (query.after !== undefined ? rows.slice(0, limit) : rows.slice(1)) : rows;
    return { messages: await loadMessages(this.db, page), hasMore };
  }

  async get(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    await requireMember(this.db, conversationId, actor.userId);
    const [message] = await loadMessages(this.db, [await requireMessage(this.db, conversationId, messageId)]);
    return message!;
  }

  private checkSize(content: Content): void {
    if (content.type === 'text' && Buffer.byteLength(content.text, 'utf8') > this.limits.maxTextBytes) {
      throw new HearthError('MESSAGE_TOO_LARGE', { maxBytes: this.limits.maxTextBytes });
    }
  }

  private async requireChangeable(ctx: WriteContext, actor: Actor, conversationId: string, messageId: string): Promise<MessageRow> {
    const access = await requireMember(ctx.trx, conversationId, actor.userId);
    const row = await requireMessage(ctx.trx, conversationId, messageId);
    if (row.sender_id !== actor.userId && !canModerate(access)) throw new HearthError('PERMISSION_DENIED', { messageId });
    return row;
  }

  /**
   * Stores a batch of sends in the open transaction: one membership query, one query for retried clientIds,
   * one position allocation per conversation and one multi-row insert, whatever the batch size.
   */
  private async storeSends(ctx: WriteContext, items: SendItem[]): Promise<Array<Message | HearthError>> {
    const out = new Array<Message | HearthError | undefined>(items.length);
    const members = await memberships.findPairs(
      ctx.trx,
      unique(items.map((i) => [i.conversationId, i.userId] as const)),
    );
    const clientKey = (i: SendItem) => `${i.conversationId}:${i.userId}:${i.clientId}`;
    const existing = new Map(
      (await store.findByClientKeys(ctx.trx, items.map((i) => [i.conversationId, i.userId, i.clientId] as const))).map((r) => [
        `${r.conversation_id}:${r.sender_id}:${r.client_id}`,
        r,
      ]),
    );
    const replyIds = [...new Set(items.map((i) => i.replyToId).filter((id): id is string => id !== undefined))];
    const replied = new Map((await store.findByIds(ctx.trx, replyIds)).map((r) => [r.id, r]));

    // Decide each item: an error, a retry of a stored message, a repeat within this batch, or a new message.
    const fresh: number[] = [];
    const firstInBatch = new Map<string, number>();
    const repeats: Array<[number, number]> = [];
    const retried: Array<[number, MessageRow]> = [];
    items.forEach((item, i) => {
      if (!members.has(`${item.conversationId}:${item.userId}`)) {
        out[i] = new HearthError('CONVERSATION_NOT_FOUND', { conversationId: item.conversationId });
        return;
      }
      const key = clientKey(item);
      const stored = existing.get(key);
      if (stored) return void retried.push([i, stored]);
      const first = firstInBatch.get(key);
      if (first !== undefined) return void repeats.push([i, first]);
      if (item.replyToId !== undefined && replied.get(item.replyToId)?.conversation_id !== item.conversationId) {
        out[i] = new HearthError('MESSAGE_NOT_FOUND', { messageId: item.replyToId }, 'The message replied to does not exist in this conversation.');
        return;
      }
      firstInBatch.set(key, i);
      fresh.push(i);
    });

    // Positions for every conversation of the batch in one statement.
    const byConversation = new Map<string, number[]>();
    for (const i of fresh) {
      const list = byConversation.get(items[i]!.conversationId) ?? [];
      list.push(i);
      byConversation.set(items[i]!.conversationId, list);
    }
    const firsts = await positions.allocateMany(ctx.trx, new Map([...byConversation].map(([id, indexes]) => [id, indexes.length])), { messages: true });
    const rows = new Map<number, MessageRow>();
    const mentionRows: Array<{ conversation_id: string; seq: number; user_id: string }> = [];
    for (const [conversationId, indexes] of byConversation) {
      let seq = firsts.get(conversationId)!;
      for (const i of indexes) {
        const item = items[i]!;
        const mentions = mentionsOf(item.content);
        rows.set(i, {
          id: newId(),
          conversation_id: conversationId,
          seq,
          sender_id: item.userId,
          client_id: item.clientId,
          content: JSON.stringify(item.content),
          reply_to_id: item.replyToId ?? null,
          forwarded: item.forwarded ? JSON.stringify(item.forwarded) : null,
          mentions_all: mentions.all ? 1 : 0,
          created_at: ctx.now,
          edited_at: null,
          edited_by: null,
          deleted_at: null,
          deleted_by: null,
        });
        for (const user_id of mentions.userIds) mentionRows.push({ conversation_id: conversationId, seq, user_id });
        seq++;
      }
    }
    await store.insertMany(ctx.trx, [...rows.values()]);
    await store.insertMentions(ctx.trx, mentionRows);
    this.metrics.messagesStored.inc(rows.size);

    for (const [i, row] of rows) {
      const message = toMessage(row, [], row.reply_to_id ? replied.get(row.reply_to_id) : undefined);
      out[i] = message;
      ctx.publish(topics.conversation(row.conversation_id), { type: 'message.created', conversationId: row.conversation_id, pts: message.seq, message });
    }
    const retriedMessages = await loadMessages(ctx.trx, retried.map(([, r]) => r));
    retried.forEach(([i], k) => (out[i] = retriedMessages[k]!));
    for (const [i, first] of repeats) out[i] = out[first];
    return out as Array<Message | HearthError>;
  }
}

function mentionsOf(content: Content): { all: boolean; userIds: string[] } {
  if (content.type !== 'text') return { all: false, userIds: [] };
  return {
    all: content.entities.some((e) => e.type === 'mention_all'),
    userIds: [...new Set(content.entities.flatMap((e) => (e.type === 'mention' ? [e.userId] : [])))],
  };
}

function unique<T extends readonly string[]>(tuples: T[]): T[] {
  const seen = new Map<string, T>();
  for (const t of tuples) seen.set(t.join('\u0000'), t);
  return [...seen.values()];
}
