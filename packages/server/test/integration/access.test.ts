import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import {
  channel,
  clientId,
  direct,
  expectError,
  expectErrorFrame,
  expectNothingBeforeMarker,
  expectSameAsNonexistent,
  expectServerWorks,
  expectSocketWorks,
  framesAbout,
  group,
  MANY_SIGNUPS,
  Marker,
  promote,
  send,
  sharedDirect,
  text,
  unknownId,
  users,
  type Account,
} from '../support/fixtures.js';
import { call, RawSocket, signUp, type HttpResult } from '../support/raw.js';
import { ShiftableClock } from '../support/scenario.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(BACKENDS)('access (%s)', (backend) => {
  let t: TestServer;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    t = await startTestServer(backend, MANY_SIGNUPS);
  });
  afterAll(async () => t?.close());
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  async function connect(who: Account) {
    const s = await RawSocket.connect(t.wsUrl, who.token);
    sockets.push(s);
    return s;
  }

  describe('a non-member learns nothing about a conversation', () => {
    let ana: Account;
    let ben: Account;
    let eve: Account;
    let fay: Account;
    /** The group eve is not in, and a message in it. */
    let g: string;
    let m: string;
    /** Eve's own conversation and a message in it. */
    let home: string;
    let homeMessage: string;
    let eveWs: RawSocket;

    beforeAll(async () => {
      [ana, ben, eve, fay] = await users(t, 4);
      g = await group(t, ana!, [ben!], 'secret plans');
      m = (await send(t, ana!, g, 'secret')).id;
      home = await direct(t, eve!, fay!);
      homeMessage = (await send(t, eve!, home, 'mine')).id;
      eveWs = await RawSocket.connect(t.wsUrl, eve!.token);
    });
    afterAll(() => eveWs?.close());

    type HttpAttempt = (conversationId: string, messageId: string) => Promise<HttpResult>;
    const httpAttempts: Array<[string, HttpAttempt]> = [
      ['read its history', (c) => call(t.url, 'history', { token: eve.token, params: { conversationId: c } })],
      ['get it', (c) => call(t.url, 'getConversation', { token: eve.token, params: { conversationId: c } })],
      ['get one of its messages', (c, msg) => call(t.url, 'getMessage', { token: eve.token, params: { conversationId: c, messageId: msg } })],
      ['list its members', (c) => call(t.url, 'listMembers', { token: eve.token, params: { conversationId: c } })],
      [
        'send to it',
        (c) => call(t.url, 'sendMessage', { token: eve.token, params: { conversationId: c }, body: { clientId: clientId(), content: text('let me in') } }),
      ],
      [
        'edit one of its messages',
        (c, msg) => call(t.url, 'editMessage', { token: eve.token, params: { conversationId: c, messageId: msg }, body: { content: text('pwned') } }),
      ],
      ['delete one of its messages', (c, msg) => call(t.url, 'deleteMessage', { token: eve.token, params: { conversationId: c, messageId: msg } })],
      ['react in it', (c, msg) => call(t.url, 'addReaction', { token: eve.token, params: { conversationId: c, messageId: msg, emoji: '👀' } })],
      ['remove a reaction in it', (c, msg) => call(t.url, 'removeReaction', { token: eve.token, params: { conversationId: c, messageId: msg, emoji: '👀' } })],
      ['move a receipt in it', (c) => call(t.url, 'updateReceipt', { token: eve.token, params: { conversationId: c }, body: { readSeq: 1 } })],
      ['rename it', (c) => call(t.url, 'updateConversation', { token: eve.token, params: { conversationId: c }, body: { title: 'mine now' } })],
      ['add herself to it', (c) => call(t.url, 'addMembers', { token: eve.token, params: { conversationId: c }, body: { userIds: [eve.me.id] } })],
      ['remove a member from it', (c) => call(t.url, 'removeMember', { token: eve.token, params: { conversationId: c, userId: ben.me.id } })],
      ['change a member role in it', (c) => call(t.url, 'updateMember', { token: eve.token, params: { conversationId: c, userId: ben.me.id }, body: { role: 'admin' } })],
      ['leave it', (c) => call(t.url, 'leaveConversation', { token: eve.token, params: { conversationId: c } })],
      ['dismiss it', (c) => call(t.url, 'hideConversation', { token: eve.token, params: { conversationId: c } })],
      ['change her settings in it', (c) => call(t.url, 'updateMySettings', { token: eve.token, params: { conversationId: c }, body: { muted: true } })],
      ['join it like a channel', (c) => call(t.url, 'joinChannel', { token: eve.token, params: { conversationId: c } })],
      ['preview it like a channel', (c) => call(t.url, 'previewChannel', { token: eve.token, params: { conversationId: c } })],
      [
        'forward one of its messages out',
        (c, msg) =>
          call(t.url, 'forwardMessage', { token: eve.token, params: { conversationId: home }, body: { clientId: clientId(), from: { conversationId: c, messageId: msg } } }),
      ],
      [
        'forward a message into it',
        (c) =>
          call(t.url, 'forwardMessage', {
            token: eve.token,
            params: { conversationId: c },
            body: { clientId: clientId(), from: { conversationId: home, messageId: homeMessage } },
          }),
      ],
    ];

    test.each(httpAttempts)('a non-member who tries to %s over HTTP gets the answer a nonexistent id gets', async (_, attempt) => {
      const fake = unknownId();
      const real = await attempt(g, m);
      const nothing = await attempt(fake, unknownId());
      expect(real.status).toBe(404);
      expectSameAsNonexistent(real, nothing, g, fake);
    });

    type WsAttempt = (conversationId: string, messageId: string) => Record<string, unknown>;
    const wsAttempts: Array<[string, WsAttempt]> = [
      ['send to it', (c) => ({ type: 'message.send', conversationId: c, clientId: clientId(), content: text('let me in') })],
      ['edit one of its messages', (c, msg) => ({ type: 'message.edit', conversationId: c, messageId: msg, content: text('pwned') })],
      ['delete one of its messages', (c, msg) => ({ type: 'message.delete', conversationId: c, messageId: msg })],
      ['react in it', (c, msg) => ({ type: 'reaction.add', conversationId: c, messageId: msg, emoji: '👀' })],
      ['remove a reaction in it', (c, msg) => ({ type: 'reaction.remove', conversationId: c, messageId: msg, emoji: '👀' })],
      ['move a receipt in it', (c) => ({ type: 'receipt', conversationId: c, deliveredSeq: 1, readSeq: 1 })],
      ['type in it', (c) => ({ type: 'typing', conversationId: c, active: true })],
      [
        'forward one of its messages out',
        (c, msg) => ({ type: 'message.forward', conversationId: home, clientId: clientId(), from: { conversationId: c, messageId: msg } }),
      ],
      [
        'forward a message into it',
        (c) => ({ type: 'message.forward', conversationId: c, clientId: clientId(), from: { conversationId: home, messageId: homeMessage } }),
      ],
    ];

    test.each(wsAttempts)('a non-member who tries to %s over WebSocket gets the answer a nonexistent id gets', async (_, attempt) => {
      const fake = unknownId();
      const real = await eveWs.request(attempt(g, m));
      const nothing = await eveWs.request(attempt(fake, unknownId()));
      expectErrorFrame(real, 'CONVERSATION_NOT_FOUND');
      expectSameAsNonexistent(real, nothing, g, fake);
    });

    test('a sync that names a conversation the user is not in lists it as removed and replays nothing', async () => {
      const res = await call(t.url, 'sync', { token: eve.token, body: { conversations: [{ id: g, pts: 0 }] } });
      expect(res.status).toBe(200);
      expect(res.body.removed).toEqual([g]);
      expect(res.body.conversations.map((c: any) => c.conversation.id)).not.toContain(g);
      expect(JSON.stringify(res.body)).not.toContain('secret');
    });

    test('a group never appears in the channel directory', async () => {
      const res = await call(t.url, 'browseChannels', { token: eve.token, query: { q: 'secret' } });
      expect(res.status).toBe(200);
      expect(res.body.channels).toEqual([]);
    });

    test("a non-member's attempts leave the conversation unchanged", async () => {
      const history = await call(t.url, 'history', { token: ana.token, params: { conversationId: g } });
      expect(history.body.messages).toHaveLength(1);
      expect(history.body.messages[0]).toMatchObject({ id: m, content: { text: 'secret' }, editedAt: null, deletedAt: null, reactions: [] });
      const members = await call(t.url, 'listMembers', { token: ana.token, params: { conversationId: g } });
      expect(members.body.members.map((x: any) => x.userId).sort()).toEqual([ana.me.id, ben.me.id].sort());
      const conversation = await call(t.url, 'getConversation', { token: ana.token, params: { conversationId: g } });
      expect(conversation.body.title).toBe('secret plans');
      expect(framesAbout(eveWs, g)).toEqual([]);
    });
  });

  describe("a conversation's events reach only its members", () => {
    /** A fresh group of ana and ben with both connected, and eve connected outside it with a marker. */
    async function scene() {
      const [ana, ben, eve, cat] = await users(t, 4);
      const g = await group(t, ana, [ben]);
      const marker = await Marker.for(t, eve);
      const anaWs = await connect(ana);
      const benWs = await connect(ben);
      const eveWs = await connect(eve);
      return { ana: ana, ben: ben, eve: eve, cat: cat, g, marker, anaWs, benWs, eveWs };
    }

    test("a non-member's socket never receives message.created of the conversation", async () => {
      const s = await scene();
      const seen = s.benWs.next((f) => f.type === 'message.created' && f.conversationId === s.g);
      await s.anaWs.request({ type: 'message.send', conversationId: s.g, clientId: clientId(), content: text('members only') });
      await seen;
      await expectNothingBeforeMarker(s.eveWs, s.marker, (f) => f.conversationId === s.g);
    });

    test("a non-member's socket never receives typing of the conversation", async () => {
      const s = await scene();
      const seen = s.anaWs.next((f) => f.type === 'typing' && f.conversationId === s.g);
      expect((await s.benWs.request({ type: 'typing', conversationId: s.g, active: true })).type).toBe('result');
      await seen;
      await expectNothingBeforeMarker(s.eveWs, s.marker, (f) => f.type === 'typing');
    });

    test("a non-member's socket never receives receipts of the conversation", async () => {
      const s = await scene();
      await send(t, s.ana, s.g, 'read me');
      const seen = s.anaWs.next((f) => f.type === 'receipt.updated' && f.conversationId === s.g);
      expect((await s.benWs.request({ type: 'receipt', conversationId: s.g, readSeq: 1 })).type).toBe('result');
      await seen;
      await expectNothingBeforeMarker(s.eveWs, s.marker, (f) => f.type === 'receipt.updated' || f.conversationId === s.g);
    });

    test("a non-member's socket never receives member events of the conversation", async () => {
      const s = await scene();
      const joined = s.benWs.next((f) => f.type === 'member.joined' && f.conversationId === s.g);
      await call(t.url, 'addMembers', { token: s.ana.token, params: { conversationId: s.g }, body: { userIds: [s.cat.me.id] } });
      await joined;
      const left = s.benWs.next((f) => f.type === 'member.left' && f.conversationId === s.g);
      await call(t.url, 'removeMember', { token: s.ana.token, params: { conversationId: s.g, userId: s.cat.me.id } });
      await left;
      await expectNothingBeforeMarker(s.eveWs, s.marker, (f) => f.type.startsWith('member.') || f.conversationId === s.g);
    });

    test("a non-member's socket never receives edits, reactions, deletions or renames of the conversation", async () => {
      const s = await scene();
      const message = await send(t, s.ana, s.g, 'original');
      const params = { conversationId: s.g, messageId: message.id };
      await call(t.url, 'editMessage', { token: s.ana.token, params, body: { content: text('edited') } });
      await call(t.url, 'addReaction', { token: s.ben.token, params: { ...params, emoji: '👍' } });
      await call(t.url, 'deleteMessage', { token: s.ana.token, params });
      const renamed = s.benWs.next((f) => f.type === 'message.created' && f.conversationId === s.g && f.message.content?.type === 'system');
      await call(t.url, 'updateConversation', { token: s.ana.token, params: { conversationId: s.g }, body: { title: 'renamed' } });
      await renamed;
      expect(framesAbout(s.benWs, s.g).map((f) => f.type)).toEqual([
        'message.created',
        'message.edited',
        'reaction.added',
        'message.deleted',
        'conversation.updated',
        // The system line that records the rename.
        'message.created',
      ]);
      await expectNothingBeforeMarker(s.eveWs, s.marker, (f) => f.conversationId === s.g);
    });

    test('a member removed from a group stops receiving its events from that moment', async () => {
      const s = await scene();
      const benMarker = await Marker.for(t, s.ben);
      const before = s.benWs.next((f) => f.type === 'message.created' && f.conversationId === s.g);
      await send(t, s.ana, s.g, 'before');
      await before;
      const gone = s.benWs.next((f) => f.type === 'conversation.left' && f.conversationId === s.g);
      const removed = await call(t.url, 'removeMember', { token: s.ana.token, params: { conversationId: s.g, userId: s.ben.me.id } });
      expect(removed.status).toBe(200);
      expect((await gone).removedBy).toBe(s.ana.me.id);
      const count = framesAbout(s.benWs, s.g).length;
      await s.anaWs.request({ type: 'message.send', conversationId: s.g, clientId: clientId(), content: text('after') });
      await s.anaWs.request({ type: 'typing', conversationId: s.g, active: true });
      await call(t.url, 'updateConversation', { token: s.ana.token, params: { conversationId: s.g }, body: { title: 'without ben' } });
      await benMarker.fire(s.benWs);
      expect(framesAbout(s.benWs, s.g).slice(count)).toEqual([]);
    });

    test('a member removed from a group can no longer send to it, nor read what follows the removal', async () => {
      const s = await scene();
      await call(t.url, 'removeMember', { token: s.ana.token, params: { conversationId: s.g, userId: s.ben.me.id } });
      await send(t, s.ana, s.g, 'after ben');
      const overWs = await s.benWs.request({ type: 'message.send', conversationId: s.g, clientId: clientId(), content: text('still here?') });
      expectErrorFrame(overWs, 'CONVERSATION_NOT_FOUND');
      const overHttp = await call(t.url, 'sendMessage', {
        token: s.ben.token,
        params: { conversationId: s.g },
        body: { clientId: clientId(), content: text('still here?') },
      });
      expectError(overHttp, 404, 'CONVERSATION_NOT_FOUND');
      const history = await call(t.url, 'history', { token: s.ben.token, params: { conversationId: s.g } });
      expect(history.body.messages.map((m: any) => m.content.event ?? m.content.text)).toEqual(['member.removed']);
      await expectSocketWorks(s.benWs);
    });

    test('a user who left a channel stops receiving its events', async () => {
      const [owner, ben] = await users(t, 2);
      const c = await channel(t, owner, 'lobby');
      const ownerWs = await connect(owner);
      const benWs = await connect(ben);
      const benMarker = await Marker.for(t, ben);
      const joined = benWs.next((f) => f.type === 'conversation.joined' && f.conversation.id === c);
      expect((await call(t.url, 'joinChannel', { token: ben.token, params: { conversationId: c } })).status).toBe(200);
      await joined;
      const live = benWs.next((f) => f.type === 'message.created' && f.conversationId === c);
      await send(t, owner, c, 'welcome');
      await live;
      const left = benWs.next((f) => f.type === 'conversation.left' && f.conversationId === c);
      expect((await call(t.url, 'leaveConversation', { token: ben.token, params: { conversationId: c } })).status).toBe(200);
      await left;
      const count = framesAbout(benWs, c).length;
      await ownerWs.request({ type: 'message.send', conversationId: c, clientId: clientId(), content: text('bye ben') });
      await ownerWs.request({ type: 'typing', conversationId: c, active: true });
      await benMarker.fire(benWs);
      expect(framesAbout(benWs, c).slice(count)).toEqual([]);
    });
  });

  describe('presence', () => {
    test('presence of a user is delivered to someone who shares a conversation with them', async () => {
      const [ana, ben] = await users(t, 2);
      await sharedDirect(t, ana, ben);
      const benWs = await connect(ben);
      const online = benWs.next((f) => f.type === 'presence' && f.userId === ana.me.id);
      await connect(ana);
      expect((await online).state).toBe('online');
    });

    test('presence of a user is not delivered to someone who shares no conversation with them', async () => {
      const [ana, ben, cat, dan] = await users(t, 4);
      await sharedDirect(t, ana, ben);
      await sharedDirect(t, cat, dan);
      const benWs = await connect(ben);
      const catWs = await connect(cat);
      const anaOnline = benWs.next((f) => f.type === 'presence' && f.userId === ana.me.id);
      await connect(ana);
      await anaOnline;
      // The marker: a presence change cat may see, published after ana's.
      const danOnline = catWs.next((f) => f.type === 'presence' && f.userId === dan.me.id);
      await connect(dan);
      await danOnline;
      expect(catWs.frames.filter((f) => f.type === 'presence' && f.userId === ana.me.id)).toEqual([]);
    });

    test('presence and profiles are not shared through a direct conversation nothing was said in, live or by sync', async () => {
      const [ana, ben, cat] = await users(t, 3);
      await direct(t, ana, ben);
      await sharedDirect(t, cat, ben);
      const benWs = await connect(ben);
      await connect(ana);
      // The marker: cat's presence, which ben may see, published after ana's.
      const catOnline = benWs.next((f) => f.type === 'presence' && f.userId === cat.me.id);
      await connect(cat);
      await catOnline;
      expect(benWs.frames.filter((f) => f.type === 'presence' && f.userId === ana.me.id)).toEqual([]);
      const synced = await call(t.url, 'sync', { token: ben.token, body: { conversations: [] } });
      expect(synced.body.presence.map((p: any) => p.userId)).toEqual([cat.me.id]);
      expect(synced.body.users.map((u: any) => u.id)).toEqual([cat.me.id]);
    });

    test('presence is delivered once a conversation is shared, even if both were already connected', async () => {
      const [ana, ben] = await users(t, 2);
      const anaWs = await connect(ana);
      const benWs = await connect(ben);
      const joined = benWs.next((f) => f.type === 'conversation.joined');
      await sharedDirect(t, ana, ben);
      await joined;
      const away = benWs.next((f) => f.type === 'presence' && f.userId === ana.me.id && f.state === 'away');
      await anaWs.request({ type: 'presence', state: 'idle' });
      await away;
    });

    test('presence stops being delivered once the only shared conversation is left', async () => {
      const [ana, ben, dan] = await users(t, 3);
      const g = await group(t, ana, [ben]);
      await sharedDirect(t, ben, dan);
      const anaWs = await connect(ana);
      const benWs = await connect(ben);
      const left = benWs.next((f) => f.type === 'conversation.left' && f.conversationId === g);
      await call(t.url, 'leaveConversation', { token: ben.token, params: { conversationId: g } });
      await left;
      await anaWs.request({ type: 'presence', state: 'idle' });
      const danOnline = benWs.next((f) => f.type === 'presence' && f.userId === dan.me.id);
      await connect(dan);
      await danOnline;
      expect(benWs.frames.filter((f) => f.type === 'presence' && f.userId === ana.me.id && f.state === 'away')).toEqual([]);
    });
  });

  describe('roles in a group', () => {
    async function roles() {
      const [owner, admin, member, other, outsider] = await users(t, 5);
      const g = await group(t, owner, [admin, member, other]);
      await promote(t, owner, g, admin);
      return { owner: owner, admin: admin, member: member, other: other, outsider: outsider, g };
    }

    test('a member who is not an admin cannot rename the group', async () => {
      const r = await roles();
      const res = await call(t.url, 'updateConversation', { token: r.member.token, params: { conversationId: r.g }, body: { title: 'mine' } });
      expectError(res, 403, 'PERMISSION_DENIED');
      const after = await call(t.url, 'getConversation', { token: r.owner.token, params: { conversationId: r.g } });
      expect(after.body.title).toBe('a group');
    });

    test('a member who is not an admin cannot add members', async () => {
      const r = await roles();
      const res = await call(t.url, 'addMembers', { token: r.member.token, params: { conversationId: r.g }, body: { userIds: [r.outsider.me.id] } });
      expectError(res, 403, 'PERMISSION_DENIED');
      expectError(await call(t.url, 'getConversation', { token: r.outsider.token, params: { conversationId: r.g } }), 404, 'CONVERSATION_NOT_FOUND');
    });

    test('a member who is not an admin cannot remove members', async () => {
      const r = await roles();
      const res = await call(t.url, 'removeMember', { token: r.member.token, params: { conversationId: r.g, userId: r.other.me.id } });
      expectError(res, 403, 'PERMISSION_DENIED');
      expect((await call(t.url, 'getConversation', { token: r.other.token, params: { conversationId: r.g } })).status).toBe(200);
    });

    test('a member who is not the owner cannot change roles', async () => {
      const r = await roles();
      const byMember = await call(t.url, 'updateMember', { token: r.member.token, params: { conversationId: r.g, userId: r.member.me.id }, body: { role: 'admin' } });
      expectError(byMember, 403, 'PERMISSION_DENIED');
      const byAdmin = await call(t.url, 'updateMember', { token: r.admin.token, params: { conversationId: r.g, userId: r.other.me.id }, body: { role: 'admin' } });
      expectError(byAdmin, 403, 'PERMISSION_DENIED');
    });

    test('an admin cannot remove the owner', async () => {
      const r = await roles();
      const res = await call(t.url, 'removeMember', { token: r.admin.token, params: { conversationId: r.g, userId: r.owner.me.id } });
      expectError(res, 403, 'PERMISSION_DENIED');
      const members = await call(t.url, 'listMembers', { token: r.owner.token, params: { conversationId: r.g } });
      expect(members.body.members.find((x: any) => x.userId === r.owner.me.id)?.role).toBe('owner');
    });

    test('an admin cannot remove another admin', async () => {
      const r = await roles();
      await promote(t, r.owner, r.g, r.other);
      const res = await call(t.url, 'removeMember', { token: r.admin.token, params: { conversationId: r.g, userId: r.other.me.id } });
      expectError(res, 403, 'PERMISSION_DENIED');
    });

    test('an admin can remove a plain member', async () => {
      const r = await roles();
      const res = await call(t.url, 'removeMember', { token: r.admin.token, params: { conversationId: r.g, userId: r.member.me.id } });
      expect(res.status).toBe(200);
    });

    test("a plain member cannot edit another member's message", async () => {
      const r = await roles();
      const message = await send(t, r.other, r.g, 'my words');
      const ws = await connect(r.member);
      const answer = await ws.request({ type: 'message.edit', conversationId: r.g, messageId: message.id, content: text('your words') });
      expectErrorFrame(answer, 'PERMISSION_DENIED');
      const res = await call(t.url, 'editMessage', { token: r.member.token, params: { conversationId: r.g, messageId: message.id }, body: { content: text('x') } });
      expectError(res, 403, 'PERMISSION_DENIED');
      const stored = await call(t.url, 'getMessage', { token: r.owner.token, params: { conversationId: r.g, messageId: message.id } });
      expect(stored.body.content.text).toBe('my words');
    });

    test("a plain member cannot delete another member's message", async () => {
      const r = await roles();
      const message = await send(t, r.other, r.g, 'keep me');
      const ws = await connect(r.member);
      expectErrorFrame(await ws.request({ type: 'message.delete', conversationId: r.g, messageId: message.id }), 'PERMISSION_DENIED');
      expectError(await call(t.url, 'deleteMessage', { token: r.member.token, params: { conversationId: r.g, messageId: message.id } }), 403, 'PERMISSION_DENIED');
      const stored = await call(t.url, 'getMessage', { token: r.owner.token, params: { conversationId: r.g, messageId: message.id } });
      expect(stored.body.deletedAt).toBeNull();
    });

    test("a group admin can delete another member's message", async () => {
      const r = await roles();
      const message = await send(t, r.member, r.g, 'moderate me');
      const res = await call(t.url, 'deleteMessage', { token: r.admin.token, params: { conversationId: r.g, messageId: message.id } });
      expect(res.status).toBe(200);
      expect(res.body.deletedAt).not.toBeNull();
    });

    test('the author can edit and delete their own message', async () => {
      const r = await roles();
      const message = await send(t, r.member, r.g, 'draft');
      const params = { conversationId: r.g, messageId: message.id };
      expect((await call(t.url, 'editMessage', { token: r.member.token, params, body: { content: text('final') } })).status).toBe(200);
      expect((await call(t.url, 'deleteMessage', { token: r.member.token, params })).status).toBe(200);
    });
  });

  describe('direct conversations', () => {
    test('the peer cannot delete your message', async () => {
      const [ana, ben] = await users(t, 2);
      const dm = await direct(t, ana, ben);
      const message = await send(t, ana, dm, 'mine to keep');
      const res = await call(t.url, 'deleteMessage', { token: ben.token, params: { conversationId: dm, messageId: message.id } });
      expectError(res, 403, 'PERMISSION_DENIED');
      const stored = await call(t.url, 'getMessage', { token: ana.token, params: { conversationId: dm, messageId: message.id } });
      expect(stored.body.deletedAt).toBeNull();
    });

    test('the peer cannot edit your message', async () => {
      const [ana, ben] = await users(t, 2);
      const dm = await direct(t, ana, ben);
      const message = await send(t, ana, dm, 'as written');
      const benWs = await connect(ben);
      const answer = await benWs.request({ type: 'message.edit', conversationId: dm, messageId: message.id, content: text('rewritten') });
      expectErrorFrame(answer, 'PERMISSION_DENIED');
    });
  });

  describe('sessions', () => {
    /** Ana signed in on two devices, with a socket on the second. */
    async function twoDevices() {
      const [ana] = await users(t, 1);
      const second = await call(t.url, 'signIn', { body: { username: ana.me.username, password: ana.password, deviceName: 'phone' } });
      expect(second.status).toBe(200);
      const phone = { ...ana, token: second.body.token as string, session: second.body.session };
      const laptopWs = await connect(ana);
      const phoneWs = await connect(phone);
      return { laptop: ana, phone, laptopWs, phoneWs };
    }

    test("revoking a session from another device closes the revoked session's socket with 4003", async () => {
      const d = await twoDevices();
      const notice = d.phoneWs.next((f) => f.type === 'session.revoked');
      const res = await call(t.url, 'revokeSession', { token: d.laptop.token, params: { sessionId: d.phone.session.id } });
      expect(res.status).toBe(200);
      expect((await notice).sessionId).toBe(d.phone.session.id);
      expect((await d.phoneWs.closed).code).toBe(4003);
      await expectSocketWorks(d.laptopWs);
    });

    test("a revoked session's token is refused with 401 afterwards, over HTTP and WebSocket", async () => {
      const d = await twoDevices();
      await call(t.url, 'revokeSession', { token: d.laptop.token, params: { sessionId: d.phone.session.id } });
      expectError(await call(t.url, 'getMe', { token: d.phone.token }), 401, 'UNAUTHENTICATED');
      const again = await RawSocket.open(t.wsUrl);
      sockets.push(again);
      expectErrorFrame(await again.request({ type: 'auth', token: d.phone.token }), 'UNAUTHENTICATED');
      expect((await again.closed).code).toBe(4001);
      await expectServerWorks(t, d.laptop);
    });

    test("signing out closes the session's sockets with 4003 and its token is refused afterwards", async () => {
      const d = await twoDevices();
      const res = await call(t.url, 'signOut', { token: d.phone.token });
      expect(res.status).toBe(200);
      expect((await d.phoneWs.closed).code).toBe(4003);
      expectError(await call(t.url, 'getMe', { token: d.phone.token }), 401, 'UNAUTHENTICATED');
      await expectSocketWorks(d.laptopWs);
      await expectServerWorks(t, d.laptop);
    });

    test("a user cannot revoke someone else's session", async () => {
      const d = await twoDevices();
      const [mallory] = await users(t, 1);
      const res = await call(t.url, 'revokeSession', { token: mallory.token, params: { sessionId: d.phone.session.id } });
      expectError(res, 404, 'SESSION_NOT_FOUND');
      await expectSocketWorks(d.phoneWs);
      await expectServerWorks(t, d.phone);
    });

    test('sign-in with a wrong password and with an unknown username give identical 401 INVALID_CREDENTIALS answers', async () => {
      const [ana] = await users(t, 1);
      const wrong = await call(t.url, 'signIn', { body: { username: ana.me.username, password: 'not the password' } });
      const unknown = await call(t.url, 'signIn', { body: { username: `${ana.me.username}x`, password: 'not the password' } });
      const malformed = await call(t.url, 'signIn', { body: { username: '!!', password: 'not the password' } });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      expect(unknown.body).toEqual(wrong.body);
      expect(unknown.status).toBe(wrong.status);
      expect(malformed.body).toEqual(wrong.body);
      expect(malformed.status).toBe(wrong.status);
    });
  });

  describe('sign-in lockout', () => {
    const ALLOWED = 3;
    // A server per test: failures also count per address (all tests come from 127.0.0.1), and that count must
    // start from zero in each test.
    let lt: TestServer;
    // Locks pass by the server's clock: a test moves it on instead of waiting.
    let clock: ShiftableClock;
    beforeEach(async () => {
      clock = new ShiftableClock();
      lt = await startTestServer(backend, { rateLimits: { signInFailures: ALLOWED, signUpsPerHour: 100_000 } }, { clock });
    });
    afterEach(async () => lt?.close());

    const signIn = (username: string, password: string) => call(lt.url, 'signIn', { body: { username, password } });

    test('repeated failures lock the username out with 429 RATE_LIMITED and Retry-After', async () => {
      const ana = await signUp(lt.url);
      for (let i = 0; i < ALLOWED; i++) expectError(await signIn(ana.me.username, 'wrong password'), 401, 'INVALID_CREDENTIALS');
      const locked = await signIn(ana.me.username, 'wrong password');
      expectError(locked, 429, 'RATE_LIMITED');
      expect(locked.body.details.retryAfterMs).toBeGreaterThan(0);
      expect(Number(locked.headers.get('retry-after'))).toBe(Math.ceil(locked.body.details.retryAfterMs / 1000));
    });

    test('a locked-out username is refused even with the right password until the lock passes', async () => {
      const ana = await signUp(lt.url);
      for (let i = 0; i < ALLOWED; i++) await signIn(ana.me.username, 'wrong password');
      const locked = await signIn(ana.me.username, ana.password);
      expectError(locked, 429, 'RATE_LIMITED');
      clock.advance(locked.body.details.retryAfterMs);
      expect((await signIn(ana.me.username, ana.password)).status).toBe(200);
    });

    test('an unknown username is locked out exactly like a known one', async () => {
      const ana = await signUp(lt.url);
      const ghost = `${ana.me.username}-ghost`;
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i <= ALLOWED; i++) {
        known.push((await signIn(ana.me.username, 'wrong password')).status);
        unknown.push((await signIn(ghost, 'wrong password')).status);
      }
      expect(unknown).toEqual(known);
      expect(known.at(-1)).toBe(429);
    });

    test("one username's lockout does not lock out other users", async () => {
      const [ana, ben] = [await signUp(lt.url), await signUp(lt.url)];
      for (let i = 0; i <= ALLOWED; i++) await signIn(ana.me.username, 'wrong password');
      expect((await signIn(ben.me.username, ben.password)).status).toBe(200);
    });
  });
});
