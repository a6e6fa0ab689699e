import type { Message, OutgoingMessage } from '@hearth/client';
import { describe, expect, test } from 'vitest';
import { completedShortcode, findTrigger, mentionEntities, mentionsFromEntities, splice } from '../../src/features/conversation/composerText.js';
import { buildRows, GROUP_GAP_MS, summariseNames } from '../../src/features/conversation/rows.js';

const ANA = '0193a000-0000-7000-8000-00000000000a';
const BEN = '0193a000-0000-7000-8000-00000000000b';
const DAY = Date.UTC(2026, 10, 25, 10, 0);

function message(seq: number, senderId: string, at: number, extra: Partial<Message> = {}): Message {
  return {
    id: `0193a000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    conversationId: '0193a000-0000-7000-8000-0000000000cc',
    seq,
    senderId,
    clientId: `c${seq}`,
    createdAt: at,
    content: { type: 'text', text: `m${seq}`, entities: [] },
    replyTo: null,
    forwarded: null,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    linkPreview: null,
    ...extra,
  };
}

describe('list rows', () => {
  test('groups consecutive messages of one author within a few minutes, and separates days', () => {
    const rows = buildRows({
      messages: [
        message(1, ANA, DAY),
        message(2, ANA, DAY + 60_000),
        message(3, BEN, DAY + 120_000),
        message(4, BEN, DAY + 120_000 + GROUP_GAP_MS + 1),
        message(5, BEN, DAY + 86_400_000),
      ],
      pending: [],
      meId: ANA,
      readSeqAtOpen: null,
      hasOlder: false,
      hasNewer: false,
    });
    expect(rows.map((r) => (r.kind === 'message' ? `${r.message.seq}${r.head ? 'H' : ''}` : r.kind))).toEqual(['start', 'day', '1H', '2', '3H', '4H', 'day', '5H']);
  });

  test('the unread divider goes before the first message from someone else after the read position', () => {
    const messages = [message(1, BEN, DAY), message(2, ANA, DAY + 1000), message(3, ANA, DAY + 2000), message(4, BEN, DAY + 3000), message(5, BEN, DAY + 4000)];
    const rows = buildRows({ messages, pending: [], meId: ANA, readSeqAtOpen: 2, hasOlder: false, hasNewer: false });
    expect(rows.map((r) => (r.kind === 'message' ? `${r.message.seq}${r.head ? 'H' : ''}` : r.kind))).toEqual(['start', 'day', '1H', '2H', '3', 'unread', '4H', '5']);
    // Not when the loaded history does not reach back to the read position: it would mark the wrong message.
    const partial = buildRows({ messages: messages.slice(3), pending: [], meId: ANA, readSeqAtOpen: 2, hasOlder: true, hasNewer: false });
    expect(partial.some((r) => r.kind === 'unread')).toBe(false);
    expect(partial[0]!.kind).toBe('older');
  });

  test('unsent messages come last, keyed like the stored message they become', () => {
    const item: OutgoingMessage = { clientId: 'x1', conversationId: 'c', content: { type: 'text', text: 'hi', entities: [] }, forwardFrom: null, replyToId: null, queuedAt: DAY + 5000, state: 'pending', attempts: 0, error: null };
    const stored = { ...message(9, ANA, DAY + 6000), clientId: 'x1' };
    const before = buildRows({ messages: [message(1, ANA, DAY)], pending: [item], meId: ANA, readSeqAtOpen: null, hasOlder: false, hasNewer: false });
    const after = buildRows({ messages: [message(1, ANA, DAY), stored], pending: [item], meId: ANA, readSeqAtOpen: null, hasOlder: false, hasNewer: false });
    expect(before.at(-1)).toMatchObject({ kind: 'pending', head: false });
    expect(after.at(-1)).toMatchObject({ kind: 'message' });
    expect(after.at(-1)!.key).toBe(before.at(-1)!.key);
    expect(after.filter((r) => r.kind === 'pending')).toHaveLength(0);
    // A detached slice that does not reach the latest shows no outbox and a loader at the end.
    const detached = buildRows({ messages: [message(1, ANA, DAY)], pending: [item], meId: ANA, readSeqAtOpen: null, hasOlder: false, hasNewer: true });
    expect(detached.at(-1)!.kind).toBe('newer');
  });

  test('typing names read naturally', () => {
    const f = { one: (a: string) => `${a} is typing…`, two: (a: string, b: string) => `${a} and ${b} are typing…`, many: (a: string, n: number) => `${a} and ${n} others are typing…` };
    expect(summariseNames([], f)).toBeNull();
    expect(summariseNames(['Ana'], f)).toBe('Ana is typing…');
    expect(summariseNames(['Ana', 'Ben'], f)).toBe('Ana and Ben are typing…');
    expect(summariseNames(['Ana', 'Ben', 'Cy'], f)).toBe('Ana and 2 others are typing…');
  });
});

describe('composer text', () => {
  test('inserted mentions become entities wherever their text still stands', () => {
    const text = 'hi @Ana García and @all, @Ana García again; @Anabel is someone else';
    const entities = mentionEntities(text, [
      { text: '@Ana García', userId: ANA },
      { text: '@all', userId: null },
      { text: '@Ana', userId: BEN },
    ]);
    expect(entities).toEqual([
      { type: 'mention', offset: 3, length: 11, userId: ANA },
      { type: 'mention_all', offset: 19, length: 4 },
      { type: 'mention', offset: 25, length: 11, userId: ANA },
    ]);
    expect(mentionEntities('hi @Ana Garc', [{ text: '@Ana García', userId: ANA }])).toEqual([]);
    expect(mentionsFromEntities(text, entities.slice(0, 1))).toEqual([{ text: '@Ana García', userId: ANA }]);
  });

  test('triggers: @ anywhere after a space, : with two letters', () => {
    expect(findTrigger('hello @an', 9)).toEqual({ kind: 'mention', query: 'an', start: 6, end: 9 });
    expect(findTrigger('@', 1)).toEqual({ kind: 'mention', query: '', start: 0, end: 1 });
    expect(findTrigger('mail ana@example', 16)).toBeNull();
    expect(findTrigger('so :sm', 6)).toEqual({ kind: 'emoji', query: 'sm', start: 3, end: 6 });
    expect(findTrigger('so :s', 5)).toBeNull();
    expect(findTrigger('at 10:30', 8)).toBeNull();
  });

  test('a closing colon completes a shortcode', () => {
    expect(completedShortcode('I am :smile:', 12)).toEqual({ start: 5, end: 12, name: 'smile' });
    expect(completedShortcode('at 10:30:', 9)).toBeNull();
    expect(splice('I am :smile:', 5, 12, '😄')).toEqual({ text: 'I am 😄', caret: 7 });
  });
});
