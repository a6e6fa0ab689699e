import { z } from 'zod';
import { Id, Seq, Timestamp } from './common.js';
import { Conversation, Member, Receipt } from './conversations.js';
import { LinkPreview, Message, WrittenContent } from './messages.js';
import { Me, Presence, User } from './users.js';

const convEvent = { conversationId: Id, pts: Seq };

/**
 * Events stored in a conversation's event stream. Each carries the conversation's `pts` (position); a client
 * applies them in `pts` order and, if it sees `pts` jump by more than one, fetches the gap with `POST /api/sync`.
 *
 * `message.created`: a new message; its `pts` equals `message.seq`. The sender's own devices get it too.
 * @example MessageCreatedEvent.parse({ type: 'message.created', conversationId, pts: message.seq, message })
 */
export const MessageCreatedEvent = z.object({ type: z.literal('message.created'), ...convEvent, message: Message });
/**
 * `message.edited`: a message's content was replaced, by its author or a moderator (`editedBy`).
 * @example
 * MessageEditedEvent.parse({ type: 'message.edited', conversationId, pts: 43, messageId, seq: 42,
 *   content: { type: 'text', text: 'lunch at one?' }, editedAt: 1718000000000, editedBy: userId })
 */
export const MessageEditedEvent = z.object({
  type: z.literal('message.edited'),
  ...convEvent,
  messageId: Id,
  seq: Seq,
  content: WrittenContent,
  editedAt: Timestamp,
  editedBy: Id,
});
/**
 * `message.deleted`: a message became a tombstone (content and reactions gone), by its author or a moderator.
 * @example
 * MessageDeletedEvent.parse({ type: 'message.deleted', conversationId, pts: 44, messageId, seq: 42, senderId: userId,
 *   deletedAt: 1718000000000, deletedBy: userId })
 */
export const MessageDeletedEvent = z.object({
  type: z.literal('message.deleted'),
  ...convEvent,
  messageId: Id,
  seq: Seq,
  /** The author of the deleted message, so clients can correct unread counts without holding the message. */
  senderId: Id,
  deletedAt: Timestamp,
  deletedBy: Id,
});
/**
 * `message.previewed`: the message's link preview changed: the server read the page of its first link (some time
 * after the message or its edit), or removed the preview (`linkPreview` null) because an edit changed or removed
 * the link. A deleted message loses its preview with `message.deleted`, with no event of this kind.
 * @example
 * MessagePreviewedEvent.parse({ type: 'message.previewed', conversationId, pts: 45, messageId, seq: 42,
 *   linkPreview: { url: 'https://example.org/', title: 'Example', description: null, siteName: null, image: null } })
 */
export const MessagePreviewedEvent = z.object({
  type: z.literal('message.previewed'),
  ...convEvent,
  messageId: Id,
  seq: Seq,
  linkPreview: LinkPreview.nullable(),
});
const reactionFields = { ...convEvent, messageId: Id, seq: Seq, emoji: z.string(), userId: Id };
/**
 * `reaction.added`: `userId` reacted to the message with `emoji`. Only real changes are sent (adding twice is not).
 * @example
 * ReactionAddedEvent.parse({ type: 'reaction.added', conversationId, pts: 45, messageId, seq: 42, emoji: '👍',
 *   userId })
 */
export const ReactionAddedEvent = z.object({ type: z.literal('reaction.added'), ...reactionFields });
/**
 * `reaction.removed`: `userId` took back their `emoji` reaction. Deleting a message sends none of these.
 * @example
 * ReactionRemovedEvent.parse({ type: 'reaction.removed', conversationId, pts: 46, messageId, seq: 42, emoji: '👍',
 *   userId })
 */
export const ReactionRemovedEvent = z.object({ type: z.literal('reaction.removed'), ...reactionFields });
/**
 * `conversation.updated`: the title or topic changed; both carry their new full values.
 * @example
 * ConversationUpdatedEvent.parse({ type: 'conversation.updated', conversationId, pts: 47, title: 'Release 2.0',
 *   topic: '', updatedBy: userId })
 */
export const ConversationUpdatedEvent = z.object({
  type: z.literal('conversation.updated'),
  ...convEvent,
  title: z.string().nullable(),
  topic: z.string(),
  updatedBy: Id,
});
/**
 * `member.joined`: someone joined or was added; the newcomer is told with `conversation.joined`.
 * @example
 * MemberJoinedEvent.parse({ type: 'member.joined', conversationId, pts: 48, addedBy: null,
 *   member: { userId, role: 'member', joinedAt: 1718000000000, deliveredSeq: 42, readSeq: null } })
 */
export const MemberJoinedEvent = z.object({
  type: z.literal('member.joined'),
  ...convEvent,
  member: Member,
  /** Who added the member; null when they joined a channel themselves. */
  addedBy: Id.nullable(),
});
/**
 * `member.left`: someone left or was removed; the person who left is told with `conversation.left`.
 * @example MemberLeftEvent.parse({ type: 'member.left', conversationId, pts: 49, userId, removedBy: null })
 */
export const MemberLeftEvent = z.object({
  type: z.literal('member.left'),
  ...convEvent,
  userId: Id,
  /** Who removed the member; null when they left. */
  removedBy: Id.nullable(),
});
/**
 * `member.updated`: a member's role changed. `updatedBy` is null when ownership passed on because the owner left.
 * @example
 * MemberUpdatedEvent.parse({ type: 'member.updated', conversationId, pts: 50, userId, role: 'owner',
 *   updatedBy: null })
 */
export const MemberUpdatedEvent = z.object({
  type: z.literal('member.updated'),
  ...convEvent,
  userId: Id,
  role: z.enum(['owner', 'admin', 'member']),
  updatedBy: Id.nullable(),
});

/**
 * Every event that takes a position (`pts`) in a conversation's stream; sync replays exactly these.
 * @example const event = ConversationEvent.parse(frame); if (event.pts !== held.pts + 1) await client.sync();
 */
export const ConversationEvent = z.discriminatedUnion('type', [
  MessageCreatedEvent,
  MessageEditedEvent,
  MessageDeletedEvent,
  MessagePreviewedEvent,
  ReactionAddedEvent,
  ReactionRemovedEvent,
  ConversationUpdatedEvent,
  MemberJoinedEvent,
  MemberLeftEvent,
  MemberUpdatedEvent,
]);
/**
 * A parsed {@link ConversationEvent}; narrow it by `type`.
 * @example if (event.type === 'message.created') render(event.message);
 */
export type ConversationEvent = z.infer<typeof ConversationEvent>;
/**
 * The `type` of a {@link ConversationEvent}.
 * @example const t: ConversationEventType = 'reaction.added';
 */
export type ConversationEventType = ConversationEvent['type'];

/**
 * Conversations up to this size carry their member list in `conversation.joined`; larger ones are fetched.
 * @example const members = event.members ?? (await client.conversations.members(event.conversation.id));
 */
export const INLINE_MEMBERS_MAX = 200;

/**
 * The viewer was added to a conversation, joined it, or created it (sent to all their devices).
 * @example ConversationJoinedEvent.parse({ type: 'conversation.joined', conversation, members: [] })
 */
export const ConversationJoinedEvent = z.object({
  type: z.literal('conversation.joined'),
  conversation: Conversation,
  /** Every member, when the conversation has at most INLINE_MEMBERS_MAX; otherwise absent (use listMembers). */
  members: z.array(Member).optional(),
});
/**
 * The viewer left, was removed, or dismissed a conversation they had been removed from (sent to all their devices).
 * With `conversation` (a removal), the client keeps that read-only copy in place of its own; without, it drops the
 * conversation. No more events of it follow either way.
 * @example ConversationLeftEvent.parse({ type: 'conversation.left', conversationId, removedBy: null, conversation: null })
 */
export const ConversationLeftEvent = z.object({
  type: z.literal('conversation.left'),
  conversationId: Id,
  /** Who removed the viewer; null when they left, or dismissed it. */
  removedBy: Id.nullable(),
  /** For a removal, the conversation as the viewer keeps it: read-only, `me.removal` set, frozen at its `pts`. */
  conversation: Conversation.nullable(),
});
/**
 * The viewer's own read pointer moved (on any of their devices), with the unread counts that follow from it.
 * @example
 * UnreadUpdatedEvent.parse({ type: 'unread.updated', conversationId, readSeq: 42, unreadCount: 0,
 *   unreadMentionCount: 0 })
 */
export const UnreadUpdatedEvent = z.object({
  type: z.literal('unread.updated'),
  conversationId: Id,
  readSeq: Seq,
  unreadCount: z.int().nonnegative(),
  unreadMentionCount: z.int().nonnegative(),
});
/**
 * The viewer's own per-conversation settings changed (on any of their devices).
 * @example MySettingsUpdatedEvent.parse({ type: 'conversation.settings', conversationId, muted: true })
 */
export const MySettingsUpdatedEvent = z.object({
  type: z.literal('conversation.settings'),
  conversationId: Id,
  muted: z.boolean(),
});
/**
 * A member's receipt pointers moved. `readSeq` is null when either side does not share read receipts.
 * Not part of the event stream: sync returns the pointers that moved instead.
 * @example
 * ReceiptUpdatedEvent.parse({ type: 'receipt.updated', conversationId, userId, deliveredSeq: 42, readSeq: 42 })
 */
export const ReceiptUpdatedEvent = z.object({ type: z.literal('receipt.updated'), ...Receipt.shape });
/**
 * Someone started or stopped typing. A client forgets a `true` after `expiresInMs` unless renewed.
 * Never stored or replayed, and not sent back to the typist's own devices.
 * @example TypingEvent.parse({ type: 'typing', conversationId, userId, active: true, expiresInMs: 6000 })
 */
export const TypingEvent = z.object({
  type: z.literal('typing'),
  conversationId: Id,
  userId: Id,
  active: z.boolean(),
  expiresInMs: z.int().nonnegative(),
});
/**
 * A contact's presence changed (sent only to people who share a conversation with them); `lastSeenAt` is the time
 * of the change.
 * @example PresenceEvent.parse({ type: 'presence', userId, state: 'away', lastSeenAt: 1718000000000 })
 */
export const PresenceEvent = z.object({ type: z.literal('presence'), ...Presence.shape });
/**
 * A user who shares a conversation with the viewer changed their profile.
 * @example UserUpdatedEvent.parse({ type: 'user.updated', user })
 */
export const UserUpdatedEvent = z.object({ type: z.literal('user.updated'), user: User });
/**
 * The viewer changed their own profile or settings on one of their devices.
 * @example MeUpdatedEvent.parse({ type: 'me.updated', me })
 */
export const MeUpdatedEvent = z.object({ type: z.literal('me.updated'), me: Me });
/**
 * One of the viewer's sessions was revoked or signed out; every connected device of the user is told (only that
 * session's sockets when another process ended it). The sockets of that session are closed with `SESSION_REVOKED`
 * right after.
 * @example SessionRevokedEvent.parse({ type: 'session.revoked', sessionId })
 */
export const SessionRevokedEvent = z.object({ type: z.literal('session.revoked'), sessionId: Id });
/**
 * The server may have failed to deliver some of the events that conversations' `pts` streams do not hold
 * (receipts, unread counts, settings, profiles and presence): one of its nodes lost its connection to the others
 * for a moment. Conversation events lost that way are delivered anyway; for the rest, catch up with `POST /api/sync`
 * and the cursor you hold (the SDK does, after a short random delay so that a whole node's clients do not sync at
 * the same instant).
 * @example EventsMissedEvent.parse({ type: 'events.missed' })
 */
export const EventsMissedEvent = z.object({ type: z.literal('events.missed') });

/**
 * Every event the server pushes. Only the `ConversationEvent`s carry `pts` and are replayed by sync.
 * @example const event = ServerEvent.parse(JSON.parse(data));
 */
export const ServerEvent = z.discriminatedUnion('type', [
  ...ConversationEvent.options,
  ConversationJoinedEvent,
  ConversationLeftEvent,
  UnreadUpdatedEvent,
  MySettingsUpdatedEvent,
  ReceiptUpdatedEvent,
  TypingEvent,
  PresenceEvent,
  UserUpdatedEvent,
  MeUpdatedEvent,
  SessionRevokedEvent,
  EventsMissedEvent,
]);
/**
 * A parsed {@link ServerEvent}; narrow it by `type`.
 * @example if (event.type === 'typing' && event.active) showTyping(event.userId);
 */
export type ServerEvent = z.infer<typeof ServerEvent>;
/**
 * The `type` of a {@link ServerEvent}: the event names a `HearthClient` emits.
 * @example const t: ServerEventType = 'presence';
 */
export type ServerEventType = ServerEvent['type'];
/**
 * The event of the given type.
 * @example const onCreated = (e: EventOf<'message.created'>) => render(e.message);
 */
export type EventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;
