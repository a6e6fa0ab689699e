import type { ChannelPreview, Message } from '@hearth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { uniqueName } from '../support/raw.js';
import { nextClientId, seen, startScenario, text, until, type Person, type Scenario } from '../support/scenario.js';

describe.each(BACKENDS)('previewing a public channel (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend);
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  /** A channel of Ana's with a topic and `count` messages, and Eve, who is not in it. */
  async function lobby(count = 3) {
    const [ana, eve] = await s.people(2);
    const channel = await s.ok(ana!, 'createConversation', { body: { kind: 'channel', title: uniqueName('Lobby'), topic: 'Say hi' } });
    const messages: Message[] = [];
    for (let i = 0; i < count; i++) messages.push(await s.post(ana!, channel.id, `news ${i}`));
    return { ana: ana!, eve: eve!, channel, messages };
  }
  const preview = (p: Person, conversationId: string) => s.ok<ChannelPreview>(p, 'previewChannel', { params: { conversationId } });

  test('anyone signed in sees a public channel’s summary and latest messages without joining', async () => {
    const { eve, channel, messages } = await lobby();
    expect(await preview(eve, channel.id)).toEqual({
      channel: { id: channel.id, title: channel.title, topic: 'Say hi', memberCount: 1, createdAt: channel.createdAt, joined: false },
      messages,
      hasMore: false,
    });
  });

  test('a preview is the latest page; older messages come from the history, page by page', async () => {
    const { eve, channel, messages } = await lobby(55);
    const page = await preview(eve, channel.id);
    expect(page.hasMore).toBe(true);
    expect(page.messages.map((m) => m.id)).toEqual(messages.slice(-50).map((m) => m.id));
    const older = await s.ok(eve, 'history', { params: { conversationId: channel.id }, query: { before: page.messages[0]!.seq } });
    expect(older).toEqual({ messages: messages.slice(0, 5), hasMore: false });
    expect(await s.ok(eve, 'getMessage', { params: { conversationId: channel.id, messageId: messages[0]!.id } })).toEqual(messages[0]);
  });

  test('previewing makes no one a member: nothing is listed, counted or sent, and no event follows', async () => {
    const { ana, eve, channel } = await lobby(1);
    const eveWs = await s.connect(eve);
    await preview(eve, channel.id);
    await s.ok(eve, 'history', { params: { conversationId: channel.id } });
    // The marker: a message in the channel, then one in a conversation Eve is in.
    await s.post(ana, channel.id, 'after the preview');
    const dm = await s.sharedDirect(ana, eve, 'marker');
    await until(eveWs, (f) => f.type === 'message.created' && f.conversationId === dm.id);
    expect(seen(eveWs, (f) => f.conversationId === channel.id || f.conversation?.id === channel.id)).toEqual([]);
    expect((await s.listed(eve)).map((c) => c.id)).toEqual([dm.id]);
    expect((await s.conversation(ana, channel.id)).memberCount).toBe(1);
    expect((await s.ok(eve, 'sync', { body: { conversations: [] } })).conversations.map((c: any) => c.conversation.id)).toEqual([dm.id]);
  });

  test.each([
    ['open it as a conversation', 'getConversation', (c: string) => ({ params: { conversationId: c } })],
    ['list its members', 'listMembers', (c: string) => ({ params: { conversationId: c } })],
    ['send to it', 'sendMessage', (c: string) => ({ params: { conversationId: c }, body: { clientId: nextClientId(), content: text('hello?') } })],
    ['mark it read', 'updateReceipt', (c: string) => ({ params: { conversationId: c }, body: { readSeq: 1 } })],
  ] as const)('someone previewing a channel cannot %s before joining: CONVERSATION_NOT_FOUND', async (_, endpoint, options) => {
    const { eve, channel } = await lobby(1);
    await s.fails(eve, endpoint, 'CONVERSATION_NOT_FOUND', options(channel.id));
  });

  test('someone previewing a channel cannot react in it or type in it before joining', async () => {
    const { eve, channel, messages } = await lobby(1);
    const eveWs = await s.connect(eve);
    for (const frame of [
      { type: 'reaction.add', conversationId: channel.id, messageId: messages[0]!.id, emoji: '👍' },
      { type: 'typing', conversationId: channel.id, active: true },
    ]) {
      expect(await eveWs.request(frame)).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });
    }
  });

  test('joining after a preview makes the channel a conversation like any other', async () => {
    const { eve, channel } = await lobby(2);
    await preview(eve, channel.id);
    const joined = await s.ok(eve, 'joinChannel', { params: { conversationId: channel.id } });
    expect(joined).toMatchObject({ id: channel.id, memberCount: 2, me: { role: 'member', unreadCount: 0 } });
    expect((await preview(eve, channel.id)).channel.joined).toBe(true);
  });

  test('a member removed from a channel previews it like anyone: a channel is public', async () => {
    const { ana, eve, channel } = await lobby(1);
    await s.ok(eve, 'joinChannel', { params: { conversationId: channel.id } });
    await s.ok(ana, 'removeMember', { params: { conversationId: channel.id, userId: eve.id } });
    const later = await s.post(ana, channel.id, 'after eve was removed');
    expect((await preview(eve, channel.id)).messages.at(-1)).toEqual(later);
    expect((await s.conversation(eve, channel.id)).me.removal).toMatchObject({ removedBy: ana.id });
  });
});
