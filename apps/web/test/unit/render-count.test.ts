// @vitest-environment jsdom
/// <reference types="vite/client" />
import type { Conversation, HearthClient as Client, Message } from '@hearth/client';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

/**
 * How many components re-render for a typical change: a message arriving in another conversation while one is
 * open. The real conversation screen is rendered in jsdom with a real SDK client (not connected: its state is
 * filled and changed through its own methods), and React's commits are read through the hook React DevTools
 * uses, counting each function component that rendered.
 */

const renders = vi.hoisted(() => {
  const counts = new Map<string, number>();
  type Fiber = { tag: number; type: unknown; flags: number; alternate: Fiber | null; child: Fiber | null; sibling: Fiber | null };
  const nameOf = (type: unknown): string => {
    const t = type as { displayName?: string; name?: string; render?: { name?: string } } | null;
    return t?.displayName ?? t?.name ?? t?.render?.name ?? '?';
  };
  // Function, forwardRef and simple memo components; a fiber rendered in this commit when it is new or did work.
  const walk = (fiber: Fiber): void => {
    const previous = fiber.alternate;
    if ((fiber.tag === 0 || fiber.tag === 11 || fiber.tag === 15) && (previous === null || (fiber.flags & 1) !== 0)) {
      const name = nameOf(fiber.type);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    // A subtree React skipped keeps its children: nothing below rendered.
    if (previous && previous.child === fiber.child) return;
    for (let child = fiber.child; child; child = child.sibling) walk(child);
  };
  (globalThis as Record<string, unknown>).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    isDisabled: false,
    supportsFiber: true,
    renderers: new Map(),
    inject: () => 1,
    onCommitFiberRoot: (_id: number, root: { current: Fiber }) => {
      for (let child = root.current.child; child; child = child.sibling) walk(child);
    },
    onCommitFiberUnmount: () => undefined,
    onPostCommitFiberRoot: () => undefined,
    checkDCE: () => undefined,
  };
  (globalThis as Record<string, unknown>).IS_REACT_ACT_ENVIRONMENT = true;
  return counts;
});

const { HearthClient } = await import('@hearth/client');
const { act, createElement, Fragment } = await import('react');
const { createRoot } = await import('react-dom/client');
const { ClientProvider } = await import('../../src/app/client.js');
const { initI18n, loadAppTexts } = await import('../../src/i18n/index.js');
const { default: ConversationScreen } = await import('../../src/features/conversation/ConversationScreen.js');
const { useClientState } = await import('../../src/app/store.js');

const ME = '0193a000-0000-7000-8000-000000000001';
const ANA = '0193a000-0000-7000-8000-000000000002';
const OPEN = '0193a000-0000-7000-8000-0000000000a1';
const OTHER = '0193a000-0000-7000-8000-0000000000b1';
const T0 = Date.UTC(2026, 5, 1, 9, 0);

function user(id: string, name: string) {
  return { id, username: name.toLowerCase(), displayName: name, statusText: '', statusEmoji: '', createdAt: T0 };
}

function message(conversationId: string, seq: number, senderId: string): Message {
  return {
    id: `${conversationId.slice(0, 24)}${String(seq).padStart(12, '0')}`,
    conversationId,
    seq,
    senderId,
    clientId: `c${conversationId.slice(-2)}${seq}`,
    createdAt: T0 + seq * 60_000,
    content: { type: 'text', text: `message **${seq}**`, entities: [] },
    replyTo: null,
    forwarded: null,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    linkPreview: null,
  };
}

function conversation(id: string, pts: number): Conversation {
  return {
    id,
    kind: 'group',
    title: `Group ${id.slice(-2)}`,
    topic: '',
    createdAt: T0,
    createdBy: ME,
    memberCount: 2,
    peerId: null,
    pts,
    lastMessage: message(id, pts, ANA),
    me: { role: 'owner', joinedAt: T0, deliveredSeq: pts, readSeq: pts, unreadCount: 0, unreadMentionCount: 0, muted: false, removal: null },
  };
}

/** A client that never connects, holding two conversations: the open one with 30 messages loaded. */
function filledClient(): Client {
  const client = new HearthClient({
    baseUrl: 'http://127.0.0.1:9',
    fetch: () => Promise.reject(new Error('offline')),
    WebSocket: class {} as never,
  });
  client.state.me = { ...user(ME, 'Me'), readReceipts: true, isAdmin: false };
  client.state.users.set(ANA, user(ANA, 'Ana'));
  client.state.conversations.set(OPEN, conversation(OPEN, 30));
  client.state.conversations.set(OTHER, conversation(OTHER, 5));
  const members = [ME, ANA].map((userId) => ({ userId, role: 'member' as const, joinedAt: T0, deliveredSeq: 30, readSeq: 30 }));
  client.state.setMembers(OPEN, members);
  client.state.mergeHistory(OPEN, Array.from({ length: 30 }, (_, i) => message(OPEN, i + 1, i % 3 ? ANA : ME)), false, true);
  return client;
}

/** Shows the latest message of the other conversation: proof that the change reached React. */
function OtherPreview() {
  return createElement('p', null, useClientState((c) => c.conversations.get(OTHER)?.lastMessage?.id ?? ''));
}

/** Lets the store's notification (a task of its own) and every render it causes run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await act(() => new Promise<void>((resolve) => setTimeout(resolve, 5)));
}

let root: ReturnType<typeof createRoot>;
let client: Client;

beforeAll(async () => {
  // jsdom has no layout: every element 800 × 600 lets the virtual list show its rows (each measured 0 high).
  globalThis.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
  window.matchMedia = ((query: string) => ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} })) as unknown as typeof window.matchMedia;
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
  await initI18n();
  await loadAppTexts();
  client = filledClient();
  const container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  const screen = createElement(Fragment, null, createElement(ConversationScreen, { conversationId: OPEN }), createElement(OtherPreview));
  act(() => root.render(createElement(ClientProvider, { client, children: screen })));
  await settle();
});

afterAll(() => {
  act(() => root.unmount());
  client.close();
});

/** Delivers a message the way the SDK applies one from the server, and counts the renders it causes. */
async function arrive(conversationId: string, seq: number, where: string): Promise<Message> {
  renders.clear();
  const arrived = message(conversationId, seq, ANA);
  expect(client.state.applyConversationEvent({ type: 'message.created', conversationId, pts: seq, message: arrived })).toBe('applied');
  client.changed();
  await settle();
  const total = [...renders.values()].reduce((a, b) => a + b, 0);
  console.log(`renders after a message in ${where}: ${total} ${JSON.stringify(Object.fromEntries(renders))}`);
  return arrived;
}

describe('re-renders', () => {
  test('a message arriving in another conversation re-renders none of the open conversation’s rows, nor its composer', async () => {
    expect(document.querySelectorAll('[role="article"]').length).toBeGreaterThan(10);
    const arrived = await arrive(OTHER, 6, 'another conversation');
    expect(document.body.textContent).toContain(arrived.id);
    expect(renders.get('OtherPreview')).toBe(1);
    expect(renders.get('MessageRow') ?? 0).toBe(0);
    expect(renders.get('Composer') ?? 0).toBe(0);
  });

  test('a message arriving in the open conversation renders its own row and leaves the others and the composer alone', async () => {
    const arrived = await arrive(OPEN, 31, 'the open conversation');
    expect(document.querySelector(`[data-message-id="${arrived.id}"]`)).not.toBeNull();
    // The new row, and the one before it, which leaves the tab order to it.
    expect(renders.get('MessageRow')).toBeLessThanOrEqual(2);
    expect(renders.get('Composer') ?? 0).toBe(0);
  });
});
