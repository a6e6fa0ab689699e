import type { Conversation, Member, Message } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import * as messages from '../messages/messages.store.js';
import { loadMessages } from '../messages/messages.views.js';
import * as users from '../users/users.store.js';
import * as conversations from './conversations.store.js';
import type { ConversationRow } from './conversations.store.js';
import type { MembershipRow } from './memberships.store.js';

export interface ConversationEntry {
  conversation: ConversationRow;
  membership: MembershipRow;
}

/** The other member of a direct conversation, read from its pair key. */
export function peerOf(conversation: ConversationRow, viewerId: string): string | null {
  if (!conversation.direct_key) return null;
  const [a, b] = conversation.direct_key.split(':');
  return a === viewerId ? (b ?? null) : (a ?? null);
}

/**
 * Conversations as the viewer sees them, with last message and unread counts: four queries for any number.
 */
export async function buildConversations(db: Kysely<DB>, viewerId: string, entries: readonly ConversationEntry[]): Promise<Conversation[]> {
  if (entries.length === 0) return [];
  const ids = entries.map((e) => e.conversation.id);
  const lastKeys = entries
    .filter((e) => Number(e.conversation.last_message_seq) > 0)
    .map((e) => [e.conversation.id, Number(e.conversation.last_message_seq)] as const);
  const [lastRows, unread] = await Promise.all([messages.findBySeqs(db, lastKeys), conversations.unreadCounts(db, viewerId, ids)]);
  const lastMessages = new Map<string, Message>((await loadMessages(db, lastRows)).map((m) => [m.conversationId, m]));
  return entries.map(({ conversation: c, membership: m }) => ({
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
    },
  }));
}

export async function buildConversation(db: Kysely<DB>, viewerId: string, entry: ConversationEntry): Promise<Conversation> {
  const [view] = await buildConversations(db, viewerId, [entry]);
  return view!;
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
