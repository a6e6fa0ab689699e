import type { HearthClient } from '@hearth/client';
import { useSyncExternalStore } from 'react';
import { useClient } from './client.js';

/**
 * The SDK's local state as one external store for React. Every `change` (and every `typers`, whose expiry changes
 * nothing else) moves its version on; subscribers hear of it at most once per task, however many changes the
 * task or the tasks before it made.
 *
 * Why not at once: useSyncExternalStore answers each notification with a synchronous render. During a burst of
 * events (a busy channel, a catch-up after a reconnect) each event then committed its own render while the
 * lower-priority updates the same events caused (event handlers' state, the message list's measurements) kept
 * waiting, and React 19 counts such a run of commits, each leaving work pending, as nested updates: past 50 it
 * throws #185, "Maximum update depth exceeded". Notifying from a task of its own lets the pending work commit
 * between two notifications, and a burst costs one render instead of one per event.
 */
class ClientStore {
  version = 0;
  private readonly listeners = new Set<() => void>();
  private queued = false;

  constructor(client: HearthClient) {
    const changed = () => this.changed();
    client.on('change', changed);
    client.on('typers', changed);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed(): void {
    this.version++;
    if (this.queued) return;
    this.queued = true;
    setTimeout(() => {
      this.queued = false;
      for (const listener of [...this.listeners]) listener();
    });
  }
}

const stores = new WeakMap<HearthClient, ClientStore>();

function storeOf(client: HearthClient): ClientStore {
  let store = stores.get(client);
  if (!store) stores.set(client, (store = new ClientStore(client)));
  return store;
}

/**
 * Re-renders when the client's state changes and returns `select(client)`. Selectors run on every render, so
 * keep them cheap (look-ups, not sorting thousands of items).
 * @example const conversation = useClientState((c) => c.conversations.get(id));
 */
export function useClientState<T>(select: (client: HearthClient) => T): T {
  const client = useClient();
  const store = storeOf(client);
  useSyncExternalStore(store.subscribe, () => store.version);
  return select(client);
}
