import type { ChannelSummary, Conversation, Member, Message, Removal } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import * as users from '../users/users.store.js';
import * as conversations from './conversations.store.js';
import type { ConversationRow } from './conversations.store.js';
import type { FormerMembershipRow } from './former-memberships.store.js';
import type { MembershipRow } from './memberships.store.js';

export interface ConversationEntry {
  conversation: ConversationRow;
  membership: MembershipRow;
  /** Set when the viewer was removed: `conversation` and `membership` are then as they were at the removal. */
  removal?: Removal;
}

/**
 * What a removed member keeps, as an entry views are built from: the conversation frozen at the removal (its title,
 * topic and member count then; its position and latest message are the system line of the removal).
 */
export function formerEntry(conversation: ConversationRow, former: FormerMembershipRow): ConversationEntry {
  const removedSeq = Number(former.removed_seq);
  return {
    conversation: { ...conversation, title: former.title, topic: former.topic, member_count: former.member_count, last_event_seq: removedSeq, last_message_seq: removedSeq },
    membership: {
      conversation_id: conversation.id,
      user_id: former.user_id,
      role: former.role,
      joined_at: former.joined_at,
      delivered_seq: former.delivered_seq,
      read_seq: former.read_seq,
      receipts_updated_at: former.removed_at,
      delivered_updated_at: former.removed_at,
      // Frozen at the removal, which the conversation's position already tells a client that missed it.
      receipts_change: 0,
      delivered_change: 0,
      muted: former.muted,
    },
    removal: { removedBy: former.removed_by, removedAt: Number(former.removed_at) },
  };
}

/**
 * A direct conversation nothing was said in yet: it exists for whoever opened it, shows in nobody's list, and the
 * peer has no membership of it until its first message.
 */
export function isPendingDirect(conversation: ConversationRow): boolean {
  return conversation.kind === 'direct' && Number(conversation.last_message_seq) === 0;
}

/** The other member of a direct conversation, read from its pair key. */
export function peerOf(conversation: ConversationRow, viewerId: string): string | null {
  if (!conversation.direct_key) return null;
  const [a, b] = conversation.direct_key.split(':');
  return a === viewerId ? (b ?? null) : (a ?? null);
}

/**
 * The latest message of each of the given conversations that has one, by conversation id. Messages build on
 * conversations (membership, positions, the event log), so this feature does not load them itself: the messages
 * feature provides the loader and the composition root (server.ts) passes it in.
 */
export type LatestMessages = (db: Kysely<DB>, conversations: readonly ConversationRow[]) => Promise<Map<string, Message>>;

/** Conversations as a viewer sees them, with their latest message and unread counts. */
export class ConversationViews {
  constructor(private readonly latestMessages: LatestMessages) {}

  /** Four queries for any number of conversations. A removed viewer (no membership row) has no unread messages. */
  async build(db: Kysely<DB>, viewerId: string, entries: readonly ConversationEntry[]): Promise<Conversation[]> {
    if (entries.length === 0) return [];
    const ids = entries.map((e) => e.conversation.id);
    const [lastMessages, unread] = await Promise.all([
      this.latestMessages(db, entries.map((e) => e.conversation)),
      conversations.unreadCounts(db, viewerId, ids),
    ]);
    return entries.map(({ conversation: c, membership: m, removal }) => ({
      id: c.id,
      kind: c.kind,
      title: c.title,
      topic: c.topic,
      createdAt: Number(c.created_at),
      createdBy: c.created_by,
      memberCount: Number(c.member_count),
      peerId: peerOf(c, viewerId),
      pts: Number(c.last_event_seq),
      lastMessage: lastMessages.get(c.id) ?? null,
      me: {
        role: m.role,
        joinedAt: Number(m.joined_at),
        deliveredSeq: Number(m.delivered_seq),
        readSeq: Number(m.read_seq),
        unreadCount: unread.get(c.id)?.unread ?? 0,
        unreadMentionCount: unread.get(c.id)?.mentions ?? 0,
        muted: m.muted === 1,
        removal: removal ?? null,
      },
    }));
  }

  async buildOne(db: Kysely<DB>, viewerId: string, entry: ConversationEntry): Promise<Conversation> {
    const [view] = await this.build(db, viewerId, [entry]);
    return view!;
  }
}

/** A public channel as the directory and its preview show it to anyone; `joined` says whether the viewer is in it. */
export function toChannelSummary(c: ConversationRow, joined: boolean): ChannelSummary {
  return { id: c.id, title: c.title ?? '', topic: c.topic, memberCount: Number(c.member_count), createdAt: Number(c.created_at), joined };
}

/**
 * A member as a viewer sees them. The read pointer is shown only when both share read receipts (as in WhatsApp,
 * turning them off hides your reads and theirs) or the member is the viewer.
 */
export function toMember(row: MembershipRow, readVisible: boolean): Member {
  return {
    userId: row.user_id,
    role: row.role,
    joinedAt: Number(row.joined_at),
    deliveredSeq: Number(row.delivered_seq),
    readSeq: readVisible ? Number(row.read_seq) : null,
  };
}

/** Who shares read receipts, among the given users. */
export async function receiptSharers(db: Kysely<DB>, userIds: readonly string[]): Promise<Set<string>> {
  const rows = await users.findByIds(db, [...new Set(userIds)]);
  return new Set(rows.filter((r) => r.read_receipts === 1).map((r) => r.id));
}

/** Members as the viewer sees them. */
export async function buildMembers(db: Kysely<DB>, viewerId: string, rows: readonly MembershipRow[]): Promise<Member[]> {
  const sharers = await receiptSharers(db, [viewerId, ...rows.map((r) => r.user_id)]);
  const viewerShares = sharers.has(viewerId);
  return rows.map((r) => toMember(r, r.user_id === viewerId || (viewerShares && sharers.has(r.user_id))));
}
