import {
  INLINE_MEMBERS_MAX,
  type ChannelSummary,
  type Conversation,
  type CreateConversationBody,
  type Member,
  type Message,
  type SystemContent,
  type SystemEvent,
  type UpdateConversationBody,
  type UpdateMySettingsBody,
} from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { topics } from '../../platform/bus.js';
import type { DialectCapabilities } from '../../platform/db/dialect.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { WriteContext, WriteQueue } from '../../platform/write-queue.js';
import * as users from '../users/users.store.js';
import { listReadable, requireMember, requireModerator, requireParticipant, type MemberAccess } from './access.js';
import * as conversations from './conversations.store.js';
import { buildMembers, formerEntry, isPendingDirect, peerOf, toChannelSummary, toMember, type ConversationViews } from './conversations.views.js';
import { appendEvent } from './event-log.js';
import * as formers from './former-memberships.store.js';
import * as memberships from './memberships.store.js';
import type { MembershipRow } from './memberships.store.js';
import * as positions from './positions.store.js';

/**
 * Writes a system line into a conversation's history in the open transaction and returns it. Messages build on
 * conversations, so the messages feature makes it (`postSystemMessage`) and server.ts passes it in.
 */
export type PostSystemMessage = (ctx: WriteContext, conversationId: string, senderId: string, content: SystemContent) => Promise<Message>;

/**
 * Conversations and their membership. Every change that other members must see goes through the write queue:
 * it takes a position in the conversation's event stream and is published after commit. Changes of membership,
 * title and topic are also written into the history as system lines, in the same transaction.
 */
export class ConversationsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly capabilities: DialectCapabilities,
    private readonly writer: WriteQueue,
    private readonly views: ConversationViews,
    private readonly postSystemMessage: PostSystemMessage,
  ) {}

  /**
   * The user's conversations, those they were removed from included (read-only), most recently active first. A direct
   * conversation without a message yet is left out: it is not anyone's conversation until something is said.
   */
  async list(actor: Actor): Promise<Conversation[]> {
    const entries = (await listReadable(this.db, actor.userId)).filter((e) => !isPendingDirect(e.conversation));
    const views = await this.views.build(this.db, actor.userId, entries);
    return views.sort((a, b) => activityOf(b) - activityOf(a));
  }

  /** A conversation of the user's, or one they were removed from, as it was at the removal. */
  async get(actor: Actor, conversationId: string): Promise<Conversation> {
    return this.views.buildOne(this.db, actor.userId, await requireParticipant(this.db, conversationId, actor.userId));
  }

  /** Creates a conversation. A direct conversation that already exists for the pair is returned as it is. */
  async create(actor: Actor, body: CreateConversationBody): Promise<Conversation> {
    if (body.kind === 'direct') return this.openDirect(actor, body.userId);
    const memberIds = body.kind === 'group' ? [...new Set(body.memberIds)].filter((id) => id !== actor.userId) : [];
    return this.writer.run(async (ctx) => {
      await requireUsers(ctx, memberIds);
      const id = newId();
      const row: conversations.ConversationRow = {
        id,
        kind: body.kind,
        title: body.title,
        topic: body.topic,
        created_by: actor.userId,
        created_at: ctx.now,
        last_event_seq: 0,
        last_message_seq: 0,
        member_count: memberIds.length + 1,
        direct_key: null,
      };
      await conversations.insert(ctx.trx, row);
      const rows = [membershipRow(id, actor.userId, 'owner', ctx.now, 0), ...memberIds.map((u) => membershipRow(id, u, 'member', ctx.now, 0))];
      await insertMembers(ctx, rows);
      return this.announceJoins(ctx, row, rows).get(actor.userId)!;
    });
  }

  async update(actor: Actor, conversationId: string, body: UpdateConversationBody): Promise<Conversation> {
    return this.writer.run(async (ctx) => {
      const access = await requireMember(ctx.trx, conversationId, actor.userId);
      requireModerator(access);
      const title = body.title ?? access.conversation.title;
      const topic = body.topic ?? access.conversation.topic;
      if (title !== access.conversation.title || topic !== access.conversation.topic) {
        await conversations.update(ctx.trx, conversationId, { title, topic });
        const pts = await positions.allocate(ctx.trx, conversationId, 1);
        await appendEvent(ctx, { type: 'conversation.updated', conversationId, pts, title, topic, updatedBy: actor.userId });
        if (title !== access.conversation.title) await this.postSystemMessage(ctx, conversationId, actor.userId, systemLine('conversation.renamed', { title }));
        if (topic !== access.conversation.topic) await this.postSystemMessage(ctx, conversationId, actor.userId, systemLine('topic.changed', { topic }));
      }
      return this.views.buildOne(ctx.trx, actor.userId, await requireMember(ctx.trx, conversationId, actor.userId));
    });
  }

  /** The caller's own settings for a conversation (mute); their other devices are told. */
  async updateSettings(actor: Actor, conversationId: string, body: UpdateMySettingsBody): Promise<void> {
    await this.writer.run(async (ctx) => {
      const access = await requireMember(ctx.trx, conversationId, actor.userId);
      const muted = body.muted ?? access.membership.muted === 1;
      await memberships.update(ctx.trx, conversationId, actor.userId, { muted: muted ? 1 : 0 });
      ctx.publish(topics.user(actor.userId), { type: 'conversation.settings', conversationId, muted });
    });
  }

  async browseChannels(actor: Actor, q: string, limit: number): Promise<ChannelSummary[]> {
    const rows = await conversations.searchChannels(this.db, q, limit);
    const mine = new Set(await memberships.conversationIdsOf(this.db, actor.userId));
    return rows.map((c) => toChannelSummary(c, mine.has(c.id)));
  }

  /** Joins a public channel (idempotent). Anything that is not a channel answers CONVERSATION_NOT_FOUND. */
  async join(actor: Actor, conversationId: string): Promise<Conversation> {
    return this.writer.run(async (ctx) => {
      const conversation = await conversations.findById(ctx.trx, conversationId);
      if (!conversation || conversation.kind !== 'channel') throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId });
      const existing = await memberships.find(ctx.trx, conversationId, actor.userId);
      if (existing) return this.views.buildOne(ctx.trx, actor.userId, { conversation, membership: existing });
      await this.admit(ctx, conversation, [actor.userId], null);
      return this.views.buildOne(ctx.trx, actor.userId, await requireMember(ctx.trx, conversationId, actor.userId));
    });
  }

  /** Leaves a group or channel. An owner who leaves hands ownership to the longest-standing admin, else member. */
  async leave(actor: Actor, conversationId: string): Promise<void> {
    await this.writer.run(async (ctx) => {
      const access = await requireMember(ctx.trx, conversationId, actor.userId);
      if (access.conversation.kind === 'direct') throw new HearthError('OPERATION_NOT_ALLOWED', {}, 'A direct conversation cannot be left.');
      await this.removeMemberRow(ctx, access, actor.userId, null);
    });
  }

  /**
   * Dismisses a conversation the user was removed from: the read-only copy goes, on all their devices
   * (`conversation.left` without a conversation). A member leaves instead (OPERATION_NOT_ALLOWED).
   */
  async hide(actor: Actor, conversationId: string): Promise<void> {
    await this.writer.run(async (ctx) => {
      if (await formers.remove(ctx.trx, conversationId, actor.userId)) {
        ctx.publish(topics.user(actor.userId), { type: 'conversation.left', conversationId, removedBy: null, conversation: null });
        return;
      }
      if (await memberships.find(ctx.trx, conversationId, actor.userId)) {
        throw new HearthError('OPERATION_NOT_ALLOWED', {}, 'Only a conversation you were removed from can be dismissed; leave this one instead.');
      }
      throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId });
    });
  }

  /**
   * The ids of the conversations the user is in, direct ones from their first message on. No access check: for the
   * gateway, which subscribes sockets (a direct conversation's first message subscribes them with `conversation.joined`).
   */
  async conversationIdsOf(userId: string): Promise<string[]> {
    return memberships.conversationIdsOf(this.db, userId);
  }

  /** The current position of each of the given conversations. No access check: for the gateway's catch-up. */
  async positionsOf(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await conversations.findByIds(this.db, conversationIds);
    return new Map(rows.map((r) => [r.id, Number(r.last_event_seq)]));
  }

  /** The member ids of each of the given conversations. No access check: for the gateway's presence rosters. */
  async memberIdsOf(conversationIds: readonly string[]): Promise<Map<string, string[]>> {
    return memberships.memberIdsOf(this.db, conversationIds);
  }

  async listMembers(actor: Actor, conversationId: string): Promise<Member[]> {
    await requireMember(this.db, conversationId, actor.userId);
    return buildMembers(this.db, actor.userId, await memberships.listByConversation(this.db, conversationId));
  }

  /** Adds people to a group (admins) or a channel (any member). People already in are skipped. */
  async addMembers(actor: Actor, conversationId: string, userIds: string[]): Promise<Member[]> {
    return this.writer.run(async (ctx) => {
      const access = await requireMember(ctx.trx, conversationId, actor.userId);
      if (access.conversation.kind === 'direct') throw new HearthError('OPERATION_NOT_ALLOWED', {}, 'A direct conversation has exactly two members.');
      if (access.conversation.kind === 'group') requireModerator(access);
      const wanted = [...new Set(userIds)];
      await requireUsers(ctx, wanted);
      const present = new Set((await memberships.listByConversation(ctx.trx, conversationId)).map((m) => m.user_id));
      const added = await this.admit(ctx, access.conversation, wanted.filter((u) => !present.has(u)), actor.userId);
      return buildMembers(ctx.trx, actor.userId, added);
    });
  }

  /** Removes a member. Admins remove members; only the owner removes admins; nobody removes the owner. */
  async removeMember(actor: Actor, conversationId: string, userId: string): Promise<void> {
    if (userId === actor.userId) return this.leave(actor, conversationId);
    await this.writer.run(async (ctx) => {
      const access = await requireMember(ctx.trx, conversationId, actor.userId);
      requireModerator(access);
      const target = await memberships.find(ctx.trx, conversationId, userId);
      if (!target) throw new HearthError('USER_NOT_FOUND', { userId }, 'That user is not a member.');
      if (target.role === 'owner' || (target.role === 'admin' && access.membership.role !== 'owner')) {
        throw new HearthError('PERMISSION_DENIED', { userId }, 'Only the owner removes admins, and nobody removes the owner.');
      }
      await this.removeMemberRow(ctx, { conversation: access.conversation, membership: target }, userId, actor.userId);
    });
  }

  /** Promotes a member to admin or back; only the owner may. */
  async updateMember(actor: Actor, conversationId: string, userId: string, role: 'admin' | 'member'): Promise<Member> {
    return this.writer.run(async (ctx) => {
      const access = await requireMember(ctx.trx, conversationId, actor.userId);
      if (access.conversation.kind === 'direct' || access.membership.role !== 'owner') {
        throw new HearthError('PERMISSION_DENIED', { conversationId }, 'Only the owner changes roles.');
      }
      const target = await memberships.find(ctx.trx, conversationId, userId);
      if (!target) throw new HearthError('USER_NOT_FOUND', { userId }, 'That user is not a member.');
      if (target.role === 'owner') throw new HearthError('OPERATION_NOT_ALLOWED', {}, 'The owner keeps their role until they leave.');
      if (target.role !== role) {
        await memberships.update(ctx.trx, conversationId, userId, { role });
        const pts = await positions.allocate(ctx.trx, conversationId, 1);
        await appendEvent(ctx, { type: 'member.updated', conversationId, pts, userId, role, updatedBy: actor.userId });
      }
      const [member] = await buildMembers(ctx.trx, actor.userId, [{ ...target, role }]);
      return member!;
    });
  }

  /**
   * The pair's direct conversation, as the caller opens it. A new one exists for the people who opened it only, and
   * is in nobody's list, until its first message reveals it (`revealDirects`): the peer has no membership until then,
   * so nothing at all is there for them, and nobody is told. The peer who opens it too meanwhile gets a membership
   * of their own, silently.
   */
  private async openDirect(actor: Actor, peerId: string): Promise<Conversation> {
    if (peerId === actor.userId) throw new HearthError('OPERATION_NOT_ALLOWED', {}, 'A direct conversation needs another person.');
    const key = [actor.userId, peerId].sort().join(':');
    const existing = await conversations.findByDirectKey(this.db, key);
    if (existing && (await memberships.find(this.db, existing.id, actor.userId))) return this.get(actor, existing.id);
    try {
      return await this.writer.run(async (ctx) => {
        await requireUsers(ctx, [peerId]);
        let row = await conversations.findByDirectKey(ctx.trx, key);
        if (!row) {
          row = {
            id: newId(),
            kind: 'direct',
            title: null,
            topic: '',
            created_by: actor.userId,
            created_at: ctx.now,
            last_event_seq: 0,
            last_message_seq: 0,
            member_count: 2,
            direct_key: key,
          };
          await conversations.insert(ctx.trx, row);
        }
        if (!(await memberships.find(ctx.trx, row.id, actor.userId))) {
          await insertMembers(ctx, [membershipRow(row.id, actor.userId, 'member', ctx.now, 0)]);
        }
        return this.views.buildOne(ctx.trx, actor.userId, await requireMember(ctx.trx, row.id, actor.userId));
      });
    } catch (err) {
      // Another node created the pair's conversation (or this membership) at the same moment: the unique key kept
      // one; use it.
      const cause = err instanceof HearthError ? err.cause : err;
      if (!this.capabilities.isUniqueViolation(cause)) throw err;
      const winner = await conversations.findByDirectKey(this.db, key);
      if (!winner) throw err;
      return this.get(actor, winner.id);
    }
  }

  /**
   * Called in the transaction that stores the first messages of these conversations, before their events are
   * published: each direct one among them is revealed. The peer gets the membership nothing gave them so far, and
   * both people's devices get `conversation.joined` with the conversation as it was just before its first message
   * (`pts` 0): the `message.created` events that follow then apply as the next positions, so clients count, notify
   * and acknowledge the first message like any other. Other kinds are left alone.
   */
  async revealDirects(ctx: WriteContext, conversationIds: readonly string[]): Promise<void> {
    for (const row of await conversations.findByIds(ctx.trx, conversationIds)) {
      if (row.kind !== 'direct' || !row.direct_key) continue;
      const present = await memberships.listByConversation(ctx.trx, row.id);
      const added = row.direct_key
        .split(':')
        .filter((u) => !present.some((m) => m.user_id === u))
        .map((u) => membershipRow(row.id, u, 'member', ctx.now, 0));
      await insertMembers(ctx, added);
      this.announceJoins(ctx, row, [...present, ...added]);
    }
  }

  /**
   * Tells each member of a conversation about it as it is before its first event (`conversation.joined` on their own
   * topic, `pts` 0) and returns the views by user. Such a conversation has no messages, so the views need no queries.
   */
  private announceJoins(ctx: WriteContext, row: conversations.ConversationRow, rows: MembershipRow[]): Map<string, Conversation> {
    const members = rows.length <= INLINE_MEMBERS_MAX ? rows.map((m) => toMember(m, false)) : undefined;
    const views = new Map<string, Conversation>();
    for (const m of rows) {
      const view = freshView(row, m);
      views.set(m.user_id, view);
      ctx.publish(topics.user(m.user_id), { type: 'conversation.joined', conversation: view, ...(members ? { members } : {}) });
    }
    return views;
  }

  /**
   * Adds people who joined (`addedBy` null: a channel joined by `userIds[0]`) or were added: each takes a position
   * (`member.joined` for the others), then one system line records the change, then each newcomer's devices get
   * `conversation.joined`. A newcomer starts with everything so far marked read, their arrival included, as in
   * Slack: no backlog of unread messages. The first to join a conversation everyone has left takes it over, so that
   * someone can moderate it again.
   */
  private async admit(ctx: WriteContext, conversation: conversations.ConversationRow, userIds: string[], addedBy: string | null): Promise<MembershipRow[]> {
    if (userIds.length === 0) return [];
    const id = conversation.id;
    const ownerless = (await memberships.oldestWithRole(ctx.trx, id, 'owner')) === undefined;
    const rows = userIds.map((u, i) => membershipRow(id, u, ownerless && i === 0 ? 'owner' : 'member', ctx.now, Number(conversation.last_message_seq)));
    const first = await positions.allocate(ctx.trx, id, rows.length);
    await insertMembers(ctx, rows);
    // Someone removed earlier who comes back is a member again: their read-only copy gives way to the real thing.
    await formers.removeMany(ctx.trx, id, userIds);
    await conversations.addToMemberCount(ctx.trx, id, rows.length);
    for (const [i, row] of rows.entries()) {
      await appendEvent(ctx, { type: 'member.joined', conversationId: id, pts: first + i, member: toMember(row, false), addedBy });
    }
    const line = await this.postSystemMessage(ctx, id, addedBy ?? userIds[0]!, systemLine(addedBy ? 'member.added' : 'member.joined', { userIds }));
    await memberships.updateMany(ctx.trx, id, userIds, { delivered_seq: line.seq, read_seq: line.seq });
    const current = (await conversations.findById(ctx.trx, id))!;
    const all = Number(current.member_count) <= INLINE_MEMBERS_MAX ? await memberships.listByConversation(ctx.trx, id) : undefined;
    for (const row of rows) {
      Object.assign(row, { delivered_seq: line.seq, read_seq: line.seq });
      ctx.publish(topics.user(row.user_id), {
        type: 'conversation.joined',
        conversation: await this.views.buildOne(ctx.trx, row.user_id, { conversation: current, membership: row }),
        ...(all ? { members: all.map((m) => toMember(m, false)) } : {}),
      });
    }
    return rows;
  }

  private async removeMemberRow(ctx: WriteContext, access: MemberAccess, userId: string, removedBy: string | null): Promise<void> {
    const conversationId = access.conversation.id;
    await memberships.remove(ctx.trx, conversationId, userId);
    await conversations.addToMemberCount(ctx.trx, conversationId, -1);
    const pts = await positions.allocate(ctx.trx, conversationId, 1);
    await appendEvent(ctx, { type: 'member.left', conversationId, pts, userId, removedBy });
    const line = await this.postSystemMessage(ctx, conversationId, removedBy ?? userId, systemLine(removedBy ? 'member.removed' : 'member.left', { userIds: [userId] }));
    // Someone who leaves asked for the conversation to go; someone removed keeps what they had, read-only.
    const kept = removedBy === null ? null : await this.keepReadOnly(ctx, access.membership, line.seq, removedBy);
    ctx.publish(topics.user(userId), { type: 'conversation.left', conversationId, removedBy, conversation: kept });
    if (access.membership.role === 'owner') {
      const heir = (await memberships.oldestWithRole(ctx.trx, conversationId, 'admin')) ?? (await memberships.oldestWithRole(ctx.trx, conversationId, 'member'));
      if (heir) {
        await memberships.update(ctx.trx, conversationId, heir.user_id, { role: 'owner' });
        const heirPts = await positions.allocate(ctx.trx, conversationId, 1);
        await appendEvent(ctx, { type: 'member.updated', conversationId, pts: heirPts, userId: heir.user_id, role: 'owner', updatedBy: null });
      }
    }
  }

  /**
   * Records what a removed member keeps: the conversation up to `removedSeq` (the system line of their removal), as it
   * is now, and returns it as they see it from then on.
   */
  private async keepReadOnly(ctx: WriteContext, membership: MembershipRow, removedSeq: number, removedBy: string): Promise<Conversation> {
    const conversation = (await conversations.findById(ctx.trx, membership.conversation_id))!;
    const former: formers.FormerMembershipRow = {
      conversation_id: conversation.id,
      user_id: membership.user_id,
      role: membership.role,
      joined_at: membership.joined_at,
      delivered_seq: membership.delivered_seq,
      read_seq: membership.read_seq,
      muted: membership.muted,
      removed_by: removedBy,
      removed_at: ctx.now,
      removed_seq: removedSeq,
      title: conversation.title,
      topic: conversation.topic,
      member_count: conversation.member_count,
    };
    await formers.upsert(ctx.trx, former);
    return this.views.buildOne(ctx.trx, membership.user_id, formerEntry(conversation, former));
  }
}

function membershipRow(conversationId: string, userId: string, role: MembershipRow['role'], now: number, readUpTo: number): MembershipRow {
  return {
    conversation_id: conversationId,
    user_id: userId,
    role,
    joined_at: now,
    delivered_seq: readUpTo,
    read_seq: readUpTo,
    receipts_updated_at: now,
    delivered_updated_at: now,
    // Stamped with the batch's change number before commit (insertMembers): others' sync then sees the newcomer's pointers.
    receipts_change: 0,
    delivered_change: 0,
    muted: 0,
  };
}

/** Inserts memberships; their receipt pointers count as changed for sync's cursor. */
async function insertMembers(ctx: WriteContext, rows: MembershipRow[]): Promise<void> {
  await memberships.insertMany(ctx.trx, rows);
  const pairs = rows.map((r) => [r.conversation_id, r.user_id] as const);
  ctx.stampChange((trx, change) => memberships.stampReceipts(trx, pairs, change, true));
}

/** The content of a system line: the fields `event` does not use are empty. */
function systemLine(event: SystemEvent, fields: Partial<Pick<SystemContent, 'userIds' | 'title' | 'topic'>>): SystemContent {
  return { type: 'system', event, userIds: [], title: null, topic: null, ...fields };
}

function freshView(row: conversations.ConversationRow, m: MembershipRow): Conversation {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    topic: row.topic,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    memberCount: Number(row.member_count),
    peerId: peerOf(row, m.user_id),
    pts: 0,
    lastMessage: null,
    me: { role: m.role, joinedAt: Number(m.joined_at), deliveredSeq: 0, readSeq: 0, unreadCount: 0, unreadMentionCount: 0, muted: false, removal: null },
  };
}

async function requireUsers(ctx: WriteContext, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set((await users.findByIds(ctx.trx, ids)).map((u) => u.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new HearthError('USER_NOT_FOUND', { userIds: missing });
}

function activityOf(c: Conversation): number {
  return c.lastMessage?.createdAt ?? c.createdAt;
}
