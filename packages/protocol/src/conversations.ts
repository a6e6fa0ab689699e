import { z } from 'zod';
import { Id, Seq, Timestamp } from './common.js';
import { Message } from './messages.js';

/**
 * `direct`: exactly two people, one conversation per pair. `group`: private, by invitation, with roles.
 * `channel`: public on the server; anyone may browse and join.
 */
export const ConversationKind = z.enum(['direct', 'group', 'channel']);
export type ConversationKind = z.infer<typeof ConversationKind>;

/** `owner` (one per group or channel) > `admin` > `member`. Direct conversations have two members. */
export const Role = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof Role>;

export const Title = z.string().trim().min(1).max(100);
export const Topic = z.string().trim().max(500);

/** A member of a conversation with their receipt pointers. */
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
export type Member = z.infer<typeof Member>;

/** The viewer's own membership state. */
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
});
export type MyMembership = z.infer<typeof MyMembership>;

/** A conversation as one of its members sees it. */
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
export type Conversation = z.infer<typeof Conversation>;

/** A public channel as anyone on the server sees it in the directory. */
export const ChannelSummary = z.object({
  id: Id,
  title: z.string(),
  topic: z.string(),
  memberCount: z.int().nonnegative(),
  createdAt: Timestamp,
  /** Whether the viewer is a member. */
  joined: z.boolean(),
});
export type ChannelSummary = z.infer<typeof ChannelSummary>;

export const CreateConversationBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('direct'), userId: Id }),
  z.object({ kind: z.literal('group'), title: Title, topic: Topic.default(''), memberIds: z.array(Id).max(1000).default([]) }),
  z.object({ kind: z.literal('channel'), title: Title, topic: Topic.default('') }),
]);
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;

export const UpdateConversationBody = z
  .object({ title: Title, topic: Topic })
  .partial()
  .refine((b) => b.title !== undefined || b.topic !== undefined, 'give title, topic or both');
export type UpdateConversationBody = z.infer<typeof UpdateConversationBody>;

export const AddMembersBody = z.object({ userIds: z.array(Id).min(1).max(1000) });
export type AddMembersBody = z.infer<typeof AddMembersBody>;

/** Owners cannot be assigned: ownership moves only when the owner leaves. */
export const UpdateMemberBody = z.object({ role: z.enum(['admin', 'member']) });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

export const UpdateMySettingsBody = z.object({ muted: z.boolean() }).partial();
export type UpdateMySettingsBody = z.infer<typeof UpdateMySettingsBody>;

export const ChannelSearchQuery = z.object({
  q: z.string().trim().max(100).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ChannelSearchQuery = z.infer<typeof ChannelSearchQuery>;

/** One member's receipt pointers, as broadcast in `receipt.updated`. */
export const Receipt = z.object({
  conversationId: Id,
  userId: Id,
  deliveredSeq: Seq,
  readSeq: Seq.nullable(),
});
export type Receipt = z.infer<typeof Receipt>;
