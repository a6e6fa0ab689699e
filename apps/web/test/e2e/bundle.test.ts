import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { openApp, signUpInUi, uniqueUsername } from '../support/browser.js';
import { shellServerAndBrowser } from '../support/people.js';

const BUDGET_BYTES = 250 * 1024;

const suite = shellServerAndBrowser();

test('the JavaScript a browser loads to reach the signed-in app stays under 250 KB gzipped', async () => {
  const { context, page } = await openApp(suite.browser, suite.server.url);
  await signUpInUi(page, uniqueUsername('bundle'));
  const scripts = new Map<string, number>();
  // A fresh page on the signed-in app: count every script it fetches until the network is quiet.
  const fresh = await context.newPage();
  fresh.on('response', async (res) => {
    if (res.request().resourceType() !== 'script') return;
    scripts.set(res.url(), gzipSync(await res.body(), { level: 9 }).length);
  });
  await fresh.goto('/', { waitUntil: 'networkidle' });
  await fresh.getByRole('navigation', { name: /conversations/i }).waitFor();
  const total = [...scripts.values()].reduce((a, b) => a + b, 0);
  console.log(`initial JavaScript: ${scripts.size} files, ${(total / 1024).toFixed(1)} KB gzipped`);
  expect(scripts.size).toBeGreaterThan(0);
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  // The emoji data is large and must not be part of it.
  expect([...scripts.keys()].some((url) => /compact|shortcodes|emojibase/i.test(url))).toBe(false);
  await context.close();
});
