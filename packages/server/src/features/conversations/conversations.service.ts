import {
  INLINE_MEMBERS_MAX,
  type ChannelSummary,
  type Conversation,
  type CreateConversationBody,
  type Member,
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
import { requireMember, requireModerator, type MemberAccess } from './access.js';
import * as conversations from './conversations.store.js';
import { buildMembers, peerOf, toMember, type ConversationViews } from './conversations.views.js';
import { appendEvent } from './event-log.js';
import * as memberships from './memberships.store.js';
import type { MembershipRow } from './memberships.store.js';
import * as positions from './positions.store.js';

/**
 * Conversations and their membership. Every change that other members must see goes through the write queue:
 * it takes a position in the conversation's event stream and is published after commit.
 */
export class ConversationsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly capabilities: DialectCapabilities,
    private readonly writer: WriteQueue,
    private readonly views: ConversationViews,
  ) {}

  async list(actor: Actor): Promise<Conversation[]> {
    const entries = await conversations.listForUser(this.db, actor.userId);
    const views = await this.views.build(this.db, actor.userId, entries);
    return views.sort((a, b) => activityOf(b) - activityOf(a));
  }

  async get(actor: Actor, conversationId: string): Promise<Conversation> {
    return this.views.buildOne(this.db, actor.userId, await requireMember(this.db, conversationId, actor.userId));
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
      await memberships.insertMany(ctx.trx, rows);
      return this.announceJoins(ctx, row, rows, actor.userId);
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
    return rows.map((c) => ({
      id: c.id,
      title: c.title ?? '',
      topic: c.topic,
      memberCount: Number(c.member_count),
      createdAt: Number(c.created_at),
      joined: mine.has(c.id),
    }));
  }

  /** Joins a public channel (idempotent). Anything that is not a channel answers CONVERSATION_NOT_FOUND. */
  async join(actor: Actor, conversationId: string): Promise<Conversation> {
    return this.writer.run(async (ctx) => {
      const conversation = await conversations.findById(ctx.trx, conversationId);
      if (!conversation || conversation.kind !== 'channel') throw new HearthError('CONVERSATION_NOT_FOUND', { conversationId });
      const existing = await memberships.find(ctx.trx, conversationId, actor.userId);
      if (existing) return this.views.buildOne(ctx.trx, actor.userId, { conversation, membership: existing });
      await this.addMember(ctx, conversation, actor.userId, null);
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

  /** The ids of the conversations the user is in. No access check: for the gateway, which subscribes sockets. */
  async conversationIdsOf(userId: string): Promise<string[]> {
    return memberships.conversationIdsOf(this.db, userId);
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
      const added: MembershipRow[] = [];
      for (const userId of wanted.filter((u) => !present.has(u))) {
        added.push(await this.addMember(ctx, access.conversation, userId, actor.userId));
      }
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

  private async openDirect(actor: Actor, peerId: string): Promise<Conversation> {
    if (peerId === actor.userId) throw new HearthError('OPERATION_NOT_ALLOWED', {}, 'A direct conversation needs another person.');
    const key = [actor.userId, peerId].sort().join(':');
    const existing = await conversations.findByDirectKey(this.db, key);
    if (existing) return this.get(actor, existing.id);
    try {
      return await this.writer.run(async (ctx) => {
        await requireUsers(ctx, [peerId]);
        const again = await conversations.findByDirectKey(ctx.trx, key);
        if (again) return this.views.buildOne(ctx.trx, actor.userId, await requireMember(ctx.trx, again.id, actor.userId));
        const id = newId();
        const row: conversations.ConversationRow = {
          id,
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
        const rows = [membershipRow(id, actor.userId, 'member', ctx.now, 0), membershipRow(id, peerId, 'member', ctx.now, 0)];
        await memberships.insertMany(ctx.trx, rows);
        return this.announceJoins(ctx, row, rows, actor.userId);
      });
    } catch (err) {
      // Another node created the pair's conversation at the same moment: the unique key kept one; use it.
      const cause = err instanceof HearthError ? err.cause : err;
      if (!this.capabilities.isUniqueViolation(cause)) throw err;
      const winner = await conversations.findByDirectKey(this.db, key);
      if (!winner) throw err;
      return this.get(actor, winner.id);
    }
  }

  /**
   * Tells each member of a brand-new conversation about it (`conversation.joined` on their own topic) and returns
   * the creator's view. A new conversation has no messages, so the views need no queries.
   */
  private announceJoins(ctx: WriteContext, row: conversations.ConversationRow, rows: MembershipRow[], creatorId: string): Conversation {
    const members = rows.length <= INLINE_MEMBERS_MAX ? rows.map((m) => toMember(m, false)) : undefined;
    let creatorView: Conversation | undefined;
    for (const m of rows) {
      const view = freshView(row, m);
      if (m.user_id === creatorId) creatorView = view;
      ctx.publish(topics.user(m.user_id), { type: 'conversation.joined', conversation: view, ...(members ? { members } : {}) });
    }
    return creatorView!;
  }

  /** Adds one member: a position in the stream, `member.joined` for the others, `conversation.joined` for them. */
  private async addMember(ctx: WriteContext, conversation: conversations.ConversationRow, userId: string, addedBy: string | null): Promise<MembershipRow> {
    // A newcomer starts with everything so far marked read, as in Slack: no backlog of unread messages. The first
    // to join a conversation everyone has left takes it over, so that someone can moderate it again.
    const ownerless = (await memberships.oldestWithRole(ctx.trx, conversation.id, 'owner')) === undefined;
    const row = membershipRow(conversation.id, userId, ownerless ? 'owner' : 'member', ctx.now, Number(conversation.last_message_seq));
    const pts = await positions.allocate(ctx.trx, conversation.id, 1);
    await memberships.insertMany(ctx.trx, [row]);
    await conversations.addToMemberCount(ctx.trx, conversation.id, 1);
    await appendEvent(ctx, { type: 'member.joined', conversationId: conversation.id, pts, member: toMember(row, false), addedBy });
    const access = await requireMember(ctx.trx, conversation.id, userId);
    const view = await this.views.buildOne(ctx.trx, userId, access);
    const all = view.memberCount <= INLINE_MEMBERS_MAX ? await memberships.listByConversation(ctx.trx, conversation.id) : undefined;
    ctx.publish(topics.user(userId), {
      type: 'conversation.joined',
      conversation: view,
      ...(all ? { members: all.map((m) => toMember(m, false)) } : {}),
    });
    return row;
  }

  private async removeMemberRow(ctx: WriteContext, access: MemberAccess, userId: string, removedBy: string | null): Promise<void> {
    const conversationId = access.conversation.id;
    await memberships.remove(ctx.trx, conversationId, userId);
    await conversations.addToMemberCount(ctx.trx, conversationId, -1);
    const pts = await positions.allocate(ctx.trx, conversationId, 1);
    await appendEvent(ctx, { type: 'member.left', conversationId, pts, userId, removedBy });
    ctx.publish(topics.user(userId), { type: 'conversation.left', conversationId, removedBy });
    if (access.membership.role === 'owner') {
      const heir = (await memberships.oldestWithRole(ctx.trx, conversationId, 'admin')) ?? (await memberships.oldestWithRole(ctx.trx, conversationId, 'member'));
      if (heir) {
        await memberships.update(ctx.trx, conversationId, heir.user_id, { role: 'owner' });
        const heirPts = await positions.allocate(ctx.trx, conversationId, 1);
        await appendEvent(ctx, { type: 'member.updated', conversationId, pts: heirPts, userId: heir.user_id, role: 'owner', updatedBy: null });
      }
    }
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
    muted: 0,
  };
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
    me: { role: m.role, joinedAt: Number(m.joined_at), deliveredSeq: 0, readSeq: 0, unreadCount: 0, unreadMentionCount: 0, muted: false },
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
