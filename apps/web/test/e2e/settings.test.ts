import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { injectAxe, launchBrowser, openApp, screenshot } from '../support/browser.js';
import { conversationList, deviceToken, PASSWORD, personInBrowser, poll, sendText, startShellServer, userId } from '../support/people.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startShellServer();
  browser = await launchBrowser();
  await signUp(server.url, uniqueName('admin'), PASSWORD);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
}

async function createConversation(token: string, body: Record<string, unknown>): Promise<string> {
  const res = await call<{ id: string }>(server.url, 'createConversation', { token, body });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

test('profile: the display name and a status with an emoji are saved and shown in the sidebar', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const { page } = ana;
  await openSettings(page);
  const profile = page.getByRole('region', { name: 'Profile' });
  await profile.getByLabel('Display name').fill('Ana Banana');
  await profile.getByRole('button', { name: 'Choose a status emoji' }).click();
  await profile.getByRole('group', { name: 'Choose a status emoji' }).getByRole('button', { name: '🌴' }).click();
  await profile.getByLabel('Status', { exact: true }).fill('On the beach');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await profile.getByText('Profile saved.').waitFor();
  const header = page.locator('.sidebar-header');
  await header.getByText('Ana Banana').waitFor();
  await header.getByText('🌴 On the beach').waitFor();
  await screenshot(page, 'settings-light');

  // Saved on the server: another device sees it.
  const token = await deviceToken(server, ana.username);
  const me = await call<{ displayName: string; statusText: string; statusEmoji: string }>(server.url, 'getMe', { token });
  expect(me.body).toMatchObject({ displayName: 'Ana Banana', statusText: 'On the beach', statusEmoji: '🌴' });

  // A suggested status fills both at once; Clear empties them.
  await profile.getByRole('button', { name: /In a meeting/ }).click();
  await expect(profile.getByLabel('Status', { exact: true }).inputValue()).resolves.toBe('In a meeting');
  await profile.getByRole('button', { name: 'Clear' }).click();
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await header.getByText('Set a status').waitFor();
  await ana.context.close();
});

test('privacy: the read receipts switch says what turning it off does, and is saved', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const { page } = ana;
  await openSettings(page);
  const receipts = page.getByRole('switch', { name: 'Read receipts' });
  await expect(receipts.getAttribute('aria-checked')).resolves.toBe('true');
  const description = await receipts.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
  expect(description).toMatch(/you will not see read receipts from anyone else either/);
  await receipts.click();
  await poll(() => receipts.getAttribute('aria-checked')).toBe('false');
  await page.reload();
  await poll(() => page.getByRole('switch', { name: 'Read receipts' }).getAttribute('aria-checked')).toBe('false');
  const token = await deviceToken(server, ana.username);
  expect((await call<{ readReceipts: boolean }>(server.url, 'getMe', { token })).body.readReceipts).toBe(false);
  await ana.context.close();
});

test('devices: revoking another session signs that browser out', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  // Ana signs in on a second browser.
  const second = await openApp(browser, server.url);
  second.context.setDefaultTimeout(10_000);
  await second.page.getByLabel(/^username$/i).fill(ana.username);
  await second.page.getByLabel(/^password$/i).fill(PASSWORD);
  await second.page.getByRole('button', { name: /^sign in$/i }).click();
  await second.page.getByRole('navigation', { name: /conversations/i }).waitFor();

  const { page } = ana;
  await openSettings(page);
  const devices = page.getByRole('region', { name: 'Devices' });
  await poll(() => devices.getByRole('listitem').count()).toBe(2);
  await devices.getByText('This device').waitFor();
  await devices.getByText(/Last active/).waitFor();
  await devices.scrollIntoViewIfNeeded();
  await screenshot(page, 'settings-devices');
  await devices.getByRole('button', { name: /^Sign out .+/ }).click();
  await devices.getByText('The device was signed out.').waitFor();
  await poll(() => devices.getByRole('listitem').count()).toBe(1);

  // The other browser is back at the sign-in screen, without a reload.
  await second.page.getByRole('heading', { name: /sign in to hearth/i }).waitFor();
  await second.context.close();
  await ana.context.close();
});

test('password: changing it signs the other devices out', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const phone = await deviceToken(server, ana.username);
  const { page } = ana;
  await openSettings(page);
  const form = page.getByRole('region', { name: 'Password' });
  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByLabel('New password', { exact: true }).fill('a much better passphrase');
  await form.getByLabel('Confirm new password').fill('a different one');
  await form.getByText('The passwords do not match.').waitFor();
  await expect(form.getByRole('button', { name: 'Change password' }).isDisabled()).resolves.toBe(true);
  await form.getByLabel('Confirm new password').fill('a much better passphrase');
  await form.getByRole('button', { name: 'Change password' }).click();
  await form.getByText(/Password changed/).waitFor();
  expect((await call(server.url, 'getMe', { token: phone })).status).toBe(401);
  const again = await call(server.url, 'signIn', { body: { username: ana.username, password: 'a much better passphrase' } });
  expect(again.status).toBe(200);

  // Signing out here ends this session and shows the sign-in screen.
  await page.getByRole('region', { name: 'Account' }).getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: /sign in to hearth/i }).waitFor();
  expect(await page.title()).toBe('Hearth');
  await ana.context.close();
});

test('appearance: Arabic turns the page right-to-left and translates it; the theme switches to dark', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const token = await deviceToken(server, ana.username);
  const ben = await signUp(server.url, uniqueName('ben'), PASSWORD);
  const anaId = await userId(server, token);
  const dm = await createConversation(ben.token, { kind: 'direct', userId: anaId });
  await sendText(server, ben.token, dm, 'Good morning! Coffee at ten?');
  await createConversation(token, { kind: 'channel', title: 'general', topic: 'Everything and nothing' });
  const group = await createConversation(token, { kind: 'group', title: 'Family', memberIds: [ben.me.id] });
  await sendText(server, ben.token, group, 'Dinner on Sunday');
  const { page } = ana;
  await conversationList(page).getByRole('link', { name: /Family/ }).waitFor();
  await openSettings(page);

  await page.getByRole('radio', { name: 'العربية' }).check();
  await poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
  await page.getByRole('heading', { name: 'الإعدادات', level: 2 }).waitFor();
  await page.getByRole('navigation', { name: 'المحادثات' }).waitFor();
  await page.getByRole('switch', { name: 'إشعارات القراءة' }).waitFor();
  await screenshot(page, 'settings-rtl');
  // The list is mirrored: the avatar sits at the right edge.
  const row = page.getByRole('navigation', { name: 'المحادثات' }).getByRole('link', { name: /Family/ });
  const box = (await row.boundingBox())!;
  const avatar = (await row.locator('.avatar').boundingBox())!;
  expect(avatar.x).toBeGreaterThan(box.x + box.width / 2);
  await expect(row.textContent()).resolves.toMatch(/مجموعة/);

  // Still Arabic after a reload; then back to English.
  await page.reload();
  await page.getByRole('heading', { name: 'الإعدادات', level: 2 }).waitFor();
  await page.getByRole('radio', { name: 'English' }).check();
  await poll(() => page.evaluate(() => document.documentElement.dir)).toBe('ltr');

  // Dark theme.
  await page.getByRole('radio', { name: 'Dark' }).check();
  await poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(22, 22, 26)');
  await screenshot(page, 'settings-dark');
  await page.getByRole('navigation', { name: /conversations/i }).getByRole('link', { name: /Family/ }).click();
  await page.waitForURL(`**/c/${group}`);
  await page.goto('/');
  await conversationList(page).getByRole('link', { name: /Family/ }).waitFor();
  await page.getByRole('navigation', { name: /conversations/i }).getByRole('link', { name: /general/ }).hover();
  await screenshot(page, 'sidebar-dark');
  await page.getByRole('button', { name: 'New conversation' }).click();
  await page.getByRole('menuitem', { name: 'New group' }).click();
  await page.getByRole('dialog', { name: 'New group' }).getByRole('option').first().waitFor();
  await screenshot(page, 'dialog-dark');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog', { name: 'New group' }).waitFor({ state: 'hidden' });
  await openSettings(page);
  await page.getByRole('radio', { name: 'Match system' }).check();
  await poll(() => page.evaluate(() => document.documentElement.hasAttribute('data-theme'))).toBe(false);
  await ana.context.close();
});

/** Replaces the Notification API with a recorder: constructor calls and permission requests are counted. */
const NOTIFICATION_SPY = () => {
  const w = window as unknown as { __requests: number; __notes: unknown[]; Notification: unknown };
  w.__requests = 0;
  w.__notes = [];
  const Real = window.Notification;
  function Recorder(this: unknown, title: string, options?: NotificationOptions) {
    const note = { title, body: options?.body, tag: options?.tag, onclick: null as null | ((e: Event) => void), closed: false, close: () => (note.closed = true) };
    w.__notes.push(note);
    return note;
  }
  Object.defineProperty(Recorder, 'permission', { get: () => Real.permission });
  (Recorder as unknown as { requestPermission: () => Promise<NotificationPermission> }).requestPermission = () => {
    w.__requests++;
    return Real.requestPermission();
  };
  w.Notification = Recorder;
};

test('notifications: permission is asked only on click; direct messages and mentions notify while hidden; clicking opens the conversation', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const { page, context } = ana;
  const token = await deviceToken(server, ana.username);
  const anaId = await userId(server, token);
  const ben = await signUp(server.url, uniqueName('ben'), PASSWORD);
  const dm = await createConversation(ben.token, { kind: 'direct', userId: anaId });
  await context.addInitScript(NOTIFICATION_SPY);
  await page.reload();
  await page.getByRole('navigation', { name: /conversations/i }).waitFor();
  const requests = () => page.evaluate(() => (window as unknown as { __requests: number }).__requests);
  const notes = () => page.evaluate(() => (window as unknown as { __notes: Array<{ title: string; body: string }> }).__notes.map((n) => ({ title: n.title, body: n.body })));
  // Nothing asks on load. The marker: a message sent once the page is up shows in the list only after the page has
  // loaded, connected and caught up, so whatever it does on its own by then has happened.
  await sendText(server, ben.token, dm, 'Welcome back');
  await conversationList(page).getByRole('link', { name: /Welcome back/ }).waitFor();
  expect(await requests()).toBe(0);

  await openSettings(page);
  const toggle = page.getByRole('switch', { name: 'Desktop notifications' });
  await expect(toggle.getAttribute('aria-checked')).resolves.toBe('false');
  expect(await requests()).toBe(0);
  await context.grantPermissions(['notifications'], { origin: server.url });
  await toggle.click();
  await poll(() => toggle.getAttribute('aria-checked')).toBe('true');
  expect(await requests()).toBe(1);
  await screenshot(page, 'settings-notifications');

  const group = await createConversation(ben.token, { kind: 'group', title: 'Climbing', memberIds: [anaId] });
  await conversationList(page).getByRole('link', { name: /Climbing/ }).waitFor();

  // While Ana looks at the page, nothing pops up.
  await sendText(server, ben.token, dm, 'Visible hello');
  await conversationList(page).getByRole('link', { name: /Visible hello/ }).waitFor();
  expect(await notes()).toEqual([]);

  // The tab goes to the background.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await sendText(server, ben.token, dm, 'Are you free **tonight**?');
  await poll(notes).toEqual([{ title: ben.me.displayName, body: 'Are you free tonight?' }]);
  // A group message without a mention stays quiet; one that mentions Ana notifies.
  await sendText(server, ben.token, group, 'Anyone for Saturday?');
  await sendText(server, ben.token, group, '@ana you in?', [{ type: 'mention', offset: 0, length: 4, userId: anaId }]);
  await poll(() => notes().then((n) => n.length)).toBe(2);
  expect((await notes())[1]).toEqual({ title: `${ben.me.displayName} in Climbing`, body: '@ana you in?' });
  // A muted conversation stays quiet.
  await call(server.url, 'updateMySettings', { token, params: { conversationId: dm }, body: { muted: true } });
  await poll(() => page.locator(`a[href="/c/${dm}"]`).textContent()).toMatch(/muted/);
  await sendText(server, ben.token, dm, 'Hello?');
  await conversationList(page).getByRole('link', { name: /Hello\?/ }).waitFor();
  expect((await notes()).length).toBe(2);

  // Clicking the first notification opens its conversation.
  await page.evaluate(() => {
    const n = (window as unknown as { __notes: Array<{ onclick: (e: Event) => void }> }).__notes[0]!;
    n.onclick(new Event('click'));
  });
  await page.waitForURL(`**/c/${dm}`);
  await context.close();
});

/** WCAG 2 A and AA violations that axe finds in the page (or in the given part of it). */
async function axeViolations(page: Page, include?: string): Promise<string[]> {
  await injectAxe(page);
  const results = await page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[]; failureSummary: string }> }> }> } }).axe;
    const { violations } = await axe.run(selector ? { include: [[selector]] } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ')}`));
  }, include);
  return results;
}

// Axe over every screen, light and dark: close to the default 30 s on a busy machine (29.5 s measured under load).
test('accessibility: no WCAG A/AA violations in the list, settings, channels and dialogs, light and dark', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const token = await deviceToken(server, ana.username);
  const ben = await signUp(server.url, uniqueName('ben'), PASSWORD);
  const anaId = await userId(server, token);
  const dm = await createConversation(ben.token, { kind: 'direct', userId: anaId });
  await sendText(server, ben.token, dm, 'Hello there');
  const group = await createConversation(ben.token, { kind: 'group', title: 'Team', memberIds: [anaId] });
  await sendText(server, ben.token, group, '@ana ping', [{ type: 'mention', offset: 0, length: 4, userId: anaId }]);
  await call(server.url, 'updateMySettings', { token, params: { conversationId: dm }, body: { muted: true } });
  await createConversation(token, { kind: 'channel', title: 'random', topic: 'Anything goes' });
  const { page } = ana;
  await conversationList(page).getByRole('link', { name: /Team/ }).waitFor();
  await poll(() => page.locator(`a[href="/c/${dm}"]`).textContent()).toMatch(/muted/);

  for (const theme of ['Light', 'Dark']) {
    await openSettings(page);
    await page.getByRole('radio', { name: theme }).check();
    const problems: string[] = [];
    problems.push(...(await axeViolations(page)));
    await page.getByRole('navigation', { name: /conversations/i }).getByRole('link', { name: /Team/ }).hover();
    problems.push(...(await axeViolations(page, 'nav')));
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByRole('menu').waitFor();
    problems.push(...(await axeViolations(page, '.menu')));
    await page.keyboard.press('Escape');
    await page.goto('/channels');
    await page.getByRole('heading', { name: 'random' }).waitFor();
    problems.push(...(await axeViolations(page)));
    await page.getByRole('button', { name: 'New channel' }).click();
    await page.getByRole('dialog', { name: 'New channel' }).waitFor();
    problems.push(...(await axeViolations(page, 'dialog')));
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByRole('menuitem', { name: 'New group' }).click();
    await page.getByRole('dialog', { name: 'New group' }).getByRole('option').first().waitFor();
    problems.push(...(await axeViolations(page, 'dialog')));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+k');
    await page.getByRole('dialog', { name: 'Jump to a conversation' }).getByRole('option').first().waitFor();
    problems.push(...(await axeViolations(page, 'dialog')));
    await page.keyboard.press('Escape');
    await page.goto('/');
    await conversationList(page).getByRole('link', { name: /Team/ }).waitFor();
    problems.push(...(await axeViolations(page)));
    expect(problems, `${theme} theme`).toEqual([]);
  }
  await ana.context.close();
}, 90_000);
