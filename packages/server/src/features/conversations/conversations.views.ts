import type { Conversation, Member, Message } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
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
 * The latest message of each of the given conversations that has one, by conversation id. Messages build on
 * conversations (membership, positions, the event log), so this feature does not load them itself: the messages
 * feature provides the loader and the composition root (server.ts) passes it in.
 */
export type LatestMessages = (db: Kysely<DB>, conversations: readonly ConversationRow[]) => Promise<Map<string, Message>>;

/** Conversations as a viewer sees them, with their latest message and unread counts. */
export class ConversationViews {
  constructor(private readonly latestMessages: LatestMessages) {}

  /** Four queries for any number of conversations. */
  async build(db: Kysely<DB>, viewerId: string, entries: readonly ConversationEntry[]): Promise<Conversation[]> {
    if (entries.length === 0) return [];
    const ids = entries.map((e) => e.conversation.id);
    const [lastMessages, unread] = await Promise.all([
      this.latestMessages(db, entries.map((e) => e.conversation)),
      conversations.unreadCounts(db, viewerId, ids),
    ]);
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

  async buildOne(db: Kysely<DB>, viewerId: string, entry: ConversationEntry): Promise<Conversation> {
    const [view] = await this.build(db, viewerId, [entry]);
    return view!;
  }
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
