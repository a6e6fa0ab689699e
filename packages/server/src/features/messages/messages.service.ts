import type {
  ChannelPreview,
  Content,
  ForwardManyBody,
  ForwardMessageBody,
  ForwardRef,
  ForwardResult,
  ForwardTarget,
  HistoryPage,
  HistoryQuery,
  Message,
  SendAck,
  SendMessageBody,
  UserContent,
  WrittenContent,
} from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { topics } from '../../platform/bus.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Metrics } from '../../platform/metrics.js';
import type { WriteContext, WriteQueue } from '../../platform/write-queue.js';
import { canModerate, requireMember, requireReader } from '../conversations/access.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import * as conversations from '../conversations/conversations.store.js';
import type { FilesService } from '../files/files.service.js';
import { toChannelSummary } from '../conversations/conversations.views.js';
import { appendEvent } from '../conversations/event-log.js';
import * as memberships from '../conversations/memberships.store.js';
import * as positions from '../conversations/positions.store.js';
import * as store from './messages.store.js';
import type { MessageRow } from './messages.store.js';
import { firstLink } from './links.js';
import { ackOf, loadMessages, parseContent, parseLinkPreview, toMessage, type StoredSend } from './messages.views.js';
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
  /** As stored: a media message's files resolved to their attachments. */
  content: WrittenContent;
  replyToId: string | undefined;
  forwarded: ForwardRef | null;
}

/** The message with this id in this conversation, or MESSAGE_NOT_FOUND. */
export async function requireMessage(db: Kysely<DB>, conversationId: string, messageId: string): Promise<MessageRow> {
  const row = await store.findById(db, messageId);
  if (!row || row.conversation_id !== conversationId) throw new HearthError('MESSAGE_NOT_FOUND', { messageId });
  return row;
}

/**
 * Throws OPERATION_NOT_ALLOWED for a system line: it records what happened, so nobody edits, deletes, reacts to,
 * replies to or forwards it.
 */
export function requireUserMessage(row: MessageRow): void {
  if (row.is_system === 1) throw new HearthError('OPERATION_NOT_ALLOWED', { messageId: row.id }, 'A system message cannot be changed, reacted to, replied to or forwarded.');
}

/**
 * Told of every message a person stored or edited, once committed (never awaited, never throws): the link previews
 * feature, which sits above this one, reads its first link (`server.ts` passes it in).
 */
export type MessageWritten = (message: Message) => void;

/** Messages in a channel's preview: a screenful, as the history's default page. */
const PREVIEW_PAGE = 50;

export class MessagesService {
  private readonly sendBatch = this.storeSends.bind(this);

  constructor(
    private readonly db: Kysely<DB>,
    private readonly writer: WriteQueue,
    private readonly metrics: Metrics,
    private readonly limits: MessageLimits,
    private readonly conversations: ConversationsService,
    private readonly files: FilesService,
    private readonly written: MessageWritten = () => undefined,
  ) {}

  /**
   * Stores a message and resolves once it is committed; members get `message.created`. Sends arriving together
   * share one transaction. Sending again with the same clientId returns the first message, unchanged.
   */
  async send(actor: Actor, conversationId: string, body: SendMessageBody): Promise<Message> {
    return (await this.store(actor, conversationId, body)).message;
  }

  /** `send` as the `message.send` frame answers it: the message only where its `message.created` does not tell all. */
  async sendAck(actor: Actor, conversationId: string, body: SendMessageBody): Promise<SendAck> {
    return ackOf(await this.store(actor, conversationId, body));
  }

  private async store(actor: Actor, conversationId: string, body: SendMessageBody): Promise<StoredSend> {
    this.checkSize(body.content);
    return this.writer.submit(this.sendBatch, {
      userId: actor.userId,
      conversationId,
      clientId: body.clientId,
      content: await this.resolve(actor, conversationId, body.content),
      replyToId: body.replyToId,
      forwarded: null,
    });
  }

  /** Sends a copy of a message the caller can read into another conversation, marked as forwarded. */
  async forward(actor: Actor, conversationId: string, body: ForwardMessageBody): Promise<Message> {
    return (await this.storeForward(actor, conversationId, body)).message;
  }

  /** `forward` as the `message.forward` frame answers it (with the copy: the sender cannot rebuild it). */
  async forwardAck(actor: Actor, conversationId: string, body: ForwardMessageBody): Promise<SendAck> {
    return ackOf(await this.storeForward(actor, conversationId, body));
  }

  private async storeForward(actor: Actor, conversationId: string, body: ForwardMessageBody): Promise<StoredSend> {
    const copy = await this.copyOf(actor, body.from);
    return this.writer.submit(this.sendBatch, { ...copy, userId: actor.userId, conversationId, clientId: body.clientId });
  }

  /**
   * Forwards a message the caller can read to several targets at once, each a conversation of theirs or a person
   * (whose direct conversation is opened for it), with an optional comment sent just before each copy. Each target
   * succeeds or fails whole, in a transaction of its own; the answer says which, target by target. Errors about the
   * original (it cannot be read, is deleted, is a system line) or the comment (too large) fail the whole request.
   */
  async forwardMany(actor: Actor, body: ForwardManyBody): Promise<ForwardResult[]> {
    if (body.comment) this.checkSize(body.comment.content);
    const copy = await this.copyOf(actor, body.from);
    const comment = body.comment ? { content: body.comment.content, replyToId: undefined, forwarded: null, clientId: body.comment.clientId } : undefined;
    return Promise.all(
      body.targets.map(async (target): Promise<ForwardResult> => {
        try {
          const conversationId = await this.targetOf(actor, target);
          const items = [...(comment ? [comment] : []), { ...copy, clientId: body.clientId }].map((i) => ({ ...i, userId: actor.userId, conversationId }));
          const stored = await this.writer.run(async (ctx) => {
            const out = await this.storeSends(ctx, items);
            // Comment and copy go together: a failure of either rolls back this target's transaction alone.
            const failure = out.find((o): o is HearthError => o instanceof HearthError);
            if (failure) throw failure;
            return (out as StoredSend[]).map((o) => o.message);
          });
          return { target, comment: comment ? stored[0]! : null, copy: stored.at(-1)!, error: null };
        } catch (err) {
          if (!(err instanceof HearthError)) throw err;
          return { target, comment: null, copy: null, error: err.toBody() };
        }
      }),
    );
  }

  /**
   * Replaces the content of a message: its author may, and moderators of groups and channels. A media message stays
   * one, with the same files in the same order: only its caption changes (VALIDATION_FAILED otherwise).
   */
  async edit(actor: Actor, conversationId: string, messageId: string, input: UserContent): Promise<Message> {
    this.checkSize(input);
    return this.writer.run(async (ctx) => {
      const row = await this.requireChangeable(ctx, actor, conversationId, messageId);
      if (row.deleted_at !== null) throw new HearthError('MESSAGE_DELETED', { messageId });
      // A forwarded copy is credited to its original author; new words there would be put in their mouth.
      if (row.forwarded !== null) throw new HearthError('OPERATION_NOT_ALLOWED', { messageId }, 'A forwarded message cannot be edited.');
      const content = editedContent(parseContent(row.content), input);
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
      // A preview of a link the message no longer has goes; one of a new link follows once its page is read.
      // A removed preview stays removed while the link stays.
      const preview = parseLinkPreview(row.link_preview);
      const keepsPreview = preview !== null && preview.url === firstLink(content);
      if (preview !== null && !keepsPreview) {
        await store.update(ctx.trx, messageId, { link_preview: null });
        if (!preview.removed) {
          const previewPts = await positions.allocate(ctx.trx, conversationId, 1);
          await appendEvent(ctx, { type: 'message.previewed', conversationId, pts: previewPts, messageId, seq, linkPreview: null });
        }
      }
      const [message] = await loadMessages(ctx.trx, [
        { ...row, content: JSON.stringify(content), edited_at: ctx.now, edited_by: actor.userId, link_preview: keepsPreview ? row.link_preview : null },
      ]);
      ctx.afterCommit(() => this.written(message!));
      return message!;
    });
  }

  /** Deletes a message for everyone, leaving a tombstone; deleting a tombstone again changes nothing. */
  async delete(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    return this.writer.run(async (ctx) => {
      const row = await this.requireChangeable(ctx, actor, conversationId, messageId);
      if (row.deleted_at === null) {
        const seq = Number(row.seq);
        await store.update(ctx.trx, messageId, { content: null, deleted_at: ctx.now, deleted_by: actor.userId, mentions_all: 0, link_preview: null });
        await store.deleteMentions(ctx.trx, conversationId, seq);
        await reactions.removeAllOf(ctx.trx, messageId);
        await this.files.forgetCarriers(ctx.trx, messageId, ctx.now);
        const pts = await positions.allocate(ctx.trx, conversationId, 1);
        await appendEvent(ctx, { type: 'message.deleted', conversationId, pts, messageId, seq, senderId: row.sender_id, deletedAt: ctx.now, deletedBy: actor.userId });
        row.content = null;
        row.deleted_at = ctx.now;
        row.link_preview = null;
      }
      // Loaded like history loads it, so the answer keeps the reply reference the stored tombstone shows.
      const [tombstone] = await loadMessages(ctx.trx, [row]);
      return tombstone!;
    });
  }

  /**
   * A public channel as anyone signed in may see it without joining: its summary and latest page. Nothing is written
   * and no subscription made; anything but a channel answers CONVERSATION_NOT_FOUND, whatever its existence.
   */
  async previewChannel(actor: Actor, conversationId: string): Promise<ChannelPreview> {
    const channel = await conversations.findById(this.db, conversationId);
    if (channel?.kind !== 'channel') throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId });
    const joined = (await memberships.find(this.db, conversationId, actor.userId)) !== undefined;
    const page = await this.history(actor, conversationId, { limit: PREVIEW_PAGE });
    return { channel: toChannelSummary(channel, joined), ...page };
  }

  /**
   * A page of history: a member's, anyone's for a public channel, and up to their removal for a member who was removed
   * from a group.
   */
  async history(actor: Actor, conversationId: string, query: HistoryQuery): Promise<HistoryPage> {
    const { upToSeq } = await requireReader(this.db, conversationId, actor.userId);
    const limit = Math.min(query.limit, this.limits.maxPageSize);
    const before = Math.min(query.before ?? Infinity, upToSeq + 1);
    const rows = await store.listPage(this.db, conversationId, { before: Number.isFinite(before) ? before : undefined, after: query.after, limit: limit + 1 });
    const hasMore = rows.length > limit;
    // One row beyond the page tells whether more exist; drop it from the side away from the anchor.
    const page = hasMore ? (query.after !== undefined ? rows.slice(0, limit) : rows.slice(1)) : rows;
    return { messages: await loadMessages(this.db, page), hasMore };
  }

  async get(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    const [message] = await loadMessages(this.db, [await this.requireReadable(actor, conversationId, messageId)]);
    return message!;
  }

  /** A message the caller may read, or CONVERSATION_NOT_FOUND / MESSAGE_NOT_FOUND (also past a removal). */
  private async requireReadable(actor: Actor, conversationId: string, messageId: string): Promise<MessageRow> {
    const { upToSeq } = await requireReader(this.db, conversationId, actor.userId);
    const row = await requireMessage(this.db, conversationId, messageId);
    if (Number(row.seq) > upToSeq) throw new HearthError('MESSAGE_NOT_FOUND', { messageId });
    return row;
  }

  /** What a forward of this message stores, wherever it goes: the words, credited to their first author. */
  private async copyOf(actor: Actor, from: ForwardMessageBody['from']): Promise<Pick<SendItem, 'content' | 'replyToId' | 'forwarded'>> {
    const source = await this.requireReadable(actor, from.conversationId, from.messageId);
    requireUserMessage(source);
    const content = parseContent(source.content);
    if (content === null) throw new HearthError('MESSAGE_DELETED', { messageId: source.id });
    if (content.type === 'system') throw new HearthError('OPERATION_NOT_ALLOWED', { messageId: source.id });
    const previous = source.forwarded ? (JSON.parse(source.forwarded) as ForwardRef) : null;
    return {
      // Mentions point at members of the source conversation; the copy keeps the words (and files), not the pings.
      // The copy's files are recorded in the target conversation as it is stored, so its members may download them.
      content: { ...content, entities: [] },
      replyToId: undefined,
      forwarded: previous ?? { originalSenderId: source.sender_id, originalCreatedAt: Number(source.created_at) },
    };
  }

  /** The conversation a forward target names: as given, or the caller's direct conversation with that person. */
  private async targetOf(actor: Actor, target: ForwardTarget): Promise<string> {
    if (target.type === 'conversation') return target.conversationId;
    return (await this.conversations.create(actor, { kind: 'direct', userId: target.userId })).id;
  }

  /** What a send stores: a media message's file ids resolved (FILE_NOT_FOUND, UPLOAD_INCOMPLETE). */
  private async resolve(actor: Actor, conversationId: string, content: UserContent): Promise<WrittenContent> {
    if (content.type !== 'media') return content;
    const attachments = await this.files.attachmentsFor(actor.userId, conversationId, content.attachments.map((a) => a.id));
    return { type: 'media', text: content.text, entities: content.entities, attachments };
  }

  /** The text, or a media message's caption, within maxTextBytes. */
  private checkSize(content: UserContent): void {
    if (Buffer.byteLength(content.text, 'utf8') > this.limits.maxTextBytes) {
      throw new HearthError('MESSAGE_TOO_LARGE', { maxBytes: this.limits.maxTextBytes });
    }
  }

  private async requireChangeable(ctx: WriteContext, actor: Actor, conversationId: string, messageId: string): Promise<MessageRow> {
    const access = await requireMember(ctx.trx, conversationId, actor.userId);
    const row = await requireMessage(ctx.trx, conversationId, messageId);
    requireUserMessage(row);
    if (row.sender_id !== actor.userId && !canModerate(access)) throw new HearthError('PERMISSION_DENIED', { messageId });
    return row;
  }

  /**
   * Stores a batch of sends in the open transaction: one membership query, one query for retried clientIds,
   * one position allocation per conversation and one multi-row insert, whatever the batch size.
   */
  private async storeSends(ctx: WriteContext, items: SendItem[]): Promise<Array<StoredSend | HearthError>> {
    const out = new Array<StoredSend | HearthError | undefined>(items.length);
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
      if (item.replyToId !== undefined && replied.get(item.replyToId)?.is_system === 1) {
        out[i] = new HearthError('OPERATION_NOT_ALLOWED', { messageId: item.replyToId }, 'A system message cannot be replied to.');
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
          is_system: 0,
          created_at: ctx.now,
          edited_at: null,
          edited_by: null,
          deleted_at: null,
          deleted_by: null,
          link_preview: null,
        });
        for (const user_id of mentions.userIds) mentionRows.push({ conversation_id: conversationId, seq, user_id });
        seq++;
      }
    }
    await store.insertMany(ctx.trx, [...rows.values()]);
    await store.insertMentions(ctx.trx, mentionRows);
    await this.files.recordCarriers(
      ctx.trx,
      [...rows].flatMap(([i, row]) => {
        const content = items[i]!.content;
        return content.type === 'media' ? [{ id: row.id, conversationId: row.conversation_id, seq: Number(row.seq), content }] : [];
      }),
    );
    this.metrics.messagesStored.inc(rows.size);
    // The first messages of a conversation (seq 1): a direct one is revealed to both people now, before the events.
    const opened = [...firsts].filter(([, first]) => first === 1).map(([id]) => id);
    if (opened.length > 0) await this.conversations.revealDirects(ctx, opened);

    for (const [i, row] of rows) {
      const message = toMessage(row, [], row.reply_to_id ? replied.get(row.reply_to_id) : undefined);
      out[i] = { message, isNew: true };
      ctx.publish(topics.conversation(row.conversation_id), { type: 'message.created', conversationId: row.conversation_id, pts: message.seq, message });
      ctx.afterCommit(() => this.written(message));
    }
    const retriedMessages = await loadMessages(ctx.trx, retried.map(([, r]) => r));
    retried.forEach(([i], k) => (out[i] = { message: retriedMessages[k]!, isNew: false }));
    // A repeat within the batch is a retry of its first: no event of its own follows it.
    for (const [i, first] of repeats) out[i] = { message: (out[first] as StoredSend).message, isNew: false };
    return out as Array<StoredSend | HearthError>;
  }
}

/**
 * The content an edit stores: a text replaced whole; a media message's caption, its files unchanged (the input
 * must name the same files in the same order). VALIDATION_FAILED for a change of kind or of files.
 */
function editedContent(stored: Content | null, input: UserContent): WrittenContent {
  if (stored?.type === 'media') {
    const same = input.type === 'media' && input.attachments.length === stored.attachments.length && input.attachments.every((a, i) => a.id === stored.attachments[i]!.id);
    if (!same) throw new HearthError('VALIDATION_FAILED', {}, 'An edit of a media message changes its caption only: name the same files in the same order.');
    return { ...stored, text: input.text, entities: input.entities };
  }
  if (input.type !== 'text') throw new HearthError('VALIDATION_FAILED', {}, 'A text message cannot become a media message.');
  return input;
}

function mentionsOf(content: WrittenContent): { all: boolean; userIds: string[] } {
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
