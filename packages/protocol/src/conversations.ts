import { z } from 'zod';
import { Id, multiLine, Seq, singleLine, Timestamp } from './common.js';
import { Message } from './messages.js';

/**
 * `direct`: exactly two people, one conversation per pair. `group`: private, by invitation, with roles.
 * `channel`: public on the server; anyone may browse and join.
 * @example ConversationKind.parse('channel')
 */
export const ConversationKind = z.enum(['direct', 'group', 'channel']);
/**
 * A parsed {@link ConversationKind}.
 * @example const canLeave = (kind: ConversationKind) => kind !== 'direct';
 */
export type ConversationKind = z.infer<typeof ConversationKind>;

/**
 * `owner` (one per group or channel) > `admin` > `member`. Direct conversations have two members, both `member`.
 * Owners and admins moderate groups and channels; only the owner changes roles.
 * @example Role.parse('admin')
 */
export const Role = z.enum(['owner', 'admin', 'member']);
/**
 * A parsed {@link Role}.
 * @example const canModerate = (role: Role) => role !== 'member';
 */
export type Role = z.infer<typeof Role>;

/**
 * The title of a group or channel: 1 to 100 characters after trimming, one line.
 * @example Title.parse(' Release planning ') // 'Release planning'
 */
export const Title = singleLine(z.string().trim().min(1).max(100));
/**
 * The topic of a conversation: up to 500 characters after trimming (line breaks allowed, NUL not); the empty string
 * means none.
 * @example Topic.parse('Ship 2.0 by Friday')
 */
export const Topic = multiLine(z.string().trim().max(500));

/**
 * A member of a conversation with their receipt pointers.
 * @example Member.parse({ userId, role: 'member', joinedAt: 1718000000000, deliveredSeq: 42, readSeq: 40 })
 */
export const Member = z.object({
  userId: Id,
  role: Role,
  joinedAt: Timestamp,
  /** Highest seq delivered to one of the member's devices. */
  deliveredSeq: Seq,
  /**
   * Highest seq the member has read; null when they or the viewer do not share read receipts, and always null in
   * membership events (broadcast to everyone alike): `receipt.updated` and listMembers carry the pointer.
   */
  readSeq: Seq.nullable(),
});
/**
 * A parsed {@link Member}.
 * @example const hasRead = (m: Member, seq: number) => m.readSeq !== null && m.readSeq >= seq;
 */
export type Member = z.infer<typeof Member>;

/**
 * Who removed the viewer from a conversation, and when. A removed member keeps the conversation read-only, as it
 * was at that moment: its history up to the removal, no new events, no writes.
 * @example Removal.parse({ removedBy: userId, removedAt: 1718000000000 })
 */
export const Removal = z.object({ removedBy: Id, removedAt: Timestamp });
/**
 * A parsed {@link Removal}.
 * @example const readOnly = conversation.me.removal !== null;
 */
export type Removal = z.infer<typeof Removal>;

/**
 * The viewer's own membership state. A newcomer starts with everything before they joined marked read.
 * @example
 * MyMembership.parse({ role: 'owner', joinedAt: 1718000000000, deliveredSeq: 42, readSeq: 40, unreadCount: 2,
 *   unreadMentionCount: 0, muted: false, removal: null })
 */
export const MyMembership = z.object({
  role: Role,
  joinedAt: Timestamp,
  deliveredSeq: Seq,
  readSeq: Seq,
  /** Messages from others after `readSeq` that are not deleted. */
  unreadCount: z.int().nonnegative(),
  /** Unread messages that mention the viewer or `@all`. */
  unreadMentionCount: z.int().nonnegative(),
  muted: z.boolean(),
  /**
   * Set when the viewer was removed: the conversation is theirs to read up to `pts` (the removal) and nothing more.
   * Its title, topic and member count are as they were then, and its unread counts are 0. Null for members.
   */
  removal: Removal.nullable(),
});
/**
 * A parsed {@link MyMembership}.
 * @example const badge = conversation.me.muted ? 0 : conversation.me.unreadCount;
 */
export type MyMembership = z.infer<typeof MyMembership>;

/**
 * A conversation as one of its members sees it.
 * @example
 * Conversation.parse({ id: conversationId, kind: 'channel', title: 'General', topic: '', createdAt: 1718000000000,
 *   createdBy: userId, memberCount: 1, peerId: null, pts: 0, lastMessage: null,
 *   me: { role: 'owner', joinedAt: 1718000000000, deliveredSeq: 0, readSeq: 0, unreadCount: 0,
 *     unreadMentionCount: 0, muted: false, removal: null } })
 */
export const Conversation = z.object({
  id: Id,
  kind: ConversationKind,
  /** Null for direct conversations: a client shows the other person's name. */
  title: z.string().nullable(),
  topic: z.string(),
  createdAt: Timestamp,
  createdBy: Id,
  memberCount: z.int().nonnegative(),
  /** For direct conversations, the other member. */
  peerId: Id.nullable(),
  /** The conversation's event position: the `pts` of its latest event. */
  pts: Seq,
  lastMessage: Message.nullable(),
  me: MyMembership,
});
/**
 * A parsed {@link Conversation}.
 * @example const name = conversation.title ?? users.get(conversation.peerId!)?.displayName;
 */
export type Conversation = z.infer<typeof Conversation>;

/**
 * A public channel as anyone on the server sees it in the directory.
 * @example
 * ChannelSummary.parse({ id: conversationId, title: 'General', topic: '', memberCount: 12, createdAt: 1718000000000,
 *   joined: false })
 */
export const ChannelSummary = z.object({
  id: Id,
  title: z.string(),
  topic: z.string(),
  memberCount: z.int().nonnegative(),
  createdAt: Timestamp,
  /** Whether the viewer is a member. */
  joined: z.boolean(),
});
/**
 * A parsed {@link ChannelSummary}.
 * @example const action = channel.joined ? 'Open' : 'Join';
 */
export type ChannelSummary = z.infer<typeof ChannelSummary>;

/**
 * `GET /api/channels/:conversationId`: a public channel as anyone signed in may see it without joining, with its
 * latest page of history (oldest first). It does not make the viewer a member: nothing is written, and no event of the
 * channel reaches them until they join.
 * @example ChannelPreview.parse({ channel: summary, messages: [], hasMore: false })
 */
export const ChannelPreview = z.object({
  channel: ChannelSummary,
  /** The newest messages (up to 50), ascending by seq; older ones come from the history endpoint. */
  messages: z.array(Message),
  /** True when older messages exist: page back with `history` and `before`. */
  hasMore: z.boolean(),
});
/**
 * A parsed {@link ChannelPreview}.
 * @example const { channel, messages } = await client.conversations.preview(channelId);
 */
export type ChannelPreview = z.infer<typeof ChannelPreview>;

/**
 * `POST /api/conversations`. `direct` returns the pair's existing conversation if there is one; `group` adds
 * `memberIds` (up to 1000; the caller and repeats are dropped) and makes the caller owner; `channel` makes the
 * caller owner of a public channel.
 * @example CreateConversationBody.parse({ kind: 'group', title: 'Release', memberIds: [userId] })
 */
export const CreateConversationBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('direct'), userId: Id }),
  z.object({ kind: z.literal('group'), title: Title, topic: Topic.default(''), memberIds: z.array(Id).max(1000).default([]) }),
  z.object({ kind: z.literal('channel'), title: Title, topic: Topic.default('') }),
]);
/**
 * A parsed {@link CreateConversationBody}, defaults applied.
 * @example const body: CreateConversationBody = { kind: 'direct', userId };
 */
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;

/**
 * `PATCH /api/conversations/:conversationId`: a new title, topic or both (at least one). Direct conversations
 * cannot be renamed.
 * @example UpdateConversationBody.parse({ topic: 'Ship 2.0 by Friday' })
 */
export const UpdateConversationBody = z
  .object({ title: Title, topic: Topic })
  .partial()
  .refine((b) => b.title !== undefined || b.topic !== undefined, 'give title, topic or both');
/**
 * A parsed {@link UpdateConversationBody}.
 * @example const body: UpdateConversationBody = { title: 'Release 2.0' };
 */
export type UpdateConversationBody = z.infer<typeof UpdateConversationBody>;

/**
 * `POST /api/conversations/:conversationId/members`: 1 to 1000 users to add; people already in are skipped.
 * @example AddMembersBody.parse({ userIds: [userId] })
 */
export const AddMembersBody = z.object({ userIds: z.array(Id).min(1).max(1000) });
/**
 * A parsed {@link AddMembersBody}.
 * @example const body: AddMembersBody = { userIds: [anaId, benId] };
 */
export type AddMembersBody = z.infer<typeof AddMembersBody>;

/**
 * `PATCH /api/conversations/:conversationId/members/:userId`, owner only.
 * Owners cannot be assigned: ownership moves only when the owner leaves.
 * @example UpdateMemberBody.parse({ role: 'admin' })
 */
export const UpdateMemberBody = z.object({ role: z.enum(['admin', 'member']) });
/**
 * A parsed {@link UpdateMemberBody}.
 * @example const body: UpdateMemberBody = { role: 'member' };
 */
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

/**
 * `PATCH /api/conversations/:conversationId/settings`: the caller's own settings; omitted ones stay as they are.
 * @example UpdateMySettingsBody.parse({ muted: true })
 */
export const UpdateMySettingsBody = z.object({ muted: z.boolean() }).partial();
/**
 * A parsed {@link UpdateMySettingsBody}.
 * @example const body: UpdateMySettingsBody = { muted: false };
 */
export type UpdateMySettingsBody = z.infer<typeof UpdateMySettingsBody>;

/**
 * `GET /api/channels`: channels whose title contains `q` (ignoring case; empty lists all), largest first.
 * Numbers may come as query-string text.
 * @example ChannelSearchQuery.parse({ q: 'release', limit: '20' }) // { q: 'release', limit: 20 }
 */
export const ChannelSearchQuery = z.object({
  q: singleLine(z.string().trim().max(100)).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
/**
 * A parsed {@link ChannelSearchQuery}, defaults applied.
 * @example const query: ChannelSearchQuery = { q: '', limit: 50 };
 */
export type ChannelSearchQuery = z.infer<typeof ChannelSearchQuery>;

/**
 * One member's receipt pointers, as broadcast in `receipt.updated` and returned by sync. `readSeq` is null when
 * the member or the viewer does not share read receipts.
 * @example Receipt.parse({ conversationId, userId, deliveredSeq: 42, readSeq: null })
 */
export const Receipt = z.object({
  conversationId: Id,
  userId: Id,
  deliveredSeq: Seq,
  readSeq: Seq.nullable(),
});
/**
 * A parsed {@link Receipt}.
 * @example const receipt: Receipt = { conversationId, userId, deliveredSeq: 42, readSeq: 42 };
 */
export type Receipt = z.infer<typeof Receipt>;
