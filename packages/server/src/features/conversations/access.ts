import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import * as conversations from './conversations.store.js';
import type { ConversationRow } from './conversations.store.js';
import { formerEntry, type ConversationEntry } from './conversations.views.js';
import * as formers from './former-memberships.store.js';
import type { MembershipRow } from './memberships.store.js';

export interface MemberAccess {
  conversation: ConversationRow;
  membership: MembershipRow;
}

/**
 * The conversation and the user's membership, or CONVERSATION_NOT_FOUND, which is also the answer when the
 * conversation exists but the user is not in it: a non-member learns nothing, not even that it exists.
 */
export async function requireMember(db: Kysely<DB>, conversationId: string, userId: string): Promise<MemberAccess> {
  const [entry] = await conversations.listForUser(db, userId, [conversationId]);
  if (!entry) throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId });
  return entry;
}

/**
 * The user's standing in a conversation they may read as their own: a member (`upToSeq` Infinity), or a member who
 * was removed, with the conversation as it was at their removal and history up to `upToSeq` included.
 * CONVERSATION_NOT_FOUND otherwise, the answer a nonexistent id gets. Only reads take this: a removed member is not a
 * member for anything else.
 */
export async function requireParticipant(db: Kysely<DB>, conversationId: string, userId: string): Promise<ConversationEntry & { upToSeq: number }> {
  const [member] = await conversations.listForUser(db, userId, [conversationId]);
  if (member) return { ...member, upToSeq: Infinity };
  const [former] = await formers.listForUser(db, userId, [conversationId]);
  if (former) return { ...formerEntry(former.conversation, former.former), upToSeq: Number(former.former.removed_seq) };
  throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId });
}

/**
 * How far the user may read a conversation's history: all of it as a member, or in a public channel (anyone signed
 * in may read one without joining, removed members included: a channel is public); up to their removal as a member
 * who was removed from a group. CONVERSATION_NOT_FOUND otherwise: groups and direct conversations stay invisible.
 */
export async function requireReader(db: Kysely<DB>, conversationId: string, userId: string): Promise<{ conversation: ConversationRow; upToSeq: number }> {
  const [member] = await conversations.listForUser(db, userId, [conversationId]);
  if (member) return { conversation: member.conversation, upToSeq: Infinity };
  const conversation = await conversations.findById(db, conversationId);
  if (conversation?.kind === 'channel') return { conversation, upToSeq: Infinity };
  return requireParticipant(db, conversationId, userId);
}

/** Every conversation the user may read: those they are in, then those they were removed from (read-only). */
export async function listReadable(db: Kysely<DB>, userId: string): Promise<ConversationEntry[]> {
  const [current, former] = await Promise.all([conversations.listForUser(db, userId), formers.listForUser(db, userId)]);
  return [...current, ...former.map((f) => formerEntry(f.conversation, f.former))];
}

/** Whether the member may moderate: manage members, rename, and edit or delete other people's messages. */
export function canModerate(access: MemberAccess): boolean {
  return access.conversation.kind !== 'direct' && (access.membership.role === 'owner' || access.membership.role === 'admin');
}

/** Throws PERMISSION_DENIED unless the member may moderate the conversation. */
export function requireModerator(access: MemberAccess): void {
  if (!canModerate(access)) throw new HearthError('PERMISSION_DENIED', { conversationId: access.conversation.id });
}
