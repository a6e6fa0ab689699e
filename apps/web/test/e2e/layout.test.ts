import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import { screenshot, useSession, WEB_ROOT } from '../support/browser.js';
import { createConversation, PASSWORD, sendText, shellServerAndBrowser } from '../support/people.js';

/*
 * Every button, chip and menu item shows its whole text in every language, on a desktop and on a phone: its text
 * never runs past its box (scrollWidth <= clientWidth), nor does a row of chips past its own. Besides English,
 * Spanish and Arabic, a fourth run takes, for every string, the longest of its translations (Spanish's lazy
 * chunk is answered with those), so that a string that is longest in one language is also measured beside the
 * longest of its neighbours.
 */

const LOCALES = path.resolve(WEB_ROOT, '../src/i18n/locales');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 740 } };
type Language = 'en' | 'es' | 'ar' | 'longest';

const suite = shellServerAndBrowser();
let token: string;
let group: string;

/** Of two translations (nested objects of strings), the longer string at every key. */
function longer(a: unknown, b: unknown): unknown {
  if (typeof a === 'string' || typeof b === 'string') return typeof b === 'string' && (typeof a !== 'string' || b.length > a.length) ? b : a;
  const out: Record<string, unknown> = { ...(a as object) };
  for (const [k, v] of Object.entries(b as object)) out[k] = longer(out[k], v);
  return out;
}

function read(language: string, file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(LOCALES, language, file), 'utf8'));
}

/**
 * The built chunk of Spanish (texts/es.ts: every Spanish locale file in one module, named `es-<hash>.js`), with the
 * module that replaces it: the longest text of every key across the languages.
 */
function longestChunks(): Map<string, string> {
  const assets = path.join(WEB_ROOT, 'assets');
  const chunks = fs.readdirSync(assets).filter((f) => /^es-[\w-]+\.js$/.test(f) && fs.readFileSync(path.join(assets, f), 'utf8').includes('../locales/es/'));
  let longest: Record<string, unknown> = {};
  for (const file of fs.readdirSync(path.join(LOCALES, 'es'))) {
    longest = { ...longest, ...(['en', 'ar'].reduce((acc, language) => longer(acc, read(language, file)), read('es', file)) as object) };
  }
  return new Map(chunks.map((chunk) => [`/assets/${chunk}`, `export default ${JSON.stringify(longest)};`]));
}

beforeAll(async () => {
  const ana = await signUp(suite.server.url, uniqueName('ana'), PASSWORD);
  const [ben, carl] = [await signUp(suite.server.url, uniqueName('ben'), PASSWORD), await signUp(suite.server.url, uniqueName('carl'), PASSWORD)];
  token = ana.token;
  group = await createConversation(suite.server, token, { kind: 'group', title: 'Weekend plans', memberIds: [ben.me.id, carl.me.id] });
  await createConversation(suite.server, token, { kind: 'channel', title: 'general', topic: 'Everything' });
  const dm = await createConversation(suite.server, ben.token, { kind: 'direct', userId: ana.me.id });
  await sendText(suite.server, ben.token, dm, 'Coffee?');
  await sendText(suite.server, ben.token, group, 'Who is in for Saturday?');
  const seq = await sendText(suite.server, token, group, 'Count me in', [], 'seq');
  await call(suite.server.url, 'updateReceipt', { token: ben.token, params: { conversationId: group }, body: { readSeq: seq } });
});

const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
});

async function open(language: Language, viewport: { width: number; height: number }): Promise<Page> {
  const context = await suite.browser.newContext({ baseURL: suite.server.url, viewport, locale: 'en-US', timezoneId: 'Europe/Madrid' });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  await useSession(context, suite.server.url, token);
  await context.addInitScript((l) => localStorage.setItem('hearth.language', l), language === 'longest' ? 'es' : language);
  if (language === 'longest') {
    const chunks = longestChunks();
    expect(chunks.size).toBe(1);
    await context.route('**/assets/*.js', (route) => {
      const body = chunks.get(new URL(route.request().url()).pathname);
      return body ? route.fulfill({ contentType: 'text/javascript', body }) : route.fallback();
    });
  }
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  return page;
}

/** Buttons, chips, menu items and rows of chips on screen whose content is wider than their box. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, [role="button"], [role="menuitem"], [role="menuitemradio"], [role="tab"], .chip, .chips, .btn')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('.visually-hidden') && el.scrollWidth > el.clientWidth)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? '').trim() || el.getAttribute('aria-label')}": ${el.scrollWidth} > ${el.clientWidth}`),
  );
}

/** The screens to measure: each one opened and waited for, then measured. */
const screens: Array<[string, (page: Page) => Promise<void>]> = [
  [
    'conversation list',
    async (page) => {
      await page.goto('/');
      await page.locator('.chips').waitFor();
    },
  ],
  [
    'new conversation menu',
    async (page) => {
      await page.locator('.sidebar-header button[aria-haspopup="menu"]').click();
      await page.getByRole('menuitem').first().waitFor();
    },
  ],
  [
    'conversation with its members',
    async (page) => {
      await page.goto(`/c/${group}`);
      await page.getByRole('article').filter({ hasText: 'Count me in' }).waitFor();
      await page.locator('.conv-members-btn').click();
      await page.locator('.members-panel, [role="complementary"]').first().waitFor();
    },
  ],
  [
    'settings',
    async (page) => {
      await page.goto('/settings');
      await page.locator('.settings-content .btn').first().waitFor();
    },
  ],
  [
    'channels',
    async (page) => {
      await page.goto('/channels');
      await page.getByRole('heading', { level: 2 }).first().waitFor();
    },
  ],
];

describe.each(['en', 'es', 'ar', 'longest'] as const)('layout in %s', (language) => {
  test.each(Object.entries(VIEWPORTS))('no button or chip text overflows its box (%s)', async (_, viewport) => {
    const page = await open(language, viewport);
    const problems: string[] = [];
    for (const [name, show] of screens) {
      if (viewport.width < 600 && name === 'conversation with its members') {
        await page.goto(`/c/${group}`);
        await page.getByRole('article').filter({ hasText: 'Count me in' }).waitFor();
      } else await show(page);
      problems.push(...(await overflowing(page)).map((p) => `${name}: ${p}`));
      if (name === 'conversation list') await screenshot(page, `layout-${language}-${viewport.width}`);
    }
    expect(problems).toEqual([]);
  });
});
