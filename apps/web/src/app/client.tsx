import { HearthClient, type ClientEvents, type OutboxStorage, type OutgoingMessage } from '@hearth/client';
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';

const TOKEN_KEY = 'hearth.token';
const OUTBOX_KEY = 'hearth.outbox';

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

export function storedToken(): string | undefined {
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function storeToken(token: string | undefined): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(OUTBOX_KEY);
  }
}

/** The one SDK client of the page, talking to the server that served it. */
export function createClient(token?: string): HearthClient {
  return new HearthClient({ baseUrl: window.location.origin, ...(token ? { token } : {}), outboxStorage: localOutbox });
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
