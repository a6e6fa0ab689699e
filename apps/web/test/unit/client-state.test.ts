// @vitest-environment jsdom
import type { Conversation } from '@hearth/client';
import { HearthClient } from '@hearth/client';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, test } from 'vitest';
import { ClientProvider } from '../../src/app/client.js';
import { useClientState } from '../../src/app/store.js';

const ID = '0193a000-0000-7000-8000-0000000000cc';

function conversation(): Conversation {
  return {
    id: ID,
    kind: 'group',
    title: 'Arrived',
    topic: '',
    createdAt: 1,
    createdBy: ID,
    memberCount: 1,
    peerId: null,
    pts: 1,
    lastMessage: null,
    me: { role: 'owner', joinedAt: 1, deliveredSeq: 0, readSeq: 0, unreadCount: 0, unreadMentionCount: 0, muted: false, removal: null },
  };
}

function Title() {
  return createElement('p', null, useClientState((c) => c.conversations.get(ID)?.title ?? 'waiting'));
}

test('a change between a component’s first render and its subscription still re-renders it', async () => {
  const client = new HearthClient({ baseUrl: 'http://127.0.0.1:1', WebSocket: class {} as never, fetch: () => Promise.reject(new Error('offline')) });
  const container = document.createElement('div');
  // The change lands right after the first commit (a microtask after the DOM changed), before React subscribes
  // in its passive effects: as a sync finishing while a screen mounts.
  const observer = new MutationObserver(() => {
    observer.disconnect();
    client.adoptConversation(conversation());
  });
  observer.observe(container, { childList: true, subtree: true });
  createRoot(container).render(createElement(ClientProvider, { client, children: createElement(Title) }));
  await expect.poll(() => container.textContent, { timeout: 2000 }).toBe('Arrived');
});
