import type { HearthClient } from '@hearth/client';
import { useRef, useSyncExternalStore } from 'react';
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
 * `select(client)`, re-rendering only when it changes: after every change of the client's state the selector runs
 * again, and the component re-renders only if `isEqual(previous, next)` is false. The SDK updates some objects in
 * place (conversations, message windows, members), so select values (or the snapshots of `snapshots.ts`), not
 * those live objects: a live object stays the same reference while its fields change.
 * @example const title = useClientState((c) => c.conversations.get(id)?.title ?? '');
 * @example const typers = useClientState((c) => c.typers(id), shallowEqual);
 */
export function useClientState<T>(select: (client: HearthClient) => T, isEqual: (a: T, b: T) => boolean = Object.is): T {
  const client = useClient();
  const store = storeOf(client);
  // The selection of the last version seen: React asks for the snapshot several times per version (in render, on
  // every notification), and must get the same value back while nothing changed.
  const last = useRef<{ version: number; select: (client: HearthClient) => T; value: T } | null>(null);
  const getSnapshot = (): T => {
    const held = last.current;
    if (held && held.version === store.version && held.select === select) return held.value;
    const next = select(client);
    const value = held && isEqual(held.value, next) ? held.value : next;
    last.current = { version: store.version, select, value };
    return value;
  };
  return useSyncExternalStore(store.subscribe, getSnapshot);
}

/** Equal arrays (same length, same items) or plain objects (same keys, same values), one level deep. */
export function shallowEqual<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.prototype.hasOwnProperty.call(y, k) && Object.is(x[k], y[k]));
}
