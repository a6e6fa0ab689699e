import type { Conversation } from '@hearth/protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { launchBrowser, screenshot, startWebServer, useSession } from '../support/browser.js';

/**
 * The message list with a long history loaded (HEARTH_PERF_MESSAGES, default 2,000): pages back through all of
 * it, keeping only a window of rows in the page, then scrolls through it and prints frame times. The frame times
 * are a measurement, not a pass mark (docs/PERFORMANCE.md gives them for 50,000 messages and the command).
 */
const COUNT = Number(process.env.HEARTH_PERF_MESSAGES ?? 2_000);
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startWebServer('sqlite', { rateLimits: { sendPerSecond: 100_000, sendBurst: 100_000, expensivePerSecond: 10_000, expensiveBurst: 10_000 } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test(`paging back through ${COUNT} messages keeps a bounded window of rows in the page`, async () => {
  const ana = await signUp(server.url, uniqueName('ana'));
  const ben = await signUp(server.url, uniqueName('ben'));
  const dm = (await call<Conversation>(server.url, 'createConversation', { token: ana.token, body: { kind: 'direct', userId: ben.me.id } })).body;
  const started = Date.now();
  for (let i = 0; i < COUNT; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, COUNT - i) }, (_, j) => {
        const n = i + j;
        const who = n % 3 === 0 ? ana : ben;
        const text = n % 7 === 0 ? `message **${n}** with a [link](https://example.com/${n}) and \`code\`` : `message ${n}`;
        return call(server.url, 'sendMessage', { token: who.token, params: { conversationId: dm.id }, body: { clientId: `p${n}`, content: { type: 'text', text, entities: [] } } });
      }),
    );
  }
  console.log(`seeded ${COUNT} messages in ${Date.now() - started} ms`);

  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  await useSession(context, server.url, ana.token);
  const page = await context.newPage();
  await page.goto(`/c/${dm.id}`);
  const region = page.getByRole('region', { name: /^messages in/i });
  await region.waitFor();
  await page.waitForSelector('[role="article"]');

  // Page back to the very beginning, the way a person scrolling up would: to the top, then again once the page of
  // older messages has arrived (the list has grown) or the beginning shows.
  const loadStart = Date.now();
  for (let i = 0; i < 2000 && (await page.getByText('This is the beginning of the conversation.').count()) === 0; i++) {
    const height = await region.evaluate((el) => {
      const before = el.scrollHeight;
      el.scrollTo({ top: 0 });
      return before;
    });
    await page.waitForFunction(
      (before) => document.querySelector('.msg-scroll')!.scrollHeight > before || document.querySelector('.list-start') !== null,
      height,
      { polling: 'raf' },
    );
  }
  console.log(`paged back through ${COUNT} messages in ${Date.now() - loadStart} ms`);
  expect(await page.getByText('This is the beginning of the conversation.').count()).toBe(1);
  const rendered = await page.evaluate(() => document.querySelectorAll('[role="article"]').length);
  expect(rendered).toBeLessThan(120);

  // Scroll down with the wheel for a while and record frame times.
  const frames = await page.evaluate(async () => {
    const el = document.querySelector('.msg-scroll')!;
    const times: number[] = [];
    let last = performance.now();
    let running = true;
    const tick = (t: number) => {
      times.push(t - last);
      last = t;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    for (let i = 0; i < 300; i++) {
      el.scrollTop += 120;
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    }
    el.scrollTop = el.scrollHeight / 2;
    // The jump to the middle renders new rows: its frames count too.
    for (let i = 0; i < 6; i++) await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    running = false;
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]!, max: times[times.length - 1]!, n: times.length };
  });
  console.log(`frame times while scrolling: ${JSON.stringify(frames)}`);
  await screenshot(page, 'conversation-perf-middle');
  expect(await page.evaluate(() => document.querySelectorAll('[role="article"]').length)).toBeLessThan(120);
  await context.close();
}, 900_000);
