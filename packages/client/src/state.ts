import {
  replyExcerpt,
  type Content,
  type Conversation,
  type ConversationEvent,
  type Me,
  type Member,
  type Message,
  type Presence,
  type Receipt,
  type ServerEvent,
  type SyncConversation,
  type User,
} from '@hearth/protocol';

/**
 * The loaded part of a conversation's history: always reaches the latest message, paged back on demand. Live
 * events patch it in place (new messages appended, edits, deletes and reactions applied).
 * @example const window: MessageWindow = await client.messages.loadLatest(conversationId);
 */
export interface MessageWindow {
  /** Ascending by seq. */
  messages: Message[];
  /** Older messages exist on the server beyond the first one held. */
  hasOlder: boolean;
}

/**
 * What applying a conversation event did. `applied`: it was the next position. `duplicate`: already seen, nothing
 * changed. `gap`: positions are missing before it, nothing changed (sync first). `unknown-conversation`: the
 * conversation is not held, nothing changed.
 * @example if (state.applyConversationEvent(event) === 'gap') await client.sync();
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'gap' | 'unknown-conversation';

/**
 * The client's local copy of the server state it has seen: conversations with their positions, members,
 * loaded message windows, people, presence and typing. Applying events here is pure bookkeeping; the client
 * decides when to fetch and what to announce. Everything is mutable and shared with the UI by reference: read it,
 * and change it only through the client's methods.
 * @example const unread = [...client.state.conversations.values()].reduce((n, c) => n + c.me.unreadCount, 0);
 */
export class ClientState {
  /** The signed-in user as last seen (from sign-in, `ready` or `me.updated`); undefined before sign-in. */
  me: Me | undefined;
  /**
   * The conversations the user is a member of, by id, each at its applied position (`pts`); and those they were
   * removed from, read-only (`me.removal` set), until they dismiss them.
   */
  readonly conversations = new Map<string, Conversation>();
  /** Members by conversation, for conversations whose member list is known. */
  readonly members = new Map<string, Map<string, Member>>();
  /** Loaded message windows by conversation; a conversation with no window has no messages loaded. */
  readonly windows = new Map<string, MessageWindow>();
  /** Profiles seen so far, by user id (a cache: not every user of the server). */
  readonly users = new Map<string, User>();
  /** Presence of the people who share a conversation with the user, by user id. */
  readonly presence = new Map<string, Presence>();
  /** By conversation: who is typing, until when (local clock). */
  readonly typing = new Map<string, Map<string, number>>();
  /** The `cursor` of the last sync, passed back with the next (undefined before the first). */
  cursor: string | undefined;

  /**
   * Applies one event of a conversation's stream, in order: duplicates are ignored, gaps reported. An applied
   * `message.created` from someone else also counts as unread (and as a mention when it mentions the user), unless
   * it is a system line.
   * Never throws.
   * @example const outcome = state.applyConversationEvent(event); // 'applied' | 'duplicate' | 'gap' | …
   */
  applyConversationEvent(event: ConversationEvent): ApplyOutcome {
    const conversation = this.conversations.get(event.conversationId);
    if (!conversation) return 'unknown-conversation';
    if (event.pts <= conversation.pts) return 'duplicate';
    if (event.pts > conversation.pts + 1) return 'gap';
    conversation.pts = event.pts;
    const window = this.windows.get(event.conversationId);
    switch (event.type) {
      case 'message.created': {
        const m = event.message;
        if (window && !window.messages.some((x) => x.id === m.id)) window.messages.push(m);
        conversation.lastMessage = m;
        this.typing.get(conversation.id)?.delete(m.senderId);
        // System lines (joins, renames) are history, not news: like the server, they are never counted as unread.
        if (m.senderId !== this.me?.id && m.seq > conversation.me.readSeq && m.content?.type !== 'system') {
          conversation.me.unreadCount++;
          if (this.mentionsMe(m)) conversation.me.unreadMentionCount++;
        }
        break;
      }
      case 'message.edited':
        this.patchMessage(conversation, event.messageId, (m) => ({ ...m, content: event.content, editedAt: event.editedAt }));
        this.requoteReplies(conversation, event.messageId, event.content);
        break;
      case 'message.deleted': {
        const held = window?.messages.find((m) => m.id === event.messageId) ?? (conversation.lastMessage?.id === event.messageId ? conversation.lastMessage : undefined);
        if (event.senderId !== this.me?.id && event.seq > conversation.me.readSeq) {
          conversation.me.unreadCount = Math.max(0, conversation.me.unreadCount - 1);
          if (held && this.mentionsMe(held)) conversation.me.unreadMentionCount = Math.max(0, conversation.me.unreadMentionCount - 1);
        }
        this.patchMessage(conversation, event.messageId, (m) => ({ ...m, content: null, deletedAt: event.deletedAt, reactions: [], linkPreview: null }));
        this.requoteReplies(conversation, event.messageId, null);
        break;
      }
      case 'message.previewed':
        this.patchMessage(conversation, event.messageId, (m) => ({ ...m, linkPreview: event.linkPreview }));
        break;
      case 'reaction.added':
      case 'reaction.removed':
        this.patchMessage(conversation, event.messageId, (m) => ({
          ...m,
          reactions: toggleReaction(m.reactions, event.emoji, event.userId, event.type === 'reaction.added'),
        }));
        break;
      case 'conversation.updated':
        conversation.title = event.title;
        conversation.topic = event.topic;
        break;
      case 'member.joined':
        if (!this.members.get(conversation.id)?.has(event.member.userId)) conversation.memberCount++;
        this.members.get(conversation.id)?.set(event.member.userId, event.member);
        break;
      case 'member.left':
        if (this.members.get(conversation.id)?.delete(event.userId) ?? true) conversation.memberCount = Math.max(0, conversation.memberCount - 1);
        break;
      case 'member.updated': {
        const member = this.members.get(conversation.id)?.get(event.userId);
        if (member) member.role = event.role;
        if (event.userId === this.me?.id) conversation.me.role = event.role;
        break;
      }
    }
    return 'applied';
  }

  /**
   * Applies an event that is not part of a conversation stream. Returns false when it changed nothing (an older
   * or repeated event, an unknown conversation); true for `session.revoked`, which changes no state but is news to
   * listeners. `now` is the local clock in epoch ms, used to time typing indicators. Never throws.
   * @example if (state.applyOtherEvent(event, Date.now())) render();
   */
  applyOtherEvent(event: Exclude<ServerEvent, ConversationEvent>, now: number): boolean {
    switch (event.type) {
      case 'conversation.joined': {
        const id = event.conversation.id;
        // Back after a removal: the read-only copy stops at the removal, so its messages and members cannot be
        // continued from here; they are fetched again (a UI reloads a conversation without a window).
        if (this.conversations.get(id)?.me.removal) {
          this.windows.delete(id);
          this.members.delete(id);
        }
        const held = this.conversations.get(event.conversation.id);
        const knowsMembers = this.members.has(event.conversation.id);
        if (event.members && !knowsMembers) this.setMembers(event.conversation.id, event.members);
        if (held && held.pts >= event.conversation.pts) return Boolean(event.members && !knowsMembers);
        this.conversations.set(event.conversation.id, event.conversation);
        return true;
      }
      case 'conversation.left':
        if (!event.conversation) return this.removeConversation(event.conversationId);
        // Removed: the conversation stays, read-only, as it was at the removal; what was loaded of it stays too.
        this.conversations.set(event.conversationId, { ...event.conversation });
        this.typing.delete(event.conversationId);
        return true;
      case 'unread.updated': {
        const c = this.conversations.get(event.conversationId);
        if (!c || event.readSeq < c.me.readSeq) return false;
        c.me.readSeq = event.readSeq;
        c.me.deliveredSeq = Math.max(c.me.deliveredSeq, event.readSeq);
        c.me.unreadCount = event.unreadCount;
        c.me.unreadMentionCount = event.unreadMentionCount;
        return true;
      }
      case 'conversation.settings': {
        const c = this.conversations.get(event.conversationId);
        if (!c) return false;
        c.me.muted = event.muted;
        return true;
      }
      case 'receipt.updated':
        return this.applyReceipt(event);
      case 'typing': {
        let typers = this.typing.get(event.conversationId);
        if (!typers) this.typing.set(event.conversationId, (typers = new Map<string, number>()));
        if (event.active) typers.set(event.userId, now + event.expiresInMs);
        else return typers.delete(event.userId);
        return true;
      }
      case 'presence':
        this.presence.set(event.userId, { userId: event.userId, state: event.state, lastSeenAt: event.lastSeenAt });
        // Someone who sends a message stops typing; someone who goes offline does too.
        if (event.state === 'offline') for (const typers of this.typing.values()) typers.delete(event.userId);
        return true;
      case 'user.updated':
        this.users.set(event.user.id, event.user);
        return true;
      case 'me.updated':
        this.me = event.me;
        return true;
      case 'session.revoked':
        // Changes no state, but listeners (a devices screen) want to hear of it.
        return true;
      case 'events.missed':
        // The sync engine catches up; listeners may want to know why.
        return true;
    }
  }

  /**
   * Moves a member's pointers forward (never back); a null `readSeq` (receipts not shared) hides the member's read
   * pointer. A receipt of the user's own also moves their `conversation.me` pointers. Returns false when it could
   * not be applied: the conversation, or the member list entry of someone else, is not held. Never throws.
   * @example state.applyReceipt({ conversationId, userId, deliveredSeq: 42, readSeq: 40 });
   */
  applyReceipt(receipt: Receipt): boolean {
    const c = this.conversations.get(receipt.conversationId);
    if (!c) return false;
    if (receipt.userId === this.me?.id) {
      c.me.deliveredSeq = Math.max(c.me.deliveredSeq, receipt.deliveredSeq);
      if (receipt.readSeq !== null) c.me.readSeq = Math.max(c.me.readSeq, receipt.readSeq);
    }
    const member = this.members.get(receipt.conversationId)?.get(receipt.userId);
    if (!member) return receipt.userId === this.me?.id;
    member.deliveredSeq = Math.max(member.deliveredSeq, receipt.deliveredSeq);
    member.readSeq = receipt.readSeq === null ? null : Math.max(member.readSeq ?? 0, receipt.readSeq);
    return true;
  }

  /**
   * Applies one conversation of a sync answer. Replayed events go through the normal path first; then the
   * snapshot, which is current, overwrites the summary fields. Returns whether cached messages were dropped, and
   * the events that were applied (in order). A conversation that was not held, or is to be refetched, loses its
   * message window. Never throws.
   * @example const { refetched, applied } = state.applySync(entry);
   */
  applySync(entry: SyncConversation): { refetched: boolean; applied: ConversationEvent[] } {
    const id = entry.conversation.id;
    const applied: ConversationEvent[] = [];
    if (!entry.refetch && this.conversations.has(id)) {
      for (const event of entry.events) if (this.applyConversationEvent(event) === 'applied') applied.push(event);
    } else {
      this.windows.delete(id);
    }
    this.conversations.set(id, { ...entry.conversation });
    if (entry.members) this.setMembers(id, entry.members);
    return { refetched: entry.refetch, applied };
  }

  /**
   * Forgets a conversation with its members, messages and typers. Returns whether it was held. Never throws.
   * @example state.removeConversation(conversationId);
   */
  removeConversation(id: string): boolean {
    const had = this.conversations.delete(id);
    this.members.delete(id);
    this.windows.delete(id);
    this.typing.delete(id);
    return had;
  }

  /**
   * Replaces the member list of a conversation with copies of `members`. Never throws.
   * @example state.setMembers(conversationId, event.members ?? []);
   */
  setMembers(conversationId: string, members: readonly Member[]): void {
    this.members.set(conversationId, new Map(members.map((m) => [m.userId, { ...m }])));
  }

  /**
   * Adds messages fetched from history to the window, keeping it ascending and free of duplicates; a fetched copy
   * replaces a held one. With `replace`, the window is rebuilt from `messages` alone. `hasOlder` is taken from the
   * page that reaches furthest back. Returns the new window. Never throws.
   * @example const window = state.mergeHistory(conversationId, page.messages, page.hasMore, false);
   */
  mergeHistory(conversationId: string, messages: readonly Message[], hasOlder: boolean, replace: boolean): MessageWindow {
    const previous = this.windows.get(conversationId);
    const held = replace ? undefined : previous;
    // Replacing still keeps messages newer than the page: they arrived live while the page was on its way.
    const newest = messages.at(-1)?.seq ?? -1;
    const kept = replace ? (previous?.messages.filter((m) => m.seq > newest) ?? []) : (held?.messages ?? []);
    const byId = new Map(kept.map((m) => [m.id, m]));
    for (const m of messages) byId.set(m.id, m);
    const merged = [...byId.values()].sort((a, b) => a.seq - b.seq);
    const firstHeld = held?.messages[0]?.seq;
    const window = {
      messages: merged,
      // Whether older ones exist is known from the page that reached furthest back.
      hasOlder: held && firstHeld !== undefined && (messages[0]?.seq ?? Infinity) > firstHeld ? held.hasOlder : hasOlder,
    };
    this.windows.set(conversationId, window);
    return window;
  }

  /**
   * Joins history fetched with `page()` (for example around a reply's original, far back) onto the start of the
   * window, so the window stays one contiguous run that reaches the latest message. The messages must be
   * ascending and contiguous among themselves (consecutive pages) and must reach the window: at least one of them
   * at or after the window's first message. Returns the new window, or undefined (nothing changed) when they do
   * not reach it or no window is held. Never throws.
   * @example const joined = state.joinHistory(conversationId, olderPages.flatMap((p) => p.messages), hasOlder);
   */
  joinHistory(conversationId: string, messages: readonly Message[], hasOlder: boolean): MessageWindow | undefined {
    const held = this.windows.get(conversationId);
    const first = held?.messages[0];
    if (!held || !first || messages.length === 0) return undefined;
    if (!messages.some((m) => m.seq >= first.seq)) return undefined;
    // What the window holds is kept (it is patched by live events); only older messages are added.
    const older = messages.filter((m) => m.seq < first.seq);
    if (older.length === 0) return held;
    return this.mergeHistory(conversationId, older, hasOlder, false);
  }

  /**
   * Users typing in a conversation now (`now`: local epoch ms), pruning expired ones. Never throws.
   * @example const typers = state.typers(conversationId, Date.now());
   */
  typers(conversationId: string, now: number): string[] {
    const typers = this.typing.get(conversationId);
    if (!typers) return [];
    for (const [userId, until] of typers) if (until <= now) typers.delete(userId);
    return [...typers.keys()];
  }

  /**
   * Whether a message mentions the signed-in user or `@all`; false for tombstones. Never throws.
   * @example if (state.mentionsMe(message)) notify(message);
   */
  mentionsMe(m: Message): boolean {
    if (m.content?.type !== 'text' && m.content?.type !== 'media') return false;
    return m.content.entities.some((e) => e.type === 'mention_all' || (e.type === 'mention' && e.userId === this.me?.id));
  }

  /** The loaded replies to an edited or deleted message quote its new text (the server resends none of them). */
  private requoteReplies(conversation: Conversation, originalId: string, content: Content | null): void {
    const window = this.windows.get(conversation.id);
    if (window) window.messages.forEach((m, i, all) => (all[i] = requote(m, originalId, content)));
    if (conversation.lastMessage) conversation.lastMessage = requote(conversation.lastMessage, originalId, content);
  }

  private patchMessage(conversation: Conversation, messageId: string, patch: (m: Message) => Message): void {
    const window = this.windows.get(conversation.id);
    if (window) {
      const i = window.messages.findIndex((m) => m.id === messageId);
      if (i >= 0) window.messages[i] = patch(window.messages[i]!);
    }
    if (conversation.lastMessage?.id === messageId) conversation.lastMessage = patch(conversation.lastMessage);
  }
}

/**
 * The message with its reply quote brought up to date when it quotes `originalId` (whose content is now `content`,
 * null once deleted); else the very same message, so that unchanged messages keep their identity. Never throws.
 * @example slice = slice.map((m) => requote(m, event.messageId, event.content));
 */
export function requote(message: Message, originalId: string, content: Content | null): Message {
  if (message.replyTo?.messageId !== originalId) return message;
  return { ...message, replyTo: { ...message.replyTo, excerpt: replyExcerpt(content) } };
}

/**
 * Adds or removes one user's reaction, keeping emoji in order of first use. Returns new groups (the input is not
 * changed); adding twice or removing what is not there changes nothing, and emptied groups are dropped.
 * Never throws.
 * @example message.reactions = toggleReaction(message.reactions, '👍', me.id, true);
 */
export function toggleReaction(groups: Message['reactions'], emoji: string, userId: string, add: boolean): Message['reactions'] {
  const out = groups.map((g) => ({ emoji: g.emoji, userIds: [...g.userIds] }));
  const group = out.find((g) => g.emoji === emoji);
  if (add) {
    if (!group) out.push({ emoji, userIds: [userId] });
    else if (!group.userIds.includes(userId)) group.userIds.push(userId);
    return out;
  }
  if (!group) return out;
  group.userIds = group.userIds.filter((u) => u !== userId);
  return out.filter((g) => g.userIds.length > 0);
}
