import { describe, expect, test } from 'vitest';
import { BACKENDS } from '../../server/test/support/backends.js';
import { newDevice, newUser, nextEvent, pair, until, useTestServer } from './support.js';

describe.each(BACKENDS)('SDK against a real server (%s)', (backend) => {
  // Every test signs new people up from the one loopback address.
  const t = useTestServer(backend, { limits: { maxReplayEvents: 20 }, rateLimits: { signUpsPerHour: 100_000 } });

  test('a message sent on one device reaches the peer and the sender’s other device, and leaves the outbox', async () => {
    const { ana, ben, id } = await pair(t);
    const ana2 = t.track(await newDevice(t.url, ana.username, ana.password));
    await ana.client.messages.loadLatest(id);
    const atBen = nextEvent(ben.client, 'message.created');
    const atAna2 = nextEvent(ana2, 'message.created');
    const sent = await ana.client.messages.send(id, 'hello ben');
    expect((await atBen).message.id).toBe(sent.id);
    expect((await atAna2).message.id).toBe(sent.id);
    expect(ana.client.messages.pending(id)).toEqual([]);
    expect(ana.client.messages.window(id)?.messages.map((m) => m.id)).toEqual([sent.id]);
    expect(ben.client.conversations.get(id)?.me.unreadCount).toBe(1);
  });

  test('the sender sees their message go from sent to delivered to read', async () => {
    const { ana, ben, id } = await pair(t);
    await ana.client.conversations.members(id);
    const sent = await ana.client.messages.send(id, 'did you get this?');
    await until(ana.client, () => ana.client.messages.status(sent) === 'delivered');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === sent.id);
    ben.client.messages.markRead(id);
    await until(ana.client, () => ana.client.messages.status(sent) === 'read');
    expect(ana.client.messages.seenBy(sent)).toEqual([ben.client.users.me!.id]);
  });

  test('a message read at once by someone who hides read receipts still shows as delivered to the sender', async () => {
    const { ana, ben, id } = await pair(t);
    await ben.client.users.setReadReceipts(false);
    await ana.client.conversations.members(id);
    // Read in the same turn as it arrives: before the delivered receipt would have gone out on its own.
    const off = ben.client.on('message.created', ({ message }) => ben.client.messages.markRead(id, message.seq));
    const sent = await ana.client.messages.send(id, 'read at once');
    await until(ana.client, () => ana.client.messages.status(sent) === 'delivered');
    off();
    const members = await ana.client.conversations.members(id);
    expect(members.find((m) => m.userId === ben.client.users.me!.id)?.readSeq).toBeNull();
  });

  test('reading on one device clears the unread count on the user’s other devices', async () => {
    const { ana, ben, id } = await pair(t);
    const ben2 = t.track(await newDevice(t.url, ben.username, ben.password));
    await ana.client.messages.send(id, 'one');
    const last = await ana.client.messages.send(id, 'two');
    await until(ben2, () => ben2.conversations.get(id)?.me.unreadCount === 2);
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === last.id);
    ben.client.messages.markRead(id);
    await until(ben2, () => ben2.conversations.get(id)?.me.unreadCount === 0);
    expect(ben2.conversations.get(id)?.me.readSeq).toBe(last.seq);
  });

  test('a client cut off while others send, edit, delete and react catches up to exactly the server’s history', async () => {
    const { ana, ben, id } = await pair(t);
    await ben.client.messages.loadLatest(id);
    const first = await ana.client.messages.send(id, 'before the cut');
    await until(ben.client, () => ben.client.messages.window(id)?.messages.length === 1);
    ben.client.disconnect();
    const sent = [];
    for (let i = 0; i < 8; i++) sent.push(await ana.client.messages.send(id, `while away ${i}`));
    await ana.client.messages.edit(id, sent[2]!.id, 'edited while away');
    await ana.client.messages.delete(id, sent[3]!.id);
    await ana.client.messages.react(id, first.id, '🎉');
    const created: string[] = [];
    ben.client.on('message.created', (e) => created.push(e.message.id));
    await ben.client.connect();
    const server = await ben.client.messages.page(id, { limit: 100 });
    expect(ben.client.messages.window(id)?.messages).toEqual(server.messages);
    expect(created).toEqual(sent.map((m) => m.id));
    expect(ben.client.conversations.get(id)?.pts).toBe(server.messages.at(-1)!.seq + 3);
  });

  test('a gap too large to replay makes the client reload the latest page', async () => {
    const { ana, ben, id } = await pair(t);
    await ben.client.messages.loadLatest(id);
    ben.client.disconnect();
    for (let i = 0; i < 25; i++) await ana.client.messages.send(id, `burst ${i}`);
    const refetch = nextEvent(ben.client, 'refetch', (e) => e.conversationId === id);
    await ben.client.connect();
    await refetch;
    await until(ben.client, () => ben.client.messages.window(id)?.messages.length === 25);
    expect(ben.client.messages.window(id)?.messages.at(-1)?.content).toEqual({ type: 'text', text: 'burst 24', entities: [] });
  });

  test('messages written while offline wait in the outbox and go out once, in order, on reconnect', async () => {
    const { ana, ben, id } = await pair(t);
    ana.client.disconnect();
    const promises = ['a', 'b', 'c'].map((text) => ana.client.messages.send(id, text));
    expect(ana.client.messages.pending(id).map((p) => p.state)).toEqual(['pending', 'pending', 'pending']);
    await ana.client.connect();
    const stored = await Promise.all(promises);
    expect(stored.map((m) => m.seq)).toEqual([...stored.map((m) => m.seq)].sort((a, b) => a - b));
    await ben.client.messages.loadLatest(id);
    expect(ben.client.messages.window(id)?.messages.map((m) => (m.content?.type === 'text' ? m.content.text : null))).toEqual(['a', 'b', 'c']);
  });

  test('a send whose connection drops before the acknowledgement is retried without a duplicate', async () => {
    const { ana, ben, id } = await pair(t);
    const promise = ana.client.messages.send(id, 'maybe stored');
    // The frame is on the wire; drop the socket before the answer can arrive.
    ana.client.socket.drop();
    const message = await promise;
    const page = await ben.client.messages.page(id, { limit: 10 });
    expect(page.messages.map((m) => m.id)).toEqual([message.id]);
  });

  test('a permanently refused message is marked failed and can be discarded', async () => {
    const { ana } = await pair(t);
    const outsider = '01936b2a-7c1e-7b3a-9f00-4c2d8e9a1b2c';
    await expect(ana.client.messages.send(outsider, 'nobody home')).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    const [failed] = ana.client.messages.pending(outsider);
    expect(failed?.state).toBe('failed');
    ana.client.messages.discard(failed!.clientId);
    expect(ana.client.messages.pending(outsider)).toEqual([]);
  });

  test('typing shows for the peer and clears when the typer stops', async () => {
    const { ana, ben, id } = await pair(t);
    // A direct conversation is followed by both sides from its first message.
    const hello = await ana.client.messages.send(id, 'hello');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === hello.id);
    const typing = nextEvent(ben.client, 'typers', (e) => e.conversationId === id && e.userIds.length === 1);
    ana.client.typing(id);
    expect((await typing).userIds).toEqual([ana.client.users.me!.id]);
    const stopped = nextEvent(ben.client, 'typers', (e) => e.conversationId === id && e.userIds.length === 0);
    ana.client.stopTyping(id);
    await stopped;
  });

  test('presence follows the peer: online, away when idle, offline after the last device leaves', async () => {
    const { ana, ben, id } = await pair(t);
    // People share a direct conversation from its first message on.
    await ana.client.messages.send(id, 'hello');
    const anaId = ana.client.users.me!.id;
    await until(ben.client, () => ben.client.state.presence.get(anaId)?.state === 'online');
    ana.client.setIdle(true);
    await until(ben.client, () => ben.client.state.presence.get(anaId)?.state === 'away');
    ana.client.setIdle(false);
    await until(ben.client, () => ben.client.state.presence.get(anaId)?.state === 'online');
    ana.client.disconnect();
    await until(ben.client, () => ben.client.state.presence.get(anaId)?.state === 'offline');
    expect(ben.client.state.presence.get(anaId)?.lastSeenAt).toBeGreaterThan(0);
  });

  test('a group created by one member appears live on every member’s devices with its members', async () => {
    const ana = t.track(await newUser(t.url));
    const ben = t.track(await newUser(t.url));
    const cai = t.track(await newUser(t.url));
    const group = await ana.client.conversations.createGroup({ title: 'Trip', memberIds: [ben.client.users.me!.id, cai.client.users.me!.id] });
    for (const c of [ben.client, cai.client]) {
      await until(c, () => c.conversations.cachedMembers(group.id)?.length === 3);
      expect(c.conversations.get(group.id)?.title).toBe('Trip');
    }
    await ana.client.conversations.removeMember(group.id, cai.client.users.me!.id);
    await until(cai.client, () => cai.client.conversations.get(group.id)?.me.removal !== null);
    await until(ben.client, () => ben.client.conversations.cachedMembers(group.id)?.length === 2);
  });

  test('revoking a device signs that device out at once', async () => {
    const ana = t.track(await newUser(t.url));
    const ana2 = t.track(await newDevice(t.url, ana.username, ana.password));
    const sessions = await ana.client.auth.sessions();
    const other = sessions.find((s) => !s.current)!;
    const signedOut = nextEvent(ana2, 'signedOut');
    await ana.client.auth.revokeSession(other.id);
    expect((await signedOut).reason).toBe('revoked');
    expect(ana2.token).toBeUndefined();
  });

  test('reactions, edits and deletes from one member update the other’s loaded window live', async () => {
    const { ana, ben, id } = await pair(t);
    const m = await ana.client.messages.send(id, 'react to me');
    await ben.client.messages.loadLatest(id);
    await ben.client.messages.react(id, m.id, '👍🏽');
    await until(ana.client, () => ana.client.conversations.get(id)?.lastMessage?.reactions[0]?.emoji === '👍🏽');
    await ana.client.messages.edit(id, m.id, 'edited');
    await until(ben.client, () => ben.client.messages.window(id)?.messages[0]?.editedAt !== null);
    await ana.client.messages.delete(id, m.id);
    await until(ben.client, () => ben.client.messages.window(id)?.messages[0]?.content === null);
    expect(ben.client.messages.window(id)?.messages[0]?.reactions).toEqual([]);
  });

  test('a read marked while offline reaches the server and the sender once back online', async () => {
    const { ana, ben, id } = await pair(t);
    await ana.client.conversations.members(id);
    const sent = await ana.client.messages.send(id, 'read me later');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === sent.id);
    ben.client.disconnect();
    ben.client.messages.markRead(id);
    expect(ben.client.conversations.get(id)?.me.unreadCount).toBe(0);
    await ben.client.connect();
    await until(ana.client, () => ana.client.messages.status(sent) === 'read');
  });

  test('discarding a message that is still waiting settles its promise with CANCELLED', async () => {
    const { ana, id } = await pair(t);
    ana.client.disconnect();
    const pending = ana.client.messages.send(id, 'never mind');
    const [item] = ana.client.messages.pending(id);
    ana.client.messages.discard(item!.clientId);
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await ana.client.connect();
    expect((await ana.client.messages.page(id, { limit: 5 })).messages).toEqual([]);
  });

  test('the other devices hear when one of the user’s sessions is revoked', async () => {
    const ana = t.track(await newUser(t.url));
    const ana2 = t.track(await newDevice(t.url, ana.username, ana.password));
    const other = (await ana.client.auth.sessions()).find((x) => !x.current)!;
    const heard = nextEvent(ana.client, 'session.revoked');
    await ana.client.auth.revokeSession(other.id);
    expect((await heard).sessionId).toBe(other.id);
    void ana2;
  });

  test('a member who is removed keeps the conversation read-only, with who removed them, until they dismiss it on every device', async () => {
    const { ana, ben, id } = await pair(t);
    const group = await ana.client.conversations.createGroup({ title: 'Trip', memberIds: [ben.client.users.me!.id] });
    const ben2 = t.track(await newDevice(t.url, ben.username, ben.password));
    await until(ben2, () => ben2.conversations.get(group.id) !== undefined);
    await ben.client.messages.loadLatest(group.id);
    await ana.client.conversations.removeMember(group.id, ben.client.users.me!.id);
    await until(ben.client, () => ben.client.conversations.get(group.id)?.me.removal !== null);
    const kept = ben.client.conversations.get(group.id)!;
    expect(kept.me.removal?.removedBy).toBe(ana.client.users.me!.id);
    expect(ben.client.conversations.list().map((c) => c.id)).toContain(group.id);
    expect(ben.client.messages.window(group.id)?.messages.at(-1)?.content).toMatchObject({ type: 'system', event: 'member.removed' });
    await ben.client.conversations.hide(group.id);
    await until(ben2, () => ben2.conversations.get(group.id) === undefined);
    expect(ben.client.conversations.get(group.id)).toBeUndefined();
    expect(ben.client.conversations.get(id)).toBeDefined();
  });

  test('a removed member’s client sends no receipt the server would refuse', async () => {
    const { ana, ben, id } = await pair(t);
    const group = await ana.client.conversations.createGroup({ title: 'Trip', memberIds: [ben.client.users.me!.id] });
    await until(ben.client, () => ben.client.conversations.get(group.id) !== undefined);
    const errors: string[] = [];
    ben.client.on('error', (e) => errors.push(e.code));
    await ana.client.conversations.removeMember(group.id, ben.client.users.me!.id);
    await until(ben.client, () => ben.client.conversations.get(group.id)?.me.removal !== null);
    ben.client.messages.markRead(group.id);
    // Reading the direct conversation sends every receipt due at once (the delivered one of the removal's line would
    // be among them); the server answers frames of one socket in order, so a refusal would come before the marker's
    // acknowledgement.
    const hello = await ana.client.messages.send(id, 'hello');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === hello.id);
    ben.client.messages.markRead(id);
    await ben.client.messages.send(id, 'marker');
    expect(errors).toEqual([]);
  });

  test('a direct conversation opened with someone is a draft: found by id, in no list, until its first message', async () => {
    const ana = t.track(await newUser(t.url));
    const ben = t.track(await newUser(t.url));
    const dm = await ana.client.conversations.openDirect(ben.client.users.me!.id);
    expect(ana.client.conversations.get(dm.id)).toMatchObject({ id: dm.id, lastMessage: null });
    expect(ana.client.conversations.list().map((c) => c.id)).not.toContain(dm.id);
    await ana.client.sync();
    expect(ana.client.conversations.get(dm.id)).toBeDefined();
    const sent = await ana.client.messages.send(dm.id, 'hello');
    expect(ana.client.conversations.list().map((c) => c.id)).toEqual([dm.id]);
    await until(ben.client, () => ben.client.conversations.list()[0]?.lastMessage?.id === sent.id);
  });

  test('sendToUser opens the direct conversation and sends; the peer hears of it as a new message, unread', async () => {
    const ana = t.track(await newUser(t.url));
    const ben = t.track(await newUser(t.url));
    const created = nextEvent(ben.client, 'message.created');
    const sent = await ana.client.messages.sendToUser(ben.client.users.me!.id, 'hi Ben');
    expect((await created).message.id).toBe(sent.id);
    const atBen = ben.client.conversations.get(sent.conversationId)!;
    expect(atBen).toMatchObject({ kind: 'direct', peerId: ana.client.users.me!.id, lastMessage: { id: sent.id }, me: { unreadCount: 1 } });
    expect(ana.client.conversations.list().map((c) => c.id)).toEqual([sent.conversationId]);
    expect((await ana.client.messages.sendToUser(ben.client.users.me!.id, 'again')).conversationId).toBe(sent.conversationId);
  });


  test('a public channel can be previewed read-only without joining; joining then makes it a conversation', async () => {
    const ana = t.track(await newUser(t.url));
    const eve = t.track(await newUser(t.url));
    const channel = await ana.client.conversations.createChannel({ title: 'Lobby' });
    const news = await ana.client.messages.send(channel.id, 'welcome, visitors');
    const seen = await eve.client.conversations.preview(channel.id);
    expect(seen).toMatchObject({ channel: { id: channel.id, title: 'Lobby', joined: false }, messages: [news], hasMore: false });
    expect(eve.client.conversations.get(channel.id)).toBeUndefined();
    expect((await eve.client.messages.page(channel.id, { before: news.seq + 1 })).messages).toEqual([news]);
    await eve.client.conversations.join(channel.id);
    expect(eve.client.conversations.list().map((c) => c.id)).toEqual([channel.id]);
  });


  test('forwardMany reaches a person and a conversation at once with a comment, and the copies show in the local state', async () => {
    const { ana, ben, id } = await pair(t);
    const cleo = t.track(await newUser(t.url));
    const original = await ben.client.messages.send(id, 'worth passing on');
    const team = await ana.client.conversations.createGroup({ title: 'Team', memberIds: [ben.client.users.me!.id] });
    const results = await ana.client.messages.forwardMany(
      { conversationId: id, messageId: original.id },
      [{ type: 'user', userId: cleo.client.users.me!.id }, { type: 'conversation', conversationId: team.id }],
      { comment: 'look at this' },
    );
    expect(results.map((r) => r.error)).toEqual([null, null]);
    const toCleo = results[0]!.copy!;
    await until(cleo.client, () => cleo.client.conversations.get(toCleo.conversationId)?.lastMessage?.id === toCleo.id);
    expect(cleo.client.conversations.get(toCleo.conversationId)?.me.unreadCount).toBe(2);
    await until(ana.client, () => ana.client.conversations.get(team.id)?.lastMessage?.id === results[1]!.copy!.id);
    expect(results[1]!.comment?.content).toEqual({ type: 'text', text: 'look at this', entities: [] });
  });

});
