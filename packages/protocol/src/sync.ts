import { z } from 'zod';
import { Id, Seq, Timestamp } from './common.js';
import { Conversation, Member, Receipt } from './conversations.js';
import { ConversationEvent } from './events.js';
import { Presence, User } from './users.js';

/**
 * `POST /api/sync`: what a client sends after (re)connecting to catch up.
 * It lists every conversation it holds with the `pts` it has applied, and the `serverTime` of its previous
 * sync (omit on the first). The socket should already be open and authenticated, so that no event falls
 * between the sync and the live stream; events that arrive twice are recognised by their `pts`.
 * At most 10 000 conversations.
 * @example SyncRequest.parse({ conversations: [{ id: conversationId, pts: 42 }], since: 1718000000000 })
 */
export const SyncRequest = z.object({
  conversations: z.array(z.object({ id: Id, pts: Seq })).max(10_000),
  since: Timestamp.optional(),
});
/**
 * A parsed {@link SyncRequest}.
 * @example const first: SyncRequest = { conversations: [] };
 */
export type SyncRequest = z.infer<typeof SyncRequest>;

/**
 * One conversation of a sync answer: either `events` to replay after the client's `pts`, or `refetch` with the
 * full member list. The `conversation` snapshot is current: apply it after the events.
 * @example SyncConversation.parse({ conversation, events: [], refetch: false })
 */
export const SyncConversation = z.object({
  /** The current state of the conversation for the caller (title, pts, unread counts, last message). */
  conversation: Conversation,
  /**
   * The full member list, present with `refetch` (the client did not hold the conversation, or missed too much);
   * otherwise membership changes arrive as member.* events.
   */
  members: z.array(Member).optional(),
  /** The events after the client's `pts`, in order, when the gap was small enough to replay. */
  events: z.array(ConversationEvent),
  /**
   * True when the gap was too large to replay (or the client did not know the conversation): the client drops
   * its cached messages of the conversation and loads the latest page of history instead.
   */
  refetch: z.boolean(),
});
/**
 * A parsed {@link SyncConversation}.
 * @example if (entry.refetch) await client.messages.loadLatest(entry.conversation.id);
 */
export type SyncConversation = z.infer<typeof SyncConversation>;

/**
 * The answer to `POST /api/sync`: everything that changed for the caller since the request's positions and
 * `since`.
 * @example
 * SyncResponse.parse({ serverTime: 1718000000000, conversations: [], removed: [], receipts: [], presence: [],
 *   users: [] })
 */
export const SyncResponse = z.object({
  /** Pass as `since` in the next sync. */
  serverTime: Timestamp,
  /**
   * Conversations that changed since the client's `pts` (or whose receipt pointers of the caller moved), or that
   * it did not hold. Unchanged ones are left out.
   */
  conversations: z.array(SyncConversation),
  /** Conversations the client holds but is no longer a member of. */
  removed: z.array(Id),
  /** Receipt pointers of other members that moved since `since` (all of them on a first sync). */
  receipts: z.array(Receipt),
  /** Presence of everyone who shares a conversation with the caller. */
  presence: z.array(Presence),
  /** Profiles of people who share a conversation with the caller, changed since `since` (all on a first sync). */
  users: z.array(User),
});
/**
 * A parsed {@link SyncResponse}.
 * @example let since = response.serverTime; // pass as `since` next time
 */
export type SyncResponse = z.infer<typeof SyncResponse>;
