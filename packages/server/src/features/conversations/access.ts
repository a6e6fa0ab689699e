import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import * as conversations from './conversations.store.js';
import type { ConversationRow } from './conversations.store.js';
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

/** Whether the member may moderate: manage members, rename, and edit or delete other people's messages. */
export function canModerate(access: MemberAccess): boolean {
  return access.conversation.kind !== 'direct' && (access.membership.role === 'owner' || access.membership.role === 'admin');
}

/** Throws PERMISSION_DENIED unless the member may moderate the conversation. */
export function requireModerator(access: MemberAccess): void {
  if (!canModerate(access)) throw new HearthError('PERMISSION_DENIED', { conversationId: access.conversation.id });
}
