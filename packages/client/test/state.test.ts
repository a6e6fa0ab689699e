import type { Conversation, Message } from '@hearth/protocol';
import { describe, expect, test } from 'vitest';
import { backoffDelay, toggleReaction } from '../src/index.js';
import { ClientState } from '../src/state.js';

const CONV = '01936b2a-7c1e-7b3a-9f00-000000000001';
const ME = '01936b2a-7c1e-7b3a-9f00-0000000000aa';
const PEER = '01936b2a-7c1e-7b3a-9f00-0000000000bb';

function conversation(pts: number): Conversation {
  return {
    id: CONV,
    kind: 'direct',
    title: null,
    topic: '',
    createdAt: 1,
    createdBy: ME,
    memberCount: 2,
    peerId: PEER,
    pts,
    lastMessage: null,
    me: { role: 'member', joinedAt: 1, deliveredSeq: 0, readSeq: 0, unreadCount: 0, unreadMentionCount: 0, muted: false, removal: null },
  };
}

function message(seq: number, senderId = PEER, text = `m${seq}`): Message {
  return {
    id: `01936b2a-7c1e-7b3a-9f00-${String(seq).padStart(12, '0')}`,
    conversationId: CONV,
    seq,
    senderId,
    clientId: `c${seq}`,
    createdAt: seq,
    content: { type: 'text', text, entities: [] },
    replyTo: null,
    forwarded: null,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    linkPreview: null,
  };
}

function stateAt(pts: number): ClientState {
  const s = new ClientState();
  s.me = { id: ME, username: 'me', displayName: 'Me', statusText: '', statusEmoji: '', createdAt: 1, readReceipts: true, isAdmin: false };
  s.conversations.set(CONV, conversation(pts));
  s.windows.set(CONV, { messages: [], hasOlder: false });
  return s;
}

describe('applying conversation events', () => {
  test('the next position is applied and counts as unread when from someone else', () => {
    const s = stateAt(0);
    expect(s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: 1, message: message(1) })).toBe('applied');
    expect(s.conversations.get(CONV)?.me.unreadCount).toBe(1);
    expect(s.windows.get(CONV)?.messages.map((m) => m.seq)).toEqual([1]);
  });

  test('an event at or below the held position is a duplicate and changes nothing', () => {
    const s = stateAt(3);
    expect(s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: 3, message: message(3) })).toBe('duplicate');
    expect(s.windows.get(CONV)?.messages).toEqual([]);
  });

  test('an event beyond the next position is a gap and is not applied', () => {
    const s = stateAt(1);
    expect(s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: 3, message: message(3) })).toBe('gap');
    expect(s.conversations.get(CONV)?.pts).toBe(1);
  });

  test('an event of a conversation not held is reported and changes nothing', () => {
    const s = new ClientState();
    const event = { type: 'message.created' as const, conversationId: CONV, pts: 1, message: message(1) };
    expect(s.applyConversationEvent(event)).toBe('unknown-conversation');
    expect(s.conversations.size).toBe(0);
  });

  test('deleting an unread message from someone else lowers the unread count', () => {
    const s = stateAt(0);
    s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: 1, message: message(1) });
    s.applyConversationEvent({ type: 'message.deleted', conversationId: CONV, pts: 2, messageId: message(1).id, seq: 1, senderId: PEER, deletedAt: 5, deletedBy: PEER });
    expect(s.conversations.get(CONV)?.me.unreadCount).toBe(0);
    expect(s.windows.get(CONV)?.messages[0]?.content).toBeNull();
  });

  test('an edit or delete of an original updates the quote of every loaded reply to it, and nothing else', () => {
    const s = stateAt(0);
    const original = message(1);
    const reply = { ...message(2, ME), replyTo: { messageId: original.id, seq: 1, senderId: PEER, excerpt: 'm1' } };
    const other = message(3);
    for (const m of [original, reply, other]) s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: m.seq, message: m });
    const untouched = s.windows.get(CONV)!.messages[2];

    s.applyConversationEvent({ type: 'message.edited', conversationId: CONV, pts: 4, messageId: original.id, seq: 1, content: { type: 'text', text: 'fixed', entities: [] }, editedAt: 7, editedBy: PEER });
    expect(s.windows.get(CONV)!.messages[1]?.replyTo?.excerpt).toBe('fixed');
    expect(s.windows.get(CONV)!.messages[2]).toBe(untouched);

    s.applyConversationEvent({ type: 'message.deleted', conversationId: CONV, pts: 5, messageId: original.id, seq: 1, senderId: PEER, deletedAt: 8, deletedBy: PEER });
    expect(s.windows.get(CONV)!.messages[1]?.replyTo?.excerpt).toBeNull();
  });

  test('a preview is set on the held message and its conversation’s last message, removed again, and dropped by a delete', () => {
    const s = stateAt(0);
    const m = message(1, PEER, 'see https://example.org/');
    s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: 1, message: m });
    const linkPreview = { url: 'https://example.org/', title: 'Example', description: null, siteName: null, image: null };
    expect(s.applyConversationEvent({ type: 'message.previewed', conversationId: CONV, pts: 2, messageId: m.id, seq: 1, linkPreview })).toBe('applied');
    expect(s.windows.get(CONV)?.messages[0]?.linkPreview).toEqual(linkPreview);
    expect(s.conversations.get(CONV)?.lastMessage?.linkPreview).toEqual(linkPreview);
    s.applyConversationEvent({ type: 'message.previewed', conversationId: CONV, pts: 3, messageId: m.id, seq: 1, linkPreview: null });
    expect(s.windows.get(CONV)?.messages[0]?.linkPreview).toBeNull();
    s.applyConversationEvent({ type: 'message.previewed', conversationId: CONV, pts: 4, messageId: m.id, seq: 1, linkPreview });
    s.applyConversationEvent({ type: 'message.deleted', conversationId: CONV, pts: 5, messageId: m.id, seq: 1, senderId: PEER, deletedAt: 9, deletedBy: PEER });
    expect(s.windows.get(CONV)?.messages[0]).toMatchObject({ content: null, linkPreview: null });
  });

  test('own messages never count as unread', () => {
    const s = stateAt(0);
    s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: 1, message: message(1, ME) });
    expect(s.conversations.get(CONV)?.me.unreadCount).toBe(0);
  });

  test('a system line from someone else is history, not news: it never counts as unread', () => {
    const s = stateAt(0);
    const line = { ...message(1), content: { type: 'system' as const, event: 'member.added' as const, userIds: [ME], title: null, topic: null } };
    expect(s.applyConversationEvent({ type: 'message.created', conversationId: CONV, pts: 1, message: line })).toBe('applied');
    expect(s.conversations.get(CONV)?.me).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect(s.conversations.get(CONV)?.lastMessage).toEqual(line);
  });

  test('receipt pointers only move forward', () => {
    const s = stateAt(5);
    s.setMembers(CONV, [{ userId: PEER, role: 'member', joinedAt: 1, deliveredSeq: 4, readSeq: 3 }]);
    s.applyReceipt({ conversationId: CONV, userId: PEER, deliveredSeq: 2, readSeq: 1 });
    expect(s.members.get(CONV)?.get(PEER)).toMatchObject({ deliveredSeq: 4, readSeq: 3 });
  });

  test('replacing the window with the latest page keeps messages that arrived live after it', () => {
    const s = stateAt(5);
    s.mergeHistory(CONV, [message(4), message(5), message(6)], true, true);
    const w = s.mergeHistory(CONV, [message(3), message(4)], true, true);
    expect(w.messages.map((m) => m.seq)).toEqual([3, 4, 5, 6]);
  });

  test('history pages merge into one ascending window without duplicates', () => {
    const s = stateAt(5);
    s.mergeHistory(CONV, [message(4), message(5)], true, true);
    const w = s.mergeHistory(CONV, [message(2), message(3), message(4)], false, false);
    expect(w.messages.map((m) => m.seq)).toEqual([2, 3, 4, 5]);
    expect(w.hasOlder).toBe(false);
  });
});

describe('removal', () => {
  const removal = { removedBy: PEER, removedAt: 9 };

  test('a removal keeps the conversation read-only in its place, with the messages loaded so far', () => {
    const s = stateAt(1);
    s.mergeHistory(CONV, [message(1)], false, true);
    const kept = { ...conversation(3), me: { ...conversation(3).me, removal } };
    expect(s.applyOtherEvent({ type: 'conversation.left', conversationId: CONV, removedBy: PEER, conversation: kept }, 0)).toBe(true);
    expect(s.conversations.get(CONV)).toEqual(kept);
    expect(s.windows.get(CONV)?.messages.map((m) => m.seq)).toEqual([1]);
  });

  test('leaving, or dismissing what a removal left, drops the conversation', () => {
    const s = stateAt(1);
    expect(s.applyOtherEvent({ type: 'conversation.left', conversationId: CONV, removedBy: null, conversation: null }, 0)).toBe(true);
    expect(s.conversations.has(CONV)).toBe(false);
    expect(s.windows.has(CONV)).toBe(false);
  });

  test('joining again after a removal drops the read-only messages: they stop at the removal', () => {
    const s = stateAt(3);
    s.mergeHistory(CONV, [message(1)], false, true);
    s.conversations.get(CONV)!.me.removal = removal;
    expect(s.applyOtherEvent({ type: 'conversation.joined', conversation: conversation(9), members: [] }, 0)).toBe(true);
    expect(s.conversations.get(CONV)).toMatchObject({ pts: 9, me: { removal: null } });
    expect(s.windows.has(CONV)).toBe(false);
  });
});

describe('joining history pages onto the window', () => {
  function held(state: ClientState, seqs: number[], hasOlder = true) {
    state.conversations.set(CONV, conversation(100));
    state.mergeHistory(CONV, seqs.map((s) => message(s)), hasOlder, true);
  }

  test('pages that reach the window are prepended; the window keeps its own (live) copies', () => {
    const state = new ClientState();
    held(state, [50, 52, 60]);
    const edited = { ...message(50), content: { type: 'text' as const, text: 'edited', entities: [] } };
    state.windows.get(CONV)!.messages[0] = edited;
    const window = state.joinHistory(CONV, [message(40), message(45), message(50)], false);
    expect(window?.messages.map((m) => m.seq)).toEqual([40, 45, 50, 52, 60]);
    expect(window?.messages[2]).toBe(edited);
    expect(window?.hasOlder).toBe(false);
  });

  test('pages that stop short of the window change nothing', () => {
    const state = new ClientState();
    held(state, [50, 52]);
    expect(state.joinHistory(CONV, [message(10), message(20)], true)).toBeUndefined();
    expect(state.windows.get(CONV)?.messages.map((m) => m.seq)).toEqual([50, 52]);
    expect(state.joinHistory('01936b2a-7c1e-7b3a-9f00-000000000009', [message(10)], true)).toBeUndefined();
  });
});

describe('reactions', () => {
  test('toggling adds a user to an emoji group and removes the group when empty', () => {
    const added = toggleReaction([], '👍', ME, true);
    expect(added).toEqual([{ emoji: '👍', userIds: [ME] }]);
    expect(toggleReaction(added, '👍', ME, true)).toEqual(added);
    expect(toggleReaction(added, '👍', ME, false)).toEqual([]);
  });
});

describe('reconnect backoff', () => {
  test('delays grow exponentially up to the cap and are spread by jitter', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, 500, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5, 500, 30_000, () => 0)).toBe(0);
  });
});
