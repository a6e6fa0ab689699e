import type { Conversation, HistoryPage, Message } from '@hearth/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { call, signUp, uniqueName, type BearerSession } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { launchBrowser, screenshot, useSession } from '../support/browser.js';
import { conversationList, openConversationId, poll, startShellServer } from '../support/people.js';

/**
 * Membership in the web app: a new direct message stays a draft until its first message, forwarding to several
 * targets at once, previewing a public channel before joining it, and what a removed member keeps.
 */

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startShellServer();
  browser = await launchBrowser();
  // The first account administers the server; the people below are ordinary users.
  await signUp(server.url, uniqueName('admin'));
});
afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  for (const [i, c] of contexts.splice(0).entries()) {
    if (failed) for (const p of c.pages()) await screenshot(p, `failed-membership-${i}`).catch(() => undefined);
    await c.close().catch(() => undefined);
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Person = BearerSession & { username: string; displayName: string };

async function person(prefix: string): Promise<Person> {
  const username = uniqueName(prefix);
  const session = await signUp(server.url, username);
  return { ...session, username, displayName: username.toUpperCase() };
}

/** Several new people at once, in the order of the prefixes. */
function people<const P extends readonly string[]>(...prefixes: P): Promise<{ [K in keyof P]: Person }> {
  return Promise.all(prefixes.map(person)) as Promise<{ [K in keyof P]: Person }>;
}

async function api<T>(who: Person, name: Parameters<typeof call>[1], options: Omit<Parameters<typeof call>[2] & object, 'token'> = {}): Promise<T> {
  const res = await call<T>(server.url, name, { ...options, token: who.token });
  if (res.status >= 300) throw new Error(`${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

let sent = 0;
function send(who: Person, conversationId: string, text: string): Promise<Message> {
  const clientId = `m${Date.now().toString(36)}${(sent++).toString(36)}`;
  return api<Message>(who, 'sendMessage', { params: { conversationId }, body: { clientId, content: { type: 'text', text, entities: [] } } });
}

/** A title no other test's conversation has, so that a row found by it is this test's. */
const titled = (prefix: string) => `${prefix} ${uniqueName('t').slice(-5)}`;

function group(owner: Person, title: string, members: Person[], kind: 'group' | 'channel' = 'group'): Promise<Conversation> {
  const body = kind === 'group' ? { kind, title, memberIds: members.map((m) => m.me.id) } : { kind, title };
  return api<Conversation>(owner, 'createConversation', { body });
}

/** A browser signed in as `who` (the session cookie), at `path`, with the app up. */
async function open(who: Person, path = '/'): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'Europe/Madrid' });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  await useSession(context, server.url, who.token);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  await page.goto(path);
  await page.getByRole('navigation', { name: /conversations/i }).waitFor();
  return page;
}

const row = (page: Page, name: string | RegExp) => conversationList(page).getByRole('link', { name });
const composer = (page: Page) => page.getByRole('main').getByRole('textbox', { name: /^message$/i });
const history = (page: Page) => page.getByRole('main').getByRole('region', { name: /^messages in/i });
const article = (page: Page, text: string | RegExp) => history(page).getByRole('article').filter({ hasText: text });

/** Opens the forward dialog of the message with this text, from its toolbar. */
async function forwardDialog(page: Page, text: string) {
  const message = article(page, text);
  await message.hover();
  await message.getByRole('button', { name: 'Forward' }).click();
  return page.getByRole('dialog', { name: 'Forward message' });
}

test('a new message to someone is a draft in nobody’s list until it is sent, then both lists show it', async () => {
  const [ana, ben] = await people('ana', 'ben');
  const anaPage = await open(ana);
  const benPage = await open(ben);

  await anaPage.getByRole('button', { name: 'New conversation' }).click();
  await anaPage.getByRole('menuitem', { name: 'New message' }).click();
  const dialog = anaPage.getByRole('dialog', { name: 'New message' });
  await dialog.getByRole('combobox', { name: 'Search people' }).fill(ben.username);
  await dialog.getByRole('option', { name: new RegExp(ben.displayName) }).click();
  await anaPage.waitForURL(/\/c\/[0-9a-f-]{36}$/);

  // The draft: Ben's name in the header, no history, a composer, and a word on who sees what when.
  await anaPage.getByRole('heading', { name: ben.displayName, level: 2 }).waitFor();
  await composer(anaPage).waitFor();
  await anaPage.getByText(`${ben.displayName} will see this conversation when you send your first message.`).waitFor();
  await expect(history(anaPage).getByRole('article').count()).resolves.toBe(0);
  await screenshot(anaPage, 'membership-draft-dm');

  // A marker made after the draft reaches both lists: by then a DM in either list would be there too.
  const marker = await group(ana, titled('Marker'), [ben]);
  await row(anaPage, new RegExp(marker.title!)).waitFor();
  await row(benPage, new RegExp(marker.title!)).waitFor();
  await expect(row(anaPage, new RegExp(ben.displayName)).count()).resolves.toBe(0);
  await expect(row(benPage, new RegExp(ana.displayName)).count()).resolves.toBe(0);

  await composer(anaPage).fill('Hello Ben, a first word');
  await composer(anaPage).press('Enter');
  await poll(() => row(anaPage, new RegExp(ben.displayName)).getAttribute('aria-current')).toBe('page');
  await poll(() => row(benPage, new RegExp(ana.displayName)).textContent()).toMatch(/Hello Ben, a first word/);
  await expect(anaPage.getByText(/will see this conversation when you send/).count()).resolves.toBe(0);
});

test('a removed member still reads the history, cannot write, and can remove the conversation from their list', async () => {
  const [ana, ben] = await people('ana', 'ben');
  const club = await group(ana, titled('Book club'), [ben]);
  await send(ana, club.id, 'Chapter one is done');
  const benPage = await open(ben, `/c/${club.id}`);
  await article(benPage, 'Chapter one is done').waitFor();
  await composer(benPage).waitFor();

  await api(ana, 'removeMember', { params: { conversationId: club.id, userId: ben.me.id } });
  await benPage.getByText(`${ana.displayName} removed you from this conversation.`, { exact: false }).waitFor();
  await expect(composer(benPage).count()).resolves.toBe(0);
  // What is left to do with the history is to read it: copy and forward, no reacting, replying or deleting.
  const kept = article(benPage, 'Chapter one is done');
  await kept.hover();
  await kept.getByRole('button', { name: 'Forward' }).waitFor();
  await expect(kept.getByRole('button', { name: /^(reply|react|delete)$/i }).count()).resolves.toBe(0);
  await article(benPage, new RegExp(`${ana.displayName} removed you$`)).waitFor();
  await screenshot(benPage, 'membership-removed');
  // Still in the list, read-only, until dismissed.
  await row(benPage, new RegExp(club.title!)).waitFor();

  await benPage.getByRole('button', { name: 'Remove from my list' }).click();
  await benPage.waitForURL((url) => url.pathname === '/');
  await poll(() => row(benPage, new RegExp(club.title!)).count()).toBe(0);
  // For good: after a reload, with a later conversation in the list as the marker, it is still gone.
  const marker = await group(ana, titled('Marker'), [ben]);
  await benPage.reload();
  await row(benPage, new RegExp(marker.title!)).waitFor();
  await expect(row(benPage, new RegExp(club.title!)).count()).resolves.toBe(0);
});

test('forwarding to a group and to someone with no conversation yet, with a comment: both receive it', async () => {
  const [ana, ben, cleo] = await people('ana', 'ben', 'cleo');
  const team = await group(ana, titled('Team'), [ben]);
  const ops = await group(ana, titled('Ops'), [ben]);
  const original = await send(ben, team.id, 'Quarterly numbers are in');
  const anaPage = await open(ana, `/c/${team.id}`);
  const dialog = await forwardDialog(anaPage, 'Quarterly numbers are in');
  const search = dialog.getByRole('searchbox', { name: 'Search conversations and people' });
  await poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true);
  const forward = dialog.getByRole('button', { name: 'Forward', exact: true });
  await expect(forward.isDisabled()).resolves.toBe(true);
  await search.fill(ops.title!.slice(0, 6));
  await expect(dialog.getByRole('checkbox', { name: new RegExp(team.title!) }).count()).resolves.toBe(0);
  await dialog.getByRole('checkbox', { name: new RegExp(ops.title!) }).check();
  // From the keyboard: Enter in the search chooses the first match.
  await search.fill(cleo.username);
  const cleoBox = dialog.getByRole('checkbox', { name: new RegExp(cleo.displayName) });
  await poll(() => dialog.getByRole('checkbox').count()).toBe(1);
  await search.press('Enter');
  await poll(() => cleoBox.isChecked()).toBe(true);
  // What is chosen stays chosen while the search changes.
  await dialog.getByRole('list', { name: '2 chosen' }).waitFor();
  await dialog.getByRole('textbox', { name: /comment/i }).fill('FYI, see below');
  await screenshot(anaPage, 'membership-forward-dialog');
  await forward.click();
  await anaPage.getByRole('status').filter({ hasText: 'Forwarded to 2 conversations' }).waitFor();
  await expect(dialog.count()).resolves.toBe(0);

  // Cleo had no conversation with Ana: it appears in her list with the copy, after the comment.
  const cleoPage = await open(cleo);
  await row(cleoPage, new RegExp(ana.displayName)).click();
  await article(cleoPage, 'FYI, see below').waitFor();
  await article(cleoPage, 'Quarterly numbers are in').getByText(`Forwarded from ${ben.displayName}`).waitFor();
  // The group got the same two, in that order.
  const page = await api<HistoryPage>(ben, 'history', { params: { conversationId: ops.id }, query: { limit: 10 } });
  const texts = page.messages.map((m) => (m.content?.type === 'text' ? m.content.text : null));
  expect(texts.slice(-2)).toEqual(['FYI, see below', 'Quarterly numbers are in']);
  expect(page.messages.at(-1)!.forwarded?.originalSenderId).toBe(original.senderId);
});

test('a forward target that fails stays chosen with the reason, and the others get the message', async () => {
  const [ana, ben, dan] = await people('ana', 'ben', 'dan');
  const source = await group(ana, titled('Source'), [ben]);
  const good = await group(ana, titled('Good'), [ben]);
  const lost = await group(dan, titled('Lost'), [ana]);
  await send(ben, source.id, 'Read this twice');
  const anaPage = await open(ana, `/c/${source.id}`);
  const dialog = await forwardDialog(anaPage, 'Read this twice');
  await dialog.getByRole('checkbox', { name: new RegExp(good.title!) }).check();
  await dialog.getByRole('checkbox', { name: new RegExp(lost.title!) }).check();

  // Dan removes Ana from his group while she is choosing.
  await api(dan, 'removeMember', { params: { conversationId: lost.id, userId: ana.me.id } });
  await poll(() => dialog.getByRole('checkbox', { name: new RegExp(lost.title!) }).count()).toBe(0);
  await dialog.getByRole('button', { name: 'Forward', exact: true }).click();
  await dialog.getByRole('alert').filter({ hasText: `Not sent to ${lost.title!}: This conversation does not exist or you are not in it.` }).waitFor();
  await screenshot(anaPage, 'membership-forward-failed');
  const chosen = dialog.getByRole('list', { name: '1 chosen' });
  await chosen.getByText(lost.title!).waitFor();
  const page = await api<HistoryPage>(ben, 'history', { params: { conversationId: good.id }, query: { limit: 10 } });
  expect(page.messages.at(-1)?.forwarded?.originalSenderId).toBe(ben.me.id);
});

test('a public channel is previewed read-only from the browser and from a link, and joining opens the composer', async () => {
  const [ana, ben, cleo] = await people('ana', 'ben', 'cleo');
  const title = titled('Garden');
  const channel = await group(ana, title, [], 'channel');
  await send(ana, channel.id, 'The tomatoes are ripe');

  const benPage = await open(ben, '/channels');
  await benPage.getByRole('button', { name: `Preview ${title}` }).click();
  await benPage.waitForURL(`**/c/${channel.id}`);
  await article(benPage, 'The tomatoes are ripe').waitFor();
  await expect(composer(benPage).count()).resolves.toBe(0);
  await expect(row(benPage, new RegExp(title)).count()).resolves.toBe(0);
  await screenshot(benPage, 'membership-channel-preview');
  await benPage.getByRole('button', { name: `Join ${title}` }).click();
  await composer(benPage).waitFor();
  await row(benPage, new RegExp(title)).waitFor();
  expect(openConversationId(benPage)).toBe(channel.id);

  // A link, for someone who is not in it: the same preview; a private group's link still says nothing exists.
  const secret = await group(ana, 'Secret plans', []);
  const cleoPage = await open(cleo, `/c/${channel.id}`);
  await article(cleoPage, 'The tomatoes are ripe').waitFor();
  await cleoPage.getByRole('button', { name: `Join ${title}` }).waitFor();
  await cleoPage.goto(`/c/${secret.id}`);
  await cleoPage.getByText('This conversation does not exist or you are not in it.').waitFor();
});
