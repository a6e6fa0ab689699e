import type { ConversationEvent, ConversationEventsPage, Receipt, SyncConversation, SyncRequest, SyncResponse } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import { committedChange } from '../../platform/db/change-counter.js';
import type { DB } from '../../platform/db/schema.js';
import { listReadable, requireParticipant } from '../conversations/access.js';
import { buildMembers, isPendingDirect, receiptSharers, type ConversationEntry, type ConversationViews } from '../conversations/conversations.views.js';
import * as conversations from '../conversations/conversations.store.js';
import { readEvents } from '../conversations/event-log.js';
import * as memberships from '../conversations/memberships.store.js';
import * as messages from '../messages/messages.store.js';
import { loadMessages } from '../messages/messages.views.js';
import type { PresenceService } from '../presence/presence.service.js';
import * as users from '../users/users.store.js';
import { toUser } from '../users/users.views.js';

/**
 * Catch-up after a (re)connect: for each conversation the client holds, the events after its position, or a
 * request to refetch when the gap is too large; plus conversations it does not know, those it left, and the
 * receipts, profiles and presence around it. The work is bounded by what changed, not by the history.
 */
export class SyncService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly presence: PresenceService,
    private readonly views: ConversationViews,
    private readonly clock: Clock,
    private readonly maxReplayEvents: number,
  ) {}

  async sync(actor: Actor, request: SyncRequest): Promise<SyncResponse> {
    const serverTime = this.clock.now();
    // Read first: everything committed up to it is read below, and whatever commits later is stamped above it
    // (platform/db/change-counter.ts). A cursor ahead of the counter (a restored database) counts as none.
    const cursor = await committedChange(this.db);
    const after = request.cursor === undefined || Number(request.cursor) > cursor ? undefined : Number(request.cursor);
    const held = new Map(request.conversations.map((c) => [c.id, c.pts]));
    // Conversations the user was removed from come too, frozen at the removal: their position is that of the removal.
    const entries = await listReadable(this.db, actor.userId);
    const current = new Set(entries.map((e) => e.conversation.id));

    const plans: Array<{ entry: ConversationEntry; from: number | undefined }> = [];
    for (const entry of entries) {
      const pts = held.get(entry.conversation.id);
      // A direct conversation nothing was said in is news to nobody (PROTOCOL.md §5.16); one the client holds (it
      // opened it) is still its own, and is not reported removed.
      if (pts === undefined && isPendingDirect(entry.conversation)) continue;
      const latest = Number(entry.conversation.last_event_seq);
      const myPointersMoved = after === undefined || Number(entry.membership.receipts_change) > after;
      if (pts === latest && !myPointersMoved) continue;
      const replayable = pts !== undefined && pts <= latest && latest - pts <= this.maxReplayEvents;
      plans.push({ entry, from: replayable ? pts : undefined });
    }

    const views = await this.views.build(
      this.db,
      actor.userId,
      plans.map((p) => p.entry),
    );
    const changed: SyncConversation[] = [];
    for (const [i, { entry, from }] of plans.entries()) {
      const conversation = views[i]!;
      if (from === undefined) {
        // Who is in it now is none of a removed member's business; who was in it then is not kept.
        const rows = entry.removal ? [] : await memberships.listByConversation(this.db, conversation.id);
        changed.push({ conversation, members: await buildMembers(this.db, actor.userId, rows), events: [], refetch: true });
      } else {
        changed.push({ conversation, events: await this.replay(entry.conversation.id, from, conversation.pts), refetch: false });
      }
    }

    const contacts = await users.contactIds(this.db, actor.userId);
    const [receipts, presence, profiles] = await Promise.all([
      this.receiptsAfter(actor.userId, after),
      this.presence.snapshot(contacts),
      users.contactsChangedAfter(this.db, actor.userId, after),
    ]);
    return {
      cursor: String(cursor),
      serverTime,
      conversations: changed,
      removed: [...held.keys()].filter((id) => !current.has(id)),
      receipts,
      presence,
      users: profiles.filter((u) => u.id !== actor.userId).map(toUser),
    };
  }

  /**
   * The stored events of a conversation after position `after`, in order, for a node that may have missed them
   * (its bus dropped events): undefined when there are more than a sync would replay, and the conversation's
   * sockets should rather resume. No access check: the gateway delivers them to its members' sockets only.
   */
  async eventsAfter(conversationId: string, after: number): Promise<ConversationEvent[] | undefined> {
    const row = await conversations.findById(this.db, conversationId);
    if (!row) return [];
    const latest = Number(row.last_event_seq);
    if (latest - after > this.maxReplayEvents) return undefined;
    return this.replay(conversationId, after, latest);
  }

  /**
   * A member's catch-up of one conversation after a gap: the events after `after`, up to the latest (for a removed
   * member, up to their removal), or `refetch` when more are missing than a sync replays, or `after` is ahead.
   * CONVERSATION_NOT_FOUND for anyone else.
   */
  async conversationEvents(actor: Actor, conversationId: string, after: number): Promise<ConversationEventsPage> {
    const entry = await requireParticipant(this.db, conversationId, actor.userId);
    const pts = Math.min(Number(entry.conversation.last_event_seq), entry.upToSeq);
    if (after > pts || pts - after > this.maxReplayEvents) return { pts, events: [], refetch: true };
    return { pts, events: await this.replay(conversationId, after, pts), refetch: false };
  }

  /** The stored events `from < pts <= upTo`, messages and other events merged in position order. */
  private async replay(conversationId: string, from: number, upTo: number): Promise<ConversationEvent[]> {
    if (from >= upTo) return [];
    const [rows, others] = await Promise.all([
      messages.listRange(this.db, conversationId, from, upTo),
      readEvents(this.db, conversationId, from, upTo),
    ]);
    const created: ConversationEvent[] = (await loadMessages(this.db, rows)).map((message) => ({
      type: 'message.created',
      conversationId,
      pts: message.seq,
      message,
    }));
    return [...created, ...others].sort((a, b) => a.pts - b.pts);
  }

  private async receiptsAfter(userId: string, after: number | undefined): Promise<Receipt[]> {
    const rows = await memberships.receiptsChangedAfter(this.db, userId, after);
    const sharers = await receiptSharers(this.db, [userId, ...rows.map((r) => r.user_id)]);
    const viewerShares = sharers.has(userId);
    // A pointer is news to the viewer only if what they may see of it moved: the read pointer only between people
    // who both share read receipts, the delivered pointer always (as live receipt.updated events do).
    const visible = rows.filter(
      (r) => after === undefined || Number(r.delivered_change) > after || (viewerShares && sharers.has(r.user_id)),
    );
    return visible.map((r) => ({
      conversationId: r.conversation_id,
      userId: r.user_id,
      deliveredSeq: Number(r.delivered_seq),
      readSeq: viewerShares && sharers.has(r.user_id) ? Number(r.read_seq) : null,
    }));
  }
}
