import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, RawSocket, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { conversationList, deviceToken, openConversationId, PASSWORD, personInBrowser, poll, sendText, startShellServer, userId } from '../support/people.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startShellServer();
  browser = await launchBrowser();
  // The first account administers the server; the tests below are ordinary users.
  await signUp(server.url, uniqueName('admin'), PASSWORD);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A user who exists only through the API (a phone, say): token and id. */
async function apiUser(prefix: string): Promise<{ username: string; displayName: string; token: string; id: string }> {
  const username = uniqueName(prefix);
  const res = await signUp(server.url, username, PASSWORD);
  return { username, displayName: username.toUpperCase(), token: res.token, id: res.me.id };
}

async function createConversation(token: string, body: Record<string, unknown>): Promise<string> {
  const res = await call<{ id: string }>(server.url, 'createConversation', { token, body });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

test('a direct message started from the directory appears for the other person with its first message, with their presence', async () => {
  const ben = await personInBrowser(browser, server, 'ben');
  const ana = await personInBrowser(browser, server, 'ana');
  const { page } = ana;

  await page.getByRole('button', { name: 'New conversation' }).click();
  await screenshot(page, 'sidebar-new-menu');
  await page.getByRole('menuitem', { name: 'New message' }).click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  const search = dialog.getByRole('combobox', { name: 'Search people' });
  await poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true);
  await search.fill(ben.username);
  const option = dialog.getByRole('option', { name: new RegExp(ben.displayName) });
  await option.waitFor();
  // Ana herself is not offered.
  await search.fill(ana.username);
  await dialog.getByText(/no one matches/i).waitFor();
  await search.fill(ben.username);
  await screenshot(page, 'sidebar-new-direct-dialog');
  await option.click();
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(dialog.isVisible()).resolves.toBe(false);
  // Nothing is said yet: the conversation is in nobody's list, only its composer is open.
  const anaRow = conversationList(page).getByRole('link', { name: new RegExp(ben.displayName) });
  await expect(anaRow.count()).resolves.toBe(0);
  const composer = page.getByRole('textbox', { name: /^message$/i });
  await composer.fill('Hi Ben!');
  await composer.press('Enter');
  await poll(() => anaRow.getAttribute('aria-current')).toBe('page');

  // Ben's list shows the conversation with that message, without a reload, with Ana online.
  const benRow = conversationList(ben.page).getByRole('link', { name: new RegExp(ana.displayName) });
  await benRow.waitFor();
  await poll(() => benRow.textContent()).toMatch(/Hi Ben!/);
  await benRow.getByRole('img', { name: 'Online' }).waitFor();
  await screenshot(ben.page, 'sidebar-dm-appeared');

  // Ana closes her page: her dot goes offline on Ben's screen.
  await ana.context.close();
  await benRow.getByRole('img', { name: 'Offline' }).waitFor({ timeout: 10_000 });
  await ben.context.close();
});

test('unread badges count live, mentions get an @, muting greys the badge, the tab title shows the total and opening clears it', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const anaId = await userId(server, await deviceToken(server, ana.username));
  const ben = await apiUser('ben');
  const cleo = await apiUser('cleo');
  const { page } = ana;

  const dm = await createConversation(ben.token, { kind: 'direct', userId: anaId });
  const group = await createConversation(cleo.token, { kind: 'group', title: `Trip planning ${uniqueName('g').slice(-4)}`, memberIds: [anaId, ben.id] });
  const list = conversationList(page);
  const dmRow = list.getByRole('link', { name: new RegExp(ben.displayName) });
  const groupRow = list.getByRole('link', { name: /Trip planning/ });
  await groupRow.waitFor();
  await expect(groupRow.textContent()).resolves.toMatch(/No messages yet/);
  // A direct conversation Ben opened shows on Ana's side only with his first message.
  await expect(dmRow.count()).resolves.toBe(0);

  await sendText(server, ben.token, dm, 'Hi Ana, are you there?');
  await dmRow.waitFor();
  await sendText(server, ben.token, dm, 'Ping **again**');
  await poll(() => dmRow.textContent()).toMatch(/Ping again/);
  await poll(() => dmRow.innerText()).toMatch(/2/);
  await poll(() => page.title()).toBe('(2) Hearth');

  // A mention of Ana in the group: badge with @, and a preview naming the sender.
  const text = '@ana look at this';
  await sendText(server, cleo.token, group, text, [{ type: 'mention', offset: 0, length: 4, userId: anaId }]);
  await poll(() => groupRow.textContent()).toMatch(new RegExp(`${cleo.displayName}:`));
  await poll(() => groupRow.textContent()).toMatch(/1 mention of you/);
  await poll(() => groupRow.locator('.badge-mention').count()).toBe(1);
  await poll(() => page.title()).toBe('(3) Hearth');
  // The most recent conversation comes first.
  await poll(() => list.getByRole('link').first().textContent()).toMatch(/Trip planning/);
  await screenshot(page, 'sidebar-unread');

  // Mute the DM from its menu: its badge turns grey and it leaves the title count.
  await list.getByRole('listitem').filter({ hasText: ben.displayName }).hover();
  await page.getByRole('button', { name: `Options for ${ben.displayName}` }).click();
  await page.getByRole('menuitem', { name: 'Mute notifications' }).click();
  await poll(() => dmRow.textContent()).toMatch(/muted/);
  await poll(() => dmRow.locator('.badge-muted').count()).toBe(1);
  await poll(() => page.title()).toBe('(1) Hearth');
  await screenshot(page, 'sidebar-muted');

  // Opening the group reads it: the badge and the count go.
  await groupRow.click();
  await page.waitForURL(`**/c/${group}`);
  await page.getByRole('main').getByLabel('Message', { exact: true }).waitFor();
  await screenshot(page, 'sidebar-with-conversation');
  await poll(() => groupRow.locator('.badge').count()).toBe(0);
  await poll(() => page.title()).toBe('Hearth');

  // Unmute and mark as read from the menu.
  await page.getByRole('button', { name: `Options for ${ben.displayName}` }).click({ force: true });
  await page.getByRole('menuitem', { name: 'Unmute notifications' }).click();
  await poll(() => page.title()).toBe('(2) Hearth');
  await page.getByRole('button', { name: `Options for ${ben.displayName}` }).click({ force: true });
  await page.getByRole('menuitem', { name: 'Mark as read' }).click();
  await poll(() => page.title()).toBe('Hearth');
  await poll(() => dmRow.locator('.badge').count()).toBe(0);

  // Filters: Unread keeps only the open conversation now; typing in the box filters by name.
  await page.getByRole('button', { name: 'Unread', exact: true }).click();
  await poll(() => list.getByRole('link').count()).toBe(1);
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await page.getByRole('searchbox', { name: 'Filter conversations by name' }).fill('trip');
  await poll(() => list.getByRole('link').count()).toBe(1);
  await page.getByRole('searchbox', { name: 'Filter conversations by name' }).fill('');
  await ana.context.close();
});

test('a group and a channel are created from the menu; another person browses, finds and joins the channel', async () => {
  const ben = await personInBrowser(browser, server, 'ben');
  const ana = await personInBrowser(browser, server, 'ana');
  const { page } = ana;
  const suffix = uniqueName('x').slice(-5);

  // A group with Ben in it.
  await page.getByRole('button', { name: 'New conversation' }).click();
  await page.getByRole('menuitem', { name: 'New group' }).click();
  const groupDialog = page.getByRole('dialog', { name: 'New group' });
  await groupDialog.getByLabel('Group name').fill(`Book club ${suffix}`);
  await groupDialog.getByLabel('Topic').fill('One book a month');
  await groupDialog.getByRole('combobox', { name: 'Search people to add' }).fill(ben.username);
  await groupDialog.getByRole('option', { name: new RegExp(ben.displayName) }).click();
  await groupDialog.getByRole('list', { name: '1 person chosen' }).waitFor();
  await screenshot(page, 'sidebar-new-group-dialog');
  await groupDialog.getByRole('button', { name: 'Create group' }).click();
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  const groupId = openConversationId(page);
  await conversationList(ben.page).getByRole('link', { name: new RegExp(`Book club ${suffix}`) }).waitFor();

  // A channel.
  await page.getByRole('button', { name: 'New conversation' }).click();
  await page.getByRole('menuitem', { name: 'New channel' }).click();
  const channelDialog = page.getByRole('dialog', { name: 'New channel' });
  await channelDialog.getByLabel('Channel name').fill(`design-${suffix}`);
  await channelDialog.getByLabel(/Topic/).fill('Pixels and type');
  await channelDialog.getByRole('button', { name: 'Create channel' }).click();
  await page.waitForURL((url) => /\/c\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(groupId));
  const channelId = openConversationId(page);
  await conversationList(page).getByRole('link', { name: new RegExp(`design-${suffix}`) }).waitFor();

  // Ben browses channels, finds it by name, joins it.
  await ben.page.getByRole('button', { name: 'New conversation' }).click();
  await ben.page.getByRole('menuitem', { name: 'Browse channels' }).click();
  await ben.page.waitForURL('**/channels');
  await ben.page.getByRole('heading', { name: 'Browse channels', level: 2 }).waitFor();
  await ben.page.getByRole('searchbox', { name: 'Search channels' }).fill(`design-${suffix}`);
  const card = ben.page.getByRole('listitem').filter({ has: ben.page.getByRole('heading', { name: `design-${suffix}` }) });
  await card.getByText('1 member').waitFor();
  await card.getByText('Pixels and type').waitFor();
  await screenshot(ben.page, 'channels-browser');
  await card.getByRole('button', { name: `Join design-${suffix}` }).click();
  await ben.page.waitForURL(`**/c/${channelId}`);
  await conversationList(ben.page).getByRole('link', { name: new RegExp(`design-${suffix}`) }).waitFor();

  // Back in the browser it is marked joined, with two members.
  await ben.page.goto('/channels');
  await ben.page.getByRole('searchbox', { name: 'Search channels' }).fill(`design-${suffix}`);
  await card.getByText('2 members').waitFor();
  await card.getByRole('button', { name: `Open design-${suffix}` }).waitFor();

  // Ben leaves the channel from its menu in the list, after confirming.
  const channelRow = conversationList(ben.page).getByRole('link', { name: new RegExp(`design-${suffix}`) });
  await channelRow.click();
  await ben.page.waitForURL(`**/c/${channelId}`);
  await ben.page.getByRole('button', { name: `Options for design-${suffix}` }).click();
  await ben.page.getByRole('menuitem', { name: 'Leave' }).click();
  const confirm = ben.page.getByRole('dialog', { name: `Leave design-${suffix}?` });
  await confirm.getByText(/join again at any time/).waitFor();
  await screenshot(ben.page, 'sidebar-leave-dialog');
  await confirm.getByRole('button', { name: 'Leave' }).click();
  await channelRow.waitFor({ state: 'detached' });
  await ben.page.waitForURL((url) => url.pathname === '/');
  await ana.context.close();
  await ben.context.close();
});

test('the quick switcher and the list are driven by keyboard alone', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const token = await deviceToken(server, ana.username);
  const { page } = ana;
  const suffix = uniqueName('k').slice(-5);
  const ids: Record<string, string> = {};
  for (const title of [`alpha-${suffix}`, `bravo-${suffix}`, `charlie-${suffix}`]) ids[title] = await createConversation(token, { kind: 'channel', title });
  await conversationList(page).getByRole('link', { name: new RegExp(`charlie-${suffix}`) }).waitFor();

  // Ctrl+K, a few letters, Enter.
  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Jump to a conversation' });
  await dialog.waitFor();
  await page.keyboard.type('brav');
  await poll(() => dialog.getByRole('option').count()).toBe(1);
  await screenshot(page, 'quick-switcher');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/c/${ids[`bravo-${suffix}`]}`);
  await expect(dialog.isVisible()).resolves.toBe(false);

  // Arrows move through the results; Esc closes without going anywhere.
  await page.keyboard.press('Control+k');
  await dialog.waitFor();
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('option', { selected: true }).count()).resolves.toBe(1);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  expect(page.url()).toContain(ids[`bravo-${suffix}`]);

  // The filter box and the list: ↓ into the list, ↓ to the next row, Enter opens it. (First let the conversation
  // screen finish loading: its composer takes the focus when it appears.)
  await page.getByRole('main').getByLabel('Message', { exact: true }).waitFor();
  const filter = page.getByRole('searchbox', { name: 'Filter conversations by name' });
  await filter.focus();
  await page.keyboard.press('ArrowDown');
  const focusedName = () => page.evaluate(() => document.activeElement?.textContent ?? '');
  await poll(focusedName).toMatch(`charlie-${suffix}`);
  await page.keyboard.press('ArrowDown');
  await poll(focusedName).toMatch(`bravo-${suffix}`);
  await page.keyboard.press('ArrowDown');
  await poll(focusedName).toMatch(`alpha-${suffix}`);
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/c/${ids[`alpha-${suffix}`]}`);
  // Alt+↑ goes to the conversation above.
  await page.keyboard.press('Alt+ArrowUp');
  await page.waitForURL(`**/c/${ids[`bravo-${suffix}`]}`);
  await ana.context.close();
});

test('the connection banner shows while offline and goes away when the connection is back', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const { page, context } = ana;
  const banner = page.locator('.connection-banner');
  await expect(banner.textContent()).resolves.toBe('');
  await context.setOffline(true);
  await banner.getByText(/offline/i).waitFor();
  await screenshot(page, 'connection-offline');
  await context.setOffline(false);
  await poll(() => banner.textContent(), 15_000).toBe('');
  await context.close();
});

test('at 375 px wide the list and the open screen are two screens', async () => {
  const ana = await personInBrowser(browser, server, 'ana', { viewport: { width: 375, height: 740 } });
  const token = await deviceToken(server, ana.username);
  const ben = await apiUser('ben');
  const anaId = await userId(server, token);
  const dm = await createConversation(ben.token, { kind: 'direct', userId: anaId });
  await sendText(server, ben.token, dm, 'Lunch at one? The usual place near the station, I will book a table for the three of us.');
  const { page } = ana;
  const nav = page.getByRole('navigation', { name: /conversations/i });
  const row = conversationList(page).getByRole('link', { name: new RegExp(ben.displayName) });
  await row.waitFor();
  await screenshot(page, 'mobile-list');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // Settings is a screen of its own with a way back.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
  await expect(nav.isVisible()).resolves.toBe(false);
  await screenshot(page, 'mobile-settings');
  await page.getByRole('button', { name: 'Back to conversations' }).click();
  await row.waitFor();
  await row.click();
  await page.waitForURL(`**/c/${dm}`);
  await poll(() => nav.isVisible()).toBe(false);
  await ana.context.close();
});

test('hundreds of conversations: the list renders only what is on screen and stays navigable', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const anaId = await userId(server, await deviceToken(server, ana.username));
  const creators = await Promise.all(Array.from({ length: 10 }, (_, i) => apiUser(`crowd${i}`)));
  await Promise.all(
    creators.map(async (c, i) => {
      for (let j = 0; j < 30; j++) await createConversation(c.token, { kind: 'group', title: `Group ${String(i * 30 + j).padStart(3, '0')}`, memberIds: [anaId] });
    }),
  );
  const { page } = ana;
  await page.reload();
  const list = conversationList(page);
  await list.getByRole('link').first().waitFor();
  await poll(() => list.evaluate((ul) => ul.getAttribute('style') ?? '')).toMatch(/height: 20400px/);
  const rendered = await list.getByRole('listitem').count();
  expect(rendered).toBeLessThan(40);
  expect(await list.getByRole('listitem').first().getAttribute('aria-setsize')).toBe('300');

  // End jumps to the last (oldest) row, Home back to the first.
  await list.getByRole('link').first().focus();
  await page.keyboard.press('End');
  await poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/Group 000|Group 030|Group 060|Group 090|Group 120|Group 150|Group 180|Group 210|Group 240|Group 270/);
  await page.keyboard.press('Home');
  await poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.row)).toBe('0');
  await page.getByRole('searchbox', { name: 'Filter conversations by name' }).fill('Group 123');
  await poll(() => list.getByRole('link').count()).toBe(1);
  await ana.context.close();
});

test('previews: my own messages say "You", deleted and forwarded messages say so, typing shows live', async () => {
  const ana = await personInBrowser(browser, server, 'ana');
  const anaToken = await deviceToken(server, ana.username);
  const anaId = await userId(server, anaToken);
  const ben = await apiUser('ben');
  const dm = await createConversation(ben.token, { kind: 'direct', userId: anaId });
  // Ana opens it too, from her phone, so that she may write first.
  await createConversation(anaToken, { kind: 'direct', userId: ben.id });
  const group = await createConversation(ben.token, { kind: 'group', title: 'Previews', memberIds: [anaId] });
  const { page } = ana;
  const dmRow = page.locator(`a[href="/c/${dm}"]`);
  const groupRow = page.locator(`a[href="/c/${group}"]`);
  await groupRow.waitFor();

  // Sent from Ana's phone: "You:".
  await sendText(server, anaToken, dm, 'On my way');
  await poll(() => dmRow.innerText()).toMatch(/You: On my way/);
  // Ben deletes his message: the tombstone shows.
  const id = await sendText(server, ben.token, group, 'oops, wrong chat');
  await poll(() => groupRow.innerText()).toMatch(/oops, wrong chat/);
  expect((await call(server.url, 'deleteMessage', { token: ben.token, params: { conversationId: group, messageId: id } })).status).toBe(200);
  await poll(() => groupRow.innerText()).toMatch(/This message was deleted/);
  // Ben forwards Ana's message into the group.
  const original = await sendText(server, anaToken, dm, 'Forward me');
  const res = await call(server.url, 'forwardMessage', {
    token: ben.token,
    params: { conversationId: group },
    body: { clientId: `f${Date.now().toString(36)}`, from: { conversationId: dm, messageId: original } },
  });
  expect(res.status).toBe(200);
  await poll(() => groupRow.textContent()).toMatch(new RegExp(`Forwarded: ${ben.displayName}: Forward me`));
  await groupRow.locator('.cl-forward').waitFor();
  // Ben types in the direct conversation.
  const socket = await RawSocket.connect(server.wsUrl, ben.token);
  socket.ws.send(JSON.stringify({ type: 'typing', conversationId: dm, active: true }));
  await poll(() => dmRow.innerText()).toMatch(/typing…/);
  await screenshot(page, 'sidebar-previews');
  socket.ws.send(JSON.stringify({ type: 'typing', conversationId: dm, active: false }));
  await poll(() => dmRow.innerText()).toMatch(/You: Forward me/);
  socket.ws.close();
  await ana.context.close();
});

test('presence: a page hidden for a minute reports the person away; coming back makes them online again', async () => {
  const ben = await personInBrowser(browser, server, 'ben');
  const ana = await personInBrowser(browser, server, 'ana');
  // Ana's page runs on a fake clock, so a minute passes in a moment.
  await ana.context.clock.install();
  await ana.page.reload();
  await ana.page.getByRole('navigation', { name: /conversations/i }).waitFor();
  const anaToken = await deviceToken(server, ana.username);
  const benId = await userId(server, await deviceToken(server, ben.username));
  const dm = await createConversation(anaToken, { kind: 'direct', userId: benId });
  // Shared, and in Ben's list, from its first message.
  await sendText(server, anaToken, dm, 'hi');
  const row = conversationList(ben.page).getByRole('link', { name: new RegExp(ana.displayName) });
  await row.getByRole('img', { name: 'Online' }).waitFor();

  await ana.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  // A minute passes at once, as for a laptop whose lid was closed: each due timer fires once. The hidden-page idle
  // timer fires; the heartbeat sends one ping, whose timeout lies ahead of the page's clock.
  await ana.page.clock.fastForward(61_000);
  await row.getByRole('img', { name: 'Away' }).waitFor();
  await screenshot(ben.page, 'sidebar-presence-away');

  await ana.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await row.getByRole('img', { name: 'Online' }).waitFor();
  await ana.context.close();
  await ben.context.close();
});
