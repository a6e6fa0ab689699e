import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { is, requestOk, seen, sendVia, startScenario, until, type Person, type Scenario, type Socket } from '../support/scenario.js';

/** Longer than any test: the grace passes only when a test moves the server's clock on. */
const GRACE_MS = 600_000;
const TTL_MS = 6000;

describe.each(BACKENDS)('realtime (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend, { presence: { offlineGraceMs: GRACE_MS }, limits: { typingTtlMs: TTL_MS } });
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  const typing = (ws: Socket, conversationId: string, active: boolean) => requestOk(ws, { type: 'typing', conversationId, active });
  const typingOf = (ws: Socket, userId: string) => seen(ws, is('typing', { userId }));
  const presenceOf = (ws: Socket, userId: string) => seen(ws, is('presence', { userId }));

  describe('typing', () => {
    test("a typing start reaches the other members' sockets with expiresInMs, but not the typer's own devices", async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const [phone, laptop] = await s.devices(ana!, 2);
      const others = [...(await s.devices(ben!, 2)), await s.connect(carl!)];

      await typing(phone!, group.id, true);
      for (const ws of others) {
        expect(await until(ws, is('typing', { userId: ana!.id }))).toEqual({
          type: 'typing',
          conversationId: group.id,
          userId: ana!.id,
          active: true,
          expiresInMs: TTL_MS,
        });
      }
      // Ben's message comes after the typing event on every socket that would get both.
      const marker = await sendVia(others[0]!, group.id, 'marker');
      for (const ws of [phone!, laptop!]) {
        await until(ws, (f) => f.type === 'message.created' && f.message.id === marker.id);
        expect(seen(ws, is('typing'))).toEqual([]);
      }
    });

    test('a typing stop reaches the other members', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.sharedDirect(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      await typing(anaWs, dm.id, true);
      await until(benWs, is('typing', { userId: ana!.id, active: true }));
      await typing(anaWs, dm.id, false);
      expect(await until(benWs, is('typing', { userId: ana!.id, active: false }))).toMatchObject({ conversationId: dm.id, expiresInMs: 0 });
      expect(typingOf(benWs, ana!.id).map((f) => f.active)).toEqual([true, false]);
    });

    test('a stop without a start tells no one', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.sharedDirect(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      await typing(anaWs, dm.id, false);
      const marker = await sendVia(anaWs, dm.id, 'marker');
      await until(benWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(typingOf(benWs, ana!.id)).toEqual([]);
    });

    test('typing is not stored: a member who connects later hears nothing of it', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      await typing(anaWs, group.id, true);
      await until(benWs, is('typing', { userId: ana!.id }));

      const carlWs = await s.connect(carl!);
      await typing(anaWs, group.id, true);
      const marker = await sendVia(anaWs, group.id, 'marker');
      await until(carlWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(seen(carlWs, is('typing'))).toEqual([]);
    });

    test('a renewal within a third of the TTL is not broadcast again; a later one is', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.sharedDirect(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);

      await typing(anaWs, dm.id, true);
      await typing(anaWs, dm.id, true);
      s.clock.advance(TTL_MS / 3 - 500);
      await typing(anaWs, dm.id, true);
      s.clock.advance(600);
      await typing(anaWs, dm.id, true);
      await typing(anaWs, dm.id, true);
      await typing(anaWs, dm.id, false);

      await until(benWs, is('typing', { userId: ana!.id, active: false }));
      expect(typingOf(benWs, ana!.id).map((f) => f.active)).toEqual([true, true, false]);
    });

    test("closing the typer's socket tells the others that typing stopped", async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.sharedDirect(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      await typing(anaWs, dm.id, true);
      await until(benWs, is('typing', { userId: ana!.id, active: true }));

      await s.disconnect(ana!, anaWs);
      expect(await until(benWs, is('typing', { userId: ana!.id, active: false }))).toMatchObject({ conversationId: dm.id, expiresInMs: 0 });
    });

    test('typing in a conversation the user is not in fails with CONVERSATION_NOT_FOUND', async () => {
      const [ana, ben, eve] = await s.people(3);
      const dm = await s.sharedDirect(ana!, ben!);
      const eveWs = await s.connect(eve!);
      expect(await eveWs.request({ type: 'typing', conversationId: dm.id, active: true })).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });
    });
  });

  describe('presence', () => {
    /** Ben watches Ana (they share a direct conversation); Ben is connected. */
    async function contacts() {
      const [ana, ben] = await s.people(2);
      await s.sharedDirect(ana!, ben!);
      const benWs = await s.connect(ben!);
      return { ana: ana!, ben: ben!, benWs };
    }

    async function online(watcher: Socket, p: Person) {
      return until(watcher, (f) => f.type === 'presence' && f.userId === p.id && f.state === 'online');
    }

    test('connecting makes a user online for their contacts', async () => {
      const { ana, benWs } = await contacts();
      const before = s.clock.now();
      await s.connect(ana);
      const event = await online(benWs, ana);
      expect(event).toEqual({ type: 'presence', userId: ana.id, state: 'online', lastSeenAt: expect.any(Number) });
      expect(event.lastSeenAt).toBeGreaterThanOrEqual(before);
    });

    test('presence goes only to people who share a conversation', async () => {
      const { ana, benWs } = await contacts();
      const [eve, frank] = await s.people(2);
      await s.sharedDirect(eve!, frank!);
      const eveWs = await s.connect(eve!);
      await s.connect(ana);
      await online(benWs, ana);
      // Frank, Eve's contact, connects after Ana: his presence is Eve's marker.
      await s.connect(frank!);
      await online(eveWs, frank!);
      expect(presenceOf(eveWs, ana.id)).toEqual([]);
    });

    test('a user added to a group is online at once for its members', async () => {
      const [ana, ben, carl] = await s.people(3);
      const benWs = await s.connect(ben!);
      const group = await s.group(ana!, [ben!]);
      await until(benWs, (f) => f.type === 'conversation.joined' && f.conversation.id === group.id);
      await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [carl!.id] } });
      await until(benWs, is('member.joined', { conversationId: group.id }));
      await s.connect(carl!);
      await online(benWs, carl!);
    });

    test('a user is away when every device reports idle, and online again when one reports active', async () => {
      const { ana, benWs } = await contacts();
      const [phone, laptop] = await s.devices(ana, 2);
      await online(benWs, ana);

      await requestOk(phone!, { type: 'presence', state: 'idle' });
      await requestOk(laptop!, { type: 'presence', state: 'idle' });
      expect(await until(benWs, is('presence', { userId: ana.id, state: 'away' }))).toMatchObject({ lastSeenAt: expect.any(Number) });
      await requestOk(laptop!, { type: 'presence', state: 'active' });
      await until(benWs, () => presenceOf(benWs, ana.id).length >= 3);
      // One idle device of two changed nothing: only online, away, online.
      expect(presenceOf(benWs, ana.id).map((f) => f.state)).toEqual(['online', 'away', 'online']);
    });

    test('closing the last socket makes a user offline after the grace, with lastSeenAt', async () => {
      const { ana, ben, benWs } = await contacts();
      const carl = await s.person('carl');
      await s.sharedDirect(ben, carl);
      const [phone, laptop] = await s.devices(ana, 2);
      await online(benWs, ana);

      await s.disconnect(ana, phone!);
      const before = s.clock.now();
      const graceStarted = s.clock.nextTimer();
      await s.disconnect(ana, laptop!);
      await graceStarted;
      // Within the grace (a minute short of it: real time passes too) nothing is said: Carl coming online is told first.
      s.clock.advance(GRACE_MS - 60_000);
      await s.connect(carl);
      await online(benWs, carl);
      expect(presenceOf(benWs, ana.id).map((f) => f.state)).toEqual(['online']);

      s.clock.advance(60_000);
      const offline = await until(benWs, is('presence', { userId: ana.id, state: 'offline' }));
      expect(offline.lastSeenAt).toBeGreaterThanOrEqual(before + GRACE_MS);
      // Closing one of two devices was not news.
      expect(presenceOf(benWs, ana.id).map((f) => f.state)).toEqual(['online', 'offline']);
    });

    test('a reconnect within the grace produces no offline', async () => {
      const { ana, ben, benWs } = await contacts();
      const carl = await s.person('carl');
      await s.sharedDirect(ben, carl);
      const anaWs = await s.connect(ana);
      await online(benWs, ana);

      const graceStarted = s.clock.nextTimer();
      await s.disconnect(ana, anaWs);
      await graceStarted;
      await s.connect(ana);
      s.clock.advance(GRACE_MS);
      // Carl leaves after Ana's grace has passed: his offline comes after any offline of Ana's would have.
      const carlWs = await s.connect(carl);
      await online(benWs, carl);
      const carlsGrace = s.clock.nextTimer();
      await s.disconnect(carl, carlWs);
      await carlsGrace;
      s.clock.advance(GRACE_MS);
      await until(benWs, is('presence', { userId: carl.id, state: 'offline' }));
      expect(presenceOf(benWs, ana.id).map((f) => f.state)).toEqual(['online']);
    });
  });

  describe('profiles', () => {
    test("a profile change reaches contacts as user.updated and the user's own devices as me.updated", async () => {
      const [ana, ben, eve, frank] = await s.people(4);
      await s.group(ana!, [ben!]);
      await s.sharedDirect(eve!, frank!);
      const [phone, laptop] = await s.devices(ana!, 2);
      const benDevices = await s.devices(ben!, 2);
      const eveWs = await s.connect(eve!);

      const me = await s.ok(ana!, 'updateMe', { body: { displayName: 'Ana Banana', statusText: 'on holiday', statusEmoji: '🏖️' } });
      expect(me).toMatchObject({ id: ana!.id, displayName: 'Ana Banana', statusText: 'on holiday', statusEmoji: '🏖️', readReceipts: true });
      for (const ws of benDevices) {
        const e = await until(ws, (f) => f.type === 'user.updated' && f.user.id === ana!.id);
        expect(e.user).toEqual({
          id: ana!.id,
          username: ana!.username,
          displayName: 'Ana Banana',
          statusText: 'on holiday',
          statusEmoji: '🏖️',
          createdAt: ana!.me.createdAt,
        });
      }
      for (const ws of [phone!, laptop!]) expect((await until(ws, is('me.updated'))).me).toEqual(me);

      // Frank's change is Eve's marker: Ana's would have reached her before it.
      await s.ok(frank!, 'updateMe', { body: { displayName: 'Frank' } });
      await until(eveWs, (f) => f.type === 'user.updated' && f.user.id === frank!.id);
      expect(seen(eveWs, (f) => f.type === 'user.updated' && f.user.id === ana!.id)).toEqual([]);
      expect(seen(phone!, is('user.updated'))).toEqual([]);
    });

    test("a member who left a group no longer hears about its members' profiles", async () => {
      const [ana, ben, carl] = await s.people(3);
      await s.sharedDirect(ben!, carl!);
      const benWs = await s.connect(ben!);
      const group = await s.group(ana!, [ben!]);
      await until(benWs, (f) => f.type === 'conversation.joined' && f.conversation.id === group.id);

      await s.ok(ben!, 'leaveConversation', { params: { conversationId: group.id } });
      await until(benWs, is('conversation.left', { conversationId: group.id }));
      // The ping answers after the socket has handled everything before it, including its contact list update.
      await requestOk(benWs, { type: 'ping' });

      await s.ok(ana!, 'updateMe', { body: { displayName: 'Ana Again' } });
      await s.ok(carl!, 'updateMe', { body: { displayName: 'Carl Marker' } });
      await until(benWs, (f) => f.type === 'user.updated' && f.user.id === carl!.id);
      expect(seen(benWs, (f) => f.type === 'user.updated' && f.user.id === ana!.id)).toEqual([]);
    });

    test("a member removed from a group no longer hears about its members' presence", async () => {
      const [ana, ben, carl, dan] = await s.people(4);
      await s.sharedDirect(ben!, dan!);
      const benWs = await s.connect(ben!);
      const group = await s.group(ana!, [ben!, carl!]);
      await until(benWs, (f) => f.type === 'conversation.joined' && f.conversation.id === group.id);
      await s.ok(ana!, 'removeMember', { params: { conversationId: group.id, userId: ben!.id } });
      await until(benWs, is('conversation.left', { conversationId: group.id }));
      await requestOk(benWs, { type: 'ping' });

      await s.connect(carl!);
      await s.connect(dan!);
      await until(benWs, (f) => f.type === 'presence' && f.userId === dan!.id && f.state === 'online');
      // While they shared the group Ben was told where Carl stood (offline); Carl coming online is no longer his news.
      expect(presenceOf(benWs, carl!.id).filter((f) => f.state === 'online')).toEqual([]);
    });
  });
});
