import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '@hearth/protocol';
import { BACKENDS } from '../support/backends.js';
import {
  is,
  mention,
  mentionAll,
  nextClientId,
  requestOk,
  seen,
  sendVia,
  startScenario,
  text,
  until,
  untilCount,
  type Scenario,
} from '../support/scenario.js';

describe.each(BACKENDS)('messaging (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend);
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  describe('sending', () => {
    test('messages get strictly increasing seqs and unique ids within a conversation', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const sent: Message[] = [];
      for (let i = 0; i < 10; i++) {
        sent.push(i % 2 === 0 ? await sendVia(anaWs, dm.id, `ws ${i}`) : await s.post(ben!, dm.id, `http ${i}`));
        // Other events take positions too: seqs may skip, never repeat or go back.
        if (i === 4) await requestOk(anaWs, { type: 'reaction.add', conversationId: dm.id, messageId: sent[0]!.id, emoji: '👍' });
      }
      const seqs = sent.map((m) => m.seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
      expect(new Set(sent.map((m) => m.id)).size).toBe(sent.length);
      expect((await s.history(ana!, dm.id)).map((m) => m.seq)).toEqual(seqs);
      expect((await s.conversation(ana!, dm.id)).pts).toBe(seqs.at(-1));
    });

    test('concurrent sends from several users get distinct increasing seqs and reach every member in seq order', async () => {
      const people = await s.people(3);
      const [ana, ben, carl] = people;
      const group = await s.group(ana!, [ben!, carl!]);
      const sockets = [await s.connect(ana!), await s.connect(ben!), await s.connect(carl!)];
      const watcher = await s.connect(ana!);
      const perSender = 15;

      const sends = sockets.flatMap((ws, k) =>
        Array.from({ length: perSender }, (_, i) =>
          // Every third message of each sender goes over HTTP, in flight at the same time as the socket frames.
          i % 3 === 2 ? s.post(people[k]!, group.id, `${k}:${i}`) : sendVia(ws, group.id, `${k}:${i}`),
        ),
      );
      const acks = await Promise.all(sends);
      const total = perSender * sockets.length;
      const seqs = acks.map((m) => m.seq);
      expect(new Set(seqs).size).toBe(total);
      expect(new Set(acks.map((m) => m.id)).size).toBe(total);
      // Frames of one socket are stored in the order they were sent.
      sockets.forEach((_, k) => {
        const mine = acks.filter((_, idx) => Math.floor(idx / perSender) === k && idx % 3 !== 2).map((m) => m.seq);
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      });

      for (const ws of [...sockets, watcher]) {
        const events = await untilCount(ws, is('message.created', { conversationId: group.id }), total);
        const order = events.map((e) => e.message.seq);
        expect(order).toEqual([...seqs].sort((a, b) => a - b));
        expect(events.map((e) => e.pts)).toEqual(order);
      }
      expect((await s.history(carl!, group.id)).map((m) => m.id).sort()).toEqual(acks.map((m) => m.id).sort());
    });

    test('a retried send with the same clientId returns the first message, even with other content, and stores no second one', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      const clientId = nextClientId('retry');

      const first = await sendVia(anaWs, dm.id, 'original', { clientId });
      const sameAgain = await sendVia(anaWs, dm.id, 'original', { clientId });
      const changed = await sendVia(anaWs, dm.id, 'something else', { clientId });
      const overHttp = await s.post(ana!, dm.id, 'and again', { clientId });
      for (const retry of [sameAgain, changed, overHttp]) expect(retry).toEqual(first);

      const marker = await sendVia(anaWs, dm.id, 'marker');
      await until(benWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(seen(benWs, is('message.created')).map((f) => f.message.id)).toEqual([first.id, marker.id]);
      expect((await s.history(ben!, dm.id)).map((m) => m.content?.type === 'text' && m.content.text)).toEqual(['original', 'marker']);
    });

    test('sends with the same clientId in flight at the same time, from two devices and HTTP, create one message', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const [phone, laptop] = await s.devices(ana!, 2);
      const benWs = await s.connect(ben!);

      for (let round = 0; round < 3; round++) {
        const clientId = nextClientId(`race${round}`);
        const results = await Promise.all([
          sendVia(phone!, dm.id, `phone ${round}`, { clientId }),
          sendVia(phone!, dm.id, `phone again ${round}`, { clientId }),
          sendVia(laptop!, dm.id, `laptop ${round}`, { clientId }),
          s.post(ana!, dm.id, `http ${round}`, { clientId }),
        ]);
        for (const r of results) expect(r).toEqual(results[0]);
      }
      const marker = await sendVia(phone!, dm.id, 'marker');
      await until(benWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      const history = await s.history(ben!, dm.id);
      expect(history).toHaveLength(4);
      expect(seen(benWs, is('message.created')).map((f) => f.message.id)).toEqual(history.map((m) => m.id));
    });

    test('the same clientId in another conversation is a new message', async () => {
      const [ana, ben, carl] = await s.people(3);
      const one = await s.direct(ana!, ben!);
      const two = await s.direct(ana!, carl!);
      const clientId = nextClientId('shared');
      const a = await s.post(ana!, one.id, 'to ben', { clientId });
      const b = await s.post(ana!, two.id, 'to carl', { clientId });
      expect(b.id).not.toBe(a.id);
      expect(b).toMatchObject({ conversationId: two.id, clientId, content: { text: 'to carl' } });
      // Another sender's clientId does not collide either.
      const c = await s.post(ben!, one.id, 'from ben', { clientId });
      expect(c.id).not.toBe(a.id);
      expect(await s.history(ben!, one.id)).toHaveLength(2);
    });

    test('a non-member cannot send into a conversation', async () => {
      const [ana, ben, eve] = await s.people(3);
      const dm = await s.direct(ana!, ben!);
      const eveWs = await s.connect(eve!);
      await s.fails(eve!, 'sendMessage', 'CONVERSATION_NOT_FOUND', { params: { conversationId: dm.id }, body: { clientId: 'x1', content: text('hi') } });
      const answer = await eveWs.request({ type: 'message.send', conversationId: dm.id, clientId: 'x2', content: text('hi') });
      expect(answer).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });
      expect(await s.history(ana!, dm.id)).toEqual([]);
    });
  });

  describe('replies, mentions and forwards', () => {
    test('a reply carries a reference to the message it quotes, live and in history', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const long = `${'x'.repeat(300)} end`;
      const original = await s.post(ben!, dm.id, long);

      const reply = await sendVia(anaWs, dm.id, 'agreed', { replyToId: original.id });
      const expected = { messageId: original.id, seq: original.seq, senderId: ben!.id, excerpt: long.slice(0, 200) };
      expect(reply.replyTo).toEqual(expected);
      const live = await until(anaWs, (f) => f.type === 'message.created' && f.message.id === reply.id);
      expect(live.message.replyTo).toEqual(expected);
      expect((await s.history(ben!, dm.id)).at(-1)!.replyTo).toEqual(expected);

      // Once the original is deleted, the quote keeps its reference but not its words.
      await s.ok(ben!, 'deleteMessage', { params: { conversationId: dm.id, messageId: original.id } });
      expect((await s.history(ben!, dm.id)).at(-1)!.replyTo).toEqual({ ...expected, excerpt: null });
    });

    test('replying to a message of another conversation fails with MESSAGE_NOT_FOUND', async () => {
      const [ana, ben, carl] = await s.people(3);
      const dm = await s.direct(ana!, ben!);
      const other = await s.direct(ana!, carl!);
      const elsewhere = await s.post(carl!, other.id, 'secret');
      const anaWs = await s.connect(ana!);
      const answer = await anaWs.request({ type: 'message.send', conversationId: dm.id, clientId: 'r1', content: text('re'), replyToId: elsewhere.id });
      expect(answer).toMatchObject({ type: 'error', code: 'MESSAGE_NOT_FOUND' });
      await s.fails(ana!, 'sendMessage', 'MESSAGE_NOT_FOUND', {
        params: { conversationId: dm.id },
        body: { clientId: 'r2', content: text('re'), replyToId: elsewhere.id },
      });
      expect(await s.history(ana!, dm.id)).toEqual([]);
    });

    test('mention entities are stored and returned with the message, @all included', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const benWs = await s.connect(ben!);
      const words = 'hey @ben and @carl, and @all 👋';
      const entities = [mention(words, '@ben', ben!.id), mention(words, '@carl', carl!.id), mentionAll(words)];

      const sent = await s.post(ana!, group.id, words, { entities });
      expect(sent.content).toEqual({ type: 'text', text: words, entities });
      const live = await until(benWs, (f) => f.type === 'message.created' && f.message.id === sent.id);
      expect(live.message.content.entities).toEqual(entities);
      expect((await s.ok(carl!, 'getMessage', { params: { conversationId: group.id, messageId: sent.id } })).content.entities).toEqual(entities);
    });

    test('an entity outside the text is refused', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      await s.fails(ana!, 'sendMessage', 'VALIDATION_FAILED', {
        params: { conversationId: dm.id },
        body: { clientId: 'bad', content: text('hi', [{ type: 'mention', offset: 1, length: 5, userId: ben!.id }]) },
      });
    });

    test('forwarding copies the content and names the original sender and time', async () => {
      const [ana, ben, carl] = await s.people(3);
      const source = await s.group(ben!, [ana!]);
      const target = await s.direct(ana!, carl!);
      const carlWs = await s.connect(carl!);
      const words = 'news for @ana';
      const original = await s.post(ben!, source.id, words, { entities: [mention(words, '@ana', ana!.id)] });

      const forwarded = await s.ok(ana!, 'forwardMessage', {
        params: { conversationId: target.id },
        body: { clientId: nextClientId('fwd'), from: { conversationId: source.id, messageId: original.id } },
      });
      expect(forwarded).toMatchObject({
        conversationId: target.id,
        senderId: ana!.id,
        content: { type: 'text', text: words, entities: [] },
        forwarded: { originalSenderId: ben!.id, originalCreatedAt: original.createdAt },
        replyTo: null,
      });
      const live = await until(carlWs, (f) => f.type === 'message.created' && f.message.id === forwarded.id);
      expect(live.message.forwarded).toEqual(forwarded.forwarded);

      // Forwarding the copy again still names the first author.
      const again = await requestOk(carlWs, {
        type: 'message.forward',
        conversationId: target.id,
        clientId: nextClientId('fwd'),
        from: { conversationId: target.id, messageId: forwarded.id },
      });
      expect(again.message.forwarded).toEqual({ originalSenderId: ben!.id, originalCreatedAt: original.createdAt });
    });

    test('forwarding needs membership of the source conversation', async () => {
      const [ana, ben, carl] = await s.people(3);
      const source = await s.direct(ben!, carl!);
      const original = await s.post(ben!, source.id, 'private');
      const target = await s.direct(ana!, ben!);
      await s.fails(ana!, 'forwardMessage', 'CONVERSATION_NOT_FOUND', {
        params: { conversationId: target.id },
        body: { clientId: 'f1', from: { conversationId: source.id, messageId: original.id } },
      });
      // Naming a message with the wrong conversation does not find it either.
      const mine = await s.direct(ana!, carl!);
      await s.fails(ana!, 'forwardMessage', 'MESSAGE_NOT_FOUND', {
        params: { conversationId: target.id },
        body: { clientId: 'f2', from: { conversationId: mine.id, messageId: original.id } },
      });
      expect(await s.history(ana!, target.id)).toEqual([]);
    });
  });

  describe('edits and deletes', () => {
    test("the author's edit reaches every member's devices with editedAt, and history shows it", async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      const [phone, laptop] = await s.devices(ana!, 2);
      const benWs = await s.connect(ben!);
      const sent = await sendVia(phone!, group.id, 'tpyo');
      const words = 'typo, @ben';
      const content = text(words, [mention(words, '@ben', ben!.id)]);

      const edited = await requestOk(phone!, { type: 'message.edit', conversationId: group.id, messageId: sent.id, content });
      expect(edited).toMatchObject({ id: sent.id, seq: sent.seq, content });
      expect(edited.editedAt).toBeGreaterThanOrEqual(sent.createdAt);
      for (const ws of [phone!, laptop!, benWs]) {
        const e = await until(ws, is('message.edited', { messageId: sent.id }));
        expect(e).toMatchObject({ conversationId: group.id, seq: sent.seq, content, editedAt: edited.editedAt, editedBy: ana!.id });
        expect(e.pts).toBeGreaterThan(sent.seq);
      }
      const [stored] = await s.history(ben!, group.id);
      expect(stored).toMatchObject({ content, editedAt: edited.editedAt, deletedAt: null });
    });

    test('only the author edits a message in a direct conversation', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const sent = await s.post(ana!, dm.id, 'mine');
      await s.fails(ben!, 'editMessage', 'PERMISSION_DENIED', { params: { conversationId: dm.id, messageId: sent.id }, body: { content: text('yours') } });
      expect((await s.history(ana!, dm.id))[0]!.content).toEqual(text('mine'));
    });

    test('editing a deleted message fails with MESSAGE_DELETED', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const sent = await sendVia(anaWs, dm.id, 'soon gone');
      await requestOk(anaWs, { type: 'message.delete', conversationId: dm.id, messageId: sent.id });
      const answer = await anaWs.request({ type: 'message.edit', conversationId: dm.id, messageId: sent.id, content: text('back') });
      expect(answer).toMatchObject({ type: 'error', code: 'MESSAGE_DELETED' });
      expect((await s.history(ana!, dm.id))[0]).toMatchObject({ content: null });
    });

    test('deleting a message tells every member and leaves a tombstone in history, without content or reactions', async () => {
      const [ana, ben] = await s.people(2);
      const group = await s.group(ana!, [ben!]);
      const [phone, laptop] = await s.devices(ana!, 2);
      const benWs = await s.connect(ben!);
      const sent = await sendVia(phone!, group.id, 'regrettable');
      await requestOk(benWs, { type: 'reaction.add', conversationId: group.id, messageId: sent.id, emoji: '😂' });

      const tombstone = await requestOk(phone!, { type: 'message.delete', conversationId: group.id, messageId: sent.id });
      expect(tombstone).toMatchObject({ id: sent.id, content: null, reactions: [] });
      expect(tombstone.deletedAt).toEqual(expect.any(Number));
      for (const ws of [phone!, laptop!, benWs]) {
        expect(await until(ws, is('message.deleted', { messageId: sent.id }))).toMatchObject({
          conversationId: group.id,
          seq: sent.seq,
          senderId: ana!.id,
          deletedAt: tombstone.deletedAt,
          deletedBy: ana!.id,
        });
      }
      const [stored] = await s.history(ben!, group.id);
      expect(stored).toMatchObject({ id: sent.id, seq: sent.seq, senderId: ana!.id, content: null, deletedAt: tombstone.deletedAt, reactions: [] });
      // Deleting again changes nothing and takes no position.
      const pts = (await s.conversation(ana!, group.id)).pts;
      await s.ok(ana!, 'deleteMessage', { params: { conversationId: group.id, messageId: sent.id } });
      expect((await s.conversation(ana!, group.id)).pts).toBe(pts);
      // A tombstone takes no new reactions.
      await s.fails(ben!, 'addReaction', 'MESSAGE_DELETED', { params: { conversationId: group.id, messageId: sent.id, emoji: '👍' } });
    });

    test('the tombstone a delete answers with is the one history shows, reply reference included', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const original = await s.post(ben!, dm.id, 'question?');
      const reply = await sendVia(anaWs, dm.id, 'answer', { replyToId: original.id });
      await requestOk(anaWs, { type: 'reaction.add', conversationId: dm.id, messageId: reply.id, emoji: '✅' });

      const tombstone = await requestOk(anaWs, { type: 'message.delete', conversationId: dm.id, messageId: reply.id });
      const stored = (await s.history(ana!, dm.id)).find((m) => m.id === reply.id);
      expect(tombstone).toEqual(stored);
      expect(tombstone.replyTo).toEqual(reply.replyTo);
      // Deleting again answers with the same tombstone.
      expect(await requestOk(anaWs, { type: 'message.delete', conversationId: dm.id, messageId: reply.id })).toEqual(stored);
    });

    test("an admin deletes another member's message in a group; a plain member cannot", async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      await s.ok(ana!, 'updateMember', { params: { conversationId: group.id, userId: ben!.id }, body: { role: 'admin' } });
      const carlWs = await s.connect(carl!);
      const spam = await s.post(carl!, group.id, 'spam');
      const fine = await s.post(ana!, group.id, 'fine');

      await s.fails(carl!, 'deleteMessage', 'PERMISSION_DENIED', { params: { conversationId: group.id, messageId: fine.id } });
      await s.ok(ben!, 'deleteMessage', { params: { conversationId: group.id, messageId: spam.id } });
      expect(await until(carlWs, is('message.deleted', { messageId: spam.id }))).toMatchObject({ senderId: carl!.id, deletedBy: ben!.id });
      const history = await s.history(carl!, group.id);
      expect(history.map((m) => [m.id, m.deletedAt !== null])).toEqual([
        [spam.id, true],
        [fine.id, false],
      ]);
    });
  });

  describe('reactions', () => {
    test('adding and removing a reaction is idempotent: only a real change is broadcast, each with a new pts', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      const msg = await sendVia(anaWs, dm.id, 'react to me');
      const react = (type: string) => requestOk(benWs, { type, conversationId: dm.id, messageId: msg.id, emoji: '🔥' });

      await react('reaction.add');
      const added = await until(anaWs, is('reaction.added', { messageId: msg.id }));
      expect(added).toMatchObject({ conversationId: dm.id, seq: msg.seq, emoji: '🔥', userId: ben!.id, pts: msg.seq + 1 });
      await react('reaction.add');
      await react('reaction.remove');
      const removed = await until(anaWs, is('reaction.removed', { messageId: msg.id }));
      expect(removed).toMatchObject({ emoji: '🔥', userId: ben!.id, pts: msg.seq + 2 });
      await react('reaction.remove');
      await s.http(ben!, 'removeReaction', { params: { conversationId: dm.id, messageId: msg.id, emoji: '🔥' } });

      const marker = await sendVia(benWs, dm.id, 'marker');
      expect(marker.seq).toBe(msg.seq + 3);
      await until(anaWs, (f) => f.type === 'message.created' && f.message.id === marker.id);
      expect(seen(anaWs, (f) => f.type.startsWith('reaction.')).map((f) => f.type)).toEqual(['reaction.added', 'reaction.removed']);
    });

    test('reactions are grouped per emoji in history, with the users who reacted', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const msg = await s.post(ana!, group.id, 'vote');
      const put = (p: any, emoji: string) => s.ok(p, 'addReaction', { params: { conversationId: group.id, messageId: msg.id, emoji } });
      await put(ben!, '👍');
      await put(carl!, '❤️');
      await put(carl!, '👍');
      await put(ana!, '👍');
      await s.ok(ana!, 'removeReaction', { params: { conversationId: group.id, messageId: msg.id, emoji: '👍' } });

      const [stored] = await s.history(ana!, group.id);
      expect(stored!.reactions).toEqual([
        { emoji: '👍', userIds: [ben!.id, carl!.id] },
        { emoji: '❤️', userIds: [carl!.id] },
      ]);
    });

    test('skin-tone and ZWJ emoji are accepted as reactions, over the socket and over HTTP', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const benWs = await s.connect(ben!);
      const msg = await sendVia(anaWs, dm.id, 'emoji test');
      const emoji = ['👍🏽', '👩‍💻', '🏳️‍🌈', '👨‍👩‍👧‍👦', '🧑🏿‍🚀'];

      for (const [i, e] of emoji.entries()) {
        if (i % 2 === 0) await requestOk(benWs, { type: 'reaction.add', conversationId: dm.id, messageId: msg.id, emoji: e });
        else await s.ok(ben!, 'addReaction', { params: { conversationId: dm.id, messageId: msg.id, emoji: e } });
      }
      const live = await untilCount(anaWs, is('reaction.added', { messageId: msg.id }), emoji.length);
      expect(live.map((f) => f.emoji)).toEqual(emoji);
      const [stored] = await s.history(ana!, dm.id);
      expect(stored!.reactions.map((g) => g.emoji).sort()).toEqual([...emoji].sort());

      // Removing over HTTP finds the same emoji again.
      await s.ok(ben!, 'removeReaction', { params: { conversationId: dm.id, messageId: msg.id, emoji: '🏳️‍🌈' } });
      expect(await until(anaWs, is('reaction.removed', { messageId: msg.id }))).toMatchObject({ emoji: '🏳️‍🌈' });
    });

    test('something that is not a single emoji is refused as a reaction', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const benWs = await s.connect(ben!);
      const msg = await s.post(ana!, dm.id, 'hello');
      for (const emoji of ['ok', '👍👍', ':+1:']) {
        const answer = await benWs.request({ type: 'reaction.add', conversationId: dm.id, messageId: msg.id, emoji });
        expect(answer).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
      }
      await s.fails(ben!, 'addReaction', 'VALIDATION_FAILED', { params: { conversationId: dm.id, messageId: msg.id, emoji: 'ab' } });
      expect((await s.history(ana!, dm.id))[0]!.reactions).toEqual([]);
    });
  });

  describe('history', () => {
    test('history pages with before, after and limit, always ascending, with hasMore', async () => {
      const [ana, ben] = await s.people(2);
      const dm = await s.direct(ana!, ben!);
      const anaWs = await s.connect(ana!);
      const sent: Message[] = [];
      for (let i = 0; i < 12; i++) sent.push(await sendVia(anaWs, dm.id, `m${i}`));
      const seqs = sent.map((m) => m.seq);
      const page = async (query: Record<string, number>) => {
        const body = await s.ok(ben!, 'history', { params: { conversationId: dm.id }, query });
        return { seqs: body.messages.map((m: Message) => m.seq), hasMore: body.hasMore };
      };

      expect(await page({ limit: 5 })).toEqual({ seqs: seqs.slice(7), hasMore: true });
      expect(await page({ limit: 12 })).toEqual({ seqs, hasMore: false });
      expect(await page({ before: seqs[7]!, limit: 5 })).toEqual({ seqs: seqs.slice(2, 7), hasMore: true });
      expect(await page({ before: seqs[5]!, limit: 5 })).toEqual({ seqs: seqs.slice(0, 5), hasMore: false });
      expect(await page({ after: seqs[2]!, limit: 4 })).toEqual({ seqs: seqs.slice(3, 7), hasMore: true });
      expect(await page({ after: seqs[7]!, limit: 4 })).toEqual({ seqs: seqs.slice(8), hasMore: false });
      expect(await page({ after: seqs[11]! })).toEqual({ seqs: [], hasMore: false });
      expect(await page({ after: seqs[1]!, before: seqs[6]!, limit: 10 })).toEqual({ seqs: seqs.slice(2, 6), hasMore: false });
      await s.fails(ben!, 'history', 'VALIDATION_FAILED', { params: { conversationId: dm.id }, query: { limit: 0 } });
    });

    test('walking back through 250 messages returns every message exactly once', async () => {
      const [ana, ben, carl] = await s.people(3);
      const group = await s.group(ana!, [ben!, carl!]);
      const sockets = [await s.connect(ana!), await s.connect(ben!), await s.connect(carl!)];
      const sent: Message[] = [];
      for (let round = 0; round < 25; round++) {
        // Ten at a time from three people, with reactions and edits between taking positions of their own.
        const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => sendVia(sockets[(round + i) % 3]!, group.id, `r${round} m${i}`)));
        sent.push(...batch);
        await requestOk(sockets[0]!, { type: 'reaction.add', conversationId: group.id, messageId: batch[0]!.id, emoji: '👀' });
        // Message i of this round is from socket (round + i) % 3: message 1 is edited by its author.
        if (round % 5 === 0) {
          await requestOk(sockets[(round + 1) % 3]!, { type: 'message.edit', conversationId: group.id, messageId: batch[1]!.id, content: text(`edited ${round}`) });
        }
      }
      expect(sent).toHaveLength(250);

      const walked: Message[] = [];
      let before: number | undefined;
      let pages = 0;
      for (;;) {
        const body = await s.ok(carl!, 'history', { params: { conversationId: group.id }, query: { limit: 37, ...(before !== undefined ? { before } : {}) } });
        const seqs = body.messages.map((m: Message) => m.seq);
        expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b));
        walked.unshift(...body.messages);
        pages++;
        if (!body.hasMore) break;
        before = body.messages[0].seq;
      }
      expect(pages).toBe(Math.ceil(250 / 37));
      expect(walked.map((m) => m.id)).toEqual([...sent].sort((a, b) => a.seq - b.seq).map((m) => m.id));
      expect(new Set(walked.map((m) => m.seq)).size).toBe(250);
    });
  });
});
