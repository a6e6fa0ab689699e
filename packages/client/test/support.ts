import WebSocket from 'ws';
import { HearthClient, type ClientEvents, type HearthClientOptions } from '../src/index.js';
import { uniqueName } from '../../server/test/support/raw.js';

/** An SDK client for a test server, with the `ws` WebSocket (Node 20 has no global one). */
export function newClient(baseUrl: string, options: Partial<HearthClientOptions> = {}): HearthClient {
  return new HearthClient({ baseUrl, WebSocket: WebSocket as never, reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 500, ...options });
}

/** Signs a new user up and connects; returns the client and the password (for more devices). */
export async function newUser(baseUrl: string, name = uniqueName()): Promise<{ client: HearthClient; username: string; password: string }> {
  const client = newClient(baseUrl);
  const password = 'correct horse battery';
  await client.auth.signUp({ username: name, displayName: name.toUpperCase(), password });
  await client.connect();
  return { client, username: name, password };
}

/** Another device of an existing user. */
export async function newDevice(baseUrl: string, username: string, password: string): Promise<HearthClient> {
  const client = newClient(baseUrl);
  await client.auth.signIn(username, password);
  await client.connect();
  return client;
}

/** Resolves when `check` becomes true, re-checking on every state change of the client. */
export function until(client: HearthClient, check: () => boolean, timeoutMs = 5000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('condition not reached in time'));
    }, timeoutMs);
    const off = client.on('change', () => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Resolves with the next event of a type that matches. */
export function nextEvent<K extends keyof ClientEvents>(
  client: HearthClient,
  type: K,
  match: (e: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(type)} event in time`));
    }, timeoutMs);
    const off = client.on(type, (e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}
