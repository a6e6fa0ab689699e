import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { MANY_SIGNUPS } from '../../../../packages/server/test/support/fixtures.js';
import { call, uniqueName } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { launchBrowser, openApp, signUpInUi, startWebServer } from './browser.js';

export const PASSWORD = 'correct horse battery';

/**
 * A server for the shell's suites: many sign-ups from one address, and the web app from HEARTH_TEST_WEB_ROOT when
 * set (a build of one's own, while others rebuild apps/web/dist), else from apps/web/dist.
 */
export function startShellServer(): Promise<TestServer> {
  const webRoot = process.env.HEARTH_TEST_WEB_ROOT;
  return startWebServer('sqlite', { ...MANY_SIGNUPS, ...(webRoot ? { webRoot } : {}) });
}

/** A shell server and a browser for the whole test file: started before its tests, closed after them. */
export function shellServerAndBrowser(): { readonly server: TestServer; readonly browser: Browser } {
  const suite = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    suite.server = await startShellServer();
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/** Someone using the web app in a browser of their own. */
export interface Person {
  username: string;
  displayName: string;
  context: BrowserContext;
  page: Page;
}

/** Opens a fresh browser context and signs a new user up through the UI. */
export async function personInBrowser(
  browser: Browser,
  server: TestServer,
  prefix: string,
  options: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<Person> {
  const username = uniqueName(prefix);
  const displayName = `${prefix[0]!.toUpperCase()}${prefix.slice(1)} ${username.slice(-4).toUpperCase()}`;
  const { context, page } = await openApp(browser, server.url, options);
  // A failing step reports its locator well before the test's own timeout.
  context.setDefaultTimeout(10_000);
  // The auth screen must be up before signUpInUi looks for its "Sign up" switch.
  await page.getByRole('button', { name: /^(sign in|sign up|create administrator account)$/i }).first().waitFor();
  await signUpInUi(page, username, PASSWORD, displayName);
  return { username, displayName, context, page };
}

/** Signs in over HTTP: a second device of the person, for sending messages without their page. */
export async function deviceToken(server: TestServer, username: string, deviceName = 'Test phone'): Promise<string> {
  const res = await call<{ token: string }>(server.url, 'signIn', { body: { username, password: PASSWORD, deviceName } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** The user's id, from their token. */
export async function userId(server: TestServer, token: string): Promise<string> {
  const res = await call<{ id: string }>(server.url, 'getMe', { token });
  if (res.status !== 200) throw new Error(`getMe failed: ${res.status}`);
  return res.body.id;
}

let sends = 0;
/** Sends a text message over HTTP as the token's user; resolves with the message's id (or, asked, its seq). */
export async function sendText(server: TestServer, token: string, conversationId: string, text: string, entities?: unknown[]): Promise<string>;
export async function sendText(server: TestServer, token: string, conversationId: string, text: string, entities: unknown[], field: 'seq'): Promise<number>;
export async function sendText(server: TestServer, token: string, conversationId: string, text: string, entities: unknown[] = [], field: 'id' | 'seq' = 'id'): Promise<string | number> {
  const res = await call<{ id: string; seq: number }>(server.url, 'sendMessage', {
    token,
    params: { conversationId },
    body: { clientId: `t${Date.now().toString(36)}${(sends++).toString(36)}`, content: { type: 'text', text, entities } },
  });
  if (res.status !== 200) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body[field];
}

/** expect.poll with a timeout that suits a browser round trip through the server. */
export function poll<T>(fn: () => T | Promise<T>, timeout = 8000) {
  return expect.poll(fn, { timeout, interval: 100 });
}

/** The id of the conversation open in the page (from its URL). */
export function openConversationId(page: Page): string {
  const match = /\/c\/([0-9a-f-]{36})/.exec(page.url());
  if (!match) throw new Error(`no conversation open at ${page.url()}`);
  return match[1]!;
}

/** The conversation list of the page. */
export function conversationList(page: Page) {
  return page.getByRole('navigation', { name: /conversations/i }).getByRole('list', { name: /conversations/i });
}

/** Creates a conversation over HTTP as the token's user (`{ kind: 'direct', userId }`, a group, a channel); resolves with its id. */
export async function createConversation(server: TestServer, token: string, body: Record<string, unknown>): Promise<string> {
  const res = await call<{ id: string }>(server.url, 'createConversation', { token, body });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * The direct conversation of a person in a browser and another one, with `first` said in it by the other (so that it
 * is in both lists), open on the person's page.
 */
export async function openDirect(server: TestServer, person: Person, other: { token: string; id: string }, first: string): Promise<string> {
  const id = await createConversation(server, other.token, { kind: 'direct', userId: await userId(server, await deviceToken(server, person.username)) });
  await sendText(server, other.token, id, first);
  await person.page.goto(`/c/${id}`);
  return id;
}
