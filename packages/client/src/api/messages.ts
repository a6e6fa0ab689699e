import { Attachment, Message, type Entity, type ForwardResult, type ForwardTarget, type HistoryPage, type WrittenContent, toUserContent } from '@hearth/protocol';
import { HearthError } from '../errors.js';
import type { OutgoingMessage } from '../outbox.js';
import type { OutboxSender } from '../outbox-sender.js';
import type { ReceiptsCoordinator } from '../receipts.js';
import type { MessageWindow } from '../state.js';
import type { ClientContext } from './context.js';

/**
 * What the sender sees of their own message; see `MessagesApi.status`.
 * @example const ticks = client.messages.status(message) === 'read' ? '✓✓' : '✓';
 */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

function newClientId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A media message as an app sends it: the caption (optional) and the files, as `client.files.upload` resolved them
 * (`UploadedFile`) or as another message carries them (`Attachment`).
 * @example const draft: MediaDraft = { type: 'media', text: 'the venue', attachments: [uploaded] };
 */
export interface MediaDraft {
  type: 'media';
  text?: string;
  entities?: Entity[];
  attachments: Attachment[];
}

const ATTACHMENT_FIELDS = Object.keys(Attachment.shape) as Array<keyof Attachment>;

/** An UploadedFile's Attachment part: the outbox and the pending message keep what a message carries, no more. */
function attachmentOf(file: Attachment): Attachment {
  return Object.fromEntries(ATTACHMENT_FIELDS.map((k) => [k, file[k]])) as Attachment;
}

function toContent(input: string | WrittenContent | MediaDraft, entities: Entity[] = []): WrittenContent {
  if (typeof input === 'string') return { type: 'text', text: input, entities };
  if (input.type === 'text') return input;
  return { type: 'media', text: input.text ?? '', entities: input.entities ?? entities, attachments: input.attachments.map(attachmentOf) };
}

/**
 * Messages: sending through the outbox, history, edits, deletes, reactions and read state, as `client.messages`.
 * Besides the codes listed on each method, calls that reach the server reject with UNAUTHENTICATED,
 * VALIDATION_FAILED for an id that is not a UUID, and the transport's HearthErrors (see `HttpTransport.call`).
 * Edits, deletes and reactions go over the socket when it is online (TIMEOUT after 15 s without an answer) and
 * over REST otherwise, also when the socket drops mid-request.
 * @example await client.messages.send(conversationId, 'hello');
 */
export class MessagesApi {
  /**
   * Made by `HearthClient`; use `client.messages`. Never throws.
   * @example const messages = new MessagesApi(client, sender, receipts);
   */
  constructor(
    private readonly client: ClientContext,
    private readonly sender: OutboxSender,
    private readonly receipts: ReceiptsCoordinator,
  ) {}

  /**
   * Sends a message. It is queued at once (see `pending()`), sent when connected, re-sent after reconnects with
   * the same clientId (never duplicated), and the promise resolves with the stored message on acknowledgement.
   * A media message (`{ type: 'media', text, attachments }`, files uploaded with `client.files.upload`) is held in
   * the outbox with its attachments, so the pending message can show its files at once.
   * Transient failures (DISCONNECTED, TIMEOUT, RATE_LIMITED, SERVER_SHUTTING_DOWN, INTERNAL_ERROR) are retried, not
   * reported: offline, the promise simply waits. If the message is discarded, it rejects with CANCELLED.
   * @example
   * const m = await client.messages.send(id, 'hello @ana', {
   *   entities: [{ type: 'mention', offset: 6, length: 4, userId }],
   * });
   * await client.messages.send(id, { type: 'media', text: 'the venue', attachments: [await client.files.upload(id, file)] });
   * @throws HearthError for a permanent refusal (CONVERSATION_NOT_FOUND, MESSAGE_TOO_LARGE, VALIDATION_FAILED …):
   * also MESSAGE_NOT_FOUND (`replyToId` not in this conversation), FRAME_TOO_LARGE, and PROTOCOL_ERROR for an
   * answer that is not a message; CANCELLED when it is discarded. Never throws synchronously.
   */
  send(conversationId: string, text: string | WrittenContent | MediaDraft, options: { replyToId?: string; entities?: Entity[]; clientId?: string } = {}): Promise<Message> {
    return this.sender.enqueue(this.outgoing(conversationId, options.clientId, toContent(text, options.entities), null, options.replyToId ?? null));
  }

  /**
   * Sends a message to a person: opens the direct conversation with them (REST, so it needs the server), then sends
   * like `send`. A "new message to Ben" screen calls this for its first message: until then nothing exists for Ben,
   * and the conversation is in nobody's list.
   * @example const first = await client.messages.sendToUser(ben.id, 'hi Ben');
   * @throws HearthError USER_NOT_FOUND, OPERATION_NOT_ALLOWED (yourself), and the transport's errors (opening needs
   * the server: offline, it rejects with NETWORK_ERROR and nothing is queued); then as `send`
   */
  async sendToUser(userId: string, text: string | WrittenContent | MediaDraft, options: { entities?: Entity[]; clientId?: string } = {}): Promise<Message> {
    const conversation = await this.client.http.call('createConversation', { body: { kind: 'direct', userId } });
    this.client.adoptConversation(conversation);
    return this.send(conversation.id, text, options);
  }

  /**
   * Forwards a copy of a message into another conversation, through the outbox like `send`. The copy keeps the
   * text without its mentions, and credits the original author.
   * @example await client.messages.forward(otherConversationId, { conversationId, messageId: message.id });
   * @throws HearthError (as a rejection, once it fails for good) CONVERSATION_NOT_FOUND (either conversation),
   * MESSAGE_NOT_FOUND, MESSAGE_DELETED; retries transient failures like `send`
   */
  forward(toConversationId: string, from: { conversationId: string; messageId: string }, options: { clientId?: string } = {}): Promise<Message> {
    return this.sender.enqueue(this.outgoing(toConversationId, options.clientId, null, from, null));
  }

  /**
   * Forwards a message to up to 10 targets at once: conversations (`{ type: 'conversation', conversationId }`) and
   * people (`{ type: 'user', userId }`, whose direct conversation is opened for it), each with an optional comment
   * sent just before the copy. One request (it needs the server: offline it rejects, and nothing is queued); each
   * target succeeds or fails whole, and the answer says which, in the order of `targets`. It costs one `send` token
   * per target. Retrying with the same `clientId` and `commentClientId` stores nothing twice. The copies arrive in the
   * local state through the usual events.
   * @example
   * const results = await client.messages.forwardMany({ conversationId, messageId: message.id },
   *   [{ type: 'user', userId: ben.id }, { type: 'conversation', conversationId: team.id }], { comment: 'look at this' });
   * const failed = results.filter((r) => r.error !== null);
   * @throws HearthError for the whole request: CONVERSATION_NOT_FOUND or MESSAGE_NOT_FOUND (the original cannot be
   * read), MESSAGE_DELETED, OPERATION_NOT_ALLOWED (a system line), MESSAGE_TOO_LARGE (the comment),
   * VALIDATION_FAILED (no target, more than 10, a blank comment), RATE_LIMITED, and the transport's errors. A target's
   * own failure (CONVERSATION_NOT_FOUND, USER_NOT_FOUND, OPERATION_NOT_ALLOWED for yourself) is in its result instead.
   */
  async forwardMany(
    from: { conversationId: string; messageId: string },
    targets: ForwardTarget[],
    options: { comment?: string; commentEntities?: Entity[]; clientId?: string; commentClientId?: string } = {},
  ): Promise<ForwardResult[]> {
    const clientId = options.clientId ?? newClientId();
    const comment = options.comment === undefined ? undefined : { clientId: options.commentClientId ?? newClientId(), content: { type: 'text' as const, text: options.comment, entities: options.commentEntities ?? [] } };
    const body = { clientId, from, targets, ...(comment ? { comment } : {}) };
    return (await this.client.http.call('forwardMany', { body })).results;
  }

  /**
   * Unacknowledged messages (pending, sending, failed), oldest first, of one conversation or all. Never throws.
   * @example const failed = client.messages.pending(conversationId).filter((m) => m.state === 'failed');
   */
  pending(conversationId?: string): OutgoingMessage[] {
    return this.client.outbox.list(conversationId);
  }

  /**
   * Sends a failed message again with its original clientId; the new promise settles like `send`'s.
   * @example await client.messages.retry(item.clientId);
   * @throws HearthError MESSAGE_NOT_FOUND (made by the SDK) when no outgoing message has that clientId; then as
   * `send`
   */
  retry(clientId: string): Promise<Message> {
    return this.sender.requeue(clientId);
  }

  /**
   * Gives up on an unacknowledged message (it may still arrive if it was already on the wire). The promise `send`
   * returned for it rejects with CANCELLED. Never throws.
   * @example client.messages.discard(item.clientId);
   */
  discard(clientId: string): void {
    this.client.outbox.remove(clientId);
    this.client.changed();
  }

  /**
   * Replaces a message's text (author, or moderators in groups and channels). Resolves with the edited message; the
   * local copy changes when the `message.edited` event arrives.
   * @example await client.messages.edit(conversationId, message.id, 'lunch at one?');
   * @throws HearthError PERMISSION_DENIED, MESSAGE_NOT_FOUND, MESSAGE_DELETED, OPERATION_NOT_ALLOWED (a forwarded
   * copy), MESSAGE_TOO_LARGE, VALIDATION_FAILED (blank text), RATE_LIMITED, CONVERSATION_NOT_FOUND, TIMEOUT
   */
  edit(conversationId: string, messageId: string, text: string | WrittenContent | MediaDraft, entities?: Entity[]): Promise<Message> {
    const content = toContent(text, entities);
    return this.client.viaSocketOr(
      { type: 'message.edit', conversationId, messageId, content: toUserContent(content) },
      () => this.client.http.call('editMessage', { params: { conversationId, messageId }, body: { content: toUserContent(content) } }),
      Message,
    );
  }

  /**
   * Deletes a message for everyone (author, or moderators in groups and channels), leaving a tombstone; resolves
   * with it, also when the message was already deleted.
   * @example await client.messages.delete(conversationId, message.id);
   * @throws HearthError PERMISSION_DENIED, MESSAGE_NOT_FOUND, CONVERSATION_NOT_FOUND, RATE_LIMITED, TIMEOUT
   */
  delete(conversationId: string, messageId: string): Promise<Message> {
    return this.client.viaSocketOr(
      { type: 'message.delete', conversationId, messageId },
      () => this.client.http.call('deleteMessage', { params: { conversationId, messageId } }),
      Message,
    );
  }

  /**
   * Removes the link preview of a message (its author, or a moderator in groups and channels): every member's copy
   * loses it when the `message.previewed` event arrives, and the link is not previewed again unless an edit changes
   * it. Resolves with the message as stored.
   * @example await client.messages.removeLinkPreview(conversationId, message.id);
   * @throws HearthError PERMISSION_DENIED, MESSAGE_DELETED, MESSAGE_NOT_FOUND, CONVERSATION_NOT_FOUND, RATE_LIMITED
   */
  removeLinkPreview(conversationId: string, messageId: string): Promise<Message> {
    return this.client.http.call('removeLinkPreview', { params: { conversationId, messageId } });
  }

  /**
   * Adds the caller's reaction (idempotent). A message takes at most 50 distinct emoji and 20 per person.
   * @example await client.messages.react(conversationId, message.id, '🎉');
   * @throws HearthError MESSAGE_DELETED, MESSAGE_NOT_FOUND, OPERATION_NOT_ALLOWED (too many reactions),
   * VALIDATION_FAILED (not a single emoji), CONVERSATION_NOT_FOUND, RATE_LIMITED, TIMEOUT
   */
  async react(conversationId: string, messageId: string, emoji: string): Promise<void> {
    await this.client.viaSocketOr({ type: 'reaction.add', conversationId, messageId, emoji }, () =>
      this.client.http.call('addReaction', { params: { conversationId, messageId, emoji } }),
    );
  }

  /**
   * Removes the caller's reaction (idempotent).
   * @example await client.messages.unreact(conversationId, message.id, '🎉');
   * @throws HearthError MESSAGE_NOT_FOUND, VALIDATION_FAILED (not a single emoji), CONVERSATION_NOT_FOUND,
   * RATE_LIMITED, TIMEOUT
   */
  async unreact(conversationId: string, messageId: string, emoji: string): Promise<void> {
    await this.client.viaSocketOr({ type: 'reaction.remove', conversationId, messageId, emoji }, () =>
      this.client.http.call('removeReaction', { params: { conversationId, messageId, emoji } }),
    );
  }

  /**
   * Adds the reaction if the caller has not reacted with it (in the local copy), else removes it.
   * @example await client.messages.toggleReaction(message, '👍');
   * @throws HearthError as `react` or `unreact`
   */
  toggleReaction(message: Message, emoji: string): Promise<void> {
    const mine = message.reactions.some((g) => g.emoji === emoji && g.userIds.includes(this.client.state.me?.id ?? ''));
    return mine ? this.unreact(message.conversationId, message.id, emoji) : this.react(message.conversationId, message.id, emoji);
  }

  /**
   * The loaded messages of a conversation (ascending), if any were loaded; the live object, patched by events.
   * Never throws.
   * @example const shown = client.messages.window(conversationId)?.messages ?? [];
   */
  window(conversationId: string): MessageWindow | undefined {
    return this.client.state.windows.get(conversationId);
  }

  /**
   * Loads the newest page, replacing what was held; live messages are appended to it from then on. `limit` is 1 to
   * 100, capped by the server's `maxPageSize`.
   * @example const { messages, hasOlder } = await client.messages.loadLatest(conversationId);
   * @throws HearthError CONVERSATION_NOT_FOUND, RATE_LIMITED, VALIDATION_FAILED (`limit` out of range)
   */
  async loadLatest(conversationId: string, limit = 50): Promise<MessageWindow> {
    const page = await this.page(conversationId, { limit });
    let window = this.client.state.mergeHistory(conversationId, page.messages, page.hasMore, true);
    // Messages that arrived live before the window existed were not kept anywhere: fetch whatever follows the
    // page until the window reaches the conversation's latest message (a few rounds at most).
    for (let round = 0; round < 5; round++) {
      const last = window.messages.at(-1)?.seq ?? 0;
      if ((this.client.state.conversations.get(conversationId)?.lastMessage?.seq ?? 0) <= last) break;
      const next = await this.page(conversationId, { after: last, limit: 100 });
      if (next.messages.length === 0) break;
      window = this.client.state.mergeHistory(conversationId, next.messages, window.hasOlder, false);
    }
    this.client.changed();
    return window;
  }

  /**
   * Loads the page before the oldest message held (the newest page when nothing is held). Returns the window
   * (unchanged, without a request, when there is nothing older).
   * @example if (atTop) await client.messages.loadOlder(conversationId);
   * @throws HearthError CONVERSATION_NOT_FOUND, RATE_LIMITED, VALIDATION_FAILED (`limit` out of range)
   */
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
   * Never throws.
   * @example const window = client.messages.joinHistory(conversationId, pages.flatMap((p) => p.messages), hasOlder);
   */
  joinHistory(conversationId: string, messages: readonly Message[], hasOlder: boolean): MessageWindow | undefined {
    const window = this.client.state.joinHistory(conversationId, messages, hasOlder);
    if (window) this.client.changed();
    return window;
  }

  /**
   * One page of history straight from the server, without touching the local window (see `HistoryQuery` for
   * `before` and `after`). It also reads a public channel the caller has not joined (after `conversations.preview`).
   * @example const around = await client.messages.page(conversationId, { after: quotedSeq - 1, limit: 20 });
   * @throws HearthError CONVERSATION_NOT_FOUND, RATE_LIMITED, VALIDATION_FAILED (`limit` out of range)
   */
  page(conversationId: string, query: { before?: number; after?: number; limit?: number }): Promise<HistoryPage> {
    return this.client.http.call('history', { params: { conversationId }, query });
  }

  /**
   * One message from the server, current (a tombstone if deleted).
   * @example const original = await client.messages.get(conversationId, message.replyTo!.messageId);
   * @throws HearthError MESSAGE_NOT_FOUND, CONVERSATION_NOT_FOUND
   */
  get(conversationId: string, messageId: string): Promise<Message> {
    return this.client.http.call('getMessage', { params: { conversationId, messageId } });
  }

  /**
   * Marks the conversation read up to `seq` (default: its latest message) on every device of the user. A `seq` at
   * or below the current read pointer does nothing. The local copy moves at once; the receipt is sent at once when
   * connected, else after the catch-up that follows the next connect. A server refusal arrives as an `error`
   * event, not as an exception.
   * @example client.messages.markRead(conversationId);
   * @throws HearthError CONVERSATION_NOT_FOUND (made by the SDK, synchronously) when the conversation is not held
   */
  markRead(conversationId: string, seq?: number): void {
    const c = this.client.state.conversations.get(conversationId);
    if (!c) throw new HearthError('CONVERSATION_NOT_FOUND', 'No such conversation held locally.');
    this.receipts.markRead(conversationId, seq ?? c.lastMessage?.seq ?? c.pts);
  }

  /**
   * The sender's view of one of their messages: `read` once every other member has read it (so never while one of
   * them does not share read receipts), `delivered` once it reached a device of every other member, else `sent`.
   * It needs the member list (`members()`); without it the answer is `sent`. Unacknowledged messages are `pending`
   * or `failed`. Never throws.
   * @example const status = client.messages.status(message);
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

  /**
   * The members (other than the author) known to have read the message: "Seen by" in groups. Empty when the member
   * list is not held. Never throws.
   * @example const names = client.messages.seenBy(message).map((id) => client.users.cached(id)?.displayName);
   */
  seenBy(message: Message): string[] {
    const members = this.client.state.members.get(message.conversationId);
    return [...(members?.values() ?? [])].filter((m) => m.userId !== message.senderId && (m.readSeq ?? 0) >= message.seq).map((m) => m.userId);
  }

  private outgoing(
    conversationId: string,
    clientId: string | undefined,
    content: WrittenContent | null,
    forwardFrom: OutgoingMessage['forwardFrom'],
    replyToId: string | null,
  ): OutgoingMessage {
    return { clientId: clientId ?? newClientId(), conversationId, content, forwardFrom, replyToId, queuedAt: Date.now(), state: 'pending', attempts: 0, error: null };
  }
}
