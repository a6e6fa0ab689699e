import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { signUp } from '../../../../packages/server/test/support/raw.js';
import { openApp, useSession } from '../support/browser.js';
import { shellServerAndBrowser } from '../support/people.js';

/** What the sign-in screen may load: React, i18next, zod, the SDK and the screen (123 KB in 3 files in November 2026; 221 KB in 17 before the split). */
const SIGN_IN_BUDGET = 140 * 1024;
/** What the signed-in app may load before anything is opened: the above, the list and the app's frame (149 KB). */
const SIGNED_IN_BUDGET = 165 * 1024;

const suite = shellServerAndBrowser();

/** Every script a fresh page fetches until the network is quiet and `ready` resolves: url → gzipped size. */
async function scriptsLoaded(page: Page, ready: () => Promise<unknown>): Promise<Map<string, number>> {
  const scripts = new Map<string, number>();
  page.on('response', async (res) => {
    if (res.request().resourceType() !== 'script') return;
    scripts.set(res.url(), gzipSync(await res.body(), { level: 9 }).length);
  });
  await page.goto('/', { waitUntil: 'networkidle' });
  await ready();
  return scripts;
}

function report(label: string, scripts: Map<string, number>): number {
  const total = [...scripts.values()].reduce((a, b) => a + b, 0);
  console.log(`${label}: ${scripts.size} files, ${(total / 1024).toFixed(1)} KB gzipped`);
  return total;
}

test('the sign-in screen loads under 140 KB of JavaScript gzipped, without the signed-in app', async () => {
  await signUp(suite.server.url);
  const { context, page } = await openApp(suite.browser, suite.server.url);
  const scripts = await scriptsLoaded(page, () => page.locator('#auth-username').waitFor());
  expect(report('sign-in screen', scripts)).toBeLessThanOrEqual(SIGN_IN_BUDGET);
  // The app behind the sign-in (its frame, the conversation screen, the emoji data) is not part of it.
  expect([...scripts.keys()].filter((url) => /signed-in|Shell|ConversationScreen|compact|github/.test(url))).toEqual([]);
  await context.close();
});

test('the signed-in app loads under 165 KB of JavaScript gzipped, without the conversation screen or the emoji data', async () => {
  const { token } = await signUp(suite.server.url);
  const { context } = await openApp(suite.browser, suite.server.url);
  await useSession(context, suite.server.url, token);
  const page = await context.newPage();
  const scripts = await scriptsLoaded(page, () => page.getByRole('navigation', { name: /conversations/i }).waitFor());
  expect(report('signed-in app', scripts)).toBeLessThanOrEqual(SIGNED_IN_BUDGET);
  // Markdown, DOMPurify and the emoji data load with the conversation screen and the picker, not before.
  expect([...scripts.keys()].filter((url) => /ConversationScreen|compact|github|shortcodes|emojibase/i.test(url))).toEqual([]);
  await context.close();
});
