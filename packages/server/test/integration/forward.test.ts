import type { ForwardResult, Message } from '@hearth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { unknownId } from '../support/fixtures.js';
import { nextClientId, startScenario, text, until, type Person, type Scenario } from '../support/scenario.js';

describe.each(BACKENDS)('forwarding to several targets (%s)', (backend) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(backend);
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => s?.close());

  /** Ana, with a message Ben wrote in their group. */
  async function source() {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const original = await s.post(ben!, group.id, 'worth passing on', { entities: [] });
    return { ana: ana!, ben: ben!, from: { conversationId: group.id, messageId: original.id }, original };
  }

  const forward = (p: Person, body: Record<string, unknown>) => s.http<{ results: ForwardResult[] }>(p, 'forwardMany', { body: { clientId: nextClientId('f'), ...body } });
  const last = async (p: Person, conversationId: string, n: number): Promise<Message[]> => (await s.history(p, conversationId)).slice(-n);

  test('one forward reaches several conversations, each with the comment just before the copy', async () => {
    const { ana, ben, from, original } = await source();
    const [cleo] = await s.people(1);
    const team = await s.group(ana, [cleo!]);
    const lobby = await s.channel(ana, [cleo!]);
    const res = await forward(ana, {
      from,
      targets: [{ type: 'conversation', conversationId: team.id }, { type: 'conversation', conversationId: lobby.id }],
      comment: { clientId: nextClientId('c'), content: text('see what Ben said') },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => [r.target, r.error])).toEqual([
      [{ type: 'conversation', conversationId: team.id }, null],
      [{ type: 'conversation', conversationId: lobby.id }, null],
    ]);
    for (const [i, id] of [team.id, lobby.id].entries()) {
      const result = res.body.results[i]!;
      expect(await last(cleo!, id, 2)).toEqual([result.comment, result.copy]);
      expect(result.comment).toMatchObject({ senderId: ana.id, content: { text: 'see what Ben said' }, forwarded: null });
      expect(result.copy).toMatchObject({ senderId: ana.id, content: original.content, forwarded: { originalSenderId: ben.id, originalCreatedAt: original.createdAt } });
      expect(result.copy!.seq).toBe(result.comment!.seq + 1);
    }
  });

  test('a forward to a person opens the direct conversation with them, which they get with the comment and the copy', async () => {
    const { ana, from } = await source();
    const [dan] = await s.people(1);
    const danWs = await s.connect(dan!);
    const res = await forward(ana, { from, targets: [{ type: 'user', userId: dan!.id }], comment: { clientId: nextClientId('c'), content: text('for you') } });
    const [result] = res.body.results;
    expect(result).toMatchObject({ target: { type: 'user', userId: dan!.id }, error: null });
    const dm = result!.copy!.conversationId;
    const copy = await until(danWs, (f) => f.type === 'message.created' && f.message.id === result!.copy!.id);
    expect(danWs.frames.filter((f) => f.type === 'message.created').map((f) => f.message.id)).toEqual([result!.comment!.id, copy.message.id]);
    expect(danWs.frames.find((f) => f.type === 'conversation.joined')?.conversation).toMatchObject({ id: dm, kind: 'direct', peerId: ana.id });
    expect((await s.listed(dan!))[0]).toMatchObject({ id: dm, me: { unreadCount: 2 } });
    // The same person again: the same direct conversation.
    const again = await forward(ana, { from, targets: [{ type: 'user', userId: dan!.id }] });
    expect(again.body.results[0]!.copy!.conversationId).toBe(dm);
  });

  test('each target succeeds or fails whole: one the sender cannot post in fails alone, and nothing is stored there', async () => {
    const { ana, from } = await source();
    const [cleo, eve] = await s.people(2);
    const ok = await s.group(ana, [cleo!]);
    const elsewhere = await s.group(eve!, [cleo!]);
    const nowhere = unknownId();
    const res = await forward(ana, {
      from,
      targets: [
        { type: 'conversation', conversationId: elsewhere.id },
        { type: 'conversation', conversationId: ok.id },
        { type: 'conversation', conversationId: nowhere },
        { type: 'user', userId: unknownId() },
        { type: 'user', userId: ana.id },
      ],
      comment: { clientId: nextClientId('c'), content: text('fyi') },
    });
    expect(res.status).toBe(200);
    const [forbidden, stored, missing, ghost, self] = res.body.results;
    expect(forbidden).toMatchObject({ comment: null, copy: null, error: { code: 'CONVERSATION_NOT_FOUND' } });
    // Not being in a conversation looks exactly like its not existing.
    expect(JSON.stringify(forbidden!.error).replaceAll(elsewhere.id, '<id>')).toBe(JSON.stringify(missing!.error).replaceAll(nowhere, '<id>'));
    expect(stored).toMatchObject({ error: null, comment: { conversationId: ok.id }, copy: { conversationId: ok.id } });
    expect(ghost!.error?.code).toBe('USER_NOT_FOUND');
    expect(self!.error?.code).toBe('OPERATION_NOT_ALLOWED');
    expect(await s.history(cleo!, elsewhere.id)).toEqual([]);
  });

  test('sending the same forward again stores nothing twice', async () => {
    const { ana, from } = await source();
    const [cleo] = await s.people(1);
    const team = await s.group(ana, [cleo!]);
    const body = { clientId: nextClientId('f'), from, targets: [{ type: 'conversation', conversationId: team.id }], comment: { clientId: nextClientId('c'), content: text('again?') } };
    const first = await s.ok<{ results: ForwardResult[] }>(ana, 'forwardMany', { body });
    const second = await s.ok<{ results: ForwardResult[] }>(ana, 'forwardMany', { body });
    expect(second.results).toEqual(first.results);
    expect(await s.history(ana, team.id)).toEqual([first.results[0]!.comment, first.results[0]!.copy]);
  });

  test.each([
    ['the sender cannot read it', 'CONVERSATION_NOT_FOUND'],
    ['it was deleted', 'MESSAGE_DELETED'],
    ['it is a system line', 'OPERATION_NOT_ALLOWED'],
  ] as const)('when %s, the whole forward fails with %s and no target gets anything', async (why, code) => {
    const { ana, ben, from } = await source();
    const [eve] = await s.people(1);
    const team = await s.group(ana, [eve!]);
    let sender: Person = ana;
    let what = from;
    if (why === 'the sender cannot read it') sender = eve!;
    if (why === 'it was deleted') await s.ok(ben, 'deleteMessage', { params: from });
    if (why === 'it is a system line') {
      await s.ok(ana, 'updateConversation', { params: { conversationId: from.conversationId }, body: { title: 'Renamed' } });
      what = { conversationId: from.conversationId, messageId: (await last(ana, from.conversationId, 1))[0]!.id };
    }
    const res = await forward(sender, { from: what, targets: [{ type: 'conversation', conversationId: team.id }] });
    expect((res.body as unknown as { code: string }).code).toBe(code);
    expect(await s.history(ana, team.id)).toEqual([]);
  });
});
