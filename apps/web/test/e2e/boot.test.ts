import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, test } from 'vitest';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { launchBrowser, openApp, screenshot, signUpInUi, startWebServer, uniqueUsername } from '../support/browser.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startWebServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('a new server offers to create the administrator account, which then lands in the app', async () => {
  const { context, page } = await openApp(browser, server.url);
  // The heading appears once the app has asked the server whether it needs setting up: wait for it.
  await page.getByRole('heading', { name: /welcome to your new hearth server/i }).waitFor({ state: 'visible', timeout: 10_000 });
  await screenshot(page, 'setup');
  await signUpInUi(page, uniqueUsername('admin'));
  await screenshot(page, 'empty-shell');
  await context.close();
});
