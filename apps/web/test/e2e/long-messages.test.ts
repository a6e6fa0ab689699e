import type { AuthResult, Conversation } from '@hearth/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { call, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { launchBrowser, screenshot, settledScrollTop, startWebServer, useSession } from '../support/browser.js';

/**
 * A busy channel: a long history, and bursts of long multi-line messages arriving while the window is open, at
 * the bottom and scrolled up. React error #185 (maximum update depth) came from here: every SDK change was a
 * synchronous re-render of its own, and a burst of them kept lower-priority updates (event handlers, the list's
 * measurements) waiting until React took the chain for an infinite loop. The CPU is slowed down so that the
 * browser falls behind the burst, as a busy laptop does.
 */

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startWebServer('sqlite', { rateLimits: { sendPerSecond: 5000, sendBurst: 10_000, expensivePerSecond: 200, expensiveBurst: 400 } });
  browser = await launchBrowser();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

let sent = 0;
async function send(who: AuthResult, conversationId: string, text: string): Promise<void> {
  const res = await call(server.url, 'sendMessage', {
    token: who.token,
    params: { conversationId },
    body: { clientId: `l${Date.now().toString(36)}${(sent++).toString(36)}`, content: { type: 'text', text, entities: [] } },
  });
  if (res.status !== 200) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A message of many lines, some long enough to wrap, so that its height is known only once it is on screen. */
function longMessage(n: number): string {
  const lines = 4 + (n % 9);
  return Array.from({ length: lines }, (_, i) => (i % 3 === 0 ? `line ${i} of long message ${n}: ${'lorem ipsum dolor sit amet '.repeat(4 + (n % 5))}` : `line ${i} of ${n}`)).join('\n');
}

/** `count` long messages sent all at once, as a bot posting a log or a reconnect catching up delivers them. */
function burst(who: AuthResult, conversationId: string, from: number, count: number): Promise<void[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => send(who, conversationId, longMessage(from + i))));
}

/** Errors the page reports: uncaught exceptions and console errors (React reports #185 as both). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

const list = (page: Page) => page.getByRole('region', { name: /^messages in/i });
const article = (page: Page, text: string | RegExp) => list(page).getByRole('article').filter({ hasText: text });

/** A channel of 260 messages (a third of them long) between Ana and Ben, open in Ana's browser on a slow CPU. */
async function busyChannel(): Promise<{ ben: AuthResult; channel: Conversation; page: Page; errors: string[] }> {
  const ana = await signUp(server.url, uniqueName('ana'));
  const ben = await signUp(server.url, uniqueName('ben'));
  const channel = (await call<Conversation>(server.url, 'createConversation', { token: ana.token, body: { kind: 'channel', title: 'Busy channel' } })).body;
  expect((await call(server.url, 'joinChannel', { token: ben.token, params: { conversationId: channel.id } })).status).toBe(200);
  for (let i = 0; i < 260; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, j) => i + j).map((n) => send(n % 4 === 0 ? ana : ben, channel.id, n % 3 === 0 ? longMessage(n) : `history ${n}`)));
  }
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1100, height: 760 }, locale: 'en-US', timezoneId: 'Europe/Madrid' });
  contexts.push(context);
  await useSession(context, server.url, ana.token);
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(`/c/${channel.id}`);
  await list(page).waitFor();
  await article(page, 'history 259').waitFor();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return { ben, channel, page, errors };
}

test('a burst of long messages arriving while scrolled up leaves the list where it is, without errors', async () => {
  const { ben, channel, page, errors } = await busyChannel();
  const region = list(page);
  // The opening scroll to the latest settles first: until its rows are measured the virtualizer keeps correcting it,
  // and a programmatic scroll is not a gesture that would cancel that, as a person's wheel or touch does.
  await settledScrollTop(region);
  await region.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
  const before = await settledScrollTop(region);
  expect(await region.evaluate((el, top) => el.scrollHeight - top - el.clientHeight, before)).toBeGreaterThan(1000);
  await burst(ben, channel.id, 1000, 100);
  // The pill's text, not its presence: a count other than 100 (a message missed or counted twice) shows in the failure.
  const pill = page.getByRole('button', { name: /new messages?$/i });
  await expect.poll(async () => ((await pill.isVisible()) ? await pill.textContent() : 'no pill'), { timeout: 30_000 }).toBe('100 new messages');
  expect(Math.abs((await region.evaluate((el) => el.scrollTop)) - before)).toBeLessThan(5);
  await screenshot(page, 'long-messages-scrolled-up');
  expect(errors).toEqual([]);
}, 180_000);

test('a burst of long messages arriving at the bottom keeps the list at the newest, without errors', async () => {
  const { ben, channel, page, errors } = await busyChannel();
  const region = list(page);
  await burst(ben, channel.id, 2000, 100);
  await expect.poll(() => article(page, 'long message 2099:').count(), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => region.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), { timeout: 10_000 }).toBeLessThan(40);
  await screenshot(page, 'long-messages-bottom');
  expect(errors).toEqual([]);
}, 180_000);
