import { z } from 'zod';
import { Id, Seq, Timestamp } from './common.js';
import { Conversation, Member, Receipt } from './conversations.js';
import { Content, Message } from './messages.js';
import { Me, Presence, User } from './users.js';

const convEvent = { conversationId: Id, pts: Seq };

/**
 * Events stored in a conversation's event stream. Each carries the conversation's `pts` (position); a client
 * applies them in `pts` order and, if it sees `pts` jump by more than one, fetches the gap with `POST /api/sync`.
 */
export const MessageCreatedEvent = z.object({ type: z.literal('message.created'), ...convEvent, message: Message });
export const MessageEditedEvent = z.object({
  type: z.literal('message.edited'),
  ...convEvent,
  messageId: Id,
  seq: Seq,
  content: Content,
  editedAt: Timestamp,
  editedBy: Id,
});
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
const reactionFields = { ...convEvent, messageId: Id, seq: Seq, emoji: z.string(), userId: Id };
export const ReactionAddedEvent = z.object({ type: z.literal('reaction.added'), ...reactionFields });
export const ReactionRemovedEvent = z.object({ type: z.literal('reaction.removed'), ...reactionFields });
export const ConversationUpdatedEvent = z.object({
  type: z.literal('conversation.updated'),
  ...convEvent,
  title: z.string().nullable(),
  topic: z.string(),
  updatedBy: Id,
});
export const MemberJoinedEvent = z.object({
  type: z.literal('member.joined'),
  ...convEvent,
  member: Member,
  /** Who added the member; null when they joined a channel themselves. */
  addedBy: Id.nullable(),
});
export const MemberLeftEvent = z.object({
  type: z.literal('member.left'),
  ...convEvent,
  userId: Id,
  /** Who removed the member; null when they left. */
  removedBy: Id.nullable(),
});
export const MemberUpdatedEvent = z.object({
  type: z.literal('member.updated'),
  ...convEvent,
  userId: Id,
  role: z.enum(['owner', 'admin', 'member']),
  updatedBy: Id.nullable(),
});

export const ConversationEvent = z.discriminatedUnion('type', [
  MessageCreatedEvent,
  MessageEditedEvent,
  MessageDeletedEvent,
  ReactionAddedEvent,
  ReactionRemovedEvent,
  ConversationUpdatedEvent,
  MemberJoinedEvent,
  MemberLeftEvent,
  MemberUpdatedEvent,
]);
export type ConversationEvent = z.infer<typeof ConversationEvent>;
export type ConversationEventType = ConversationEvent['type'];

/** Conversations up to this size carry their member list in `conversation.joined`; larger ones are fetched. */
export const INLINE_MEMBERS_MAX = 200;

/** The viewer was added to a conversation, or created it (sent to all their devices). */
export const ConversationJoinedEvent = z.object({
  type: z.literal('conversation.joined'),
  conversation: Conversation,
  /** Every member, when the conversation has at most INLINE_MEMBERS_MAX; otherwise absent (use listMembers). */
  members: z.array(Member).optional(),
});
/** The viewer left or was removed; the client drops the conversation. */
export const ConversationLeftEvent = z.object({
  type: z.literal('conversation.left'),
  conversationId: Id,
  removedBy: Id.nullable(),
});
/** The viewer's own read pointer moved (on any of their devices), with the unread counts that follow from it. */
export const UnreadUpdatedEvent = z.object({
  type: z.literal('unread.updated'),
  conversationId: Id,
  readSeq: Seq,
  unreadCount: z.int().nonnegative(),
  unreadMentionCount: z.int().nonnegative(),
});
/** The viewer's own per-conversation settings changed. */
export const MySettingsUpdatedEvent = z.object({
  type: z.literal('conversation.settings'),
  conversationId: Id,
  muted: z.boolean(),
});
/** A member's receipt pointers moved. `readSeq` is null when either side does not share read receipts. */
export const ReceiptUpdatedEvent = z.object({ type: z.literal('receipt.updated'), ...Receipt.shape });
/** Someone started or stopped typing. A client forgets a `true` after `expiresInMs` unless renewed. */
export const TypingEvent = z.object({
  type: z.literal('typing'),
  conversationId: Id,
  userId: Id,
  active: z.boolean(),
  expiresInMs: z.int().nonnegative(),
});
export const PresenceEvent = z.object({ type: z.literal('presence'), ...Presence.shape });
/** A user who shares a conversation with the viewer changed their profile. */
export const UserUpdatedEvent = z.object({ type: z.literal('user.updated'), user: User });
/** The viewer changed their own profile or settings on one of their devices. */
export const MeUpdatedEvent = z.object({ type: z.literal('me.updated'), me: Me });
/** This connection's session was revoked; the server closes the socket with `SESSION_REVOKED` next. */
export const SessionRevokedEvent = z.object({ type: z.literal('session.revoked'), sessionId: Id });

/** Every event the server pushes. Only the `ConversationEvent`s carry `pts` and are replayed by sync. */
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
]);
export type ServerEvent = z.infer<typeof ServerEvent>;
export type ServerEventType = ServerEvent['type'];
/** The event of the given type. */
export type EventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;
