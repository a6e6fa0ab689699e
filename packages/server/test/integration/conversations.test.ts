import type { Conversation } from '@hearth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { uniqueName } from '../support/raw.js';
import { is, rolesOf, seen, sendVia, startScenario, until, type Person, type Scenario } from '../support/scenario.js';

describe.each(BACKENDS)('conversations (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend);
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  describe('direct', () => {
    /** `a` opens the direct conversation with `b` (only `a`: the fixture `s.direct` opens it from both sides). */
    const open = (a: Person, b: Person) => s.ok<Conversation>(a, 'createConversation', { body: { kind: 'direct', userId: b.id } });

    test('a direct conversation is one per pair: creating it again, from either side, returns the same one', async () => {
      const [ana, ben] = await s.people(2);
      const first = await open(ana!, ben!);
      const again = await open(ana!, ben!);
      const fromBen = await open(ben!, ana!);
      expect(again.id).toBe(first.id);
      expect(fromBen.id).toBe(first.id);
      expect(first).toMatchObject({ kind: 'direct', title: null, memberCount: 2, peerId: ben!.id, pts: 0, lastMessage: null });
      expect(fromBen.peerId).toBe(ana!.id);
      await s.post(ana!, first.id, 'hi');
      expect((await s.listed(ana!)).filter((c) => c.kind === 'direct').map((c) => c.id)).toEqual([first.id]);
    });

    test('opening a direct conversation tells nobody, and shows it to nobody, until something is said in it', async () => {
      const [ana, ben, helper] = await s.people(3);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      const dm = await open(ana!, ben!);
      expect(await s.conversation(ana!, dm.id)).toEqual(dm);
      // The marker: a message to both of them in a conversation they do share, sent after the opening.
      const shared = await s.group(helper!, [ana!, ben!]);
      const marker = await s.post(helper!, shared.id, 'marker');
      for (const ws of [anaWs, benWs]) {
        await until(ws, (f) => f.type === 'message.created' && f.message.id === marker.id);
        expect(seen(ws, (f) => f.conversation?.id === dm.id || f.conversationId === dm.id)).toEqual([]);
      }
      for (const p of [ana!, ben!]) {
        expect((await s.listed(p)).map((c) => c.id)).not.toContain(dm.id);
        const synced = await s.ok(p, 'sync', { body: { conversations: [] } });
        expect(synced.conversations.map((c: any) => c.conversation.id)).not.toContain(dm.id);
      }
      const nothing = await s.http(ben!, 'getConversation', { params: { conversationId: '01936b2a-7c1e-7b3a-9f00-4c2d8e9a1b2c' } });
      const forBen = await s.http(ben!, 'getConversation', { params: { conversationId: dm.id } });
      expect({ status: forBen.status, code: forBen.body.code }).toEqual({ status: nothing.status, code: nothing.body.code });
    });

    test("the first message shows the conversation to both people's devices as it was before it, then the message", async () => {
      const [ana, ben] = await s.people(2);
      const anaDevices = await s.devices(ana!, 2);
      const benDevices = await s.devices(ben!, 2);
      const dm = await open(ana!, ben!);
      const first = await sendVia(anaDevices[0]!, dm.id, 'hello ben');
      for (const [ws, peer] of [...anaDevices.map((d) => [d, ben!] as const), ...benDevices.map((d) => [d, ana!] as const)]) {
        const created = await until(ws, (f) => f.type === 'message.created' && f.message.id === first.id);
        const joined = seen(ws, (f) => f.type === 'conversation.joined' && f.conversation.id === dm.id);
        expect(joined).toHaveLength(1);
        expect(joined[0]!.conversation).toMatchObject({ kind: 'direct', peerId: peer.id, memberCount: 2, pts: 0, lastMessage: null, me: { role: 'member' } });
        expect(joined[0]!.members.map((m: any) => m.userId).sort()).toEqual([ana!.id, ben!.id].sort());
        expect(ws.frames.findIndex((f) => f === joined[0])).toBeLessThan(ws.frames.findIndex((f) => f === created));
        expect(created.pts).toBe(1);
      }
      expect((await s.listed(ben!))[0]).toMatchObject({ id: dm.id, lastMessage: { id: first.id }, me: { unreadCount: 1 } });
      // Later messages take the usual path only.
      const second = await sendVia(benDevices[0]!, dm.id, 'hi ana');
      await until(anaDevices[1]!, (f) => f.type === 'message.created' && f.message.id === second.id);
      expect(seen(anaDevices[1]!, is('conversation.joined'))).toHaveLength(1);
    });

    test('the peer who opens it too before anything is said shares it silently; the first message from either reveals it once', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await open(ana!, ben!);
      expect((await open(ben!, ana!)).id).toBe(dm.id);
      const anaWs = await s.connect(ana!);
      const first = await s.post(ben!, dm.id, 'I was about to write');
      await until(anaWs, (f) => f.type === 'message.created' && f.message.id === first.id);
      expect(seen(anaWs, is('conversation.joined'))).toHaveLength(1);
      expect((await s.listed(ana!)).map((c) => c.id)).toEqual([dm.id]);
    });

    test('two people opening their direct conversation at the same moment get the same one', async () => {
      for (let round = 0; round < 3; round++) {
        const [ana, ben] = await s.people(2);
        const opened = await Promise.all([open(ana!, ben!), open(ben!, ana!), open(ana!, ben!)]);
        expect(new Set(opened.map((c) => c.id)).size).toBe(1);
        await s.post(ana!, opened[0].id, 'hi');
        expect((await s.listed(ana!)).map((c) => c.id)).toEqual([opened[0].id]);
        expect((await s.listed(ben!)).map((c) => c.id)).toEqual([opened[0].id]);
      }
    });

    test('nobody can open a direct conversation with themselves', async () => {
      const ana = await s.person();
      await s.fails(ana, 'createConversation', 'OPERATION_NOT_ALLOWED', { body: { kind: 'direct', userId: ana.id } });
      expect(await s.listed(ana)).toEqual([]);
    });

    test('a direct conversation cannot be left, nor grow', async () => {
      const [ana, ben, carl] = await s.people(3);
      const dm = await s.direct(ana!, ben!);
      await s.fails(ana!, 'leaveConversation', 'OPERATION_NOT_ALLOWED', { params: { conversationId: dm.id } });
      await s.fails(ana!, 'addMembers', 'OPERATION_NOT_ALLOWED', { params: { conversationId: dm.id }, body: { userIds: [carl!.id] } });
      expect((await s.conversation(ben!, dm.id)).memberCount).toBe(2);
    });
  });

  describe('groups', () => {
    test("creating a group tells every member's devices live, each with their own role", async () => {
      const [ana, ben, carl] = await s.people(3);
      const anaDevices = await s.devices(ana!, 2);
      const benDevices = await s.devices(ben!, 2);
      const carlDevices = await s.devices(carl!, 1);
      const title = uniqueName('Trip');
      const group = await s.group(ana!, [ben!, carl!], title);
      expect(group).toMatchObject({ kind: 'group', title, memberCount: 3, createdBy: ana!.id, me: { role: 'owner' } });

      const expectedRoles = rolesOf([
        { userId: ana!.id, role: 'owner' },
        { userId: ben!.id, role: 'member' },
        { userId: carl!.id, role: 'member' },
      ] as any);
      for (const [devices, role] of [
        [anaDevices, 'owner'],
        [benDevices, 'member'],
        [carlDevices, 'member'],
      ] as const) {
        for (const ws of devices) {
          const joined = await until(ws, (f) => f.type === 'conversation.joined' && f.conversation.id === group.id);
          expect(joined.conversation).toMatchObject({ kind: 'group', title, memberCount: 3, me: { role, unreadCount: 0 } });
          expect(rolesOf(joined.members)).toEqual(expectedRoles);
        }
      }
    });

    test('a new group member is subscribed at once: the next message reaches them live', async () => {
      const [ana, ben] = await s.people(2);
      const benWs = await s.connect(ben!);
      const anaWs = await s.connect(ana!);
      const group = await s.group(ana!, [ben!]);
      await until(benWs, (f) => f.type === 'conversation.joined' && f.conversation.id === group.id);
      const sent = await sendVia(anaWs, group.id, 'welcome');
      const received = await until(benWs, (f) => f.type === 'message.created' && f.message.id === sent.id);
      expect(received.message.content.text).toBe('welcome');
    });

    test("adding members announces member.joined to the others and conversation.joined to the newcomer's devices", async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!]);
      const benWs = await s.connect(ben!);
      const carlDevices = await s.devices(carl!, 2);

      const added = await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [carl!.id, ben!.id] } });
      expect(added.members.map((m: any) => m.userId)).toEqual([carl!.id]);

      const joinedEvent = await until(benWs, is('member.joined', { conversationId: group.id }));
      expect(joinedEvent).toMatchObject({ member: { userId: carl!.id, role: 'member' }, addedBy: ana!.id, pts: group.pts + 1 });
      for (const ws of carlDevices) {
        const joined = await until(ws, (f) => f.type === 'conversation.joined' && f.conversation.id === group.id);
        // member.joined, then the system line that records the addition.
        expect(joined.conversation).toMatchObject({ memberCount: 3, pts: group.pts + 2, me: { role: 'member' } });
        expect(joined.members.map((m: any) => m.userId).sort()).toEqual([ana!.id, ben!.id, carl!.id].sort());
      }
      expect((await s.conversation(carl!, group.id)).memberCount).toBe(3);
    });

    test('only admins add people to a group', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!]);
      await s.fails(ben!, 'addMembers', 'PERMISSION_DENIED', { params: { conversationId: group.id }, body: { userIds: [carl!.id] } });
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'admin' } });
      await s.ok(ben!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [carl!.id] } });
      expect((await s.conversation(carl!, group.id)).me.role).toBe('member');
    });

    test("removing a member announces member.left to the others and conversation.left to the removed member's devices", async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const benWs = await s.connect(ben!);
      const carlDevices = await s.devices(carl!, 2);

      await s.ok(ana!, 'removeMember', { params: { conversationId: group.id, userId: carl!.id } });

      const left = await until(benWs, is('member.left', { conversationId: group.id }));
      expect(left).toMatchObject({ userId: carl!.id, removedBy: ana!.id, pts: group.pts + 1 });
      for (const ws of carlDevices) {
        expect(await until(ws, is('conversation.left', { conversationId: group.id }))).toMatchObject({ removedBy: ana!.id });
      }
      await s.fails(carl!, 'sendMessage', 'CONVERSATION_NOT_FOUND', { params: { conversationId: group.id }, body: { clientId: 'c1', content: { type: 'text', text: 'hi' } } });
      expect((await s.conversation(ana!, group.id)).memberCount).toBe(2);

      // Carl's devices no longer receive the group's events.
      const anaWs = await s.connect(ana!);
      const after = await sendVia(anaWs, group.id, 'without carl');
      await until(benWs, (f) => f.type === 'message.created' && f.message.id === after.id);
      const marker = await s.direct(ana!, carl!);
      await sendVia(anaWs, marker.id, 'marker');
      for (const ws of carlDevices) {
        await until(ws, (f) => f.type === 'message.created' && f.conversationId === marker.id);
        expect(seen(ws, (f) => f.type === 'message.created' && f.message.id === after.id)).toEqual([]);
      }
    });

    test('a plain member cannot remove anyone, an admin cannot remove an admin, and nobody removes the owner', async () => {
      const [ana, ben, carl, dan] = await s.people(4);
      const group = await s.group(ana!, [ben!, carl!, dan!]);
      await s.fails(ben!, 'removeMember', 'PERMISSION_DENIED', { params: { conversationId: group.id, userId: carl!.id } });
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'admin' } });
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: carl!.id }, body: { role: 'admin' } });
      await s.fails(ben!, 'removeMember', 'PERMISSION_DENIED', { params: { conversationId: group.id, userId: carl!.id } });
      await s.fails(ben!, 'removeMember', 'PERMISSION_DENIED', { params: { conversationId: group.id, userId: ana!.id } });
      await s.ok(ben!, 'removeMember', { params: { conversationId: group.id, userId: dan!.id } });
      expect((await s.members(ana!, group.id)).map((m) => m.userId).sort()).toEqual([ana!.id, ben!.id, carl!.id].sort());
    });

    test('when the owner leaves, ownership passes to the longest-standing admin, and every member sees member.updated', async () => {
      const [ana, ben, carl, dan] = await s.people(4);
      const group = await s.group(ana!, [ben!, carl!]);
      s.clock.advance(1000);
      await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [dan!.id] } });
      // Dan, the newer admin, is promoted first; Ben, as old as Carl, stays a plain member.
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: dan!.id }, body: { role: 'admin' } });
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: carl!.id }, body: { role: 'admin' } });
      const watchers = [await s.connect(ben!), await s.connect(carl!), await s.connect(dan!)];
      const anaWs = await s.connect(ana!);

      await s.ok(ana!, 'leaveConversation', { params: { conversationId: group.id } });

      for (const ws of watchers) {
        const left = await until(ws, is('member.left', { conversationId: group.id }));
        expect(left).toMatchObject({ userId: ana!.id, removedBy: null });
        const updated = await until(ws, is('member.updated', { conversationId: group.id }));
        // After member.left and the system line that records it.
        expect(updated).toMatchObject({ userId: carl!.id, role: 'owner', updatedBy: null, pts: left.pts + 2 });
      }
      expect(await until(anaWs, is('conversation.left', { conversationId: group.id }))).toMatchObject({ removedBy: null });
      expect(rolesOf(await s.members(ben!, group.id))).toEqual(
        rolesOf([
          { userId: ben!.id, role: 'member' },
          { userId: carl!.id, role: 'owner' },
          { userId: dan!.id, role: 'admin' },
        ] as any),
      );
      expect((await s.conversation(carl!, group.id)).me.role).toBe('owner');
    });

    test('when an owner without admins leaves, the longest-standing member becomes owner', async () => {
      // Carl signs up first, so his id sorts before Ben's: only the join time can make Ben the heir.
      const carl = await s.person('carl');
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      s.clock.advance(1000);
      await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [carl.id] } });
      const carlWs = await s.connect(carl);

      await s.ok(ana!, 'leaveConversation', { params: { conversationId: group.id } });

      const updated = await until(carlWs, is('member.updated', { conversationId: group.id }));
      expect(updated).toMatchObject({ userId: ben!.id, role: 'owner', updatedBy: null });
      expect((await s.conversation(ben!, group.id)).me.role).toBe('owner');
      // The new owner has the owner's powers.
      await s.ok(ben!, 'updateMember', { params: { conversationId: group.id, userId: carl.id }, body: { role: 'admin' } });
    });

    test('renaming and changing the topic reach every member as conversation.updated', async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      const benDevices = await s.devices(ben!, 2);
      const anaWs = await s.connect(ana!);

      const renamed = await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { title: 'Renamed' } });
      // conversation.updated, then the system line that records it.
      expect(renamed).toMatchObject({ title: 'Renamed', topic: '', pts: group.pts + 2 });
      for (const ws of [...benDevices, anaWs]) {
        const e = await until(ws, (f) => f.type === 'conversation.updated' && f.conversationId === group.id && f.title === 'Renamed');
        expect(e).toMatchObject({ topic: '', updatedBy: ana!.id, pts: group.pts + 1 });
      }

      await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { topic: 'Plans for June' } });
      for (const ws of benDevices) {
        const e = await until(ws, (f) => f.type === 'conversation.updated' && f.topic === 'Plans for June');
        expect(e).toMatchObject({ title: 'Renamed', pts: group.pts + 3 });
      }
      expect(await s.conversation(ben!, group.id)).toMatchObject({ title: 'Renamed', topic: 'Plans for June' });
    });

    test('a group cannot be created with someone who does not exist', async () => {
      const ana = await s.person();
      await s.fails(ana, 'createConversation', 'USER_NOT_FOUND', {
        body: { kind: 'group', title: 'ghosts', memberIds: ['01936b2a-7c1e-7b3a-9f00-4c2d8e9a1b2c'] },
      });
      expect(await s.listed(ana)).toEqual([]);
    });

    test('a plain member cannot rename a group', async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      await s.fails(ben!, 'updateConversation', 'PERMISSION_DENIED', { params: { conversationId: group.id }, body: { title: 'Mine now' } });
      expect((await s.conversation(ana!, group.id)).title).toBe(group.title);
    });

    test('the owner promotes a member to admin and demotes them back, and every member sees member.updated', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const carlWs = await s.connect(carl!);
      const benWs = await s.connect(ben!);

      const promoted = await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'admin' } });
      expect(promoted).toMatchObject({ userId: ben!.id, role: 'admin' });
      for (const ws of [carlWs, benWs]) {
        expect(await until(ws, (f) => f.type === 'member.updated' && f.role === 'admin')).toMatchObject({
          userId: ben!.id,
          updatedBy: ana!.id,
          pts: group.pts + 1,
        });
      }
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'member' } });
      expect(await until(carlWs, (f) => f.type === 'member.updated' && f.role === 'member')).toMatchObject({ userId: ben!.id, pts: group.pts + 2 });
      expect((await s.conversation(ben!, group.id)).me.role).toBe('member');
    });

    test('only the owner changes roles, and the same role again changes nothing', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'admin' } });
      await s.fails(ben!, 'updateMember', 'PERMISSION_DENIED', { params: { conversationId: group.id, userId: carl!.id }, body: { role: 'admin' } });
      await s.fails(ana!, 'updateMember', 'OPERATION_NOT_ALLOWED', { params: { conversationId: group.id, userId: ana!.id }, body: { role: 'member' } });
      const before = (await s.conversation(ana!, group.id)).pts;
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'admin' } });
      expect((await s.conversation(ana!, group.id)).pts).toBe(before);
    });
  });

  describe('channels', () => {
    test('a channel can be found by title in the directory, with whether the viewer has joined', async () => {
      const [ana, ben] = await s.people(2);
      const word = uniqueName('zebra');
      const channel = await s.channel(ana!, [], `The ${word} Club`);
      await s.channel(ana!, [], uniqueName('other'));

      const forBen = (await s.ok(ben!, 'browseChannels', { query: { q: word.toUpperCase() } })).channels;
      expect(forBen).toEqual([{ id: channel.id, title: `The ${word} Club`, topic: '', memberCount: 1, createdAt: channel.createdAt, joined: false }]);
      const forAna = (await s.ok(ana!, 'browseChannels', { query: { q: word } })).channels;
      expect(forAna.map((c: any) => [c.id, c.joined])).toEqual([[channel.id, true]]);
      expect((await s.ok(ben!, 'browseChannels', { query: { q: uniqueName('nothing') } })).channels).toEqual([]);
    });

    test('a group is not in the channel directory and cannot be joined', async () => {
      const [ana, ben, carl] = await s.people(3);
      const title = uniqueName('secret');
      const group = await s.group(ana!, [ben!], title);
      expect((await s.ok(carl!, 'browseChannels', { query: { q: title } })).channels).toEqual([]);
      await s.fails(carl!, 'joinChannel', 'CONVERSATION_NOT_FOUND', { params: { conversationId: group.id } });
    });

    test('joining a channel tells the members and the joiner; joining again changes nothing and tells no one', async () => {
      const [ana, ben] = await s.people(2);
      const channel = await s.channel(ana!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);

      const joined = await s.ok(ben!, 'joinChannel', { params: { conversationId: channel.id } });
      expect(joined).toMatchObject({ id: channel.id, memberCount: 2, me: { role: 'member' } });
      expect(await until(anaWs, is('member.joined', { conversationId: channel.id }))).toMatchObject({
        member: { userId: ben!.id, role: 'member' },
        addedBy: null,
      });
      await until(benWs, (f) => f.type === 'conversation.joined' && f.conversation.id === channel.id);

      const again = await s.ok(ben!, 'joinChannel', { params: { conversationId: channel.id } });
      expect(again).toMatchObject({ id: channel.id, memberCount: 2, pts: joined.pts });
      // Ben's message comes after the second join: a second member.joined would have reached Ana before it.
      const marker = await sendVia(benWs, channel.id, 'hello all');
      await until(anaWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(seen(anaWs, is('member.joined', { conversationId: channel.id }))).toHaveLength(1);
      expect(seen(benWs, (f) => f.type === 'conversation.joined' && f.conversation.id === channel.id)).toHaveLength(1);
    });

    test('someone who joins a channel starts with no backlog of unread messages', async () => {
      const [ana, ben] = await s.people(2);
      const channel = await s.channel(ana!);
      await s.post(ana!, channel.id, 'old news 1');
      await s.post(ana!, channel.id, 'old news 2');
      const joined = await s.ok(ben!, 'joinChannel', { params: { conversationId: channel.id } });
      expect(joined.me).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
      await s.post(ana!, channel.id, 'fresh');
      expect((await s.conversation(ben!, channel.id)).me.unreadCount).toBe(1);
      // The two old messages, the line that records Ben's arrival, and the fresh one.
      expect(await s.history(ben!, channel.id)).toHaveLength(4);
    });

    test("leaving a channel tells the members and drops the conversation from the leaver's devices", async () => {
      const [ana, ben] = await s.people(2);
      const channel = await s.channel(ana!, [ben!]);
      const anaWs = await s.connect(ana!);
      const benDevices = await s.devices(ben!, 2);

      await s.ok(ben!, 'leaveConversation', { params: { conversationId: channel.id } });

      expect(await until(anaWs, is('member.left', { conversationId: channel.id }))).toMatchObject({ userId: ben!.id, removedBy: null });
      for (const ws of benDevices) expect(await until(ws, is('conversation.left', { conversationId: channel.id }))).toMatchObject({ removedBy: null });
      expect((await s.listed(ben!)).map((c) => c.id)).not.toContain(channel.id);
      const [summary] = (await s.ok(ben!, 'browseChannels', { query: { q: channel.title! } })).channels;
      expect(summary).toMatchObject({ id: channel.id, joined: false, memberCount: 1 });
      // Anyone may join again.
      await s.ok(ben!, 'joinChannel', { params: { conversationId: channel.id } });
      expect((await s.conversation(ana!, channel.id)).memberCount).toBe(2);
    });

    test('any channel member may add people, but only moderators rename it', async () => {
      const [ana, ben, carl] = await s.people(3);
      const channel = await s.channel(ana!, [ben!]);
      await s.ok(ben!, 'addMembers', { params: { conversationId: channel.id }, body: { userIds: [carl!.id] } });
      expect((await s.conversation(carl!, channel.id)).memberCount).toBe(3);
      await s.fails(ben!, 'updateConversation', 'PERMISSION_DENIED', { params: { conversationId: channel.id }, body: { topic: 'mine' } });
    });
  });

  describe('settings and listing', () => {
    test("muting a conversation reaches the user's other device as conversation.settings, and nobody else", async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      const [phone, laptop] = await s.devices(ana!, 2);
      const benWs = await s.connect(ben!);

      await s.ok(ana!, 'updateMySettings', { params: { conversationId: group.id }, body: { muted: true } });
      for (const ws of [phone!, laptop!]) {
        expect(await until(ws, is('conversation.settings', { conversationId: group.id }))).toEqual({
          type: 'conversation.settings',
          conversationId: group.id,
          muted: true,
        });
      }
      expect((await s.conversation(ana!, group.id)).me.muted).toBe(true);
      expect((await s.conversation(ben!, group.id)).me.muted).toBe(false);

      await s.ok(ana!, 'updateMySettings', { params: { conversationId: group.id }, body: { muted: false } });
      await until(laptop!, (f) => f.type === 'conversation.settings' && f.muted === false);
      const marker = await sendVia(phone!, group.id, 'marker');
      await until(benWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(seen(benWs, (f) => f.type === 'conversation.settings')).toEqual([]);
    });

    test('the conversation list shows the last message and unread counts, most recently active first', async () => {
      const [ana, ben, carl] = await s.people(3);
      const dmBen = await s.direct(ana!, ben!);
      s.clock.advance(1000);
      const group = await s.group(carl!, [ana!, ben!]);
      s.clock.advance(1000);
      const dmCarl = await s.direct(carl!, ana!);
      s.clock.advance(1000);
      await s.post(ben!, dmBen.id, 'one');
      await s.post(ben!, dmBen.id, 'two');
      await s.post(ana!, dmBen.id, 'my own');
      await s.post(ben!, dmBen.id, 'three');
      s.clock.advance(1000);
      await s.post(carl!, group.id, 'group news');

      // The group has the latest message, then the direct chat with Ben; the chat with Carl, where nothing was said
      // yet, is not listed at all.
      let list = await s.listed(ana!);
      expect(list.map((c) => c.id)).toEqual([group.id, dmBen.id]);
      expect(list[0]).toMatchObject({ lastMessage: { content: { text: 'group news' }, senderId: carl!.id }, me: { unreadCount: 1 } });
      expect(list[1]).toMatchObject({ lastMessage: { content: { text: 'three' } }, me: { unreadCount: 3 }, peerId: ben!.id });

      s.clock.advance(1000);
      await s.post(carl!, dmCarl.id, 'psst');
      list = await s.listed(ana!);
      expect(list.map((c) => c.id)).toEqual([dmCarl.id, group.id, dmBen.id]);
      expect(list[0]).toMatchObject({ lastMessage: { content: { text: 'psst' } }, me: { unreadCount: 1 } });
    });

    test('memberCount follows joins, additions, removals and leaves everywhere it is shown', async () => {
      const [ana, ben, carl, dan] = await s.people(4);
      const channel = await s.channel(ana!);
      const count = async () => {
        const own = (await s.conversation(ana!, channel.id)).memberCount;
        const listed = (await s.listed(ana!)).find((c) => c.id === channel.id)!.memberCount;
        const [browsed] = (await s.ok(dan!, 'browseChannels', { query: { q: channel.title! } })).channels;
        expect(listed).toBe(own);
        expect(browsed.memberCount).toBe(own);
        return own;
      };
      expect(await count()).toBe(1);
      await s.ok(ben!, 'joinChannel', { params: { conversationId: channel.id } });
      await s.ok(ben!, 'joinChannel', { params: { conversationId: channel.id } });
      expect(await count()).toBe(2);
      await s.ok(ana!, 'addMembers', { params: { conversationId: channel.id }, body: { userIds: [carl!.id, ben!.id] } });
      expect(await count()).toBe(3);
      await s.ok(ana!, 'removeMember', { params: { conversationId: channel.id, userId: carl!.id } });
      expect(await count()).toBe(2);
      await s.ok(ben!, 'leaveConversation', { params: { conversationId: channel.id } });
      expect(await count()).toBe(1);
      expect((await s.members(ana!, channel.id)).map((m) => m.userId)).toEqual([ana!.id]);
    });
  });
});
