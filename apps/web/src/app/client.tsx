import { HearthClient, type ClientEvents, type OutboxStorage, type OutgoingMessage } from '@hearth/client';
import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';

const OUTBOX_KEY = 'hearth.outbox';
/** Where versions before the session cookie kept the token; removed wherever it is still found. */
const LEGACY_TOKEN_KEY = 'hearth.token';

/** Unsent messages survive a reload: the SDK re-sends them with their original clientIds. */
const localOutbox: OutboxStorage = {
  load: () => {
    try {
      return JSON.parse(localStorage.getItem(OUTBOX_KEY) ?? '[]') as OutgoingMessage[];
    } catch {
      return [];
    }
  },
  save: (items) => localStorage.setItem(OUTBOX_KEY, JSON.stringify(items.map((i) => ({ ...i, error: null })))),
};

/**
 * The one SDK client of the page, talking to the server that served it. The session is an HttpOnly cookie the
 * server sets at sign-in: no script of the page, an injected one included, can read the token (ARCHITECTURE.md,
 * "Security").
 */
export function createClient(): HearthClient {
  localStorage.removeItem(LEGACY_TOKEN_KEY);
  return new HearthClient({ baseUrl: window.location.origin, session: 'cookie', outboxStorage: localOutbox });
}

/** Forgets what the device kept of a session that has ended: its unsent messages. */
export function forgetSession(): void {
  localStorage.removeItem(OUTBOX_KEY);
}

const ClientContext = createContext<HearthClient | null>(null);

export function ClientProvider({ client, children }: { client: HearthClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): HearthClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}

/**
 * Counts every change of a client, from the first component that reads it on: a count kept by each component's
 * own listener would miss a change between its first render and its subscription (React subscribes after the
 * commit), and the component would show the state from before it until the next change.
 */
const versions = new WeakMap<HearthClient, { count: number }>();
function versionOf(client: HearthClient): { count: number } {
  let version = versions.get(client);
  if (!version) {
    const counter = { count: 0 };
    client.on('change', () => counter.count++);
    versions.set(client, (version = counter));
  }
  return version;
}

/**
 * Re-renders when the client's state changes and returns `select(client)`. Selectors run on every render, so
 * keep them cheap (look-ups, not sorting thousands of items).
 * @example const conversation = useClientState((c) => c.conversations.get(id));
 */
export function useClientState<T>(select: (client: HearthClient) => T): T {
  const client = useClient();
  const version = versionOf(client);
  useSyncExternalStore((notify) => client.on('change', notify), () => version.count);
  return select(client);
}

/** Subscribes to one client event for the life of the component (the latest handler is always called). */
export function useClientEvent<K extends keyof ClientEvents>(type: K, handler: (event: ClientEvents[K]) => void): void {
  const client = useClient();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => client.on(type, (event) => ref.current(event)), [client, type]);
}
