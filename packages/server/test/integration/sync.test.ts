import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { ConversationEvent, ConversationEventsPage, SyncResponse } from '@hearth/protocol';
import pg from 'pg';
import { BACKENDS } from '../support/backends.js';
import { unknownId } from '../support/fixtures.js';
import {
  applyEvents,
  is,
  loadModel,
  range,
  requestOk,
  rolesOf,
  sendVia,
  startScenario,
  streamOf,
  text,
  until,
  viewOfHistory,
  viewOfModel,
  type Person,
  type Scenario,
  type Socket,
} from '../support/scenario.js';

const MAX_REPLAY = 30;
/** Longer than any test: the grace passes only when a test moves the server's clock on. */
const GRACE_MS = 600_000;
const HOURS = 3 * 3600_000;

describe.each(BACKENDS)('sync (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend, { limits: { maxReplayEvents: MAX_REPLAY }, presence: { offlineGraceMs: GRACE_MS } });
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  const sync = (p: Person, conversations: Array<{ id: string; pts: number }>, cursor?: string) =>
    s.ok<SyncResponse>(p, 'sync', { body: { conversations, ...(cursor !== undefined ? { cursor } : {}) } });

  /** What a client holds of a conversation after loading it: its position, history, members, title and topic. */
  async function loaded(p: Person, conversationId: string) {
    const conversation = await s.conversation(p, conversationId);
    const [messages, members] = await Promise.all([s.history(p, conversationId), s.members(p, conversationId)]);
    return { pts: conversation.pts, title: conversation.title, topic: conversation.topic, messages, members };
  }

  const react = (ws: Socket, conversationId: string, messageId: string, emoji: string, add = true) =>
    requestOk(ws, { type: add ? 'reaction.add' : 'reaction.remove', conversationId, messageId, emoji });
  const edit = (ws: Socket, conversationId: string, messageId: string, words: string) =>
    requestOk(ws, { type: 'message.edit', conversationId, messageId, content: text(words) });
  const remove = (ws: Socket, conversationId: string, messageId: string) => requestOk(ws, { type: 'message.delete', conversationId, messageId });

  test('a client cut off while others send, edit, delete, react and change membership catches up exactly', async () => {
    const [ana, ben, carl, dan] = await s.people(4);
    const group = await s.group(ana!, [ben!, carl!]);
    const phone = await s.connect(ana!);
    const laptop = await s.connect(ana!);
    const benWs = await s.connect(ben!);
    const carlWs = await s.connect(carl!);
    const m1 = await sendVia(benWs, group.id, 'one');
    const m2 = await sendVia(carlWs, group.id, 'two');
    const m3 = await sendVia(phone, group.id, 'three');
    await react(benWs, group.id, m1.id, '👍');

    // The phone holds the conversation as loaded, then loses its connection.
    const first = await sync(ana!, []);
    const held = await loaded(ana!, group.id);
    const model = loadModel(held);
    const p0 = held.pts;
    await s.disconnect(ana!, phone);

    const m4 = await sendVia(benWs, group.id, 'four');
    const m5 = await sendVia(carlWs, group.id, 'five', { replyToId: m1.id });
    await edit(benWs, group.id, m1.id, 'one, edited');
    await react(carlWs, group.id, m2.id, '❤️');
    await remove(carlWs, group.id, m2.id);
    await react(carlWs, group.id, m1.id, '❤️');
    await react(benWs, group.id, m4.id, '😂');
    await react(benWs, group.id, m1.id, '👍', false);
    await react(laptop, group.id, m5.id, '👍🏽');
    await s.ok(ana!, 'addMembers', { params: { conversationId: group.id }, body: { userIds: [dan!.id] } });
    const danWs = await s.connect(dan!);
    const m6 = await sendVia(danWs, group.id, 'six');
    await react(benWs, group.id, m6.id, '🎉');
    await s.ok(carl!, 'leaveConversation', { params: { conversationId: group.id } });
    await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { title: 'Renamed while away' } });
    await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { topic: 'new topic' } });
    await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'admin' } });
    await edit(benWs, group.id, m4.id, 'four, edited');
    await edit(benWs, group.id, m4.id, 'four, edited twice');
    await edit(laptop, group.id, m3.id, 'three, edited');
    await remove(danWs, group.id, m6.id);
    const last = await sendVia(benWs, group.id, 'seven');

    await s.connect(ana!);
    const response = await sync(ana!, [{ id: group.id, pts: p0 }], first.cursor);
    const entry = response.conversations.find((c) => c.conversation.id === group.id)!;
    const current = await s.conversation(ana!, group.id);
    expect(entry.refetch).toBe(false);
    expect(entry.conversation.pts).toBe(current.pts);
    expect(current.pts).toBe(last.seq);
    expect(current.pts - p0).toBeLessThanOrEqual(MAX_REPLAY);
    // Every position after the client's, once, in order.
    expect(entry.events.map((e) => e.pts)).toEqual(range(p0 + 1, current.pts));
    expect(response.removed).toEqual([]);

    applyEvents(model, entry.events);
    expect(model.applied).toEqual(range(p0 + 1, current.pts));
    expect(model.duplicates).toEqual([]);
    const history = await s.history(ana!, group.id);
    expect(viewOfModel(model)).toEqual(viewOfHistory(history));
    expect(rolesOf(model.members)).toEqual(rolesOf(await s.members(ana!, group.id)));
    expect([model.title, model.topic]).toEqual(['Renamed while away', 'new topic']);
    expect([current.title, current.topic]).toEqual(['Renamed while away', 'new topic']);

    // The device that stayed connected saw the same positions live, and they lead to the same state.
    await until(laptop, (f) => f.conversationId === group.id && f.pts === current.pts);
    const live = streamOf(laptop, group.id).filter((e) => e.pts > p0);
    expect(live.map((e) => [e.pts, e.type])).toEqual(entry.events.map((e) => [e.pts, e.type]));
    const fromLive = applyEvents(loadModel(held), live);
    expect(viewOfModel(fromLive)).toEqual(viewOfHistory(history));
    // Stored events replay as they were sent.
    const notCreated = (events: ConversationEvent[]) => events.filter((e) => e.type !== 'message.created');
    expect(notCreated(entry.events)).toEqual(notCreated(live));
  });

  test('conversations that did not change since the client’s position are left out', async () => {
    const [ana, ben, carl] = await s.people(3);
    const withBen = await s.direct(ana!, ben!);
    const withCarl = await s.direct(ana!, carl!);
    const group = await s.group(carl!, [ana!, ben!]);
    await s.post(ben!, withBen.id, 'hi');
    await s.post(carl!, withCarl.id, 'hello');
    await s.post(carl!, group.id, 'all');

    const first = await sync(ana!, []);
    expect(first.conversations.map((c) => c.conversation.id).sort()).toEqual([withBen.id, withCarl.id, group.id].sort());
    const held = first.conversations.map((c) => ({ id: c.conversation.id, pts: c.conversation.pts }));

    const news = await s.post(ben!, withBen.id, 'news');
    const second = await sync(ana!, held, first.cursor);
    expect(second.conversations.map((c) => c.conversation.id)).toEqual([withBen.id]);
    expect(second.conversations[0]!.events.map((e) => e.pts)).toEqual([news.seq]);
    expect(second.conversations[0]!.conversation).toMatchObject({ pts: news.seq, me: { unreadCount: 2 }, lastMessage: { id: news.id } });
  });

  test('a conversation read on another device comes back with its new unread count, and no events', async () => {
    const [ana, ben] = await s.people(2);
    const dm = await s.direct(ana!, ben!);
    await s.post(ben!, dm.id, 'one');
    const two = await s.post(ben!, dm.id, 'two');
    const first = await sync(ana!, []);
    const held = [{ id: dm.id, pts: two.seq }];
    expect((await sync(ana!, held, first.cursor)).conversations).toEqual([]);

    const laptop = await s.connect(ana!);
    await requestOk(laptop, { type: 'receipt', conversationId: dm.id, readSeq: two.seq });
    const after = await sync(ana!, held, first.cursor);
    expect(after.conversations).toHaveLength(1);
    expect(after.conversations[0]).toMatchObject({ events: [], refetch: false, conversation: { me: { readSeq: two.seq, unreadCount: 0 } } });
  });

  test('a conversation the client does not hold comes whole: refetch, with its members', async () => {
    const [ana, ben, carl] = await s.people(3);
    const group = await s.group(ben!, [ana!, carl!]);
    await s.ok(ben!, 'updateMember', { params: { conversationId: group.id, userId: carl!.id }, body: { role: 'admin' } });
    const msg = await s.post(carl!, group.id, 'before you looked');

    const response = await sync(ana!, []);
    const entry = response.conversations.find((c) => c.conversation.id === group.id)!;
    expect(entry).toMatchObject({ refetch: true, events: [], conversation: { pts: msg.seq, lastMessage: { id: msg.id }, me: { role: 'member', unreadCount: 1 } } });
    expect(rolesOf(entry.members!)).toEqual(
      rolesOf([
        { userId: ana!.id, role: 'member' },
        { userId: ben!.id, role: 'owner' },
        { userId: carl!.id, role: 'admin' },
      ] as any),
    );
  });

  test('a conversation the user left, or was removed from and dismissed, is listed in removed', async () => {
    const [ana, ben] = await s.people(2);
    const channel = await s.channel(ben!, [ana!]);
    const group = await s.group(ben!, [ana!]);
    const kept = await s.direct(ana!, ben!);
    const first = await sync(ana!, []);
    const held = first.conversations.map((c) => ({ id: c.conversation.id, pts: c.conversation.pts }));

    await s.ok(ana!, 'leaveConversation', { params: { conversationId: channel.id } });
    await s.ok(ben!, 'removeMember', { params: { conversationId: group.id, userId: ana!.id } });
    await s.ok(ana!, 'hideConversation', { params: { conversationId: group.id } });
    const response = await sync(ana!, held, first.cursor);
    expect(response.removed.sort()).toEqual([channel.id, group.id].sort());
    expect(response.conversations.map((c) => c.conversation.id).filter((id) => id !== kept.id)).toEqual([]);
  });

  test('a device offline when its user was removed catches up to the removal and no further', async () => {
    const [ana, ben, carl] = await s.people(3);
    const group = await s.group(ana!, [ben!, carl!]);
    const benWs = await s.connect(ben!);
    const one = await sendVia(benWs, group.id, 'one');
    const first = await sync(carl!, []);
    const held = await loaded(carl!, group.id);
    // Followed as Carl holds it: the model refuses anything after the line of his removal.
    const model = loadModel(held, carl!.id);

    await sendVia(benWs, group.id, 'two');
    await react(benWs, group.id, one.id, '👋');
    await s.ok(ana!, 'removeMember', { params: { conversationId: group.id, userId: carl!.id } });
    await sendVia(benWs, group.id, 'three, without carl');
    await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { title: 'Renamed without carl' } });

    const response = await sync(carl!, [{ id: group.id, pts: held.pts }], first.cursor);
    const entry = response.conversations.find((c) => c.conversation.id === group.id)!;
    expect(response.removed).toEqual([]);
    expect(entry).toMatchObject({ refetch: false, conversation: { title: group.title, me: { removal: { removedBy: ana!.id } } } });
    expect(entry.events.map((e) => e.pts)).toEqual(range(held.pts + 1, entry.conversation.pts));
    applyEvents(model, entry.events);
    expect(viewOfModel(model)).toEqual(viewOfHistory(await s.history(carl!, group.id)));
    expect(rolesOf(model.members).map(([id]) => id)).not.toContain(carl!.id);
    expect(model.title).toBe(group.title);
    expect(model.viewerLeft).toBe('gone');
    expect(JSON.stringify(response)).not.toContain('without carl');
  });

  test('a gap of maxReplayEvents is replayed; a larger one asks for a refetch', async () => {
    const [ana, ben] = await s.people(2);
    const dm = await s.direct(ana!, ben!);
    const benWs = await s.connect(ben!);
    for (let i = 0; i < MAX_REPLAY + 1; i++) await sendVia(benWs, dm.id, `m${i}`);
    const latest = (await s.conversation(ana!, dm.id)).pts;

    const replayed = (await sync(ana!, [{ id: dm.id, pts: latest - MAX_REPLAY }])).conversations[0]!;
    expect(replayed.refetch).toBe(false);
    expect(replayed.events.map((e) => e.pts)).toEqual(range(latest - MAX_REPLAY + 1, latest));

    const tooFar = (await sync(ana!, [{ id: dm.id, pts: latest - MAX_REPLAY - 1 }])).conversations[0]!;
    expect(tooFar).toMatchObject({ refetch: true, events: [], conversation: { id: dm.id, pts: latest } });
    expect(tooFar.members!.map((m) => m.userId).sort()).toEqual([ana!.id, ben!.id].sort());
  });

  test('receipts that moved since the previous sync are returned, and only those', async () => {
    const [ana, ben, carl] = await s.people(3);
    const group = await s.group(ana!, [ben!, carl!]);
    const one = await s.post(ana!, group.id, 'one');
    const two = await s.post(ana!, group.id, 'two');
    await s.ok(ben!, 'updateReceipt', { params: { conversationId: group.id }, body: { readSeq: one.seq } });
    await s.ok(carl!, 'updateReceipt', { params: { conversationId: group.id }, body: { deliveredSeq: two.seq } });

    const first = await sync(ana!, []);
    const byUser = new Map(first.receipts.filter((r) => r.conversationId === group.id).map((r) => [r.userId, r]));
    expect(byUser.get(ben!.id)).toEqual({ conversationId: group.id, userId: ben!.id, deliveredSeq: one.seq, readSeq: one.seq });
    expect(byUser.get(carl!.id)).toEqual({ conversationId: group.id, userId: carl!.id, deliveredSeq: two.seq, readSeq: 0 });
    expect(byUser.has(ana!.id)).toBe(false);

    const held = [{ id: group.id, pts: two.seq }];
    expect((await sync(ana!, held, first.cursor)).receipts).toEqual([]);
    await s.ok(ben!, 'updateReceipt', { params: { conversationId: group.id }, body: { readSeq: two.seq } });
    expect((await sync(ana!, held, first.cursor)).receipts).toEqual([{ conversationId: group.id, userId: ben!.id, deliveredSeq: two.seq, readSeq: two.seq }]);
  });

  test('profiles of contacts changed since the previous sync are returned', async () => {
    const [ana, ben, carl] = await s.people(3);
    await s.group(ana!, [ben!, carl!]);
    const first = await sync(ana!, []);
    expect(first.users.map((u) => u.id).sort()).toEqual([ben!.id, carl!.id].sort());
    expect((await sync(ana!, [], first.cursor)).users).toEqual([]);
    await s.ok(carl!, 'updateMe', { body: { statusText: 'away for lunch' } });
    const after = await sync(ana!, [], first.cursor);
    expect(after.users).toEqual([expect.objectContaining({ id: carl!.id, statusText: 'away for lunch' })]);
  });

  // Another node's write, held open between taking its change number and committing. PostgreSQL only: SQLite has
  // one writer at a time, so nothing can commit out of order there.
  if (backend === 'postgres') {
    test('a receipt and a profile committed after a sync by a transaction that took its change first are in the next sync', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const one = await s.post(ana!, group.id, 'one');
      const first = await sync(ana!, []);
      const held = [{ id: group.id, pts: one.seq }];
      const node = new pg.Client({ connectionString: s.t.databaseUrl });
      await node.connect();
      try {
        await node.query('begin');
        await node.query('update memberships set delivered_seq = $1, read_seq = $1 where conversation_id = $2 and user_id = $3', [one.seq, group.id, carl!.id]);
        await node.query("update users set status_text = 'on the other node' where id = $1", [carl!.id]);
        const { rows } = await node.query<{ value: string }>('update change_counter set value = value + 1 where id = 1 returning value');
        const change = Number(rows[0]!.value);
        await node.query('update memberships set receipts_change = $1, delivered_change = $1 where conversation_id = $2 and user_id = $3', [change, group.id, carl!.id]);
        await node.query('update users set profile_change = $1 where id = $2', [change, carl!.id]);

        // Meanwhile this node's own profile write waits for the counter: it will commit, and be numbered, after.
        let benCommitted = false;
        const benUpdate = s.ok(ben!, 'updateMe', { body: { statusText: 'on this node' } }).then(() => (benCommitted = true));
        const during = await sync(ana!, held, first.cursor);
        expect(Number(during.cursor)).toBeLessThan(change);
        expect(during.users).toEqual([]);
        expect(during.receipts).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(benCommitted).toBe(false);
        await node.query('commit');
        await benUpdate;

        const next = await sync(ana!, held, during.cursor);
        expect(next.receipts).toEqual([{ conversationId: group.id, userId: carl!.id, deliveredSeq: one.seq, readSeq: one.seq }]);
        expect(next.users.map((u) => [u.id, u.statusText]).sort()).toEqual(
          [
            [ben!.id, 'on this node'],
            [carl!.id, 'on the other node'],
          ].sort(),
        );
        expect(Number(next.cursor)).toBeGreaterThan(change);
      } finally {
        await node.query('rollback').catch(() => undefined);
        await node.end();
      }
    });
  }

  test('changes stamped by a server clock hours behind the previous sync are still in the next', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const one = await s.post(ana!, group.id, 'one');
    const first = await sync(ana!, []);
    const held = [{ id: group.id, pts: one.seq }];
    // Another node whose clock is hours behind the one that answered the first sync.
    s.clock.advance(-HOURS);
    try {
      await s.ok(ben!, 'updateReceipt', { params: { conversationId: group.id }, body: { readSeq: one.seq } });
      await s.ok(ben!, 'updateMe', { body: { statusText: 'from the past' } });
    } finally {
      s.clock.advance(HOURS);
    }
    const next = await sync(ana!, held, first.cursor);
    expect(next.receipts).toEqual([{ conversationId: group.id, userId: ben!.id, deliveredSeq: one.seq, readSeq: one.seq }]);
    expect(next.users).toEqual([expect.objectContaining({ id: ben!.id, statusText: 'from the past' })]);
  });

  test('a client sending the old `since`, from a clock hours ahead, is answered as on a first sync', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const one = await s.post(ana!, group.id, 'one');
    await s.ok(ben!, 'updateReceipt', { params: { conversationId: group.id }, body: { readSeq: one.seq } });
    const response = await s.ok<SyncResponse>(ana!, 'sync', { body: { conversations: [{ id: group.id, pts: one.seq }], since: Date.now() + HOURS } });
    expect(response.users.map((u) => u.id)).toEqual([ben!.id]);
    expect(response.receipts).toEqual([{ conversationId: group.id, userId: ben!.id, deliveredSeq: one.seq, readSeq: one.seq }]);
    expect(response.conversations.map((c) => c.conversation.id)).toEqual([group.id]);
  });

  test('a cursor ahead of the server (a restored database) is answered as on a first sync; one that is not a cursor is refused', async () => {
    const [ana, ben] = await s.people(2);
    await s.group(ana!, [ben!]);
    const ahead = await sync(ana!, [], '999999999999');
    expect(ahead.users.map((u) => u.id)).toEqual([ben!.id]);
    for (const cursor of ['', 'abc', '-1', '1.5', '1'.repeat(16), 12]) {
      await s.fails(ana!, 'sync', 'VALIDATION_FAILED', { body: { conversations: [], cursor } });
    }
  });

  const eventsAfter = (p: Person, conversationId: string, after: number | string) =>
    s.http<ConversationEventsPage>(p, 'conversationEvents', { params: { conversationId }, query: { after } });

  test("a conversation's events after a position are those sync would replay, up to the latest", async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const start = (await s.conversation(ana!, group.id)).pts;
    const one = await sendVia(benWs, group.id, 'one');
    await react(benWs, group.id, one.id, '👍');
    await edit(benWs, group.id, one.id, 'one, edited');
    await s.ok(ana!, 'updateConversation', { params: { conversationId: group.id }, body: { topic: 'news' } });
    const latest = (await s.conversation(ana!, group.id)).pts;
    const page = await eventsAfter(ana!, group.id, start);
    expect(page.status).toBe(200);
    const replayed = (await sync(ana!, [{ id: group.id, pts: start }])).conversations[0]!.events;
    expect(page.body).toEqual({ pts: latest, events: replayed, refetch: false });
    expect(page.body.events.map((e) => e.pts)).toEqual(range(start + 1, latest));
    expect((await eventsAfter(ana!, group.id, latest)).body).toEqual({ pts: latest, events: [], refetch: false });
  });

  test('events of a conversation further behind than maxReplayEvents, or ahead of it, ask for a catch-up', async () => {
    const [ana, ben] = await s.people(2);
    const dm = await s.sharedDirect(ana!, ben!);
    for (let i = 0; i <= MAX_REPLAY; i++) await s.post(ben!, dm.id, `m${i}`);
    const latest = (await s.conversation(ana!, dm.id)).pts;
    expect((await eventsAfter(ana!, dm.id, latest - MAX_REPLAY)).body).toMatchObject({ pts: latest, refetch: false, events: { length: MAX_REPLAY } });
    expect((await eventsAfter(ana!, dm.id, latest - MAX_REPLAY - 1)).body).toEqual({ pts: latest, events: [], refetch: true });
    expect((await eventsAfter(ana!, dm.id, latest + 1)).body).toEqual({ pts: latest, events: [], refetch: true });
  });

  test("a conversation's events are CONVERSATION_NOT_FOUND to anyone not in it, as for one that does not exist", async () => {
    const [ana, ben, eve] = await s.people(3);
    const group = await s.group(ana!, [ben!]);
    const channel = await s.channel(ana!);
    for (const conversationId of [group.id, channel.id, unknownId()]) {
      expect(await s.fails(eve!, 'conversationEvents', 'CONVERSATION_NOT_FOUND', { params: { conversationId }, query: { after: 0 } })).toBe(404);
    }
  });

  test('a removed member gets the events up to their removal and none after', async () => {
    const [ana, ben, carl] = await s.people(3);
    const group = await s.group(ana!, [ben!, carl!]);
    const start = (await s.conversation(carl!, group.id)).pts;
    await s.post(ben!, group.id, 'before');
    await s.ok(ana!, 'removeMember', { params: { conversationId: group.id, userId: carl!.id } });
    const removedAt = (await s.conversation(carl!, group.id)).pts;
    await s.post(ben!, group.id, 'after');
    const page = (await eventsAfter(carl!, group.id, start)).body;
    expect(page.pts).toBe(removedAt);
    expect(page.events.at(-1)!.pts).toBe(removedAt);
    expect(page.events.map((e) => e.pts)).toEqual(range(start + 1, removedAt));
    expect((await eventsAfter(carl!, group.id, removedAt)).body).toEqual({ pts: removedAt, events: [], refetch: false });
  });

  test.each(['abc', '-1', '1.5', '', '1e400'])('events after %j: VALIDATION_FAILED', async (after) => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    expect(await s.fails(ana!, 'conversationEvents', 'VALIDATION_FAILED', { params: { conversationId: group.id }, query: { after } })).toBe(400);
  });

  test('events without `after`, or of a conversation id that is not one: VALIDATION_FAILED', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    expect(await s.fails(ana!, 'conversationEvents', 'VALIDATION_FAILED', { params: { conversationId: group.id } })).toBe(400);
    expect(await s.fails(ana!, 'conversationEvents', 'VALIDATION_FAILED', { params: { conversationId: 'nope' }, query: { after: 0 } })).toBe(400);
  });

  test('presence of contacts is returned, and of no one else', async () => {
    const [ana, ben, carl, dan, eve] = await s.people(5);
    await s.group(ana!, [ben!, carl!, dan!]);
    await s.direct(eve!, ben!);
    const anaWs = await s.connect(ana!);
    await s.connect(ben!);
    const danWs = await s.connect(dan!);
    await until(anaWs, is('presence', { userId: dan!.id, state: 'online' }));
    const before = s.clock.now();
    const graceStarted = s.clock.nextTimer();
    await s.disconnect(dan!, danWs);
    await graceStarted;
    s.clock.advance(GRACE_MS);
    await until(anaWs, is('presence', { userId: dan!.id, state: 'offline' }));

    const response = await sync(ana!, []);
    const byUser = new Map(response.presence.map((p) => [p.userId, p]));
    expect([...byUser.keys()].sort()).toEqual([ben!.id, carl!.id, dan!.id].sort());
    expect(byUser.get(ben!.id)).toMatchObject({ state: 'online' });
    expect(byUser.get(carl!.id)).toEqual({ userId: carl!.id, state: 'offline', lastSeenAt: null });
    expect(byUser.get(dan!.id)!.state).toBe('offline');
    expect(byUser.get(dan!.id)!.lastSeenAt).toBeGreaterThanOrEqual(before);
  });

  test('events that arrive live while a sync is in flight are recognised as duplicates by pts', async () => {
    const [ana, ben] = await s.people(2);
    const dm = await s.direct(ana!, ben!);
    const benWs = await s.connect(ben!);
    const m1 = await sendVia(benWs, dm.id, 'seen before the cut');
    const model = loadModel(await loaded(ana!, dm.id));
    const p0 = model.pts;
    await sendVia(benWs, dm.id, 'while away 1');
    await react(benWs, dm.id, m1.id, '👀');

    // Back online: the socket first, so nothing falls between the sync and the live stream.
    const phone = await s.connect(ana!);
    const overlap = await sendVia(benWs, dm.id, 'arrives live, and in the sync');
    await until(phone, (f) => f.type === 'message.created' && f.message.id === overlap.id);
    const [response] = await Promise.all([
      sync(ana!, [{ id: dm.id, pts: p0 }]),
      (async () => {
        for (let i = 0; i < 5; i++) await sendVia(benWs, dm.id, `during the sync ${i}`);
        await edit(benWs, dm.id, overlap.id, 'edited during the sync');
      })(),
    ]);
    const latest = (await s.conversation(ana!, dm.id)).pts;
    await until(phone, (f) => f.conversationId === dm.id && f.pts === latest);

    // The client applies the sync, then the live events it buffered, skipping those already applied.
    applyEvents(model, response.conversations.find((c) => c.conversation.id === dm.id)!.events);
    applyEvents(model, streamOf(phone, dm.id));
    expect(model.duplicates).toContain(overlap.seq);
    expect(model.applied).toEqual(range(p0 + 1, latest));
    expect(viewOfModel(model)).toEqual(viewOfHistory(await s.history(ana!, dm.id)));
  });
});
