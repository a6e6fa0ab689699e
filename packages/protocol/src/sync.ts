import { z } from 'zod';
import { Id, Seq, Timestamp } from './common.js';
import { Conversation, Member, Receipt } from './conversations.js';
import { ConversationEvent } from './events.js';
import { Presence, User } from './users.js';

/**
 * The server's mark of how far a sync saw receipts and profiles: opaque to clients, who store the `cursor` of one
 * sync's answer and send it with the next. Server-issued, never derived from a clock.
 * @example SyncCursor.parse('1042')
 */
export const SyncCursor = z.string().regex(/^[0-9]{1,15}$/, 'cursor must be a cursor a sync returned');
/**
 * A parsed {@link SyncCursor}.
 * @example const cursor: SyncCursor = response.cursor;
 */
export type SyncCursor = z.infer<typeof SyncCursor>;

/**
 * `POST /api/sync`: what a client sends after (re)connecting to catch up.
 * It lists every conversation it holds with the `pts` it has applied, and the `cursor` of its previous
 * sync (omit on the first). The socket should already be open and authenticated, so that no event falls
 * between the sync and the live stream; events that arrive twice are recognised by their `pts`.
 * At most 10 000 conversations. The `since` timestamp older clients send is accepted and ignored: such a
 * sync is answered as a first sync.
 * @example SyncRequest.parse({ conversations: [{ id: conversationId, pts: 42 }], cursor: '1042' })
 */
export const SyncRequest = z.object({
  conversations: z.array(z.object({ id: Id, pts: Seq })).max(10_000),
  cursor: SyncCursor.optional(),
  /** @deprecated Ignored (a wall-clock time cannot order changes made on several nodes); send `cursor`. */
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
 * `cursor`.
 * @example
 * SyncResponse.parse({ cursor: '1042', serverTime: 1718000000000, conversations: [], removed: [], receipts: [],
 *   presence: [], users: [] })
 */
export const SyncResponse = z.object({
  /** Pass as `cursor` in the next sync. */
  cursor: SyncCursor,
  /** The server's clock when it answered, to estimate the offset of the device's clock. */
  serverTime: Timestamp,
  /**
   * Conversations that changed since the client's `pts` (or whose receipt pointers of the caller moved), or that
   * it did not hold. Unchanged ones are left out.
   */
  conversations: z.array(SyncConversation),
  /** Conversations the client holds but is no longer a member of. */
  removed: z.array(Id),
  /** Receipt pointers of other members that moved after `cursor` (all of them on a first sync). */
  receipts: z.array(Receipt),
  /** Presence of everyone who shares a conversation with the caller. */
  presence: z.array(Presence),
  /** Profiles of people who share a conversation with the caller, changed after `cursor` (all on a first sync). */
  users: z.array(User),
});
/**
 * A parsed {@link SyncResponse}.
 * @example let cursor = response.cursor; // pass as `cursor` next time
 */
export type SyncResponse = z.infer<typeof SyncResponse>;

/**
 * `GET /api/conversations/:conversationId/events`: the stored events of one conversation after position `after`,
 * for a client that saw a gap in that conversation alone.
 * @example ConversationEventsQuery.parse({ after: '41' }) // { after: 41 }
 */
export const ConversationEventsQuery = z.object({
  // An empty `after=` is no position (coercion alone would read it as 0).
  after: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)),
});
/**
 * A parsed {@link ConversationEventsQuery}.
 * @example const query: ConversationEventsQuery = { after: conversation.pts };
 */
export type ConversationEventsQuery = z.infer<typeof ConversationEventsQuery>;

/**
 * The answer to `GET /api/conversations/:conversationId/events`: every event after `after` up to `pts`, in order;
 * or `refetch` (and no events) when more are missing than the server replays (`maxReplayEvents`), or `after` is
 * ahead of the conversation: then catch up with `POST /api/sync`.
 * @example ConversationEventsPage.parse({ pts: 42, events: [], refetch: false })
 */
export const ConversationEventsPage = z.object({
  /** The conversation's position for the caller: the latest, or the removal's for a removed member. */
  pts: Seq,
  events: z.array(ConversationEvent),
  refetch: z.boolean(),
});
/**
 * A parsed {@link ConversationEventsPage}.
 * @example if (page.refetch) await client.sync();
 */
export type ConversationEventsPage = z.infer<typeof ConversationEventsPage>;
