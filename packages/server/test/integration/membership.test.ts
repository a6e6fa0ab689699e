import type { Conversation, Message, SyncResponse, SystemContent } from '@hearth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { unknownId } from '../support/fixtures.js';
import { is, nextClientId, requestOk, seen, sendVia, startScenario, text, until, type Person, type Scenario } from '../support/scenario.js';

/** The system lines of a history, as `[sender, content]`. */
function linesOf(history: readonly Message[]): Array<[string, SystemContent]> {
  return history.flatMap((m) => (m.content?.type === 'system' ? [[m.senderId, m.content] as [string, SystemContent]] : []));
}

function line(event: SystemContent['event'], fields: Partial<SystemContent> = {}): SystemContent {
  return { type: 'system', event, userIds: [], title: null, topic: null, ...fields };
}

describe.each(BACKENDS)('membership in the history (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend);
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  const systemLine = (p: Person) => (f: Record<string, any>) => f.type === 'message.created' && f.message.content?.type === 'system' && f.message.senderId === p.id;

  describe('system lines', () => {
    test('joining a channel writes "joined" into its history, live to the members and in the joiner’s own view', async () => {
      const [ana, ben] = await s.people(2);
      const channel = await s.channel(ana!);
      const anaWs = await s.connect(ana!);
      const joined = await s.ok(ben!, 'joinChannel', { params: { conversationId: channel.id } });
      const live = await until(anaWs, systemLine(ben!));
      expect(live.message).toMatchObject({ senderId: ben!.id, content: line('member.joined', { userIds: [ben!.id] }), replyTo: null, forwarded: null, reactions: [] });
      expect(live.pts).toBe(live.message.seq);
      expect(joined.lastMessage).toEqual(live.message);
      expect(linesOf(await s.history(ben!, channel.id))).toEqual([[ben!.id, line('member.joined', { userIds: [ben!.id] })]]);
    });

    test('adding people writes one line naming everyone added, sent by whoever added them', async () => {
      const [ana, ben, carl, dan] = await s.people(4);
      const group = await s.group(ana!, [ben!]);
      await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [carl!.id, dan!.id, ben!.id] } });
      expect(linesOf(await s.history(ben!, group.id))).toEqual([[ana!.id, line('member.added', { userIds: [carl!.id, dan!.id] })]]);
    });

    test('adding only people already in writes nothing', async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [ben!.id] } });
      expect((await s.conversation(ana!, group.id)).pts).toBe(group.pts);
    });

    test('leaving writes "left" sent by the leaver, and removing writes "removed" sent by the remover', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      await s.ok(ben!, 'leaveConversation', { params: { conversationId: group.id } });
      await s.ok(ana!, 'removeMember', { params: { conversationId: group.id, userId: carl!.id } });
      expect(linesOf(await s.history(ana!, group.id))).toEqual([
        [ben!.id, line('member.left', { userIds: [ben!.id] })],
        [ana!.id, line('member.removed', { userIds: [carl!.id] })],
      ]);
    });

    test('renaming and changing the topic write a line each with the new value; an unchanged value writes none', async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!], 'Before');
      await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { title: 'After', topic: 'Plans' } });
      await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { title: 'After', topic: '' } });
      await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { title: 'After' } });
      expect(linesOf(await s.history(ben!, group.id))).toEqual([
        [ana!.id, line('conversation.renamed', { title: 'After' })],
        [ana!.id, line('topic.changed', { topic: 'Plans' })],
        [ana!.id, line('topic.changed', { topic: '' })],
      ]);
    });

    test('system lines never count as unread, for the members or in their list', async () => {
      const [ana, ben, carl] = await s.people(3);
      const channel = await s.channel(ana!, [ben!]);
      const benWs = await s.connect(ben!);
      await s.ok(ana!, 'addMembers', { params: { conversationId: channel.id }, body: { userIds: [carl!.id] } });
      await s.ok(ana!, 'updateConversation', { params: { conversationId: channel.id }, body: { topic: 'news' } });
      await until(benWs, (f) => systemLine(ana!)(f) && f.message.content.event === 'topic.changed');
      const seen = await s.conversation(ben!, channel.id);
      expect(seen.lastMessage?.content).toEqual(line('topic.changed', { topic: 'news' }));
      expect(seen.me).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
      expect((await s.listed(ben!)).find((c) => c.id === channel.id)?.me.unreadCount).toBe(0);
    });

    test('a newcomer starts with everything read, the line of their own arrival included', async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, []);
      await s.post(ana!, group.id, 'before ben');
      const benWs = await s.connect(ben!);
      await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [ben!.id] } });
      const joined = await until(benWs, (f) => f.type === 'conversation.joined' && f.conversation.id === group.id);
      expect(joined.conversation.lastMessage.content).toEqual(line('member.added', { userIds: [ben!.id] }));
      expect(joined.conversation.me).toMatchObject({ readSeq: joined.conversation.lastMessage.seq, deliveredSeq: joined.conversation.lastMessage.seq, unreadCount: 0 });
      expect(joined.conversation.pts).toBe(joined.conversation.lastMessage.seq);
    });
  });

  describe('a system line cannot be changed or used', () => {
    /** A group renamed by its owner: the rename's system line, and the owner's socket. */
    async function withLine() {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { title: 'Renamed' } });
      const [system] = (await s.history(ana!, group.id)).filter((m) => m.content?.type === 'system');
      return { ana: ana!, group, system: system!, anaWs: await s.connect(ana!) };
    }

    test.each([
      ['edit it', (c: string, m: string) => ({ type: 'message.edit', conversationId: c, messageId: m, content: text('rewritten') })],
      ['delete it', (c: string, m: string) => ({ type: 'message.delete', conversationId: c, messageId: m })],
      ['react to it', (c: string, m: string) => ({ type: 'reaction.add', conversationId: c, messageId: m, emoji: '👍' })],
      ['reply to it', (c: string, m: string) => ({ type: 'message.send', conversationId: c, clientId: nextClientId(), content: text('re'), replyToId: m })],
      ['forward it', (c: string, m: string) => ({ type: 'message.forward', conversationId: c, clientId: nextClientId(), from: { conversationId: c, messageId: m } })],
    ])('its author, the owner, who tries to %s gets OPERATION_NOT_ALLOWED and the history stays as it was', async (_, frame) => {
      const { ana, group, system, anaWs } = await withLine();
      const before = await s.history(ana, group.id);
      expect(await anaWs.request(frame(group.id, system.id))).toMatchObject({ type: 'error', code: 'OPERATION_NOT_ALLOWED' });
      expect(await s.history(ana, group.id)).toEqual(before);
    });

    test('removing a reaction from a system line succeeds and changes nothing', async () => {
      const { ana, group, system, anaWs } = await withLine();
      await requestOk(anaWs, { type: 'reaction.remove', conversationId: group.id, messageId: system.id, emoji: '👍' });
      expect((await s.conversation(ana, group.id)).pts).toBe(system.seq);
    });
  });

  describe('a member who is removed', () => {
    /** Ana's group with Ben and Carl; Ana removes Carl after one message. */
    async function removal() {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!], 'Before');
      const before = await s.post(ben!, group.id, 'while carl was in');
      await s.ok(ana!, 'removeMember', { params: { conversationId: group.id, userId: carl!.id } });
      const history = await s.history(ana!, group.id);
      return { ana: ana!, ben: ben!, carl: carl!, group, before, removedLine: history.at(-1)! };
    }

    test('gets the conversation back read-only in conversation.left: who removed them, and the line that says so', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const carlDevices = await s.devices(carl!, 2);
      await s.ok(ana!, 'removeMember', { params: { conversationId: group.id, userId: carl!.id } });
      for (const ws of carlDevices) {
        const line = await until(ws, (f) => f.type === 'message.created' && f.message.content?.event === 'member.removed');
        const left = await until(ws, is('conversation.left', { conversationId: group.id }));
        expect(line.message).toMatchObject({ senderId: ana!.id, content: { userIds: [carl!.id] } });
        expect(left.removedBy).toBe(ana!.id);
        expect(left.conversation).toMatchObject({ id: group.id, pts: line.pts, lastMessage: line.message, me: { removal: { removedBy: ana!.id } } });
        expect(left.conversation.me.removal.removedAt).toBe(line.message.createdAt);
      }
    });

    test('reads the history up to their removal and nothing after it', async () => {
      const r = await removal();
      const after = await s.post(r.ana, r.group.id, 'after carl');
      expect((await s.history(r.carl, r.group.id)).map((m) => m.id)).toEqual((await s.history(r.ana, r.group.id)).filter((m) => m.seq <= r.removedLine.seq).map((m) => m.id));
      expect(await s.ok(r.carl, 'getMessage', { params: { conversationId: r.group.id, messageId: r.before.id } })).toEqual(r.before);
      await s.fails(r.carl, 'getMessage', 'MESSAGE_NOT_FOUND', { params: { conversationId: r.group.id, messageId: after.id } });
      const page = await s.ok(r.carl, 'history', { params: { conversationId: r.group.id }, query: { after: r.before.seq } });
      expect(page).toEqual({ messages: [r.removedLine], hasMore: false });
    });

    test('sees the conversation as it was at the removal: its title, topic and count then, and nothing unread', async () => {
      const r = await removal();
      await s.ok(r.ana, 'updateConversation', { params: { conversationId: r.group.id }, body: { title: 'After', topic: 'secret plans' } });
      await s.post(r.ben, r.group.id, 'news carl must not see');
      const kept = await s.conversation(r.carl, r.group.id);
      expect(kept).toMatchObject({ title: 'Before', topic: '', memberCount: 2, pts: r.removedLine.seq, lastMessage: r.removedLine });
      expect(kept.me).toMatchObject({ unreadCount: 0, unreadMentionCount: 0, removal: { removedBy: r.ana.id } });
      expect((await s.listed(r.carl)).find((c) => c.id === r.group.id)).toEqual(kept);
      expect(JSON.stringify(kept)).not.toContain('secret plans');
    });

    test.each([
      ['send to it', 'sendMessage', (c: string) => ({ params: { conversationId: c }, body: { clientId: nextClientId(), content: text('still here?') } })],
      ['list its members', 'listMembers', (c: string) => ({ params: { conversationId: c } })],
      ['move a receipt in it', 'updateReceipt', (c: string) => ({ params: { conversationId: c }, body: { readSeq: 1 } })],
      ['leave it', 'leaveConversation', (c: string) => ({ params: { conversationId: c } })],
      ['mute it', 'updateMySettings', (c: string) => ({ params: { conversationId: c }, body: { muted: true } })],
    ] as const)('cannot %s: CONVERSATION_NOT_FOUND, as for anyone who is not a member', async (_, endpoint, options) => {
      const r = await removal();
      await s.fails(r.carl, endpoint, 'CONVERSATION_NOT_FOUND', options(r.group.id));
    });

    test('is listed by sync, read-only, also on a device that never held it, without the members of today', async () => {
      const r = await removal();
      await s.ok(r.ana, 'addMembers', { params: { conversationId: r.group.id }, body: { userIds: [(await s.person()).id] } });
      const response = await s.ok<SyncResponse>(r.carl, 'sync', { body: { conversations: [] } });
      const entry = response.conversations.find((c) => c.conversation.id === r.group.id)!;
      expect(entry).toMatchObject({ refetch: true, members: [], events: [], conversation: { pts: r.removedLine.seq, me: { removal: { removedBy: r.ana.id } } } });
      const held = await s.ok<SyncResponse>(r.carl, 'sync', { body: { conversations: [{ id: r.group.id, pts: r.removedLine.seq }], cursor: response.cursor } });
      expect(held.conversations).toEqual([]);
      expect(held.removed).toEqual([]);
    });

    test('dismissing it takes it off every device of theirs; then it answers as to a stranger', async () => {
      const r = await removal();
      const [phone, laptop] = await s.devices(r.carl, 2);
      await s.ok(r.carl, 'hideConversation', { params: { conversationId: r.group.id } });
      for (const ws of [phone!, laptop!]) {
        expect(await until(ws, is('conversation.left', { conversationId: r.group.id }))).toEqual({ type: 'conversation.left', conversationId: r.group.id, removedBy: null, conversation: null });
      }
      const fake = unknownId();
      expect(await s.http(r.carl, 'getConversation', { params: { conversationId: r.group.id } })).toMatchObject({
        status: 404,
        body: { code: 'CONVERSATION_NOT_FOUND', details: { conversationId: r.group.id } },
      });
      expect((await s.http(r.carl, 'getConversation', { params: { conversationId: fake } })).status).toBe(404);
      expect((await s.listed(r.carl)).map((c) => c.id)).not.toContain(r.group.id);
      const sync = await s.ok<SyncResponse>(r.carl, 'sync', { body: { conversations: [{ id: r.group.id, pts: r.removedLine.seq }] } });
      expect(sync.removed).toEqual([r.group.id]);
      await s.fails(r.carl, 'hideConversation', 'CONVERSATION_NOT_FOUND', { params: { conversationId: r.group.id } });
    });

    test('a member cannot dismiss a conversation they are still in: they leave it instead', async () => {
      const r = await removal();
      await s.fails(r.ben, 'hideConversation', 'OPERATION_NOT_ALLOWED', { params: { conversationId: r.group.id } });
      expect((await s.conversation(r.ben, r.group.id)).me.removal).toBeNull();
    });

    test('added again, is a member again: the whole history, and the events from then on', async () => {
      const r = await removal();
      const missed = await s.post(r.ben, r.group.id, 'while carl was out');
      const carlWs = await s.connect(r.carl);
      await s.ok(r.ana, 'addMembers', { params: { conversationId: r.group.id }, body: { userIds: [r.carl.id] } });
      const joined = await until(carlWs, (f) => f.type === 'conversation.joined' && f.conversation.id === r.group.id);
      expect(joined.conversation.me.removal).toBeNull();
      expect((await s.history(r.carl, r.group.id)).map((m) => m.id)).toContain(missed.id);
      const next = await sendVia(await s.connect(r.ben), r.group.id, 'welcome back');
      await until(carlWs, (f) => f.type === 'message.created' && f.message.id === next.id);
      await s.fails(r.carl, 'hideConversation', 'OPERATION_NOT_ALLOWED', { params: { conversationId: r.group.id } });
    });
  });

  describe('a member who leaves', () => {
    test('keeps nothing: their devices drop it, and it answers as to a stranger', async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      const benWs = await s.connect(ben!);
      await s.ok(ben!, 'leaveConversation', { params: { conversationId: group.id } });
      expect(await until(benWs, is('conversation.left', { conversationId: group.id }))).toMatchObject({ removedBy: null, conversation: null });
      await s.fails(ben!, 'getConversation', 'CONVERSATION_NOT_FOUND', { params: { conversationId: group.id } });
      await s.fails(ben!, 'history', 'CONVERSATION_NOT_FOUND', { params: { conversationId: group.id } });
      expect((await s.listed(ben!)).map((c: Conversation) => c.id)).not.toContain(group.id);
      expect(seen(benWs, (f) => f.type === 'conversation.left')).toHaveLength(1);
    });
  });
});
