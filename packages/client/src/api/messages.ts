import type { Content, Entity, HistoryPage, Message } from '@hearth/protocol';
import { HearthError } from '../errors.js';
import type { OutgoingMessage } from '../outbox.js';
import type { MessageWindow } from '../state.js';
import type { ClientContext } from './context.js';

/** What the sender sees of their own message. */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

function newClientId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function toContent(input: string | Content, entities: Entity[] = []): Content {
  return typeof input === 'string' ? { type: 'text', text: input, entities } : input;
}

/** Messages: sending through the outbox, history, edits, deletes, reactions and read state. */
export class MessagesApi {
  constructor(private readonly client: ClientContext) {}

  /**
   * Sends a message. It is queued at once (see `pending()`), sent when connected, re-sent after reconnects with
   * the same clientId (never duplicated), and the promise resolves with the stored message on acknowledgement.
   * @example const m = await client.messages.send(id, 'hello @ana', { entities: [{ type: 'mention', offset: 6, length: 4, userId }] });
   * @throws HearthError for a permanent refusal (CONVERSATION_NOT_FOUND, MESSAGE_TOO_LARGE, VALIDATION_FAILED …)
   */
  send(conversationId: string, text: string | Content, options: { replyToId?: string; entities?: Entity[]; clientId?: string } = {}): Promise<Message> {
    return this.client.enqueue(this.outgoing(conversationId, options.clientId, toContent(text, options.entities), null, options.replyToId ?? null));
  }

  /** Forwards a copy of a message into another conversation, through the outbox like `send`. */
  forward(toConversationId: string, from: { conversationId: string; messageId: string }, options: { clientId?: string } = {}): Promise<Message> {
    return this.client.enqueue(this.outgoing(toConversationId, options.clientId, null, from, null));
  }

  /** Unacknowledged messages (pending, sending, failed), oldest first. */
  pending(conversationId?: string): OutgoingMessage[] {
    return this.client.outbox.list(conversationId);
  }

  /** Sends a failed message again with its original clientId. */
  retry(clientId: string): Promise<Message> {
    return this.client.requeue(clientId);
  }

  /** Gives up on an unacknowledged message (it may still arrive if it was already on the wire). */
  discard(clientId: string): void {
    this.client.outbox.remove(clientId);
    this.client.changed();
  }

  /** Replaces a message's text (author, or moderators in groups and channels). */
  edit(conversationId: string, messageId: string, text: string | Content, entities?: Entity[]): Promise<Message> {
    const content = toContent(text, entities);
    return this.client.viaSocketOr({ type: 'message.edit', conversationId, messageId, content }, () =>
      this.client.http.call('editMessage', { params: { conversationId, messageId }, body: { content } }),
    );
  }

  /** Deletes a message for everyone, leaving a tombstone. */
  delete(conversationId: string, messageId: string): Promise<Message> {
    return this.client.viaSocketOr({ type: 'message.delete', conversationId, messageId }, () =>
      this.client.http.call('deleteMessage', { params: { conversationId, messageId } }),
    );
  }

  /** Adds the caller's reaction (idempotent). */
  async react(conversationId: string, messageId: string, emoji: string): Promise<void> {
    await this.client.viaSocketOr({ type: 'reaction.add', conversationId, messageId, emoji }, () =>
      this.client.http.call('addReaction', { params: { conversationId, messageId, emoji } }),
    );
  }

  /** Removes the caller's reaction (idempotent). */
  async unreact(conversationId: string, messageId: string, emoji: string): Promise<void> {
    await this.client.viaSocketOr({ type: 'reaction.remove', conversationId, messageId, emoji }, () =>
      this.client.http.call('removeReaction', { params: { conversationId, messageId, emoji } }),
    );
  }

  /** Adds the reaction if the caller has not reacted with it (in the local copy), else removes it. */
  toggleReaction(message: Message, emoji: string): Promise<void> {
    const mine = message.reactions.some((g) => g.emoji === emoji && g.userIds.includes(this.client.state.me?.id ?? ''));
    return mine ? this.unreact(message.conversationId, message.id, emoji) : this.react(message.conversationId, message.id, emoji);
  }

  /** The loaded messages of a conversation (ascending), if any were loaded. */
  window(conversationId: string): MessageWindow | undefined {
    return this.client.state.windows.get(conversationId);
  }

  /** Loads the newest page, replacing what was held; live messages are appended to it from then on. */
  async loadLatest(conversationId: string, limit = 50): Promise<MessageWindow> {
    const page = await this.page(conversationId, { limit });
    const window = this.client.state.mergeHistory(conversationId, page.messages, page.hasMore, true);
    this.client.changed();
    return window;
  }

  /** Loads the page before the oldest message held. Returns the window (unchanged when there is nothing older). */
  async loadOlder(conversationId: string, limit = 50): Promise<MessageWindow> {
    const held = this.window(conversationId);
    if (!held) return this.loadLatest(conversationId, limit);
    const first = held.messages[0];
    if (!held.hasOlder || !first) return held;
    const page = await this.page(conversationId, { before: first.seq, limit });
    const window = this.client.state.mergeHistory(conversationId, page.messages, page.hasMore, false);
    this.client.changed();
    return window;
  }

  /**
   * Adds history fetched with `page()` to the start of the window when it reaches the window (see
   * `ClientState.joinHistory`): a UI that jumped far back with `page()` calls this once its pages meet the
   * window, then follows the window again. Returns the window, or undefined when the pages do not reach it.
   */
  joinHistory(conversationId: string, messages: readonly Message[], hasOlder: boolean): MessageWindow | undefined {
    const window = this.client.state.joinHistory(conversationId, messages, hasOlder);
    if (window) this.client.changed();
    return window;
  }

  /** One page of history straight from the server, without touching the local window. */
  page(conversationId: string, query: { before?: number; after?: number; limit?: number }): Promise<HistoryPage> {
    return this.client.http.call('history', { params: { conversationId }, query });
  }

  /** One message from the server. @throws HearthError MESSAGE_NOT_FOUND */
  get(conversationId: string, messageId: string): Promise<Message> {
    return this.client.http.call('getMessage', { params: { conversationId, messageId } });
  }

  /** Marks the conversation read up to `seq` (default: its latest message) on every device of the user. */
  markRead(conversationId: string, seq?: number): void {
    const c = this.client.state.conversations.get(conversationId);
    if (!c) throw new HearthError('CONVERSATION_NOT_FOUND', 'No such conversation held locally.');
    this.client.markRead(conversationId, seq ?? c.lastMessage?.seq ?? c.pts);
  }

  /**
   * The sender's view of one of their messages: `read` once every other member who shares read receipts has
   * read it, `delivered` once it reached a device of every other member, else `sent`. Pending and failed
   * messages are in `pending()`.
   */
  status(message: Message | OutgoingMessage): MessageStatus {
    if (!('seq' in message)) return message.state === 'failed' ? 'failed' : 'pending';
    const members = this.client.state.members.get(message.conversationId);
    const others = [...(members?.values() ?? [])].filter((m) => m.userId !== message.senderId);
    if (others.length === 0) return 'sent';
    const readable = others.filter((m) => m.readSeq !== null);
    if (readable.length === others.length && readable.every((m) => (m.readSeq ?? 0) >= message.seq)) return 'read';
    return others.every((m) => m.deliveredSeq >= message.seq || (m.readSeq ?? 0) >= message.seq) ? 'delivered' : 'sent';
  }

  /** The members (other than the author) known to have read the message: "Seen by" in groups. */
  seenBy(message: Message): string[] {
    const members = this.client.state.members.get(message.conversationId);
    return [...(members?.values() ?? [])].filter((m) => m.userId !== message.senderId && (m.readSeq ?? 0) >= message.seq).map((m) => m.userId);
  }

  private outgoing(
    conversationId: string,
    clientId: string | undefined,
    content: Content | null,
    forwardFrom: OutgoingMessage['forwardFrom'],
    replyToId: string | null,
  ): OutgoingMessage {
    return { clientId: clientId ?? newClientId(), conversationId, content, forwardFrom, replyToId, queuedAt: Date.now(), state: 'pending', attempts: 0, error: null };
  }
}
