import { describe, expect, test } from 'vitest';
import { HearthError, type OutgoingMessage } from '../src/index.js';
import { retryDelay, sendFrame, storedMessage } from '../src/outbox-sender.js';

const CONV = '01936b2a-7c1e-7b3a-9f00-000000000001';
const OTHER = '01936b2a-7c1e-7b3a-9f00-000000000002';
const MSG = '01936b2a-7c1e-7b3a-9f00-000000000010';
const ME = '01936b2a-7c1e-7b3a-9f00-000000000020';

function item(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    clientId: 'c1',
    conversationId: CONV,
    content: { type: 'text', text: 'hi', entities: [] },
    forwardFrom: null,
    replyToId: null,
    queuedAt: 1,
    state: 'pending',
    attempts: 0,
    error: null,
    ...overrides,
  };
}

describe('the frame that sends an outgoing message', () => {
  test('a message is sent with its clientId, and its reply only when it has one', () => {
    expect(sendFrame(item())).toEqual({ type: 'message.send', conversationId: CONV, clientId: 'c1', content: { type: 'text', text: 'hi', entities: [] } });
    expect(sendFrame(item({ replyToId: MSG }))).toMatchObject({ type: 'message.send', replyToId: MSG });
  });

  test('a forward names the message it copies instead of carrying content', () => {
    const from = { conversationId: OTHER, messageId: MSG };
    expect(sendFrame(item({ content: null, forwardFrom: from }))).toEqual({ type: 'message.forward', conversationId: CONV, clientId: 'c1', from });
  });
});

describe('the stored message an acknowledgement stands for', () => {
  test('a bare acknowledgement places the message as it was sent', () => {
    expect(storedMessage(item(), { id: MSG, seq: 13, createdAt: 5 }, ME)).toEqual({
      id: MSG, conversationId: CONV, seq: 13, senderId: ME, clientId: 'c1', createdAt: 5,
      content: { type: 'text', text: 'hi', entities: [] }, replyTo: null, forwarded: null, editedAt: null, deletedAt: null, reactions: [], linkPreview: null,
    });
  });

  test('the message an acknowledgement carries is taken as it is', () => {
    const stored = { ...storedMessage(item(), { id: MSG, seq: 2, createdAt: 1 }, ME), editedAt: 9 };
    expect(storedMessage(item(), { id: MSG, seq: 2, createdAt: 1, message: stored }, ME)).toBe(stored);
  });
});

describe('waiting before a re-send', () => {
  test('a lost connection waits for the next one, not for a timer', () => {
    expect(retryDelay(new HearthError('DISCONNECTED', 'gone'), 1)).toBeUndefined();
  });

  test('the wait the server asks for is honoured', () => {
    expect(retryDelay(new HearthError('RATE_LIMITED', 'slow down', { retryAfterMs: 1_234 }), 1)).toBe(1_234);
  });

  test('otherwise the wait doubles with every attempt, up to 30 seconds', () => {
    expect(retryDelay(new HearthError('TIMEOUT', 'slow'), 1)).toBe(2_000);
    expect(retryDelay(new HearthError('TIMEOUT', 'slow'), 3)).toBe(8_000);
    expect(retryDelay(new HearthError('INTERNAL_ERROR', 'oops'), 10)).toBe(30_000);
  });
});
