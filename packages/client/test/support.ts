import { afterAll, afterEach, beforeAll } from 'vitest';
import WebSocket from 'ws';
import type { ConfigInput } from '@hearth/server';
import { HearthClient, type ClientEvents, type HearthClientOptions } from '../src/index.js';
import type { BackendName } from '../../server/test/support/backends.js';
import { uniqueName } from '../../server/test/support/raw.js';
import { startTestServer, type TestServer } from '../../server/test/support/server.js';

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
export async function newDevice(baseUrl: string, username: string, password: string, options: Partial<HearthClientOptions> = {}): Promise<HearthClient> {
  const client = newClient(baseUrl, options);
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

/** A real server for the tests of one `describe`, and the clients to close after each test. */
export interface SdkTestServer {
  readonly url: string;
  /** Closes the client (of a `newUser` result, or a client) after the current test; returns its argument. */
  track<T extends { client: HearthClient } | HearthClient>(x: T): T;
}

/** Call inside a `describe`: starts a server before its tests, closes tracked clients after each, stops it after all. */
export function useTestServer(backend: BackendName, overrides: ConfigInput = {}): SdkTestServer {
  let t: TestServer | undefined;
  const clients: HearthClient[] = [];
  beforeAll(async () => {
    t = await startTestServer(backend, overrides);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => t?.close());
  return {
    get url() {
      return t!.url;
    },
    track(x) {
      clients.push('client' in x ? x.client : x);
      return x;
    },
  };
}

/**
 * Two new users and the direct conversation between them, opened by both (each holds it, either may write first).
 * Nothing was said in it yet: no socket follows it until its first message reveals it.
 */
export async function pair(s: SdkTestServer) {
  const ana = s.track(await newUser(s.url));
  const ben = s.track(await newUser(s.url));
  const dm = await ana.client.conversations.openDirect(ben.client.users.me!.id);
  await ben.client.conversations.openDirect(ana.client.users.me!.id);
  return { ana, ben, id: dm.id };
}
