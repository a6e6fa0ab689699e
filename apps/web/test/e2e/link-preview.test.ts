import type { Conversation, Message } from '@hearth/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startPageServer, type PageServer } from '../../../../packages/server/test/support/pages.js';
import { call, signUp, uniqueName, type BearerSession } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { axeViolations, launchBrowser, reportCspViolations, screenshot, startWebServer, useSession } from '../support/browser.js';

/**
 * A link preview end to end: a link sent in the web app shows, for the other person, a card under the message with
 * the page's site, title (a link to a new tab), description and Hearth's copy of its image; their browser never
 * contacts the linked site. The page server is on loopback, allowed for this test only.
 */

let pages: PageServer;
let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

type Person = BearerSession & { username: string };

beforeAll(async () => {
  pages = await startPageServer();
  server = await startWebServer('sqlite', { linkPreviews: { allowHosts: ['127.0.0.1'], ports: [pages.port] } });
  browser = await launchBrowser();
});
afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  for (const [i, c] of contexts.splice(0).entries()) {
    if (failed) for (const p of c.pages()) await screenshot(p, `failed-link-preview-${i}`).catch(() => undefined);
    await c.close().catch(() => undefined);
  }
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  await pages?.close();
});

async function person(prefix: string): Promise<Person> {
  const username = uniqueName(prefix);
  return { ...(await signUp(server.url, username)), username };
}

async function group(owner: Person, members: Person[]): Promise<Conversation> {
  const res = await call<Conversation>(server.url, 'createConversation', { token: owner.token, body: { kind: 'group', title: 'Links', memberIds: members.map((m) => m.me.id) } });
  if (res.status !== 200) throw new Error(`group failed: ${res.status}`);
  return res.body;
}

/** A page signed in as `who`, recording every request it makes to the linked site. */
async function open(who: Person, path: string, options: { viewport?: { width: number; height: number }; theme?: 'light' | 'dark'; language?: string } = {}) {
  const context = await browser.newContext({ baseURL: server.url, viewport: options.viewport ?? { width: 1280, height: 800 }, locale: 'en-US', colorScheme: options.theme ?? 'light' });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  await useSession(context, server.url, who.token);
  if (options.language) await context.addInitScript((language) => localStorage.setItem('hearth.language', language), options.language);
  const page = await context.newPage();
  const toSite: string[] = [];
  page.on('request', (req) => {
    if (req.url().startsWith(pages.url)) toSite.push(req.url());
  });
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  reportCspViolations(page);
  await page.goto(path);
  return { page, toSite };
}

const list = (page: Page) => page.getByRole('region', { name: /^messages in/i });
const composer = (page: Page) => page.getByRole('textbox', { name: /^message$/i });

describe('link previews in the web app', () => {
  test('a link sent by one person shows its preview card for the other, with Hearth’s copy of the image; accessible', async () => {
    const [ana, ben] = [await person('ana'), await person('ben')];
    const conversation = await group(ana, [ben]);
    const { page: anaPage } = await open(ana, `/c/${conversation.id}`);
    const { page: benPage, toSite } = await open(ben, `/c/${conversation.id}`);

    await composer(anaPage).click();
    await composer(anaPage).fill(`Have a look: ${pages.url}/og`);
    await composer(anaPage).press('Enter');

    const card = list(benPage).getByRole('group', { name: 'Link preview: Example News' });
    // The server reads the page and then its image after the send (each capped at 5 s), on a machine that may be busy.
    await card.waitFor({ timeout: 30_000 });
    const title = card.getByRole('link', { name: 'The & Hearth story' });
    expect(await title.getAttribute('href')).toBe(`${pages.url}/og`);
    expect(await title.getAttribute('target')).toBe('_blank');
    expect(await title.getAttribute('rel')).toBe('noopener noreferrer');
    await expect.poll(() => card.textContent()).toContain('How a chat server reads a page, safely.');
    const image = card.locator('img');
    expect(await image.getAttribute('src')).toMatch(new RegExp(`^/api/conversations/${conversation.id}/messages/[^/]+/link-preview/image\\?v=`));
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(600);
    // The sender's own screen shows it too.
    await list(anaPage).getByRole('group', { name: 'Link preview: Example News' }).waitFor();
    expect(toSite).toEqual([]);
    expect(await axeViolations(benPage, '.conv')).toEqual([]);
    await screenshot(benPage, 'link-preview');

    // After a reload, the preview comes from history.
    await benPage.reload();
    await list(benPage).getByRole('group', { name: 'Link preview: Example News' }).waitFor();
    expect(toSite).toEqual([]);
    // Only the author may remove it; it then goes for both.
    expect(await list(benPage).getByRole('button', { name: 'Remove the preview' }).count()).toBe(0);
    expect(await axeViolations(anaPage, '.conv')).toEqual([]);
    await list(anaPage).getByRole('button', { name: 'Remove the preview' }).click();
    await list(benPage).getByTestId('link-preview').waitFor({ state: 'detached' });
    await list(anaPage).getByTestId('link-preview').waitFor({ state: 'detached' });
  });

  test('the card fits a 375 px screen in dark mode, right to left', async () => {
    const [ana, ben] = [await person('ana'), await person('ben')];
    const conversation = await group(ana, [ben]);
    const sent = await call<Message>(server.url, 'sendMessage', {
      token: ana.token,
      params: { conversationId: conversation.id },
      body: { clientId: `lp${Date.now().toString(36)}`, content: { type: 'text', text: `${pages.url}/og`, entities: [] } },
    });
    expect(sent.status).toBe(200);
    const { page } = await open(ben, `/c/${conversation.id}`, { viewport: { width: 375, height: 740 }, theme: 'dark', language: 'ar' });
    const card = page.getByTestId('link-preview');
    await card.waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await card.getAttribute('aria-label')).toBe('معاينة الرابط: Example News');
    const box = (await card.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // The card only: the header's members button has a finding of its own in Arabic at this width (not this feature's).
    expect(await axeViolations(page, '.link-preview')).toEqual([]);
    await screenshot(page, 'link-preview-375-dark-rtl');
  });
});
