import { HearthClient, type ClientEvents, type OutboxStorage, type OutgoingMessage } from '@hearth/client';
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';

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

/** Subscribes to one client event for the life of the component (the latest handler is always called). */
export function useClientEvent<K extends keyof ClientEvents>(type: K, handler: (event: ClientEvents[K]) => void): void {
  const client = useClient();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => client.on(type, (event) => ref.current(event)), [client, type]);
}
