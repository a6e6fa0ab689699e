import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '@hearth/protocol';
import { BACKENDS } from '../support/backends.js';
import { is, mention, mentionAll, requestOk, seen, sendVia, startScenario, until, type Person, type Scenario, type Socket } from '../support/scenario.js';

describe.each(BACKENDS)('receipts (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend);
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  /** Ana and Ben in a direct conversation, Ana having sent `count` messages; both connected. */
  async function chat(count: number) {
    const [ana, ben] = await s.people(2);
    const dm = await s.direct(ana!, ben!);
    const anaWs = await s.connect(ana!);
    const benWs = await s.connect(ben!);
    const sent: Message[] = [];
    for (let i = 0; i < count; i++) sent.push(await sendVia(anaWs, dm.id, `message ${i}`));
    return { ana: ana!, ben: ben!, dm, anaWs, benWs, sent };
  }

  const receipt = (ws: Socket, conversationId: string, pointers: { deliveredSeq?: number; readSeq?: number }) =>
    requestOk(ws, { type: 'receipt', conversationId, ...pointers });

  const receiptsOf = (ws: Socket, conversationId: string, userId: string) => seen(ws, is('receipt.updated', { conversationId, userId }));

  /**
   * `who` delivers up to `seq` and `observer`'s socket sees it; then `observer` syncs. Resolves with that sync's
   * `cursor`, for the next.
   */
  async function deliverThenSync(observer: Person, observerWs: Socket, who: Person, whoWs: Socket, conversationId: string, seq: number): Promise<string> {
    await receipt(whoWs, conversationId, { deliveredSeq: seq });
    await until(observerWs, (f) => f.type === 'receipt.updated' && f.userId === who.id && f.deliveredSeq === seq);
    const sync = await s.ok(observer, 'sync', { body: { conversations: [] } });
    return sync.cursor as string;
  }

  async function memberOf(viewer: Person, conversationId: string, userId: string) {
    return (await s.members(viewer, conversationId)).find((m) => m.userId === userId)!;
  }

  describe('pointers', () => {
    test('the read pointer only moves forward: a lower value is ignored and announced to no one', async () => {
      const { ben, dm, anaWs, benWs, sent } = await chat(5);
      await receipt(benWs, dm.id, { readSeq: sent[3]!.seq });
      expect(await until(anaWs, is('receipt.updated', { userId: ben.id }))).toEqual({
        type: 'receipt.updated',
        conversationId: dm.id,
        userId: ben.id,
        deliveredSeq: sent[3]!.seq,
        readSeq: sent[3]!.seq,
      });
      await receipt(benWs, dm.id, { readSeq: sent[1]!.seq });
      expect((await s.conversation(ben, dm.id)).me.readSeq).toBe(sent[3]!.seq);

      // The next real move is the marker: an announcement of the lower value would have come before it.
      await receipt(benWs, dm.id, { deliveredSeq: sent[4]!.seq });
      await until(anaWs, (f) => f.type === 'receipt.updated' && f.userId === ben.id && f.deliveredSeq === sent[4]!.seq);
      expect(receiptsOf(anaWs, dm.id, ben.id).map((f) => [f.deliveredSeq, f.readSeq])).toEqual([
        [sent[3]!.seq, sent[3]!.seq],
        [sent[4]!.seq, sent[3]!.seq],
      ]);
      expect(await memberOf(ben, dm.id, ben.id)).toMatchObject({ deliveredSeq: sent[4]!.seq, readSeq: sent[3]!.seq });
    });

    test('the delivered pointer only moves forward: a lower value is ignored', async () => {
      const { ana, ben, dm, anaWs, benWs, sent } = await chat(4);
      await receipt(benWs, dm.id, { deliveredSeq: sent[2]!.seq });
      await receipt(benWs, dm.id, { deliveredSeq: sent[0]!.seq });
      await s.ok(ben, 'updateReceipt', { params: { conversationId: dm.id }, body: { deliveredSeq: sent[1]!.seq } });
      expect(await memberOf(ana, dm.id, ben.id)).toMatchObject({ deliveredSeq: sent[2]!.seq, readSeq: 0 });

      await receipt(benWs, dm.id, { deliveredSeq: sent[3]!.seq });
      await until(anaWs, (f) => f.type === 'receipt.updated' && f.userId === ben.id && f.deliveredSeq === sent[3]!.seq);
      expect(receiptsOf(anaWs, dm.id, ben.id).map((f) => f.deliveredSeq)).toEqual([sent[2]!.seq, sent[3]!.seq]);
    });

    test('reading implies delivery for someone who shares read receipts', async () => {
      const { ben, dm, anaWs, benWs, sent } = await chat(3);
      await receipt(benWs, dm.id, { readSeq: sent[1]!.seq });
      expect(await until(anaWs, is('receipt.updated', { userId: ben.id }))).toMatchObject({ deliveredSeq: sent[1]!.seq, readSeq: sent[1]!.seq });
      // A delivered pointer given with a higher read pointer is raised to it.
      await s.ok(ben, 'updateReceipt', { params: { conversationId: dm.id }, body: { deliveredSeq: sent[0]!.seq, readSeq: sent[2]!.seq } });
      expect((await s.conversation(ben, dm.id)).me).toMatchObject({ deliveredSeq: sent[2]!.seq, readSeq: sent[2]!.seq });
    });

    test('pointers are clamped to the latest position of the conversation', async () => {
      const { ana, ben, dm, benWs } = await chat(3);
      const pts = (await s.conversation(ben, dm.id)).pts;
      await receipt(benWs, dm.id, { readSeq: pts + 1000, deliveredSeq: pts + 5000 });
      expect((await s.conversation(ben, dm.id)).me).toMatchObject({ deliveredSeq: pts, readSeq: pts, unreadCount: 0 });
      // The next message is unread: the pointer did not run ahead of it.
      await s.post(ana, dm.id, 'new');
      expect((await s.conversation(ben, dm.id)).me.unreadCount).toBe(1);
    });

    test('a receipt for a conversation the user is not in fails with CONVERSATION_NOT_FOUND', async () => {
      const { dm } = await chat(1);
      const eve = await s.person('eve');
      const eveWs = await s.connect(eve);
      expect(await eveWs.request({ type: 'receipt', conversationId: dm.id, readSeq: 1 })).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });
      await s.fails(eve, 'updateReceipt', 'CONVERSATION_NOT_FOUND', { params: { conversationId: dm.id }, body: { readSeq: 1 } });
    });
  });

  describe('read receipts', () => {
    test("the sender's devices receive receipt.updated when the recipient reads", async () => {
      const { ana, ben, dm, benWs, sent } = await chat(2);
      const [phone, laptop] = [ana.devices[0]!, await s.connect(ana)];
      await receipt(benWs, dm.id, { deliveredSeq: sent[1]!.seq });
      await receipt(benWs, dm.id, { readSeq: sent[1]!.seq });
      for (const ws of [phone, laptop]) {
        await until(ws, (f) => f.type === 'receipt.updated' && f.userId === ben.id && f.readSeq === sent[1]!.seq);
      }
      expect(receiptsOf(laptop, dm.id, ben.id).map((f) => [f.deliveredSeq, f.readSeq])).toEqual([
        [sent[1]!.seq, 0],
        [sent[1]!.seq, sent[1]!.seq],
      ]);
    });

    test('in a group every member sees who has read a message', async () => {
      const [ana, ben, carl, dan] = await s.people(4);
      const group = await s.group(ana!, [ben!, carl!, dan!]);
      const sockets = new Map([ana!, ben!, carl!, dan!].map((p) => [p.id, null as Socket | null]));
      for (const p of [ana!, ben!, carl!, dan!]) sockets.set(p.id, await s.connect(p));
      const anaWs = sockets.get(ana!.id)!;
      const first = await sendVia(anaWs, group.id, 'first');
      const second = await sendVia(anaWs, group.id, 'second');

      await receipt(sockets.get(ben!.id)!, group.id, { readSeq: second.seq });
      await receipt(sockets.get(carl!.id)!, group.id, { readSeq: first.seq });

      for (const ws of sockets.values()) {
        await until(ws!, (f) => f.type === 'receipt.updated' && f.userId === ben!.id && f.readSeq === second.seq);
        await until(ws!, (f) => f.type === 'receipt.updated' && f.userId === carl!.id && f.readSeq === first.seq);
      }
      const members = await s.members(dan!, group.id);
      const seenBy = (m: Message) => members.filter((x) => x.userId !== m.senderId && x.readSeq !== null && x.readSeq >= m.seq).map((x) => x.userId);
      expect(seenBy(first).sort()).toEqual([ben!.id, carl!.id].sort());
      expect(seenBy(second)).toEqual([ben!.id]);
    });
  });

  describe('unread counts', () => {
    test("unread counts the messages from others after the read pointer, never the reader's own", async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const a1 = await s.post(ana!, dm.id, 'a1');
      await s.post(ben!, dm.id, 'b1');
      await s.post(ana!, dm.id, 'a2');
      await s.post(ana!, dm.id, 'a3');
      await s.post(ben!, dm.id, 'b2');
      expect((await s.conversation(ben!, dm.id)).me.unreadCount).toBe(3);
      expect((await s.conversation(ana!, dm.id)).me.unreadCount).toBe(2);

      await s.ok(ben!, 'updateReceipt', { params: { conversationId: dm.id }, body: { readSeq: a1.seq } });
      expect((await s.conversation(ben!, dm.id)).me).toMatchObject({ readSeq: a1.seq, unreadCount: 2 });
      const [listed] = await s.listed(ben!);
      expect(listed!.me.unreadCount).toBe(2);
    });

    test("reading on one device updates the unread count on all the reader's devices, and no one else's", async () => {
      const { ana, ben, dm, anaWs, sent } = await chat(4);
      const [phone, laptop] = [ben.devices[0]!, await s.connect(ben)];
      await receipt(phone, dm.id, { readSeq: sent[1]!.seq });
      for (const ws of [phone, laptop]) {
        expect(await until(ws, is('unread.updated', { conversationId: dm.id }))).toEqual({
          type: 'unread.updated',
          conversationId: dm.id,
          readSeq: sent[1]!.seq,
          unreadCount: 2,
          unreadMentionCount: 0,
        });
      }
      await until(anaWs, is('receipt.updated', { userId: ben.id }));
      const marker = await s.post(ben, dm.id, 'marker');
      await until(anaWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(seen(anaWs, is('unread.updated'))).toEqual([]);
      expect((await s.conversation(ana, dm.id)).me.unreadCount).toBe(1);
    });

    test('deleting an unread message lowers the unread count in listings', async () => {
      const { ana, ben, dm, sent } = await chat(3);
      expect((await s.listed(ben)).find((c) => c.id === dm.id)!.me.unreadCount).toBe(3);
      await s.ok(ana, 'deleteMessage', { params: { conversationId: dm.id, messageId: sent[1]!.id } });
      expect((await s.listed(ben)).find((c) => c.id === dm.id)!.me.unreadCount).toBe(2);
      expect((await s.conversation(ben, dm.id)).me.unreadCount).toBe(2);
    });

    test("unreadMentionCount counts unread mentions of the user and @all, not mentions of others nor the user's own", async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const benWs = await s.connect(ben!);
      const toBen = 'hi @ben';
      const toCarl = 'hi @carl';
      const toAll = 'listen @all';
      await s.post(ana!, group.id, toBen, { entities: [mention(toBen, '@ben', ben!.id)] });
      await s.post(ana!, group.id, toCarl, { entities: [mention(toCarl, '@carl', carl!.id)] });
      const all = await s.post(carl!, group.id, toAll, { entities: [mentionAll(toAll)] });
      await s.post(ben!, group.id, toAll, { entities: [mentionAll(toAll)] });
      await s.post(ana!, group.id, 'plain');

      expect((await s.conversation(ben!, group.id)).me).toMatchObject({ unreadCount: 4, unreadMentionCount: 2 });
      expect((await s.conversation(carl!, group.id)).me).toMatchObject({ unreadCount: 4, unreadMentionCount: 2 });
      expect((await s.conversation(ana!, group.id)).me).toMatchObject({ unreadCount: 2, unreadMentionCount: 2 });

      await receipt(benWs, group.id, { readSeq: all.seq - 1 });
      expect(await until(benWs, is('unread.updated', { conversationId: group.id }))).toMatchObject({ unreadCount: 2, unreadMentionCount: 1 });
      const pts = (await s.conversation(ben!, group.id)).pts;
      await receipt(benWs, group.id, { readSeq: pts });
      expect(await until(benWs, (f) => f.type === 'unread.updated' && f.readSeq === pts)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    });
  });

  describe('privacy', () => {
    test('with read receipts off, others see readSeq null for the user while delivery still flows', async () => {
      const { ana, ben, dm, anaWs, benWs, sent } = await chat(3);
      expect((await s.ok(ben, 'updateMe', { body: { readReceipts: false } })).readReceipts).toBe(false);

      await receipt(benWs, dm.id, { deliveredSeq: sent[0]!.seq });
      expect(await until(anaWs, is('receipt.updated', { userId: ben.id }))).toMatchObject({ deliveredSeq: sent[0]!.seq, readSeq: null });
      await receipt(benWs, dm.id, { deliveredSeq: sent[2]!.seq, readSeq: sent[2]!.seq });
      expect(await until(anaWs, (f) => f.type === 'receipt.updated' && f.deliveredSeq === sent[2]!.seq)).toMatchObject({ userId: ben.id, readSeq: null });

      expect(await memberOf(ana, dm.id, ben.id)).toMatchObject({ deliveredSeq: sent[2]!.seq, readSeq: null });
      const sync = await s.ok(ana, 'sync', { body: { conversations: [] } });
      expect(sync.receipts.find((r: any) => r.userId === ben.id)).toMatchObject({ deliveredSeq: sent[2]!.seq, readSeq: null });
      // Ben's own view keeps his pointer.
      expect((await s.conversation(ben, dm.id)).me.readSeq).toBe(sent[2]!.seq);
      expect(await memberOf(ben, dm.id, ben.id)).toMatchObject({ readSeq: sent[2]!.seq });
    });

    test('with read receipts off, the user sees readSeq null for others, on sockets opened before and after the change', async () => {
      const { ana, ben, dm, anaWs, benWs, sent } = await chat(3);
      await s.ok(ana, 'updateMe', { body: { readReceipts: false } });
      // The socket that was open learns of the change; wait for it, so the next receipt is judged by it.
      await until(anaWs, (f) => f.type === 'me.updated' && f.me.readReceipts === false);
      const later = await s.connect(ana);

      await receipt(benWs, dm.id, { readSeq: sent[1]!.seq });
      for (const ws of [anaWs, later]) {
        expect(await until(ws, is('receipt.updated', { userId: ben.id }))).toMatchObject({ deliveredSeq: sent[1]!.seq, readSeq: null });
      }
      expect(await memberOf(ana, dm.id, ben.id)).toMatchObject({ deliveredSeq: sent[1]!.seq, readSeq: null });
      const sync = await s.ok(ana, 'sync', { body: { conversations: [] } });
      expect(sync.receipts.find((r: any) => r.userId === ben.id)).toMatchObject({ readSeq: null });

      // Turning them back on shows them again.
      await s.ok(ana, 'updateMe', { body: { readReceipts: true } });
      await until(anaWs, (f) => f.type === 'me.updated' && f.me.readReceipts === true);
      await receipt(benWs, dm.id, { readSeq: sent[2]!.seq });
      expect(await until(anaWs, (f) => f.type === 'receipt.updated' && f.userId === ben.id && f.readSeq !== null)).toMatchObject({ readSeq: sent[2]!.seq });
      expect(await memberOf(ana, dm.id, ben.id)).toMatchObject({ readSeq: sent[2]!.seq });
    });

    test('with read receipts off, reading does not move the delivered pointer: the sender cannot tell a read from no news', async () => {
      const { ana, ben, dm, anaWs, benWs, sent } = await chat(3);
      await s.ok(ben, 'updateMe', { body: { readReceipts: false } });
      const cursor = await deliverThenSync(ana, anaWs, ben, benWs, dm.id, sent[0]!.seq);

      // Ben reads everything without saying it was delivered: nothing about it may reach Ana, live or later.
      await receipt(benWs, dm.id, { readSeq: sent[2]!.seq });
      await until(benWs, is('unread.updated', { conversationId: dm.id }));
      const marker = await sendVia(benWs, dm.id, 'marker');
      await until(anaWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(receiptsOf(anaWs, dm.id, ben.id).map((f) => f.deliveredSeq)).toEqual([sent[0]!.seq]);
      expect(await memberOf(ana, dm.id, ben.id)).toMatchObject({ deliveredSeq: sent[0]!.seq, readSeq: null });
      const later = await s.ok(ana, 'sync', { body: { conversations: [{ id: dm.id, pts: sent[2]!.seq }], cursor } });
      expect(later.receipts.filter((r: any) => r.userId === ben.id)).toEqual([]);
      // Ben keeps his own read pointer; his delivered pointer moves only by delivery receipts.
      expect((await s.conversation(ben, dm.id)).me).toMatchObject({ deliveredSeq: sent[0]!.seq, readSeq: sent[2]!.seq, unreadCount: 0 });

      // The delivery receipt his device sends when messages arrive looks the same whether he read them or not.
      await receipt(benWs, dm.id, { deliveredSeq: sent[2]!.seq });
      expect(await until(anaWs, (f) => f.type === 'receipt.updated' && f.userId === ben.id && f.deliveredSeq === sent[2]!.seq)).toEqual({
        type: 'receipt.updated',
        conversationId: dm.id,
        userId: ben.id,
        deliveredSeq: sent[2]!.seq,
        readSeq: null,
      });
    });

    test("with read receipts off, the user's own devices still get unread.updated", async () => {
      const { ben, dm, sent } = await chat(3);
      await s.ok(ben, 'updateMe', { body: { readReceipts: false } });
      const [phone, laptop] = [ben.devices[0]!, await s.connect(ben)];
      await receipt(phone, dm.id, { readSeq: sent[0]!.seq });
      for (const ws of [phone, laptop]) {
        expect(await until(ws, is('unread.updated', { conversationId: dm.id }))).toMatchObject({ readSeq: sent[0]!.seq, unreadCount: 2 });
      }
    });

    test('a read by someone who hides read receipts tells the others nothing when delivery did not move', async () => {
      const { ben, dm, anaWs, benWs, sent } = await chat(3);
      await s.ok(ben, 'updateMe', { body: { readReceipts: false } });
      await receipt(benWs, dm.id, { deliveredSeq: sent[2]!.seq });
      await until(anaWs, (f) => f.type === 'receipt.updated' && f.userId === ben.id && f.deliveredSeq === sent[2]!.seq);

      // Only the read pointer moves: nothing for Ana to learn. Ben's reply is the marker.
      await receipt(benWs, dm.id, { readSeq: sent[2]!.seq });
      await until(benWs, is('unread.updated', { conversationId: dm.id }));
      const marker = await sendVia(benWs, dm.id, 'seen nothing');
      await until(anaWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(receiptsOf(anaWs, dm.id, ben.id)).toHaveLength(1);
    });

    test('someone who hides read receipts is not told when others read, even by a bare event', async () => {
      const { ana, ben, dm, anaWs, benWs, sent } = await chat(3);
      await s.ok(ana, 'updateMe', { body: { readReceipts: false } });
      await until(anaWs, (f) => f.type === 'me.updated' && f.me.readReceipts === false);
      await receipt(benWs, dm.id, { deliveredSeq: sent[2]!.seq });
      await until(anaWs, (f) => f.type === 'receipt.updated' && f.userId === ben.id && f.deliveredSeq === sent[2]!.seq);

      // Ben, who shares receipts, reads without delivery moving: Ana, who hides hers, must not see even that.
      await receipt(benWs, dm.id, { readSeq: sent[2]!.seq });
      await until(benWs, is('unread.updated', { conversationId: dm.id }));
      const marker = await sendVia(benWs, dm.id, 'read it all');
      await until(anaWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(receiptsOf(anaWs, dm.id, ben.id)).toHaveLength(1);
    });

    test('a later sync tells someone who hides read receipts nothing of a read that did not move delivery', async () => {
      const { ana, ben, dm, anaWs, benWs, sent } = await chat(3);
      await s.ok(ana, 'updateMe', { body: { readReceipts: false } });
      await until(anaWs, (f) => f.type === 'me.updated' && f.me.readReceipts === false);
      const cursor = await deliverThenSync(ana, anaWs, ben, benWs, dm.id, sent[2]!.seq);

      await receipt(benWs, dm.id, { readSeq: sent[2]!.seq });
      await until(benWs, is('unread.updated', { conversationId: dm.id }));
      const later = await s.ok(ana, 'sync', { body: { conversations: [{ id: dm.id, pts: sent[2]!.seq }], cursor } });
      expect(later.receipts.filter((r: any) => r.userId === ben.id)).toEqual([]);
      // Ben's own devices still learn of his read at their next sync.
      const benSync = await s.ok(ben, 'sync', { body: { conversations: [{ id: dm.id, pts: sent[2]!.seq }], cursor } });
      expect(benSync.conversations.find((c: any) => c.conversation.id === dm.id)?.conversation.me).toMatchObject({ readSeq: sent[2]!.seq, unreadCount: 0 });
    });
  });
});
